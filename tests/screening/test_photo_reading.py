"""How a photo's text is read (issue 19): PP-OCR's lines placed back in the photo whichever
way they run, and which of Tesseract's readings of a block count."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from liveq.screening.photos import ppocr
from liveq.screening.photos.findings import Box
from liveq.screening.photos.geometry import View
from liveq.screening.photos.ocr import Line, Word
from liveq.screening.photos.regions import Block, _direction, _shown_by, find_blocks
from liveq.screening.photos.scan import _crop, _rows, _seen, _upright, _way_up, scan_photo
from liveq.screening.photos.text import read_findings
from tests.screening.photo_samples import FONT, encoded, pool_photo, with_face, wristband


def label(turn: int) -> tuple[Image.Image, Box]:
    """A white label with an MRN on a grey ground, turned `turn` degrees counter-clockwise;
    and where the number is in the turned picture."""
    image = Image.new("RGB", (1400, 1000), (90, 96, 100))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 48)
    draw.rectangle((300, 380, 1150, 620), fill=(250, 250, 245))
    draw.text((340, 410), "Patient: SOFIA RAMOS", font=font, fill=(15, 15, 20))
    draw.text((340, 510), "MRN: 00482913", font=font, fill=(15, 15, 20))
    x0, y0, x1, y1 = draw.textbbox((340 + draw.textlength("MRN: ", font=font), 510),
                                   "00482913", font=font)
    w, h = image.size
    corners = {0: lambda x, y: (x, y), 90: lambda x, y: (y, w - x),
               180: lambda x, y: (w - x, h - y), 270: lambda x, y: (h - y, x)}[turn]
    turned = image.rotate(turn, expand=True) if turn else image
    return turned, Box.around([corners(x0, y0), corners(x1, y1)])


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_each_word_is_placed_where_it_is_whichever_way_the_label_runs(turn):
    image, where = label(turn)
    # Each detector's line is placed over the number.
    photo = ppocr.photo_copy(image)
    for found in (ppocr.read_photo(photo), ppocr.read_photo_again(photo)):
        words = [(w.text, view.box_back(w.box)) for view, lines, _ in found
                 for line in lines for w in line.words]
        number = [box for text, box in words if text == "00482913"]
        assert number, f"not read at {turn}°: {[t for t, _ in words]}"
        # The box covers the number, and is not much larger than it.
        assert number[0].intersection(where) >= 0.6 * where.area, (number[0], where)
        assert number[0].area <= 3 * where.area, (number[0], where)


def test_a_blocks_lines_are_read_by_both_recognisers_the_photos_found_by_both_detectors():
    image, where = label(0)
    cut = View(image).cropped((300, 380, 1150, 620))
    numbers = [view.box_back(w.box) for view, lines, _ in ppocr.read_views([cut])
               for line in lines for w in line.words if w.text == "00482913"]
    # Each recogniser read the number, and each reading is placed over it in the photo.
    assert len(numbers) == 2, numbers
    assert all(box.intersection(where) >= 0.6 * where.area for box in numbers), numbers
    # The whole photo: each detector found the line, and v4's recogniser read each one.
    photo = ppocr.photo_copy(image)
    for found in (ppocr.read_photo(photo), ppocr.read_photo_again(photo)):
        numbers = [view.box_back(w.box) for view, lines, _ in found
                   for line in lines for w in line.words if w.text == "00482913"]
        assert len(numbers) == 1, numbers
        assert numbers[0].intersection(where) >= 0.6 * where.area, numbers


def test_the_second_detector_finds_the_lines_on_its_own():
    image, _ = label(0)
    quads, _ = ppocr._second_detector()(np.asarray(image)[:, :, ::-1].copy())
    assert quads is not None and len(quads) == 2, quads
    # Its lines are the label's two, one above the other, each a line's height.
    tops = sorted(float(np.min(q[:, 1])) for q in quads)
    assert 390 <= tops[0] <= 430 and 490 <= tops[1] <= 530, tops
    assert all(30 <= np.ptp(q[:, 1]) <= 90 for q in quads), quads


@pytest.mark.parametrize("which", ["v4", "v5"])
def test_each_detector_searches_a_smaller_copy_and_places_lines_in_the_larger(which):
    image, _ = label(0)
    photo = Image.new("RGB", (3000, 2200), (90, 96, 100))
    photo.paste(image, (1200, 900))
    detector, longest = (
        (ppocr._engine().text_det, ppocr.SEARCH_LONGEST) if which == "v4"
        else (ppocr._second_detector(), ppocr.SECOND_LONGEST)
    )
    quads = ppocr._quads_on_smaller(detector, np.asarray(photo)[:, :, ::-1].copy(), longest)
    # Found on a smaller copy, the label's two lines are in the 3000-pixel photo's pixels.
    assert longest < 3000 and len(quads) == 2, quads
    tops = sorted(float(np.min(q[:, 1])) for q in quads)
    assert 1280 <= tops[0] <= 1340 and 1380 <= tops[1] <= 1440, tops
    lefts = sorted(float(np.min(q[:, 0])) for q in quads)
    assert all(1510 <= left <= 1570 for left in lefts), lefts


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_the_photos_copy_is_made_once_and_is_the_copy_each_read_made_before(mode):
    # A 12 MP photo of noise, so that every pixel of the shrunk copy counts.
    noise = np.random.default_rng(19).integers(0, 256, (3024, 4032, 3), dtype=np.uint8)
    image = Image.fromarray(noise).convert(mode)
    photo = ppocr.photo_copy(image)
    # Each read made it as the 12 MP photo in BGR, then shrunk by the wheel's own step.
    bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    copy, ratio_h, ratio_w = ppocr._engine().preprocess(bgr)
    # About LONGEST pixels long (the wheel rounds each side to 32 pixels).
    assert abs(max(photo.bgr.shape[:2]) - ppocr.LONGEST) <= 16
    assert photo.bgr.flags["C_CONTIGUOUS"]
    assert np.array_equal(photo.bgr, copy)
    assert (photo.ratio_h, photo.ratio_w) == (ratio_h, ratio_w)
    assert photo.image is image


def test_the_second_recogniser_reads_a_line_on_its_own():
    font = ImageFont.truetype(FONT, 48)
    x0, y0, x1, y1 = font.getbbox("MRN: 00482913")
    line = Image.new("RGB", (x1 - x0 + 24, y1 - y0 + 24), (250, 250, 245))
    ImageDraw.Draw(line).text((12 - x0, 12 - y0), "MRN: 00482913", font=font, fill=(15, 15, 20))
    [(text, score)], _ = ppocr._second_reader()([np.asarray(line)[:, :, ::-1].copy()], False)
    assert score > 0.9, (text, score)
    # Its alphabet has full-width marks too ("MRN：..."); the line's words are read as NFKC.
    assert ppocr._spaced(text) == "MRN: 00482913", text


def test_full_width_marks_are_read_as_their_latin_forms():
    assert ppocr._spaced("MRN：00482913") == "MRN: 00482913"
    assert ppocr._spaced("ＤＯＢ １２/０３/１９８８") == "DOB 12/03/1988"


def test_spaces_the_recogniser_drops_are_put_back():
    assert ppocr._spaced("MRN:4425518") == "MRN: 4425518"
    assert ppocr._spaced("Folau,R ORIF") == "Folau, R ORIF"
    assert ppocr._spaced("1)Odhran Folau") == "1) Odhran Folau"
    assert ppocr._spaced("1Ivanova, M") == "1 Ivanova, M"
    # A surname's comma read as a full stop, before the initial.
    assert ppocr._spaced("2) Hakiml.O ORIF") == "2) Hakiml. O ORIF"
    assert ppocr._spaced("Patient: JARDINE.Z.") == "Patient: JARDINE. Z."
    # A date with its spaces dropped.
    assert ppocr._spaced("10JUL1935") == "10 JUL 1935"
    assert ppocr._spaced("DOB 2jan1974") == "DOB 2 jan 1974"
    assert ppocr._spaced("16 JUN1932") == "16 JUN 1932"
    assert ppocr._spaced("4MAR 1990") == "4 MAR 1990"
    # Not a label's colon or a list's number: left alone.
    assert ppocr._spaced("12:30 theatre 3M") == "12:30 theatre 3M"
    assert ppocr._spaced("Temp 36.6 C, ref. 12.B") == "Temp 36.6 C, ref. 12.B"
    # Capitals with full stops that are not a surname and its initial.
    assert ppocr._spaced("U.S.A. ORIF.L.KNEE ID.90277") == "U.S.A. ORIF.L.KNEE ID.90277"
    assert ppocr._spaced("LOT10JUL19355") == "LOT10JUL19355"


def test_marks_the_recogniser_reads_for_latin_letters_are_put_back():
    # A surname's comma read as the dot that parts a foreign name in Chinese.
    assert ppocr._spaced("3) Hakimi·R EVAR bed 33") == "3) Hakimi, R EVAR bed 33"
    # An italic l read as a slash.
    assert ppocr._spaced("Hal/dor Dragomir EVAR bed 11") == "Halldor Dragomir EVAR bed 11"
    assert ppocr._spaced("Sefa Fo/au ORIF") == "Sefa Folau ORIF"
    # A slash or a dot that is one: left alone.
    assert ppocr._spaced("N/A I/O 36·8 HR/SpO2 1/2") == "N/A I/O 36·8 HR/SpO2 1/2"


def test_a_name_read_with_those_marks_is_found():
    from liveq.screening.photos.text import read_findings

    view = View(Image.new("L", (900, 60), 255))
    for read, name in (("3) Hakimi·R EVAR bed 33", "Hakimi, R"),
                       ("Hal/dor Dragomir EVAR bed 11", "Halldor Dragomir")):
        line = Line(tuple(ppocr._words(read, 91.0, 900, 60)))
        found = read_findings([(view, [line], False)])
        assert ("name", name) in [(f.kind, f.text) for f in found], (read, found)


def words(*pairs: tuple[str, float]) -> list[Line]:
    out, x = [], 0
    for text, confidence in pairs:
        out.append(Word(text, confidence, Box(x, 0, 12 * len(text), 20)))
        x += 12 * len(text) + 12
    return [Line(tuple(out))]


def test_a_blocks_reading_the_wrong_way_up_is_dropped():
    view = View(Image.new("L", (400, 40), 255))
    upright = (view, words(("TIME", 95.0), ("OUT", 93.0), ("DONE", 96.0)), False, (0, 0))
    upside_down = (view, words(("ANOG", 62.0), ("LAO", 48.0)), False, (0, 180))
    other_block = (view, words(("ID", 91.0), ("556810806", 88.0)), False, (1, 180))
    kept = _way_up([upright, upside_down, other_block])
    assert [lines[0].text for _, lines, _ in kept] == ["TIME OUT DONE", "ID 556810806"]


def test_a_block_read_as_well_both_ways_up_keeps_both_readings():
    view = View(Image.new("L", (400, 40), 255))
    one = (view, words(("NOON", 90.0)), False, (0, 0))
    other = (view, words(("NOON", 90.0)), False, (0, 180))
    assert len(_way_up([one, other])) == 2


def test_a_block_the_whole_photos_lines_cover_is_not_read_again():
    block = Block(cx=200, cy=100, width=200, height=40, angle=0.0, letter=12, marks=9,
                  dark=False)
    view = View(Image.new("L", (800, 400), 255))
    over = (view, [Line((Word("MRN", 90.0, Box(100, 80, 90, 40)),
                         Word("4425518", 90.0, Box(190, 80, 120, 40))))], False)
    beside = (view, [Line((Word("Theatre", 90.0, Box(500, 300, 200, 40)),))], False)
    assert _seen(block, [over])
    assert not _seen(block, [beside])
    assert not _seen(block, [])


def tilted_list(turn: float) -> tuple[Image.Image, Box]:
    """A whiteboard's two-row list turned `turn` degrees counter-clockwise about the middle;
    and where the first row's number is in the turned picture."""
    image = Image.new("RGB", (1600, 1200), (90, 96, 100))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 26)
    draw.rectangle((300, 450, 1300, 750), fill=(250, 250, 245))
    first = "1) Noor Castellanos TURP # "
    draw.text((330, 500), first + "6179136 bed 4", font=font, fill=(15, 15, 20))
    draw.text((330, 590), "2) Sefa Lundgren ORIF # 5521907 bed 9", font=font, fill=(15, 15, 20))
    x0, y0, x1, y1 = draw.textbbox((330 + draw.textlength(first, font=font), 500), "6179136",
                                   font=font)
    a = math.radians(turn)

    def turned(x: float, y: float) -> tuple[float, float]:  # as Image.rotate turns a point
        dx, dy = x - 800, y - 600
        return 800 + dx * math.cos(a) + dy * math.sin(a), 600 - dx * math.sin(a) + dy * math.cos(a)

    corners = [turned(x, y) for x in (x0, x1) for y in (y0, y1)]
    return image.rotate(turn, center=(800, 600), fillcolor=(90, 96, 100)), Box.around(corners)


def test_a_block_whose_tilt_was_misjudged_is_read_whole_from_its_upright_cut():
    # Motion blur merges letters into a few large marks, and a block's tilt, taken from its
    # marks, can be 20 degrees out: the level cut then slices its rows short. PP-OCR reads
    # the upright cut, finding the rows at whatever angle they lie.
    image, where = tilted_list(20)
    gray = image.convert("L")
    misjudged = Block(cx=800, cy=600, width=760, height=200, angle=0.0, letter=26, marks=40,
                      dark=False)
    sliced = [line.text for _, lines, _ in ppocr.read_views([_crop(gray, misjudged)])
              for line in lines]
    assert not any("Noor Castellanos" in text for text in sliced), sliced
    reads = ppocr.read_views([_upright(gray, misjudged)])
    rows = [line.text for _, lines, _ in reads for line in lines]
    assert any("Noor Castellanos TURP # 6179136" in text for text in rows), rows
    number = [view.box_back(w.box) for view, lines, _ in reads for line in lines
              for w in line.words if w.text == "6179136"]
    assert number and number[0].intersection(where) >= 0.6 * where.area, (number, where)
    assert number[0].area <= 3 * where.area, (number[0], where)


def _word(text: str, x: int, y: int, w: int, h: int) -> Word:
    return Word(text, 90.0, Box(x, y, w, h))


def test_a_rows_words_tesseract_split_at_a_wide_gap_are_one_row_again():
    words = [_word("MRN", 20, 25, 70, 32), _word("528", 110, 26, 60, 31),
             _word("86822", 300, 24, 110, 33)]
    assert [line.text for line in _rows(words)] == ["MRN 528 86822"]


def test_a_line_tesseract_gave_twice_stays_two_rows_not_one_read_double():
    # The thirty-ninth's clean-09: a lot label given once in boxes of its letters' height
    # and once in boxes as tall as the cut; one row of both read "77814. 77814", a phone.
    once = [_word("Exp", 25, 25, 74, 39), _word("2028-01", 110, 25, 157, 32),
            _word("LOT", 283, 27, 75, 32), _word("77814", 381, 28, 120, 32)]
    twice = [_word("Exp", 35, -4, 63, 94), _word("2028-01", 113, -4, 158, 94),
             _word("LO", 285, -4, 48, 94), _word("77814.", 380, -4, 142, 94)]
    rows = _rows(once + twice)
    # Two rows, each the line read once (which of the two reads gives which word is the
    # order of their heights, and either reading is the line).
    assert len(rows) == 2, [line.text for line in rows]
    for line in rows:
        starts = [w.box.x for w in line.words]
        assert len(starts) == 4, line.text  # a word in each of the line's four places
        gaps = np.diff(starts)
        assert (gaps > 50).all(), line.text  # and no word over another
    photo = View(Image.new("L", (600, 90)))
    assert not [f for f in read_findings([(photo, rows, False)]) if f.kind == "phone"]


def _block(cx: float, cy: float, width: float, height: float, letter: float) -> Block:
    return Block(cx=cx, cy=cy, width=width, height=height, angle=-45.0, letter=letter,
                 marks=10, dark=False)


@pytest.mark.parametrize(
    ("fine", "coarse", "shown"),
    [
        # The same lines found on both copies: read once.
        (_block(500, 500, 200, 60, 11), _block(505, 500, 240, 80, 12), True),
        # The small copy found a corner of a faint label the full size found whole.
        (_block(500, 500, 220, 110, 11), _block(540, 460, 100, 80, 13.5), False),
        # Small letters inside a block of letters three times their size.
        (_block(500, 500, 150, 60, 11), _block(480, 520, 550, 500, 33), False),
    ],
)
def test_a_block_found_at_full_size_is_read_unless_the_small_copy_found_it_already(
        fine, coarse, shown):
    assert _shown_by(fine, coarse) is shown


@pytest.mark.parametrize("tilt", [-35.0, 0.0, 20.0, 88.0])
def test_a_blocks_tilt_follows_its_rows_when_blur_has_merged_its_letters(tilt):
    # Motion blur merges a row's letters into a few blobs, 70 pixels apart, in rows 45
    # pixels apart: each blob's nearest neighbour is in the next row, not along its own.
    along, across = np.meshgrid(np.arange(6) * 70.0, np.arange(3) * 45.0)
    a = math.radians(tilt)
    cx = 500 + along.ravel() * math.cos(a) - across.ravel() * math.sin(a)
    cy = 500 + along.ravel() * math.sin(a) + across.ravel() * math.cos(a)
    found = math.degrees(_direction(cx, cy, letter=30.0))
    off = (found - tilt + 90) % 180 - 90  # a direction: 180 degrees round is the same
    assert abs(off) <= 1.0, (found, tilt)


def test_each_line_of_a_blocks_cut_is_read_the_way_up_it_reads_best():
    # The text pool's wristband 92081: 20-px serif italic, blurred, turned 101 degrees. Its
    # block's level cut is upside down; PP-OCR's direction classifier turns the name's line
    # but not the number's, which it reads "ZL066I0 ON SHN". Each line is read both ways.
    photo, record = pool_photo("wristband", 92081, 20)
    mrn = next(Box(*i["box"]) for i in record["identifiers"] if i["kind"] == "mrn")
    gray = photo.convert("L")
    [block] = [b for b in find_blocks(gray) if b.bounds.intersection(mrn) >= 0.8 * mrn.area]
    reads = ppocr.read_views([_crop(gray, block)])
    texts = [line.text for _, lines, _ in reads for line in lines]
    assert not any("SHN" in t for t in texts), texts
    numbers = [view.box_back(w.box) for view, lines, _ in reads for line in lines
               for w in line.words if w.text == "0199072"]
    assert numbers, texts
    # Placed over the number in the photo, whichever way its line was read.
    assert all(box.intersection(mrn) >= 0.5 * mrn.area for box in numbers), (numbers, mrn)


def test_two_photos_checked_at_once_find_what_each_finds_alone():
    """The server checks two photos at a time (workers.photo_check), and a check reads its
    lines in several threads: the networks are shared, and only their detectors keep a
    setting between calls (ppocr's locks). Photos of two sizes, so that a detector set for
    one would read the other at the wrong size."""
    small = encoded(wristband())
    large = encoded(with_face(wristband((2400, 1800), 60)))
    alone = [scan_photo(data) for data in (small, large)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        together = list(pool.map(scan_photo, (small, large)))
    assert together == alone
    assert {"name", "date", "mrn"} <= {f.kind for f in alone[0]}
    assert {"mrn", "face"} <= {f.kind for f in alone[1]}
