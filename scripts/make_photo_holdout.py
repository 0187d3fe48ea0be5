"""Generate the photo screening sets: identifier text, faces and clean operating rooms.

Usage: python scripts/make_photo_holdout.py [--split holdout|dev] [--out DIR] [--check]

Deterministic: every image comes from its own seed, so the same script and the same
Pillow/FreeType/numpy give the same pixels. Images go to DIR (default
/tmp/liveq-photo-<split>); only this script and the holdout's manifest
(tests/data/photo_holdout/manifest.jsonl) are committed. ``--check`` regenerates and
fails if the manifest differs from the committed one (the images drifted).

The ``holdout`` split is for reporting only; tune on ``dev`` (other seeds, same kinds).

Each manifest line: {"file", "seed", "category", "size": [w, h], "identifiers":
[{"kind", "text", "box": [x, y, w, h]}], "faces": [{"box": [...], "source"}], "notes"}.
A box is the axis-aligned rectangle around the identifier's pixels in the final image
(after rotation, curvature, scaling), so a finding box covering it hides it.

What is in it:
- wristband, monitor, whiteboard, label: patient identifiers (names, dates of birth,
  MRNs, beds, phone numbers, collection dates) among harmless text (DOB labels,
  vitals, allergies, procedure names), in DejaVu and Liberation fonts and Pillow's
  own, 14-60 px text, tilted, upside down or sideways, curved, blurred, noisy,
  JPEG-compressed, over photo-like backgrounds (scikit-image's sample photos of
  things, not people; drawn operating-room scenes);
- face: the public-domain photographs scikit-image ships (the astronaut Eileen
  Collins, NASA; the cameraman, CC0) placed into operating-room scenes, at several
  sizes, tilts and lights, one wearing a drawn surgical mask and cap, one in profile;
- clean: drawn operating rooms (drapes, instruments, gloved hands, lights, trays)
  with harmless text (STERILE, vitals with no patient, a tray label, a clock).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "tests" / "data" / "photo_holdout" / "manifest.jsonl"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))
FONTS = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSansCondensed.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationSans-Bold.ttf",
    "LiberationSerif-Regular.ttf",
    "LiberationMono-Regular.ttf",
    "LiberationSansNarrow-Regular.ttf",
    "PIL-default",
)
MARKER_FONTS = (
    "DejaVuSans-Oblique.ttf", "LiberationSans-Italic.ttf", "DejaVuSansCondensed-Bold.ttf"
)
# Made up; some of these given names are in no list liveq keeps.
SURNAMES = (
    "DOE", "GARCIA", "OKAFOR", "NGUYEN", "KOWALSKI", "HALVORSEN", "MBEKI", "FITZGERALD",
    "TANAKA", "ROSSI", "ABERNATHY", "QUISPE", "LINDQVIST", "OYELARAN", "PETROVA", "DUBOIS",
)
GIVEN = (
    "JANE", "MARIA", "KWAME", "LINH", "TOMASZ", "INGRID", "THANDO", "SIOBHAN", "HIRO",
    "GIULIA", "WALTER", "YUPANQUI", "ASTRID", "ADEBAYO", "OKSANA", "MARGAUX",
)
SPLITS = {"holdout": 1000, "dev": 5000}


# -- drawing helpers ----------------------------------------------------------------


def font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if name == "PIL-default":
        return ImageFont.load_default(size)
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    raise SystemExit(f"font {name} missing: apt-get install fonts-dejavu-core fonts-liberation")


@dataclass
class Item:
    """A piece of text drawn on an object: identifier (kind set) or harmless (kind None)."""

    text: str
    kind: str | None
    corners: np.ndarray  # 4x2 points in the current coordinates


@dataclass
class Patch:
    image: Image.Image  # RGBA
    items: list[Item] = field(default_factory=list)
    faces: list[tuple[np.ndarray, str]] = field(default_factory=list)


def rect_corners(box: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = box
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)


def draw_line(draw, x, y, segments, fnt, fill, gap) -> tuple[list[Item], float]:
    """Draw segments [(text, kind)] left to right; each one's box becomes an Item."""
    items = []
    for text, kind in segments:
        box = draw.textbbox((x, y), text, font=fnt)
        draw.text((x, y), text, font=fnt, fill=fill)
        items.append(Item(text, kind, rect_corners(box)))
        x = box[2] + gap
    return items, x


def draw_marker_line(draw, rng, x, y, segments, fnt, fill, gap) -> list[Item]:
    """Hand-written looking: each letter jittered up and down, strokes thickened."""
    items = []
    for text, kind in segments:
        x0, y0, x1, y1 = x, 1e9, x, -1e9
        for ch in text:
            dy = float(rng.normal(0, fnt.size * 0.05))
            box = draw.textbbox((x, y + dy), ch, font=fnt, stroke_width=1)
            draw.text((x, y + dy), ch, font=fnt, fill=fill, stroke_width=1, stroke_fill=fill)
            if ch.strip():
                y0, y1 = min(y0, box[1]), max(y1, box[3])
                x1 = box[2]
            x = box[2] + float(rng.normal(fnt.size * 0.02, fnt.size * 0.03))
        items.append(Item(text, kind, rect_corners((x0, y0, x1, y1))))
        x += gap
    return items


def transform(patch: Patch, matrix: np.ndarray) -> None:
    """Apply a 2x3 affine matrix to every item's and face's corners."""
    for item in patch.items:
        item.corners = item.corners @ matrix[:, :2].T + matrix[:, 2]
    patch.faces = [(c @ matrix[:, :2].T + matrix[:, 2], s) for c, s in patch.faces]


def rotate(patch: Patch, degrees: float) -> Patch:
    """Rotate counter-clockwise by `degrees` about the centre, growing to fit."""
    w, h = patch.image.size
    image = patch.image.rotate(degrees, resample=Image.BICUBIC, expand=True)
    nw, nh = image.size
    a = math.radians(degrees)
    # Pillow rotates counter-clockwise on screen: x' = cos*x + sin*y, y' = -sin*x + cos*y.
    rot = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    shift = np.array([nw / 2, nh / 2]) - rot @ np.array([w / 2, h / 2])
    patch.image = image
    transform(patch, np.hstack([rot, shift[:, None]]))
    return patch


def scale(patch: Patch, factor: float) -> Patch:
    w, h = patch.image.size
    patch.image = patch.image.resize((max(1, round(w * factor)), max(1, round(h * factor))),
                                     Image.LANCZOS)
    transform(patch, np.array([[factor, 0, 0], [0, factor, 0]]))
    return patch


def curve(patch: Patch, depth: float) -> Patch:
    """Bend a band like a wristband round a wrist: rows shift by a sine of x."""
    img = np.asarray(patch.image)
    h, w = img.shape[:2]
    pad = int(abs(depth)) + 1
    out = np.zeros((h + 2 * pad, w, 4), dtype=np.uint8)
    offsets = (depth * np.sin(np.linspace(0, math.pi, w))).astype(int) + pad
    for x in range(w):
        out[offsets[x] : offsets[x] + h, x] = img[:, x]
    patch.image = Image.fromarray(out, "RGBA")
    for item in patch.items:
        xs = np.clip(item.corners[:, 0].astype(int), 0, w - 1)
        lo, hi = offsets[xs.min() : xs.max() + 1].min(), offsets[xs.min() : xs.max() + 1].max()
        x0, y0 = item.corners.min(axis=0)
        x1, y1 = item.corners.max(axis=0)
        item.corners = rect_corners((x0, y0 + lo, x1, y1 + hi))
    return patch


def paste(canvas: Image.Image, patch: Patch, x: int, y: int) -> tuple[list[Item], list]:
    canvas.alpha_composite(patch.image, (x, y))
    transform(patch, np.array([[1.0, 0, x], [0, 1.0, y]]))
    return patch.items, patch.faces


def box_of(corners: np.ndarray, size: tuple[int, int]) -> list[int]:
    x0, y0 = np.floor(corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(size[0], x1), min(size[1], y1)
    return [int(x0), int(y0), int(x1 - x0), int(y1 - y0)]


# -- backgrounds ----------------------------------------------------------------------


def sample_photo(name: str) -> Image.Image:
    from skimage import data  # test extra: scikit-image ships these photos

    array = getattr(data, name)()
    image = Image.fromarray(array)
    return image.convert("RGB")


def photo_background(rng, size) -> Image.Image:
    """One of scikit-image's photos of things (no people), blown up and softened."""
    name = str(rng.choice(["coffee", "rocket", "brick", "gravel", "grass", "coins"]))
    image = sample_photo(name)
    w, h = size
    iw, ih = image.size
    k = max(w / iw, h / ih)
    image = image.resize((math.ceil(iw * k), math.ceil(ih * k)), Image.BICUBIC)
    left = int(rng.integers(0, image.size[0] - w + 1))
    top = int(rng.integers(0, image.size[1] - h + 1))
    image = image.crop((left, top, left + w, top + h))
    return image.filter(ImageFilter.GaussianBlur(float(rng.uniform(1, 4)))).convert("RGBA")


def or_scene(rng, size) -> Image.Image:
    """A drawn operating room: wall, green or blue drapes with folds, lights, a tray,
    instruments and gloved hands. No text."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    wall = np.array(rng.choice([[196, 210, 205], [180, 196, 210], [214, 214, 206]]), np.float32)
    base = wall * (0.85 + 0.2 * (yy / h))[..., None]
    # Drapes: the lower part, with soft folds.
    drape_top = h * float(rng.uniform(0.35, 0.6))
    drape_colour = np.array(rng.choice([[52, 120, 116], [46, 92, 150], [70, 130, 110]]),
                            np.float32)
    folds = 0.8 + 0.2 * np.sin(xx / w * float(rng.uniform(6, 14)) + np.sin(yy / h * 5) * 2)
    drape = drape_colour * folds[..., None]
    mask = (yy > drape_top + 30 * np.sin(xx / w * 3.0))[..., None]
    base = np.where(mask, drape, base)
    image = Image.fromarray(base.clip(0, 255).astype(np.uint8), "RGB").convert("RGBA")
    draw = ImageDraw.Draw(image, "RGBA")
    s = min(w, h)
    # Surgical lights: bright discs with a halo.
    for _ in range(int(rng.integers(1, 3))):
        cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.05, 0.3) * h
        r = rng.uniform(0.06, 0.12) * s
        for k in range(8, 0, -1):
            a = int(30 + 25 * (8 - k))
            draw.ellipse((cx - r * k / 5, cy - r * k / 5, cx + r * k / 5, cy + r * k / 5),
                         fill=(255, 255, 240, min(255, a)))
        draw.ellipse((cx - r * 1.25, cy - r * 1.25, cx + r * 1.25, cy + r * 1.25),
                     outline=(120, 120, 125, 255), width=max(2, int(s * 0.01)))
    # A tray with instruments.
    tx, ty = rng.uniform(0.05, 0.5) * w, rng.uniform(0.55, 0.75) * h
    tw, th = rng.uniform(0.3, 0.45) * w, rng.uniform(0.15, 0.22) * h
    draw.rounded_rectangle((tx, ty, tx + tw, ty + th), radius=int(s * 0.01),
                           fill=(170, 174, 178, 255), outline=(120, 124, 128, 255),
                           width=max(2, int(s * 0.004)))
    for _ in range(int(rng.integers(4, 9))):
        x0 = tx + rng.uniform(0.05, 0.9) * tw
        y0 = ty + rng.uniform(0.1, 0.3) * th
        length = rng.uniform(0.5, 0.8) * th
        angle = rng.uniform(-0.4, 0.4)
        x1, y1 = x0 + length * math.sin(angle), y0 + length * math.cos(angle)
        steel = tuple(int(v) for v in rng.integers(150, 220, 3)) + (255,)
        draw.line((x0, y0, x1, y1), fill=steel, width=max(2, int(s * 0.006)))
        ring = s * 0.012
        draw.ellipse((x1 - ring, y1 - ring, x1 + ring, y1 + ring), outline=steel,
                     width=max(1, int(s * 0.003)))
    # Gloved hands: a palm and four fingers, blue or cream.
    for _ in range(int(rng.integers(1, 3))):
        glove = tuple(int(v) for v in rng.choice([[90, 140, 210], [226, 214, 180],
                                                   [120, 170, 220]])) + (255,)
        gx, gy = rng.uniform(0.15, 0.85) * w, rng.uniform(0.45, 0.85) * h
        pw = s * rng.uniform(0.08, 0.13)
        draw.ellipse((gx - pw / 2, gy - pw * 0.6, gx + pw / 2, gy + pw * 0.6), fill=glove)
        for f in range(4):
            fx = gx - pw * 0.45 + f * pw * 0.3
            draw.rounded_rectangle((fx, gy - pw * 1.3, fx + pw * 0.22, gy - pw * 0.3),
                                   radius=int(pw * 0.1), fill=glove)
        draw.rounded_rectangle((gx + pw * 0.4, gy - pw * 0.4, gx + pw * 0.9, gy - pw * 0.2),
                               radius=int(pw * 0.1), fill=glove)
    return image


def background(rng, size) -> Image.Image:
    return or_scene(rng, size) if rng.random() < 0.5 else photo_background(rng, size)


def degrade(rng, image: Image.Image, notes: list[str]) -> Image.Image:
    """Camera-like: a little blur, sensor noise, a lighting gradient."""
    rgb = image.convert("RGB")
    blur = float(rng.choice([0, 0, 0.6, 1.0, 1.5]))
    if blur:
        rgb = rgb.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(rgb).astype(np.float32)
    h, w = arr.shape[:2]
    light = 0.85 + 0.3 * np.linspace(float(rng.uniform(0, 1)), float(rng.uniform(0, 1)), w)
    noise = float(rng.choice([2, 4, 7]))
    arr = arr * light[None, :, None] + rng.normal(0, noise, arr.shape)
    notes.append(f"blur {blur} noise {noise}")
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")


# -- objects with text ------------------------------------------------------------------


def person(rng) -> dict:
    surname, given = str(rng.choice(SURNAMES)), str(rng.choice(GIVEN))
    year, month = int(rng.integers(1935, 2010)), int(rng.integers(1, 13))
    day = int(rng.integers(1, 29))
    date_style = int(rng.integers(0, 3))
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    dob = (f"{month:02d}/{day:02d}/{year}", f"{day:02d}-{months[month - 1]}-{year}",
           f"{year}-{month:02d}-{day:02d}")[date_style]
    mrn = "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(7, 10))))
    name = (f"{surname}, {given}" if rng.random() < 0.6
            else f"{given.title()} {surname.title()}")
    return {"name": name, "dob": dob, "mrn": mrn, "sex": str(rng.choice(["F", "M"])),
            "age": 2026 - year}


def wristband(rng, text_px: int, fnt_name: str) -> Patch:
    p = person(rng)
    fnt = font(fnt_name, text_px)
    lines = [
        [(p["name"], "name")],
        [("DOB:", None), (p["dob"], "date"), (f"{p['sex']} {p['age']}Y", None)],
        [("MRN:", None), (p["mrn"], "mrn")],
    ]
    if rng.random() < 0.5:
        lines.append([("ALLERGIES: NKDA", None)])
    line_h = int(text_px * 1.35)
    width = int(text_px * 15)
    height = line_h * len(lines) + text_px
    image = Image.new("RGBA", (width + text_px * 6, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    band = tuple(int(v) for v in rng.choice([[246, 246, 240], [250, 236, 200], [236, 244, 250]]))
    draw.rounded_rectangle((0, 0, image.size[0] - 1, height - 1), radius=text_px // 2,
                           fill=band + (255,), outline=(190, 190, 190, 255))
    items = []
    y = text_px * 0.5
    x0 = text_px * 0.8
    for segments in lines:
        got, _ = draw_line(draw, x0, y, segments, fnt, (20, 20, 30), text_px * 0.6)
        items += got
        y += line_h
    # A barcode at the end of the band.
    bx = int(width - text_px * 0.5)
    for i in range(int(text_px * 4.5)):
        if rng.random() < 0.5:
            draw.line((bx + i, text_px * 0.6, bx + i, height - text_px * 0.6), fill=(0, 0, 0, 255))
    return Patch(image, items)


def monitor(rng, text_px: int, fnt_name: str) -> Patch:
    p = person(rng)
    fnt = font(fnt_name, text_px)
    big = font(fnt_name, int(text_px * 2.2))
    w, h = text_px * 34, text_px * 18
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=text_px, fill=(40, 40, 44, 255))
    draw.rectangle((text_px, text_px, w - text_px, h - text_px), fill=(8, 10, 14, 255))
    bed = f"{int(rng.integers(1, 40))}"
    header = [(p["name"], "name"), ("MRN", None), (p["mrn"], "mrn")]
    if rng.random() < 0.5:
        header += [("Bed", None), (bed, "room_number")]
    items, _ = draw_line(draw, text_px * 1.6, text_px * 1.6, header, fnt, (230, 230, 230),
                         text_px * 0.8)
    if rng.random() < 0.6:
        got, _ = draw_line(draw, text_px * 1.6, text_px * 3.1, [("DOB", None), (p["dob"], "date")],
                           fnt, (200, 200, 200), text_px * 0.6)
        items += got
    colours = [(80, 230, 90), (90, 200, 255), (255, 230, 90), (255, 110, 110)]
    vitals = [("HR", str(int(rng.integers(55, 110)))), ("SpO2", f"{int(rng.integers(92, 100))}%"),
              ("NIBP", f"{int(rng.integers(100, 140))}/{int(rng.integers(60, 90))}"),
              ("RR", str(int(rng.integers(10, 22))))]
    for i, (label, value) in enumerate(vitals):
        y = text_px * (5 + i * 3.1)
        draw.text((w - text_px * 12, y), label, font=fnt, fill=colours[i])
        draw.text((w - text_px * 8, y - text_px * 0.5), value, font=big, fill=colours[i])
        items.append(Item(label, None, rect_corners(draw.textbbox((w - text_px * 12, y), label,
                                                                  font=fnt))))
    # Traces.
    for i in range(3):
        y0 = text_px * (6 + i * 4)
        pts = [(text_px * 2 + k * 6, y0 + text_px * 1.2 * math.sin(k * 0.5 + i)
                * (1 if k % 9 else 2.2)) for k in range(int(w * 0.55 / 6))]
        draw.line(pts, fill=colours[i], width=max(1, text_px // 10))
    return Patch(image, items)


def whiteboard(rng, text_px: int, fnt_name: str) -> Patch:
    fnt = font(fnt_name, text_px)
    rows = int(rng.integers(2, 4))
    w, h = text_px * 30, int(text_px * (3.8 + rows * 1.7))
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, w - 1, h - 1), fill=(236, 238, 236, 255), outline=(150, 150, 150, 255),
                   width=max(3, text_px // 5))
    ink = tuple(int(v) for v in rng.choice([[20, 40, 140], [20, 20, 20], [150, 20, 20]]))
    room = f"OR {int(rng.integers(1, 12))}"
    items = draw_marker_line(draw, rng, text_px, text_px * 0.7,
                             [(f"{room}  today", None)], fnt, ink, text_px)
    procedures = ["TKA L", "THA R", "ACL recon", "lap chole", "CABG x3", "hernia"]
    for r in range(rows):
        p = person(rng)
        surname = p["name"].split(",")[0].split()[-1].title()
        y = text_px * (2.6 + r * 1.7)
        segments = [(f"{r + 1}.", None), (f"{surname} {p['name'].split()[0][0]}.", "name")]
        segments.append((str(rng.choice(procedures)), None))
        if rng.random() < 0.6:
            segments.append((p["dob"], "date"))
        else:
            segments += [("MRN", None), (p["mrn"], "mrn")]
        items += draw_marker_line(draw, rng, text_px, y, segments, fnt, ink, text_px * 0.7)
    return Patch(image, items)


def label(rng, text_px: int, fnt_name: str) -> Patch:
    p = person(rng)
    fnt = font(fnt_name, text_px)
    lines = [
        [("Patient:", None), (p["name"].title(), "name")],
        [("DOB", None), (p["dob"], "date"), ("MRN", None), (p["mrn"], "mrn")],
        [("Specimen: R knee synovium", None)],
    ]
    if rng.random() < 0.5:
        collected = f"{int(rng.integers(1, 13)):02d}/{int(rng.integers(1, 29)):02d}/2026"
        lines.append([("Collected", None), (collected, "date")])
    else:
        phone = f"({int(rng.integers(201, 989))}) 555-{int(rng.integers(1000, 9999))}"
        lines.append([("Contact", None), (phone, "phone")])
    line_h = int(text_px * 1.4)
    w, h = text_px * 24, line_h * len(lines) + text_px
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, w - 1, h - 1), fill=(252, 252, 248, 255), outline=(200, 200, 200, 255))
    items = []
    for i, segments in enumerate(lines):
        got, _ = draw_line(draw, text_px * 0.6, text_px * 0.5 + i * line_h, segments, fnt,
                           (10, 10, 10), text_px * 0.5)
        items += got
    return Patch(image, items)


def harmless_sign(rng, text_px: int, fnt_name: str) -> Patch:
    """Text found in any operating room that names nobody."""
    fnt = font(fnt_name, text_px)
    text = str(rng.choice([
        "STERILE", "Single use only", "Basic ortho tray 14", "Made in Germany",
        "HR 72  SpO2 98%  NIBP 120/80", "OR 3", "10:42", "Sharps", "Do not reuse",
        "LOT 2411-07  REF 4412", "Irrigation 0.9% NaCl 1000 mL", "Exp 2027-03",
    ]))
    box = ImageDraw.Draw(Image.new("RGBA", (1, 1))).textbbox((0, 0), text, font=fnt)
    w, h = box[2] + text_px, box[3] + text_px
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    dark = rng.random() < 0.3
    draw.rectangle((0, 0, w - 1, h - 1), fill=(12, 14, 18, 255) if dark else (245, 245, 240, 255))
    items, _ = draw_line(draw, text_px / 2, text_px / 3, [(text, None)], fnt,
                         (90, 230, 90) if dark else (30, 30, 30), 0)
    return Patch(image, items)


# -- faces -------------------------------------------------------------------------------

# The face in each photo (forehead to chin, ear to ear), marked by hand.
FACE_SOURCES = {
    "astronaut": ((100, 20, 350, 300), (180, 80, 90, 98)),
    "camera": ((110, 50, 330, 290), (180, 115, 78, 80)),
}


def face_patch(rng, source: str, mask: bool) -> Patch:
    crop, (fx, fy, fw, fh) = FACE_SOURCES[source]
    image = sample_photo(source).crop(crop).convert("RGBA")
    # Feather the edge so the pasted photo sits in the scene.
    alpha = Image.new("L", image.size, 0)
    ImageDraw.Draw(alpha).ellipse((0, 0, image.size[0] - 1, image.size[1] + image.size[1] // 2),
                                  fill=255)
    image.putalpha(alpha.filter(ImageFilter.GaussianBlur(6)))
    corners = rect_corners((fx - crop[0], fy - crop[1], fx - crop[0] + fw, fy - crop[1] + fh))
    if mask:
        draw = ImageDraw.Draw(image)
        x0, y0 = fx - crop[0], fy - crop[1]
        draw.rounded_rectangle((x0 - 4, y0 + fh * 0.52, x0 + fw + 4, y0 + fh + 8), radius=10,
                               fill=(150, 190, 215, 255))
        draw.pieslice((x0 - 14, y0 - fh * 0.55, x0 + fw + 14, y0 + fh * 0.45), 180, 360,
                      fill=(70, 120, 170, 255))
    return Patch(image, [], [(corners, source)])


# -- one image per seed -----------------------------------------------------------------

SIZES = ((4032, 3024), (3000, 2250), (2000, 1500), (1600, 1200))
MAKERS = {"wristband": wristband, "monitor": monitor, "whiteboard": whiteboard, "label": label}
# category, how many: 31 with identifiers, 9 with faces, 14 clean.
PLAN = (("wristband", 10), ("monitor", 8), ("whiteboard", 6), ("label", 7), ("face", 9),
        ("clean", 14))


def place(rng, canvas: Image.Image, patch: Patch, notes: list[str], angles) -> tuple:
    angle = float(rng.choice(angles)) + float(rng.normal(0, 2))
    notes.append(f"angle {angle:.1f}")
    rotate(patch, angle)
    w, h = canvas.size
    pw, ph = patch.image.size
    if pw > w * 0.95 or ph > h * 0.95:
        scale(patch, min(w * 0.95 / pw, h * 0.95 / ph))
        pw, ph = patch.image.size
    x = int(rng.integers(0, w - pw + 1))
    y = int(rng.integers(0, h - ph + 1))
    return paste(canvas, patch, x, y)


def make(category: str, seed: int) -> tuple[Image.Image, dict]:
    rng = np.random.default_rng(seed)
    size = tuple(int(v) for v in SIZES[int(rng.integers(0, len(SIZES)))])
    notes: list[str] = []
    identifiers: list[dict] = []
    faces: list[dict] = []
    if category in MAKERS:
        canvas = background(rng, size)
        fnt_name = str(rng.choice(MARKER_FONTS if category == "whiteboard" else FONTS))
        # Text height on the final image: from a small wristband in a wide shot to a close-up.
        px = int(rng.choice([14, 18, 24, 32, 44, 60])) * max(1, size[0] // 2000)
        px = max(14, min(px, 90))
        notes.append(f"{fnt_name} {px}px")
        patch = MAKERS[category](rng, px, fnt_name)
        if category == "wristband" and rng.random() < 0.5:
            depth = float(rng.uniform(0.02, 0.06)) * patch.image.size[0]
            notes.append(f"curved {depth:.0f}")
            curve(patch, depth)
        # A harmless sign first, so the object with identifiers lies on top of it.
        if rng.random() < 0.4:
            place(rng, canvas, harmless_sign(rng, max(14, px), str(rng.choice(FONTS))), notes,
                  (0, 0, 10))
        angles = (0, 0, 5, -8, 15, -20, 90, -90, 180)
        items, _ = place(rng, canvas, patch, notes, angles)
        identifiers = [
            {"kind": i.kind, "text": i.text, "box": box_of(i.corners, size)}
            for i in items if i.kind
        ]
    elif category == "face":
        canvas = or_scene(rng, size)
        count = 2 if rng.random() < 0.25 else 1
        for n in range(count):
            source = "camera" if seed % 4 == 3 and n == 0 else "astronaut"
            mask = seed % 5 == 2 and source == "astronaut"
            patch = face_patch(rng, source, mask)
            face_px = float(rng.choice([70, 110, 180, 300])) * size[0] / 2000
            scale(patch, face_px / 90)
            notes.append(f"{source} face {face_px:.0f}px" + (" masked" if mask else ""))
            _, got = place(rng, canvas, patch, notes, (0, 0, 8, -10))
            faces += [{"box": box_of(c, size), "source": s} for c, s in got]
    else:
        canvas = or_scene(rng, size)
        for _ in range(int(rng.integers(0, 3))):
            sign_px = int(rng.choice([16, 24, 36])) * max(1, size[0] // 2000)
            place(rng, canvas, harmless_sign(rng, sign_px, str(rng.choice(FONTS))), notes,
                  (0, 0, 5, 90))
    image = degrade(rng, canvas, notes)
    record = {
        "category": category,
        "seed": seed,
        "size": list(size),
        "identifiers": identifiers,
        "faces": faces,
        "notes": "; ".join(notes),
    }
    return image, record


def generate(split: str, out: Path) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    base = SPLITS[split]
    records = []
    seed = base
    for category, count in PLAN:
        for n in range(count):
            seed += 1
            image, record = make(category, seed)
            name = f"{category}-{n + 1:02d}.jpg"
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=int(85 + seed % 10))
            (out / name).write_bytes(buf.getvalue())
            records.append({"file": name, **record})
    return records


def dump(records: list[dict]) -> str:
    return "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=sorted(SPLITS), default="holdout")
    parser.add_argument("--out", type=Path, help="image folder (default /tmp/liveq-photo-SPLIT)")
    parser.add_argument("--check", action="store_true",
                        help="fail if the holdout's manifest differs from the committed one")
    args = parser.parse_args()
    out = args.out or Path(f"/tmp/liveq-photo-{args.split}")
    records = generate(args.split, out)
    text = dump(records)
    (out / "manifest.jsonl").write_text(text, "utf-8")
    if args.split == "holdout":
        if args.check:
            if MANIFEST.read_text("utf-8") != text:
                print("the generated manifest differs from", MANIFEST, file=sys.stderr)
                return 1
        else:
            MANIFEST.parent.mkdir(parents=True, exist_ok=True)
            MANIFEST.write_text(text, "utf-8")
    n_ids = sum(len(r["identifiers"]) for r in records)
    n_faces = sum(len(r["faces"]) for r in records)
    print(f"{len(records)} images in {out}: {n_ids} identifiers, {n_faces} faces, "
          f"{sum(r['category'] == 'clean' for r in records)} clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
