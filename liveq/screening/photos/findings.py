"""A finding in a photo: what (a face, or an identifier's kind), where (a pixel box), why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in the photo's pixels: left, top, width, height."""

    x: int
    y: int
    w: int
    h: int

    @property
    def area(self) -> int:
        return max(0, self.w) * max(0, self.h)

    def intersection(self, other: Box) -> int:
        w = min(self.x + self.w, other.x + other.w) - max(self.x, other.x)
        h = min(self.y + self.h, other.y + other.h) - max(self.y, other.y)
        return max(0, w) * max(0, h)

    def iou(self, other: Box) -> float:
        inter = self.intersection(other)
        union = self.area + other.area - inter
        return inter / union if union else 0.0

    def union(self, other: Box) -> Box:
        x0, y0 = min(self.x, other.x), min(self.y, other.y)
        x1 = max(self.x + self.w, other.x + other.w)
        y1 = max(self.y + self.h, other.y + other.h)
        return Box(x0, y0, x1 - x0, y1 - y0)

    def grown(self, margin: float, width: int, height: int) -> Box:
        """The box with `margin` (a fraction of its height) around it, kept in the image."""
        m = int(round(self.h * margin))
        x0, y0 = max(0, self.x - m), max(0, self.y - m)
        x1, y1 = min(width, self.x + self.w + m), min(height, self.y + self.h + m)
        return Box(x0, y0, x1 - x0, y1 - y0)

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.w, self.h]

    def corners(self) -> list[tuple[int, int]]:
        """Top left, top right, bottom right, bottom left."""
        x1, y1 = self.x + self.w, self.y + self.h
        return [(self.x, self.y), (x1, self.y), (x1, y1), (self.x, y1)]

    @classmethod
    def around(cls, points) -> Box:
        """The smallest box holding every (x, y) point."""
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        x0, y0 = int(min(xs)), int(min(ys))
        return cls(x0, y0, int(round(max(xs))) - x0, int(round(max(ys))) - y0)


@dataclass(frozen=True, slots=True)
class PhotoFinding:
    """Why a photo is held: a face or an identifier read in it, where, and a reason."""

    kind: str  # "face", or a screening kind ("name", "date", "mrn", ...)
    box: Box
    reason: str
    text: str = ""  # what OCR read there (text findings)
    source: str = "text"  # "text" or "face"

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "box": self.box.as_list(),
            "reason": self.reason,
            "text": self.text,
            "source": self.source,
        }
