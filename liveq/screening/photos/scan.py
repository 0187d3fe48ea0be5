"""Check a photo: identifiers in the text of it, and faces.

Text: the blocks of letter-like marks (``regions``) are cut from the full-size
photo, turned level (small tilts, sideways, upside down: each block is read
both ways up, and a squarish one sideways too), enlarged so letters are about
30 pixels tall, dark on light (a monitor's light letters are inverted), cleared of
specks, the larger blocks also binarised for a second read, and
stacked into two sheets that two Tesseract processes read side by side. Beside
them PP-OCR's networks (``ppocr``: two detectors side by side, v4's and v5's, the second
searching a smaller copy) find and read the lines of a 3000-pixel copy of the whole photo:
large, blurred and sideways text; then they read again the blocks where v4's lines on that
copy showed no line (small text), each twice: level and enlarged, and upright as it lies, in
case its tilt was misjudged. Each line is screened (``text``), and each row PP-OCR cut at
wide gaps once more as one line (``rows``); findings keep the box of their words in the
photo.

Faces: MTCNN's networks, run by OpenCV (``faces``).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PIL import Image, ImageOps

from liveq.screening.photos import ocr, ppocr
from liveq.screening.photos.faces import find_faces
from liveq.screening.photos.findings import Box, PhotoFinding
from liveq.screening.photos.geometry import View
from liveq.screening.photos.regions import Block, find_blocks
from liveq.screening.photos.rows import joined_rows
from liveq.screening.photos.text import read_findings
from liveq.screening.rules import ScreeningRules

Progress = Callable[[float, str], None]
LETTER = 30  # pixels: the letter size Tesseract reads best
MAX_BLOCKS = 24
BINARISED = 12  # blocks (most letters first) read a second time, binarised
MAX_SHEET_PIXELS = 8_000_000  # per sheet: bounds the time of a photo full of texture
GAP = 40


def _enlarged(view: View, dark: bool, factor: float) -> View:
    """Dark letters on light, enlarged by `factor`, cleared of specks, contrast stretched."""
    import cv2
    import numpy as np

    if dark:
        view = view.with_image(ImageOps.invert(view.image))
    view = view.scaled(factor, Image.BICUBIC)
    # Specks (sensor noise, dust, JPEG) break Tesseract's letters; a 3-pixel median keeps
    # 30-pixel strokes whole. OpenCV's, not Pillow's: Pillow's rank filter holds the GIL
    # (the server's event loop stalled for seconds), OpenCV's releases it.
    view = view.with_image(Image.fromarray(cv2.medianBlur(np.asarray(view.image), 3)))
    return view.with_image(ImageOps.autocontrast(view.image, cutoff=1))


def _crop(gray: Image.Image, block: Block) -> View:
    """The block cut from the photo, enlarged to LETTER-pixel letters and turned level."""
    half = 0.5 * (block.width**2 + block.height**2) ** 0.5
    # A square centred on the block, even past the photo's edge (Pillow pads it), so the
    # block stays in the middle of every copy below.
    x0, y0 = int(block.cx - half), int(block.cy - half)
    view = View(gray).cropped((x0, y0, x0 + int(2 * half), y0 + int(2 * half)))
    factor = max(0.3, min(4.0, LETTER / max(1.0, block.letter)))
    view = _enlarged(view, block.dark, factor).turned(block.angle)
    # Keep the rotated rectangle's own extent (the turn grew the picture to fit).
    w, h = view.image.size
    bw, bh = block.width * factor, block.height * factor
    left, top = max(0, int((w - bw) / 2)), max(0, int((h - bh) / 2))
    return view.cropped((left, top, min(w, left + int(bw) + 1), min(h, top + int(bh) + 1)))


def _upright(gray: Image.Image, block: Block) -> View:
    """The block's upright bounds with a margin, enlarged (never shrunk) towards LETTER.

    For PP-OCR, whose detector finds lines at any angle itself: a block's tilt comes from
    its marks, and motion blur merges letters into fewer, larger marks, so the tilt can be
    wrong by 20 degrees and the level cut then slices its lines short ("1) Mateys Gru").
    Not shrunk, because the same blur inflates the letter size the factor is taken from.
    """
    b = block.bounds
    pad = max(block.letter, 0.15 * max(b.w, b.h))
    view = View(gray).cropped((int(b.x - pad), int(b.y - pad), int(b.x + b.w + pad),
                               int(b.y + b.h + pad)))
    return _enlarged(view, block.dark, max(1.0, min(3.0, LETTER / max(1.0, block.letter))))


def _orientations(view: View, block: Block) -> list[tuple[int, View]]:
    """The level block both ways up; sideways too when it is about as tall as wide."""
    turns = [0, 180]
    if block.width < 1.6 * block.height:
        turns += [90, 270]
    return [(t, view.turned(t)) for t in turns]


def _binarised(view: View) -> View:
    """Black letters on white by Otsu's threshold: a second read for blurred, faint or
    unevenly lit text, where Tesseract's own binarisation loses strokes."""
    import cv2
    import numpy as np

    gray = np.asarray(view.image)
    # Sharpened first (an unsharp mask): motion blur smears strokes into their neighbours,
    # and the threshold then joins letters; the mask restores the edges it can.
    soft = cv2.GaussianBlur(gray, (0, 0), 3)
    gray = cv2.addWeighted(gray, 1.8, soft, -0.8, 0)
    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return view.with_image(Image.fromarray(bw))


# A view to read, whether its letters were light on dark, and which block it shows which
# way up (its index, the turn).
Read = tuple[View, bool, tuple[int, int]]
Reading = ppocr.Reading  # what a view read: its lines
BlockReading = tuple[View, list[ocr.Line], bool, tuple[int, int]]  # and which block, way up
# A block's reading the wrong way up is marks, and marks read as words can look like a
# name or a phone ("TIME OUT DONE" upside down: "ANOG LAO"): a block's readings count only
# the ways up that read at least this share as well as its best (confident letters).
WAY_UP = 0.8
SURE_LETTER = 60.0  # Tesseract's confidence in a word whose letters count
# A block less than this share of which the whole-photo lines cover is read again by
# PP-OCR from its level, enlarged cut (reading every block again found a few more
# identifiers on the tuning sets, and a false name on a clean room).
SEEN = 0.4


def _sheets(views: list[Read], count: int) -> list[list[tuple[Read, int]]]:
    """Views stacked top to bottom into `count` sheets of about equal area."""
    sheets: list[list[tuple[Read, int]]] = [[] for _ in range(count)]
    heights = [0] * count
    areas = [0] * count
    for read in sorted(views, key=lambda r: -r[0].image.width * r[0].image.height):
        image = read[0].image
        i = areas.index(min(areas))
        if areas[i] + image.width * image.height > MAX_SHEET_PIXELS:
            continue
        sheets[i].append((read, heights[i] + GAP))
        heights[i] += image.height + GAP
        areas[i] += image.width * image.height
    return [s for s in sheets if s]


def _read_sheet(sheet: list[tuple[Read, int]], lang: str) -> list[BlockReading]:
    """One Tesseract run over the stacked views; each view gets the lines that lie in it."""
    width = max(r[0].image.width for r, _ in sheet) + 2 * GAP
    last, top = sheet[-1]
    canvas = Image.new("L", (width, top + last[0].image.height + GAP), 255)
    for (view, _, _), top in sheet:
        canvas.paste(view.image, (GAP, top))
    lines = ocr.read_lines(canvas, psm=11, lang=lang)
    out = []
    for (view, dark, way), top in sheet:
        bottom = top + view.image.height
        words = [
            ocr.Word(w.text, w.confidence, Box(w.box.x - GAP, w.box.y - top, w.box.w, w.box.h))
            for line in lines
            for w in line.words
            if top <= w.box.y + w.box.h / 2 < bottom
        ]
        out.append((view, _rows(words), dark, way))
    return out


def _way_up(reads: list[BlockReading]) -> list[Reading]:
    """Each block's readings the ways up that read about as well as its best (WAY_UP)."""
    letters: dict[tuple[int, int], float] = {}
    for _, lines, _, way in reads:
        sure = sum(w.confidence * len(w.text) for line in lines for w in line.words
                   if w.confidence >= SURE_LETTER)
        letters[way] = max(letters.get(way, 0.0), sure)
    best: dict[int, float] = {}
    for (block, _), sure in letters.items():
        best[block] = max(best.get(block, 0.0), sure)
    return [
        (view, lines, dark)
        for view, lines, dark, way in reads
        if letters[way] >= WAY_UP * best[way[0]]
    ]


def _seen(block: Block, lines: list[Reading]) -> bool:
    """Whether the lines read on the whole photo cover SEEN of the block or more."""
    bounds = block.bounds
    covered = 0
    for view, read, _ in lines:
        for line in read:
            covered += bounds.intersection(view.box_back(line.box))
    return covered >= SEEN * bounds.area


def _rows(words: list[ocr.Word]) -> list[ocr.Line]:
    """Words regrouped into the rows of the level block: sparse-text reading splits a row
    at wide gaps ("MRN 528" | "86822"), which would hide an MRN from the screener.

    A word over one the row has already is the same word read twice (Tesseract can give a
    line twice, once in boxes as tall as the cut): it goes to a row of its own, or the row
    reads double ("Exp Exp 2028-01 2028-01 LOT LO 77814. 77814", a phone number of two
    lot numbers)."""
    rows: list[list[ocr.Word]] = []
    for w in sorted(words, key=lambda w: w.box.y + w.box.h / 2):
        centre = w.box.y + w.box.h / 2
        for row in rows:
            ref = row[0].box
            if (abs(centre - (ref.y + ref.h / 2)) < 0.5 * max(ref.h, w.box.h)
                    and not any(_over(w.box, other.box) for other in row)):
                row.append(w)
                break
        else:
            rows.append([w])
    return [ocr.Line(tuple(sorted(row, key=lambda w: w.box.x))) for row in rows]


def _over(a: Box, b: Box) -> bool:
    """Whether two words of a row overlap along it by half the narrower or more."""
    return min(a.x + a.w, b.x + b.w) - max(a.x, b.x) >= 0.5 * min(a.w, b.w)


def _read_closer(gray: Image.Image, crops: list[tuple[View, Block]],
                 lines_read: Future[list[Reading]]) -> list[Reading]:
    """PP-OCR's reads of the blocks the whole photo's lines left unseen (``SEEN``): each
    block's level cut and its upright bounds (``_upright``)."""
    lines = lines_read.result()
    unseen = [(c, b) for c, b in crops if not _seen(b, lines)]
    cuts = [c for c, _ in unseen] + [_upright(gray, b) for _, b in unseen]
    return ppocr.read_views(cuts)


def scan_photo(
    data: bytes, *, rules: ScreeningRules | None = None, progress: Progress | None = None
) -> list[PhotoFinding]:
    """Identifiers in the photo's text and faces, each with its box. CPU-bound: seconds."""
    report = progress or (lambda done, what: None)
    image = Image.open(io.BytesIO(data))
    image.load()
    image = image.convert("RGB")
    gray = image.convert("L")
    report(0.05, "Looking for text")
    blocks = find_blocks(gray)[:MAX_BLOCKS]
    crops = [(_crop(gray, b), b) for b in blocks]
    views = [(v, b.dark, (i, t)) for i, (c, b) in enumerate(crops) for t, v in _orientations(c, b)]
    views += [
        (v, b.dark, (i, t))
        for i, (c, b) in enumerate(crops[:BINARISED])
        for t, v in _orientations(_binarised(c), b)
    ]
    sheets = _sheets(views, 2)
    lang = ocr.languages()
    report(0.15, f"Reading the text in {len(blocks)} places")
    with ThreadPoolExecutor(max_workers=5) as pool:
        reads = [pool.submit(_read_sheet, s, lang) for s in sheets]
        photo = ppocr.photo_copy(image)  # while Tesseract reads
        lines_read = pool.submit(ppocr.read_photo, photo)
        more_read = pool.submit(ppocr.read_photo_again, photo)
        # As soon as the photo's lines are read, not after the faces: on two cores the
        # closer reads then run beside the faces' last networks instead of after them.
        closer_read = pool.submit(_read_closer, gray, crops, lines_read)
        report(0.2, "Looking for faces")
        faces = find_faces(image)
        report(0.4, "Reading the text in the photo")
        lines = lines_read.result()
        closer = closer_read.result()
        more = more_read.result()
        results = (_way_up([r for f in reads for r in f.result()]) + lines + more + closer
                   + joined_rows(lines) + joined_rows(more) + joined_rows(closer))
    report(0.95, "Screening what was read")
    findings = read_findings(results, rules)
    report(1.0, "Done")
    return findings + faces
