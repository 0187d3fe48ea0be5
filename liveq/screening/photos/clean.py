"""Re-encode an uploaded photo with nothing but its pixels.

A phone's photo carries more than the picture: EXIF (GPS position, the time to
the second, the phone's make, model and serial number, and a thumbnail of the
picture as first taken — before any crop), XMP and IPTC blocks (captions,
places, editing history), comments, extra images (MPF: depth maps, previews)
and an ICC colour profile whose text names the device. None of that is copied:
the pixels are decoded, turned upright as EXIF's orientation says, converted to
sRGB from the embedded profile, and written into a new file. Only that file is
stored for sending.

Pillow copies some metadata by default (a JPEG's comment, a PNG's ICC profile)
when an opened image is saved: the image written here is a new one built from
the pixels, with an empty ``info``.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from liveq.errors import InvalidInput

MAX_BYTES = 5 * 1024 * 1024  # X's limit for a photo
_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
# What Pillow found in the bytes -> the type written. MPO is a phone's JPEG with extra
# pictures (depth maps, previews) in it: only the first, the photo, is kept.
_READ = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
         "GIF": "image/gif"}


@dataclass(frozen=True)
class CleanPhoto:
    """A photo as liveq keeps it: re-encoded pixels and nothing else."""

    data: bytes
    media_type: str
    width: int
    height: int


def _srgb(image: Image.Image) -> Image.Image:
    """The pixels converted to sRGB from the photo's own colour profile, if it has one."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, target, outputMode=mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are


def _pixels(image: Image.Image) -> Image.Image:
    """A new image holding only the upright pixels, in a mode every format can write."""
    upright = ImageOps.exif_transpose(image) or image
    upright.info = dict(image.info)  # exif_transpose drops info; the profile is needed once more
    converted = _srgb(upright)
    alpha = converted.mode in ("RGBA", "LA", "PA") or "transparency" in converted.info
    mode = "RGBA" if alpha else ("L" if converted.mode in ("1", "L", "I;16", "I") else "RGB")
    if converted.mode.startswith("I"):
        # 16-bit grey: keep the top 8 bits.
        converted = converted.point(lambda v: v * (1 / 256), "L") if converted.mode == "I" else (
            converted.convert("I").point(lambda v: v * (1 / 256), "L")
        )
    fresh = Image.new(mode, converted.size)
    fresh.paste(converted.convert(mode))
    fresh.info = {}
    return fresh


def _encode(image: Image.Image, fmt: str) -> bytes:
    """The smallest of a few settings that keeps the photo under X's 5 MB."""
    attempts: list[tuple[str, dict]] = []
    if fmt == "PNG":
        attempts = [("PNG", {"optimize": True})]
        fmt = "JPEG"  # a photo saved as PNG that is too big goes out as a JPEG
    if fmt == "GIF":
        attempts = [("GIF", {"optimize": True})]
        fmt = "JPEG"
    if fmt == "WEBP":
        attempts += [("WEBP", {"quality": q}) for q in (90, 80, 70)]
    attempts += [("JPEG", {"quality": q, "optimize": True}) for q in (92, 85, 78, 70)]
    data = b""
    for name, options in attempts:
        target = image if name != "JPEG" or image.mode in ("RGB", "L") else _flatten(image)
        buf = io.BytesIO()
        target.save(buf, name, **options)
        data = buf.getvalue()
        if len(data) <= MAX_BYTES:
            return data
    raise InvalidInput(
        "That photo stays over 5 MB even re-compressed; make it smaller and try again."
    )


def _flatten(image: Image.Image) -> Image.Image:
    """A transparent photo on white, for JPEG."""
    flat = Image.new("RGB", image.size, (255, 255, 255))
    flat.paste(image, mask=image.getchannel("A") if image.mode == "RGBA" else None)
    return flat


def clean_photo(data: bytes, media_type: str) -> CleanPhoto:
    """The photo re-encoded without metadata, upright, in sRGB.

    JPEG stays JPEG, PNG stays PNG, WebP stays WebP, a GIF stays a GIF of its
    first frame. The type is what the bytes are, whatever `media_type` (the
    browser's guess from the file name) says."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                media_type = _READ.get(image.format or "", "")
                if not media_type:
                    raise InvalidInput("Photos must be PNG, JPEG, GIF or WebP images.")
                image.load()
                fresh = _pixels(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("That photo is too large to check; resize it and try again.") from None
    except (OSError, SyntaxError, ValueError):
        raise InvalidInput("That photo could not be read (damaged or cut short).") from None
    return encode(fresh, media_type)


def encode(image: Image.Image, media_type: str) -> CleanPhoto:
    """A new image (no ``info``) written as `media_type`, under 5 MB."""
    out = _encode(image, _FORMATS.get(media_type, "PNG"))
    kind = Image.open(io.BytesIO(out)).format or "PNG"
    return CleanPhoto(out, _TYPES[kind], image.width, image.height)


def size_of(data: bytes) -> tuple[int, int]:
    """A stored photo's width and height, from its header."""
    with Image.open(io.BytesIO(data)) as image:
        return image.size
