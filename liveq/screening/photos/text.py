"""Identifiers in the text read from a photo: each line through the question screener."""

from __future__ import annotations

from liveq.screening.photos.findings import Box, PhotoFinding
from liveq.screening.photos.geometry import View
from liveq.screening.photos.ocr import Line
from liveq.screening.rules import ScreeningRules
from liveq.screening.screen import screen_text


def line_findings(
    view: View, lines: list[Line], rules: ScreeningRules | None = None
) -> list[PhotoFinding]:
    """Findings in each line, each with the box (in the photo) of the words it covers."""
    found = []
    for line in lines:
        text = line.text
        spans = line.spans()
        for f in screen_text(text, rules=rules):
            boxes = [
                w.box
                for w, (start, end) in zip(line.words, spans, strict=True)
                if start < f.end and end > f.start
            ]
            if not boxes:
                continue
            box = boxes[0]
            for b in boxes[1:]:
                box = box.union(b)
            found.append(
                PhotoFinding(
                    kind=f.kind,
                    box=view.box_back(box),
                    reason=f"{f.reason} in the photo's text",
                    text=text[f.start : f.end],
                )
            )
    return found


def merge(findings: list[PhotoFinding]) -> list[PhotoFinding]:
    """One finding per place: the same kind read twice (another turn, another crop) is one."""
    kept: list[PhotoFinding] = []
    for f in sorted(findings, key=lambda f: -f.box.area):
        if any(k.kind == f.kind and _same_place(k.box, f.box) for k in kept):
            continue
        kept.append(f)
    return sorted(kept, key=lambda f: (f.box.y, f.box.x))


def _same_place(a: Box, b: Box) -> bool:
    inter = a.intersection(b)
    return inter >= 0.5 * min(a.area, b.area)
