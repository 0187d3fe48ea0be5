"""Lines a reader cut out of one row, joined back (liveq.screening.photos.rows).

The lines here are given as PP-OCR's stages give them (each line's four corners, which
way it reads, its text), placed by ``ppocr._readings`` as every read of a photo is: the
joining is geometry, tested without the networks; a generated monitor checks it end to end
(``test_a_monitors_number_cut_from_its_label_is_found``).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from liveq.screening.photos import ppocr
from liveq.screening.photos.findings import Box
from liveq.screening.photos.geometry import View
from liveq.screening.photos.rows import joined_rows
from liveq.screening.photos.text import read_findings
from tests.screening.photo_samples import holdout_script

PHOTO = Image.new("RGB", (2000, 1500), "white")
HEIGHT = 60


def found(x0: float, x1: float, y: float, text: str, turn: float = 0.0, flipped: bool = False):
    """A line from x0 to x1 with its top at y, as the detector gives it (corners clockwise
    from the top left as it lies), the whole picture turned `turn` degrees about its
    centre; upside down (`flipped`), the same words lie turned half round."""
    corners = np.array([[x0, y], [x1, y], [x1, y + HEIGHT], [x0, y + HEIGHT]], float)
    if flipped:
        corners = np.array([1000, 750]) * 2 - corners  # half round about the centre
        corners = np.roll(corners, 2, axis=0)  # the detector's corners start top left
    a = np.radians(turn)
    spin = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    corners = (corners - [1000, 750]) @ spin.T + [1000, 750]
    return corners, False, flipped, text, 0.95


def readings(*lines):
    return ppocr._readings(View(PHOTO), list(lines))


def texts(rows):
    return [" ".join(line.text for line in lines) for _, lines, _ in rows]


def where(rows, word: str) -> Box:
    [box] = [view.box_back(w.box) for view, lines, _ in rows for line in lines
             for w in line.words if w.text == word]
    return box


# "ID 550236056 Rm 395" cut at its wide gaps, as a monitor's serif row came back.
ROW = [(300, 380, "ID"), (440, 1000, "550236056 Rm"), (1060, 1180, "395")]


@pytest.mark.parametrize(("turn", "flipped"), [(0, False), (8, False), (0, True), (-12, True)])
def test_a_rows_lines_are_read_again_as_one_line(turn, flipped):
    lines = [found(x0, x1, 400, text, turn, flipped) for x0, x1, text in ROW]
    # Another row below, and a line far along this one (a sign across the room).
    lines += [found(300, 900, 520, "Pt: CASTELLANOS, T.", turn, flipped),
              found(1700, 1900, 400, "Temp", turn, flipped)]
    rows = joined_rows(readings(*reversed(lines)))
    assert texts(rows) == ["ID 550236056 Rm 395"]
    # Each word is still where it was read.
    singles = readings(*lines)
    for word in ("ID", "550236056", "Rm", "395"):
        got, alone = where(rows, word), where(singles, word)
        assert got.intersection(alone) >= 0.8 * alone.area, (word, got, alone)
        assert got.area <= 1.5 * alone.area, (word, got, alone)


def test_a_word_stays_where_it_was_read_when_a_short_lines_direction_is_off():
    # "1)" of a list's row, its quad judged 8 degrees off the row's (a short line's angle
    # is the least sure); the row runs on for 1300 pixels after it.
    mark, *rest = [found(100, 150, 400, "1)"), found(210, 900, 400, "Noor Grunwald"),
                   found(960, 1500, 400, "TKR 15 NOV 1946")]
    corners, *more = mark
    spin = np.radians(8)
    centre = corners.mean(axis=0)
    turn = np.array([[np.cos(spin), -np.sin(spin)], [np.sin(spin), np.cos(spin)]])
    mark = ((corners - centre) @ turn.T + centre, *more)
    rows = joined_rows(readings(mark, *rest))
    assert texts(rows) == ["1) Noor Grunwald TKR 15 NOV 1946"]
    singles = readings(mark, *rest)
    for word in ("1)", "Noor", "1946"):
        got, alone = where(rows, word), where(singles, word)
        assert got.intersection(alone) >= 0.8 * alone.area, (word, got, alone)
        assert got.area <= 1.5 * alone.area, (word, got, alone)


def test_the_joined_row_is_screened_as_a_labelled_number_and_a_room():
    singles = readings(*(found(x0, x1, 400, text) for x0, x1, text in ROW))
    assert [f.kind for f in read_findings(singles)] == []
    findings = read_findings(singles + joined_rows(singles))
    assert {(f.kind, f.text) for f in findings} == {("mrn", "550236056"),
                                                     ("room_number", "395")}
    mrn = next(f for f in findings if f.kind == "mrn")
    assert mrn.box.intersection(where(singles, "550236056")) > 0


@pytest.mark.parametrize(
    "other",
    [
        found(1300, 1500, 400, "395"),  # too far along: more than two heights of gap
        found(440, 1000, 480, "550236056"),  # on the next row
        found(440, 1000, 400, "550236056", turn=20),  # running another way
    ],
)
def test_lines_off_the_row_are_not_joined(other):
    assert joined_rows(readings(found(300, 380, 400, "ID"), other)) == []


def test_a_taller_line_beside_is_not_joined():
    big = found(440, 1000, 400, "550236056")
    big = (big[0] * [1, 1] + [[0, 0], [0, 0], [0, 60], [0, 60]], *big[1:])  # twice as tall
    assert joined_rows(readings(found(300, 380, 400, "ID"), big)) == []


def test_a_line_whose_corners_lie_on_one_line_is_joined_to_nothing():
    flat = (np.array([[300, 400], [380, 400], [380, 400], [300, 400]], float),
            False, False, "ID", 0.9)
    lines = readings(flat, found(440, 1000, 400, "550236056"))
    assert len(lines) == 2 and joined_rows(lines) == []


def test_a_line_read_twice_is_not_joined_to_itself():
    # A block's lines are read by two recognisers: each line comes back twice, in one place.
    twice = [found(300, 380, 400, "ID"), found(300, 380, 400, "1D"),
             found(440, 1000, 400, "550236056"), found(440, 1000, 400, "55O236056")]
    rows = texts(joined_rows(readings(*twice)))
    assert rows and all(len(row.split()) == 2 for row in rows), rows


def test_a_monitors_number_cut_from_its_label_is_found():
    # The tuning set thirty-fourth's monitor-07: "ID 550236056 Rm 395" in a 112-px serif,
    # upside down, blurred. Both detectors cut the row at its gaps; no other read found
    # the number or the room before their lines were joined.
    from liveq.screening.photos.scan import scan_photo

    [(_, data, record)] = holdout_script().third_photos("thirty-fourth", only="monitor-07.jpg")
    expected = {i["kind"]: Box(*i["box"]) for i in record["identifiers"]}
    photo = ppocr.photo_copy(Image.open(io.BytesIO(data)).convert("RGB"))
    lines = ppocr.read_photo(photo)
    assert not any(f.kind == "mrn" for f in read_findings(lines))
    assert any(f.kind == "mrn" for f in read_findings(lines + joined_rows(lines)))
    found = scan_photo(data)
    for kind in ("mrn", "room_number"):
        box = expected[kind]
        assert any(f.kind == kind and f.box.intersection(box) >= 0.5 * box.area
                   and f.box.area <= 10 * box.area for f in found), (kind, found)
