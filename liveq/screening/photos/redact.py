"""Blur or black out boxes of a photo: a new version of it, re-encoded like an upload."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFilter

from liveq.screening.photos.clean import CleanPhoto, clean_photo
from liveq.screening.photos.findings import Box

STYLES = ("blur", "black")


def redact_photo(data: bytes, media_type: str, regions: list[tuple[Box, str]]) -> CleanPhoto:
    """The photo with each (box, "blur"|"black") region covered."""
    image = Image.open(io.BytesIO(data))
    image.load()
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB")
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
        # Heavy enough that no letter or feature survives: a radius of a third of the
        # box's smaller side, then shrunk to a few pixels and blown up again.
        radius = max(4, min(x1 - x0, y1 - y0) // 3)
        part = part.filter(ImageFilter.GaussianBlur(radius))
        small = part.resize((max(1, (x1 - x0) // 24), max(1, (y1 - y0) // 24)), Image.BILINEAR)
        image.paste(small.resize(part.size, Image.BILINEAR), (x0, y0))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return clean_photo(buf.getvalue(), "image/png") if media_type == "image/png" else _as(
        image, media_type
    )


def _as(image: Image.Image, media_type: str) -> CleanPhoto:
    fmt = {"image/jpeg": "JPEG", "image/webp": "WEBP"}.get(media_type, "PNG")
    buf = io.BytesIO()
    save = image.convert("RGB") if fmt == "JPEG" else image
    save.save(buf, fmt, **({"quality": 95} if fmt != "PNG" else {}))
    return clean_photo(buf.getvalue(), media_type if fmt != "PNG" else "image/png")
