"""Faces: OpenCV's own Haar cascades (shipped inside opencv-python-headless)."""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image

from liveq.screening.photos.findings import Box, PhotoFinding
from liveq.screening.photos.geometry import scaled

LONGEST = 1200


@cache
def _cascade(name: str):
    import cv2

    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if cascade.empty():
        raise RuntimeError(f"OpenCV's {name} is missing from this install of opencv")
    return cascade


def find_faces(image: Image.Image) -> list[PhotoFinding]:
    """Every face the frontal cascade finds, as a box in the photo."""
    view = scaled(image.convert("L"), LONGEST)
    gray = np.asarray(view.image)
    found = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24)
    )
    return [
        PhotoFinding(
            kind="face",
            box=view.box_back(Box(int(x), int(y), int(w), int(h))),
            reason="a face",
            source="face",
        )
        for x, y, w, h in found
    ]
