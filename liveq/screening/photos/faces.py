"""Faces: OpenCV's own Haar cascades (shipped inside opencv-python-headless 4.x).

Three cascades look at a copy about 1200 pixels wide: two frontal ones and the
profile one (and its mirror image, for faces turned the other way). Each hit
comes with how many neighbouring windows agreed; a face is kept when enough did.
A cascade also fires on textures (coins, gravel, brick), nearly always where
there is no colour; so a hit in a colour region needs skin tones in it, and one
in a grey region (a black-and-white photo on a wall) needs stronger agreement.
Thresholds were tuned on the dev split of scripts/make_photo_holdout.py.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image, ImageOps

from liveq.screening.photos.findings import Box, PhotoFinding

LONGEST = 1200
MIN_FACE = 28  # pixels on that copy
# (cascade, mirrored too, agreement needed in colour, agreement needed in grey)
CASCADES = (
    ("haarcascade_frontalface_alt2.xml", False, 5, 10),
    ("haarcascade_frontalface_default.xml", False, 10, 20),
    ("haarcascade_profileface.xml", True, 12, 20),
)
GREY = 12  # mean saturation (0-255) under which a region has no colour to judge by
SKIN = 0.25  # share of skin-toned pixels a face in colour needs


@cache
def _cascade(name: str):
    import cv2

    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if cascade.empty():
        raise RuntimeError(f"OpenCV's {name} is missing: install opencv-python-headless<5")
    return cascade


def _skin_and_colour(image: Image.Image, box: Box) -> tuple[float, float]:
    crop = image.crop((box.x, box.y, box.x + box.w, box.y + box.h))
    ycc = np.asarray(crop.convert("YCbCr")).astype(np.int16)
    cb, cr = ycc[..., 1], ycc[..., 2]
    skin = float(((cb > 77) & (cb < 127) & (cr > 133) & (cr < 173)).mean())
    saturation = float(np.asarray(crop.convert("HSV"))[..., 1].mean())
    return skin, saturation


def _candidates(gray: np.ndarray) -> list[tuple[Box, int, int, int]]:
    """Every hit: (box on the copy, agreement, needed in colour, needed in grey)."""
    out = []
    for name, mirror, colour, grey in CASCADES:
        for flip in (False, True) if mirror else (False,):
            img = np.ascontiguousarray(gray[:, ::-1]) if flip else gray
            found, counts = _cascade(name).detectMultiScale2(
                img, scaleFactor=1.1, minNeighbors=3, minSize=(MIN_FACE, MIN_FACE)
            )
            for (x, y, w, h), n in zip(found, counts, strict=True):
                x = gray.shape[1] - x - w if flip else x
                out.append((Box(int(x), int(y), int(w), int(h)), int(n), colour, grey))
    return out


def find_faces(image: Image.Image) -> list[PhotoFinding]:
    """Every face found, as a box in the photo (one finding per face)."""
    factor = min(1.0, LONGEST / max(image.size))
    small = image.convert("RGB")
    if factor < 1.0:
        small = small.resize((round(image.width * factor), round(image.height * factor)))
    gray = np.asarray(ImageOps.equalize(small.convert("L")))
    kept: list[Box] = []
    for box, agreement, colour, grey in sorted(_candidates(gray), key=lambda c: -c[1]):
        if any(box.iou(k) > 0.3 or box.intersection(k) > 0.6 * box.area for k in kept):
            continue
        skin, saturation = _skin_and_colour(small, box)
        if saturation < GREY:
            if agreement < grey:
                continue
        elif agreement < colour or skin < SKIN:
            continue
        kept.append(box)
    return [
        PhotoFinding(
            kind="face",
            box=Box(int(b.x / factor), int(b.y / factor), int(b.w / factor), int(b.h / factor)),
            reason="a face",
            source="face",
        )
        for b in kept
    ]
