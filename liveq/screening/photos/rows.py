"""Lines a reader cut out of one row, joined back into the row.

PP-OCR's detectors cut a row at a wide gap: a monitor's "ID 550236056 Rm 395" in a serif
font came back as "ID", "550236056 Rm" and "395", three lines, and the screener, which
reads a line at a time, saw a number with no label and a room with no number (Tesseract's
own reads are regrouped in ``scan._rows``). Each line of one read is followed by the
nearest line that starts just after it along its own direction, at its height; a chain of
two or more is one more reading of the row. The lines are kept as they were: each stays
in its own reading, so what they gave alone they still give (and ``scan._seen`` measures
what the photo's read covered on them, not on these).
"""

from __future__ import annotations

import math

import numpy as np

from liveq.screening.photos.findings import Box
from liveq.screening.photos.geometry import View
from liveq.screening.photos.ocr import Line, Word
from liveq.screening.photos.ppocr import Reading

GAP = 2.0  # line heights from one line's end to the next one's start, at most
OFFSET = 0.4  # line heights: how far the next line's top may lie off this one's
HEIGHTS = 1.5  # the taller line of two over the shorter, at most
TURN = math.radians(10)  # between the two lines' directions, at most


class _Frame:
    """A line's frame in the photo: where its reading starts, the unit vectors along and
    down its letters, its length and height (photo pixels), and the map from photo pixels
    back into the line's own."""

    def __init__(self, view: View, line: Line):
        box = line.box
        origin = np.array(view.point_back(0.0, 0.0))
        along = np.array(view.point_back(1.0, 0.0)) - origin
        down = np.array(view.point_back(0.0, 1.0)) - origin
        self.origin = origin
        self.length = float(np.linalg.norm(along)) * (box.x + box.w)
        self.height = float(np.linalg.norm(down)) * box.h
        self.along = along / max(1e-9, float(np.linalg.norm(along)))
        self.down = down / max(1e-9, float(np.linalg.norm(down)))
        # The line's pixels to the photo's are affine (crops, scalings, turns): inverted
        # from the images of the two unit steps. A line whose corners lie on one line has
        # no inverse: it is flat, and joined to nothing.
        steps = np.column_stack([along, down])
        self.flat = abs(float(np.linalg.det(steps))) < 1e-6
        self._into = np.zeros((2, 2)) if self.flat else np.linalg.inv(steps)

    def into(self, x: float, y: float) -> tuple[float, float]:
        """A point of the photo in the line's own pixels."""
        u, v = self._into @ (np.array([x, y]) - self.origin)
        return float(u), float(v)


def _next_lines(frames: list[_Frame]) -> dict[int, int]:
    """For each line, the nearest line that continues its row, if any: one that starts
    after it ends (no more than GAP heights on; not in its first half, as the same line
    read twice does), at its top (within OFFSET), running its way (within TURN), of a like
    height (HEIGHTS). Every pair at once: a block's closer reads give a hundred lines."""
    origin = np.array([f.origin for f in frames])
    along = np.array([f.along for f in frames])
    down = np.array([f.down for f in frames])
    length = np.array([f.length for f in frames])[:, None]
    height = np.array([f.height for f in frames])[:, None]
    start = origin[None, :, :] - origin[:, None, :]  # [a, b]: b's start from a's
    on = np.einsum("abk,ak->ab", start, along)  # along a's row
    off = np.einsum("abk,ak->ab", start, down)  # down from a's top
    gap = on - length
    tall = np.maximum(height, height.T) <= HEIGHTS * np.maximum(1e-9, np.minimum(height, height.T))
    ok = ((along @ along.T >= math.cos(TURN)) & tall
          & (gap >= -0.5 * height) & (gap <= GAP * height) & (on > 0.5 * length)
          & (np.abs(off) <= OFFSET * height))
    np.fill_diagonal(ok, False)
    gap = np.where(ok, gap, np.inf)
    return {a: int(np.argmin(gap[a])) for a in range(len(frames)) if ok[a].any()}


def _words_in(frame: _Frame, view: View, line: Line) -> list[Word]:
    """`line`'s words (read in `view`) placed in `frame`: each word's box the one in the
    frame round its four corners, so it lies where it was read even when the frame's
    direction is a few degrees off the line's."""
    out = []
    for w in line.words:
        corners = [frame.into(*view.point_back(x, y)) for x, y in w.box.corners()]
        out.append(Word(w.text, w.confidence, Box.around(corners)))
    return out


def joined_rows(readings: list[Reading]) -> list[Reading]:
    """The rows of one read's lines that the reader cut in two or more, each as one more
    reading (in the frame of the row's longest line)."""
    lines, frames = [], []
    for view, read, dark in readings:
        if len(read) == 1 and not (frame := _Frame(view, read[0])).flat:
            lines.append((view, read[0], dark))
            frames.append(frame)
    if len(frames) < 2:
        return []
    nexts = _next_lines(frames)
    followers = set(nexts.values())
    out = []
    for start in nexts:
        if start in followers:
            continue  # inside another line's row: that row's reading has it
        chain, seen = [start], {start}
        while chain[-1] in nexts and nexts[chain[-1]] not in seen:
            chain.append(nexts[chain[-1]])
            seen.add(chain[-1])
        # The longest line's frame holds the row: its direction is the surest (a short
        # line's, "1)", can be 10 degrees off, 200 pixels at the end of a long row).
        main = max(chain, key=lambda k: frames[k].length)
        view, _, dark = lines[main]
        words = [w for k in chain for w in _words_in(frames[main], lines[k][0], lines[k][1])]
        out.append((view, [Line(tuple(words))], dark))
    return out
