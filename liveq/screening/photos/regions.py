"""Where text may be in a photo, before reading it: blocks of letter-like marks.

Reading a whole 12-megapixel photo, four times turned, takes Tesseract half a
minute; small text (a wristband across the room) is lost when the photo is
shrunk first. So the photo is searched for letters, cheaply, on a copy about
2000 pixels wide: marks clearly darker (or lighter, for a monitor) than their
surroundings, of a letter's size and shape, lying close to marks of the same
size. Each cluster is a block; its tilt is the angle at which its marks line
up in rows. Only the blocks are read, cut from the full-size photo, turned level
and enlarged so their letters are about 30 pixels tall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from liveq.screening.photos.findings import Box

DETECT_LONGEST = 2000
CONTRAST = 18  # how much darker/lighter than the surroundings a letter's pixels are
MIN_SIZE, MAX_SIZE = 6, 90  # a letter's size on the detection copy, in pixels
# Small letters (16-24 px in a 12 MP photo) are 8-12 px on the 2000-pixel copy, and thin,
# light or italic strokes fade below CONTRAST there; they are searched for again at full
# size, up to this size, where the 2000-pixel copy did not find them (``_shown_by``).
FINE_MAX_SIZE = 45
SAME_LETTER = 1.5  # a block's letters this many times another's are another size of text
MIN_MARKS = 5  # letters in a block
LINK = 2.0  # marks closer than this many times their size belong together
MAX_MARKS = 20000


@dataclass(frozen=True)
class Block:
    """A cluster of letter-like marks: a rotated rectangle in the photo's pixels."""

    cx: float
    cy: float
    width: float  # along the text
    height: float
    angle: float  # degrees, counter-clockwise, that turn the block level
    letter: float  # the letters' median size (pixels of the photo)
    marks: int
    dark: bool  # light letters on a dark ground (a monitor)

    @property
    def score(self) -> float:
        return self.marks

    @property
    def bounds(self) -> Box:
        """The block's upright bounding box."""
        a = np.radians(self.angle)
        cos, sin = np.cos(a), np.sin(a)
        corners = [
            (self.cx + u * cos - v * sin, self.cy + u * sin + v * cos)
            for u in (-self.width / 2, self.width / 2)
            for v in (-self.height / 2, self.height / 2)
        ]
        return Box.around(corners)


def _marks(gray: np.ndarray, max_size: int = MAX_SIZE) -> list[tuple[np.ndarray, bool]]:
    """Letter-like marks of both polarities: an (n, 5) array of x, y, w, h, area each."""
    import cv2

    blur = cv2.GaussianBlur(gray, (3, 3), 0)
    local = cv2.blur(blur, (31, 31)).astype(np.int16)
    out = []
    for light in (False, True):
        diff = (blur.astype(np.int16) - local) if light else (local - blur)
        bw = (diff > CONTRAST).astype(np.uint8)
        _, _, st, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
        st = st[1:]
        w, h, area = st[:, 2], st[:, 3], st[:, 4]
        big, small = np.maximum(w, h), np.minimum(w, h)
        fill = area / np.maximum(1, w * h)
        ok = (
            (big >= MIN_SIZE)
            & (big <= max_size)
            & (small >= 2)
            & (fill > 0.12)
            & (fill < 0.92)
            & (big < 7 * np.maximum(1, small))
        )
        out.append((st[ok][:MAX_MARKS], light))
    return out


def _clusters(st: np.ndarray) -> list[np.ndarray]:
    """Group marks that lie within LINK times their size of a mark of a similar size."""
    n = len(st)
    if n < MIN_MARKS:
        return []
    cx = st[:, 0] + st[:, 2] / 2
    cy = st[:, 1] + st[:, 3] / 2
    size = np.maximum(st[:, 2], st[:, 3]).astype(float)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    cell = LINK * MAX_SIZE
    grid: dict[tuple[int, int], list[int]] = {}
    keys = list(zip((cx // cell).astype(int), (cy // cell).astype(int), strict=True))
    for i, key in enumerate(keys):
        grid.setdefault(key, []).append(i)
    for i, (gx, gy) in enumerate(keys):
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in grid.get((gx + dx, gy + dy), ()):
                    if j <= i:
                        continue
                    si, sj = size[i], size[j]
                    if max(si, sj) > 1.8 * min(si, sj):
                        continue
                    reach = LINK * max(si, sj)
                    if abs(cx[i] - cx[j]) < reach and abs(cy[i] - cy[j]) < reach:
                        a, b = find(i), find(j)
                        if a != b:
                            parent[a] = b
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return [st[idx] for idx in groups.values() if len(idx) >= MIN_MARKS]


def _direction(cx: np.ndarray, cy: np.ndarray, letter: float) -> float:
    """The text's direction (radians, image coordinates): the angle, to a degree, across
    which the marks' positions bunch most, as letters in rows do (pairs of marks within
    about a third of a letter of each other, counted smoothly).

    Not each mark's nearest neighbour, as before: motion blur merges letters into a few
    large marks, whose nearest neighbours lie as often in the row above as along their
    own, and a list read 22 degrees out was cut level across its rows (docs/screening.md,
    the fifteenth round)."""
    n = len(cx)
    if n > 150:  # enough to find the rows; keeps the 180 tables of pairs small
        pick = np.linspace(0, n - 1, 150).astype(int)
        cx, cy = cx[pick], cy[pick]
    thetas = np.radians(np.arange(-90.0, 90.0, 1.0))
    across = -np.sin(thetas)[:, None] * cx[None, :] + np.cos(thetas)[:, None] * cy[None, :]
    width = max(1.0, letter / 3)
    best, best_score = 0.0, -1.0
    for theta, v in zip(thetas, across, strict=True):
        d = (v[:, None] - v[None, :]) / width
        score = float(np.exp(-d * d).sum())
        if score > best_score:
            best, best_score = float(theta), score
    return best


def _block(group: np.ndarray, factor: float, light: bool) -> Block | None:
    sizes = np.maximum(group[:, 2], group[:, 3]).astype(float)
    letter = float(np.median(sizes))
    if np.std(sizes) > 0.6 * letter:
        return None  # marks of every size: a texture, not a line of letters
    cx = group[:, 0] + group[:, 2] / 2
    cy = group[:, 1] + group[:, 3] / 2
    theta = _direction(cx, cy, letter)
    cos, sin = np.cos(theta), np.sin(theta)
    # Every mark's corners, in coordinates along (u) and across (v) the text.
    xs = np.concatenate([group[:, 0], group[:, 0] + group[:, 2]] * 2).astype(float)
    ys = np.concatenate([group[:, 1]] * 2 + [group[:, 1] + group[:, 3]] * 2).astype(float)
    u = xs * cos + ys * sin
    v = -xs * sin + ys * cos
    margin = letter * 0.8
    mu, mv = (u.min() + u.max()) / 2, (v.min() + v.max()) / 2
    return Block(
        cx=float(mu * cos - mv * sin) / factor,
        cy=float(mu * sin + mv * cos) / factor,
        width=float(u.max() - u.min() + 2 * margin) / factor,
        height=float(v.max() - v.min() + 2 * margin) / factor,
        angle=float(np.degrees(theta)),
        letter=letter / factor,
        marks=len(group),
        dark=light,
    )


def _blocks_at(gray: Image.Image, factor: float, max_size: int) -> list[Block]:
    if factor < 1.0:
        gray = gray.resize(
            (max(1, round(gray.width * factor)), max(1, round(gray.height * factor))),
            Image.BILINEAR,
        )
    blocks = []
    for st, light in _marks(np.asarray(gray), max_size):
        for group in _clusters(st):
            block = _block(group, factor, light)
            if block is not None:
                blocks.append(block)
    return blocks


def _shown_by(fine: Block, coarse: Block) -> bool:
    """Whether a block found at full size is one the 2000-pixel copy found already: more
    than half of it lies in that block, whose letters are about its size.

    Not when only the smaller lies in the other: faint letters fade on the small copy, which
    then finds a few of a label's lines, and its block kept out the whole label found at full
    size (a 16-pixel label at -134 degrees, its lines read cut in half). Not when the small
    copy's block has letters half as large again: its cut is enlarged for those, and the
    small letters in it stay too small to read (a monitor's 16-pixel name beside its large
    readings)."""
    bf, bc = fine.bounds, coarse.bounds
    return bf.intersection(bc) > 0.5 * bf.area and coarse.letter < SAME_LETTER * fine.letter


def find_blocks(image: Image.Image) -> list[Block]:
    """Blocks of letter-like marks, most letters first."""
    gray = image.convert("L")
    factor = min(1.0, DETECT_LONGEST / max(gray.size))
    blocks = _blocks_at(gray, factor, MAX_SIZE)
    if factor < 1.0:
        coarse = list(blocks)
        blocks += [
            b for b in _blocks_at(gray, 1.0, FINE_MAX_SIZE)
            if not any(_shown_by(b, c) for c in coarse)
        ]
    return sorted(blocks, key=lambda b: -b.score)
