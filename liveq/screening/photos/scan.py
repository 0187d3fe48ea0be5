"""Check a photo: the text in it (four turns of the whole picture) and its faces."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

from liveq.screening.photos import ocr
from liveq.screening.photos.faces import find_faces
from liveq.screening.photos.findings import PhotoFinding
from liveq.screening.photos.geometry import scaled
from liveq.screening.photos.text import line_findings, merge
from liveq.screening.rules import ScreeningRules

Progress = Callable[[float, str], None]
OCR_LONGEST = 2000


def scan_photo(
    data: bytes, *, rules: ScreeningRules | None = None, progress: Progress | None = None
) -> list[PhotoFinding]:
    """Identifiers in the photo's text and faces, each with its box. CPU-bound: seconds."""
    report = progress or (lambda done, what: None)
    image = Image.open(io.BytesIO(data))
    image.load()
    image = image.convert("RGB")
    report(0.05, "Looking for faces")
    findings = find_faces(image)
    view = scaled(image.convert("L"), OCR_LONGEST)
    turns = (0, 90, 180, 270)
    for n, angle in enumerate(turns):
        report(0.1 + 0.9 * n / len(turns), "Reading the text in the photo")
        turned = view.turned(angle)
        findings += line_findings(turned, ocr.read_lines(turned.image), rules)
    report(1.0, "Done")
    return merge(findings)
