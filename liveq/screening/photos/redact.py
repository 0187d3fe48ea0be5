"""Blur or black out boxes of a photo: a new version, re-encoded like an upload.

A redaction starts from the cleaned original and applies every region the
photo has had, so blurring twice never compounds and the boxes stay where the
findings were found. The blur cannot be undone by sharpening: the box is
shrunk to a few pixels across (every letter and feature smaller than one of
them is gone) and blown up again, softened.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFilter

from liveq.screening.photos.clean import CleanPhoto, encode
from liveq.screening.photos.findings import Box

STYLES = ("blur", "black")
CELLS = 3  # the blurred box keeps at most this many cells across its shorter side


def redact_photo(data: bytes, media_type: str, regions: list[tuple[Box, str]]) -> CleanPhoto:
    """The photo with each (box, "blur"|"black") region covered."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        image = opened.convert("RGBA" if opened.mode in ("RGBA", "LA", "PA") else "RGB")
    draw = ImageDraw.Draw(image)
    for box, style in regions:
        x0, y0 = max(0, box.x), max(0, box.y)
        x1, y1 = min(image.width, box.x + box.w), min(image.height, box.y + box.h)
        if x1 <= x0 or y1 <= y0:
            continue
        if style == "black":
            draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=(0, 0, 0))
            continue
        part = image.crop((x0, y0, x1, y1))
        cell = max(1, min(x1 - x0, y1 - y0) // CELLS)
        small = part.resize((max(1, (x1 - x0) // cell), max(1, (y1 - y0) // cell)), Image.BOX)
        blown = small.resize(part.size, Image.BILINEAR)
        image.paste(blown.filter(ImageFilter.GaussianBlur(max(2, cell))), (x0, y0))
    fresh = Image.new(image.mode, image.size)
    fresh.paste(image)
    return encode(fresh, media_type)
