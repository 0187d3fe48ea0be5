"""What a photo really is: its bytes' signature, then Pillow reading its header.

A photo is trusted by neither its file name nor the type the browser declared:
an SVG (script inside), HTML behind a GIF header or a ZIP would otherwise be
stored and sent to X. Pillow reads only the header for the size (no pixels are
decoded), so a small file that claims a huge picture is refused before it costs
memory; ``verify()`` then walks the file's structure (PNG checksums, chunks).
Pure: bytes in, a type or a ScriptError out.
"""

from __future__ import annotations

import io
import warnings

from liveq.errors import InvalidInput

# The first bytes of each format X takes, and Pillow's name for it.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"GIF87a", "image/gif", "GIF"),
    (b"GIF89a", "image/gif", "GIF"),
)
DEFAULT_MAX_PIXELS = 40_000_000
_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "WEBP": "WebP"}


class NotAnImage(InvalidInput):
    """The photo is not a PNG, JPEG, GIF or WebP we can read, or is too large (400)."""


def _sniff(data: bytes) -> tuple[str, str] | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "WEBP"
    for prefix, media_type, fmt in _SIGNATURES:
        if data.startswith(prefix):
            return media_type, fmt
    return None


def identify(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> str:
    """The photo's real media type; NotAnImage if it is not a readable image within limits."""
    sniffed = _sniff(data)
    if sniffed is None:
        raise NotAnImage("That file is not a photo: only PNG, JPEG, GIF and WebP images are taken.")
    media_type, fmt = sniffed
    from PIL import Image  # here, not at the top: the CLI's fast commands never need it

    try:
        with warnings.catch_warnings():
            # Pillow's own decompression-bomb guard warns, then raises: both refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise NotAnImage(_too_big(width, height, max_pixels))
                image.verify()
    except NotAnImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NotAnImage(_too_big(*_claimed_size(data, fmt), max_pixels)) from None
    except Exception:
        # Pillow raises many kinds (OSError, SyntaxError, struct.error...) for a broken file.
        raise NotAnImage(
            f"That photo is not a readable {_NAMES[fmt]} image (damaged or cut short)."
        ) from None
    return media_type


def _claimed_size(data: bytes, fmt: str) -> tuple[int, int]:
    """The size a PNG's header claims, for the message when Pillow refused to open it."""
    if fmt == "PNG" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 0, 0


def _too_big(width: int, height: int, max_pixels: int) -> str:
    size = f" ({width}×{height})" if width and height else ""
    return (
        f"That photo is too large{size}: the limit is {max_pixels / 1_000_000:g} megapixels. "
        "Resize it and try again."
    )
