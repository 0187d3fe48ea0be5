"""Photos for the photo-check tests: a phone JPEG full of metadata, a wristband, a face.

The metadata is planted by hand, byte by byte, so every block a phone writes is there:
EXIF with GPS, a serial number, the time and an embedded thumbnail (IFD1), XMP, an
IPTC caption (Photoshop APP13), a comment and an ICC profile. Each carries a marker
string a test can search the stored bytes for.
"""

from __future__ import annotations

import importlib
import io
import struct
import sys
from pathlib import Path

from PIL import Image, ImageCms, ImageDraw, ImageFont

MARKERS = {
    "gps": b"PLANTED-GPS-PROCESSING",
    "serial": b"SN-PLANTED-4471",
    "description": b"PLANTED-DESCRIPTION",
    "when": b"2026:05:06 08:14:02",
    "thumbnail": b"PLANTED-THUMBNAIL",
    "xmp": b"PLANTED-XMP-LOCATION",
    "iptc": b"PLANTED-IPTC-CAPTION",
    "comment": b"PLANTED-COMMENT",
}
# The signatures of the blocks themselves, whatever they hold.
BLOCK_SIGNATURES = {
    "exif": b"Exif\x00\x00",
    "xmp": b"http://ns.adobe.com/xap/1.0/",
    "iptc": b"Photoshop 3.0",
    "icc": b"acsp",
    "mpf": b"MPF\x00",
}
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _ifd(entries: list[tuple[int, int, int, bytes]], start: int, next_ifd: int) -> bytes:
    """A TIFF IFD at offset `start`: entries (tag, type, count, value bytes)."""
    head = struct.pack("<H", len(entries))
    data_at = start + 2 + 12 * len(entries) + 4
    body, data = b"", b""
    for tag, kind, count, value in entries:
        if len(value) <= 4:
            body += struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\0")
        else:
            body += struct.pack("<HHII", tag, kind, count, data_at + len(data))
            data += value + (b"\0" if len(value) % 2 else b"")
    return head + body + struct.pack("<I", next_ifd) + data


def _ascii(text: bytes) -> tuple[int, bytes]:
    return len(text) + 1, text + b"\0"


def exif_block(orientation: int, thumbnail: bytes) -> bytes:
    """EXIF as a phone writes it: IFD0 -> Exif IFD, GPS IFD; IFD1 with a JPEG thumbnail."""

    def size(entries):
        return 2 + 12 * len(entries) + 4 + sum(
            len(v) + len(v) % 2 for *_, v in entries if len(v) > 4
        )

    n, desc = _ascii(MARKERS["description"])
    ns, serial = _ascii(MARKERS["serial"])
    nw, when = _ascii(MARKERS["when"])
    method = b"ASCII\0\0\0" + MARKERS["gps"]
    lat = struct.pack("<IIIIII", 40, 1, 26, 1, 4661, 100)
    exif_entries = [(0x9003, 2, nw, when), (0xA431, 2, ns, serial)]
    gps_entries = [(0x0001, 2, 2, b"N\0"), (0x0002, 5, 3, lat), (0x001B, 7, len(method), method)]
    ifd0_entries = [
        (0x010E, 2, n, desc),
        (0x0112, 3, 1, struct.pack("<H", orientation)),
        (0x8769, 4, 1, b"\0\0\0\0"),
        (0x8825, 4, 1, b"\0\0\0\0"),
    ]
    ifd0_at = 8
    exif_at = ifd0_at + size(ifd0_entries)
    gps_at = exif_at + size(exif_entries)
    ifd1_at = gps_at + size(gps_entries)
    ifd1_entries = [(0x0201, 4, 1, b"\0\0\0\0"), (0x0202, 4, 1, struct.pack("<I", len(thumbnail)))]
    thumb_at = ifd1_at + size(ifd1_entries)
    ifd0_entries[2] = (0x8769, 4, 1, struct.pack("<I", exif_at))
    ifd0_entries[3] = (0x8825, 4, 1, struct.pack("<I", gps_at))
    ifd1_entries[0] = (0x0201, 4, 1, struct.pack("<I", thumb_at))
    tiff = b"II*\0" + struct.pack("<I", ifd0_at)
    tiff += _ifd(ifd0_entries, ifd0_at, ifd1_at)
    tiff += _ifd(exif_entries, exif_at, 0)
    tiff += _ifd(gps_entries, gps_at, 0)
    tiff += _ifd(ifd1_entries, ifd1_at, 0)
    assert len(tiff) == thumb_at
    return b"Exif\x00\x00" + tiff + thumbnail


def _app13_iptc(caption: bytes) -> bytes:
    record = b"\x1c\x02\x78" + struct.pack(">H", len(caption)) + caption
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(record)) + record
    body = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def phone_jpeg(image: Image.Image, orientation: int = 1) -> bytes:
    """`image` as a phone's JPEG: every metadata block planted (see MARKERS)."""
    thumb = io.BytesIO()
    image.copy().resize((32, 24)).save(thumb, "JPEG", comment=MARKERS["thumbnail"])
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description photoshop:City="' + MARKERS["xmp"] + b'"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.convert("RGB").save(
        out,
        "JPEG",
        quality=92,
        exif=exif_block(orientation, thumb.getvalue()),
        xmp=xmp,
        comment=MARKERS["comment"],
        icc_profile=icc,
    )
    data = out.getvalue()
    return data[:2] + _app13_iptc(MARKERS["iptc"]) + data[2:]


def halves(width: int = 40, height: int = 20) -> Image.Image:
    """Left half red, right half blue: shows which way up a photo was turned."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    ImageDraw.Draw(image).rectangle((0, 0, width // 2 - 1, height - 1), fill=(255, 0, 0))
    return image


def wristband(size=(1600, 1200), text_px=56) -> Image.Image:
    """A patient wristband on a drape: a name, a date of birth and an MRN."""
    image = Image.new("RGB", size, (52, 110, 120))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, text_px)
    x, y = size[0] // 10, size[1] // 5
    draw.rounded_rectangle((x, y, x + text_px * 16, y + text_px * 5), radius=text_px // 2,
                           fill=(248, 246, 238))
    for i, line in enumerate(("GARCIA, MARIA", "DOB: 03/14/1961  F 65Y", "MRN: 00482913")):
        draw.text((x + text_px, y + text_px * 0.5 + i * text_px * 1.4), line, font=font,
                  fill=(20, 20, 30))
    return image


def with_face(image: Image.Image, at=(0.62, 0.35), face_px=240) -> Image.Image:
    """The public-domain astronaut photo (scikit-image) pasted in: a face."""
    from skimage import data

    astronaut = Image.fromarray(data.astronaut()).crop((100, 20, 350, 300))
    k = face_px / 90  # her face is about 90 px wide in the original
    astronaut = astronaut.resize((int(astronaut.width * k), int(astronaut.height * k)))
    out = image.copy()
    out.paste(astronaut, (int(image.width * at[0]), int(image.height * at[1])))
    return out


def encoded(image: Image.Image, fmt: str = "JPEG") -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return buf.getvalue()


def holdout_script():
    """scripts/make_photo_holdout.py, the sets' generator, as a module."""
    scripts = str(Path(__file__).resolve().parents[2] / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    return importlib.import_module("make_photo_holdout")


def pool_photo(category: str, seed: int, n: int) -> tuple[Image.Image, dict]:
    """A tuning pool's photo, drawn by scripts/make_photo_holdout.py as the splits like the
    third are (``make_third(category, seed, n)``, JPEG at quality 55 + seed % 26), byte for
    byte; and its record (identifiers' and faces' boxes). The pools' seeds are no split's:
    faces 90001-90150 (the twenty-second round's), text 92001-92120 (the twenty-third's)."""
    data, record = holdout_script().third_photo(category, seed, n)
    return Image.open(io.BytesIO(data)).convert("RGB"), record
