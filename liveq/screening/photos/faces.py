"""Faces: dlib's HOG face detector (built into the dlib-bin wheel, Boost licence: no model
file, CPU, offline) and OpenCV's own Haar cascades (shipped inside opencv-python-headless 4.x).

dlib reads the copy enlarged twice (faces down to about 40 pixels) and, for heads tilted
20-30 degrees, the copy turned both ways (faces of 80 pixels and more); its hits carry a
score, and one near the threshold needs skin tones (or a grey region) as a cascade's does.

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
from PIL import Image

from liveq.screening.photos.findings import Box, PhotoFinding

LONGEST = 1200
MIN_FACE = 28  # pixels on that copy
# (cascade, mirrored too, agreement needed in colour, agreement needed in grey)
CASCADES = (
    ("haarcascade_frontalface_alt2.xml", False, 5, 10),
    ("haarcascade_frontalface_default.xml", False, 10, 20),
    ("haarcascade_profileface.xml", True, 12, 20),
)
# dlib: (degrees turned, times enlarged); hits scoring from HOG_LOWEST, sure from HOG_SURE.
TURNS = ((0, 1), (22, 0), (-22, 0))
HOG_LOWEST, HOG_SURE = -0.2, 0.3
HOG_COLOUR = 60  # mean saturation above which a weak dlib hit needs skin tones
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


@cache
def _hog():
    import dlib

    return dlib.get_frontal_face_detector()


def warm_up() -> None:
    """Load dlib's detector now. Loading holds the interpreter's lock (0.3 s on an idle
    core, seconds on a busy one), which stalls every request of the process: better at
    start than at the first photo of a live procedure."""
    _hog()


def _hog_candidates(gray: np.ndarray) -> list[tuple[Box, float]]:
    """dlib's hits, (box on the copy, score), upright (enlarged) and turned both ways."""
    import cv2

    h, w = gray.shape
    out = []
    for angle, upsample in TURNS:
        if angle:
            turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            img = cv2.warpAffine(gray, turn, (w, h), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REPLICATE)
            back = cv2.invertAffineTransform(turn)
        else:
            img, back = gray, None
        rects, scores, _ = _hog().run(img, upsample, HOG_LOWEST)
        for r, score in zip(rects, scores, strict=True):
            corners = np.array([[r.left(), r.top()], [r.right(), r.top()],
                                [r.right(), r.bottom()], [r.left(), r.bottom()]], float)
            if back is not None:
                corners = corners @ back[:, :2].T + back[:, 2]
            x0, y0 = np.clip(corners.min(axis=0), 0, [w, h])
            x1, y1 = np.clip(corners.max(axis=0), 0, [w, h])
            if x1 - x0 > 8 and y1 - y0 > 8:
                out.append((Box(int(x0), int(y0), int(x1 - x0), int(y1 - y0)), float(score)))
    return out


def _overlaps(box: Box, kept: list[Box]) -> bool:
    return any(box.iou(k) > 0.3 or box.intersection(k) > 0.6 * box.area for k in kept)


def find_faces(image: Image.Image) -> list[PhotoFinding]:
    """Every face found, as a box in the photo (one finding per face)."""
    import cv2

    factor = min(1.0, LONGEST / max(image.size))
    small = image.convert("RGB")
    if factor < 1.0:
        small = small.resize((round(image.width * factor), round(image.height * factor)))
    # Contrast evened out tile by tile (CLAHE), not over the whole picture: a dim face
    # beside a bright lamp stays dim under global equalisation.
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    gray = clahe.apply(np.asarray(small.convert("L")))
    kept: list[Box] = []
    for box, score in sorted(_hog_candidates(gray), key=lambda c: -c[1]):
        if _overlaps(box, kept):
            continue
        if score < HOG_SURE:
            # Dim, tinted or grey light leaves a face little colour to judge by; a
            # strongly coloured region with no skin tone in it is a texture.
            skin, saturation = _skin_and_colour(small, box)
            if saturation >= HOG_COLOUR and skin < SKIN:
                continue
        kept.append(box)
    for box, agreement, colour, grey in sorted(_candidates(gray), key=lambda c: -c[1]):
        if _overlaps(box, kept):
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
