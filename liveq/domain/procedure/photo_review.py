"""A photo's findings and what resolves them. Pure: no I/O.

The photo check (``liveq.screening.photos``) finds faces and identifiers in a
photo, each with a box in its pixels. A finding is resolved when a redaction
covers its box (blurred or blacked out in a new version of the photo) or, for
a face, when an approver approves it with a reason (a member of staff who
agreed to be shown). Until every finding of every photo is resolved, the post
cannot be signed off or sent: the same rule as for text.
"""

from __future__ import annotations

from liveq.errors import Conflict, InvalidInput

PENDING, CHECKING, DONE, FAILED = "pending", "checking", "done", "failed"
OPEN, REDACTED, APPROVED = "open", "redacted", "approved"
STYLES = ("blur", "black")
MAX_REGIONS = 50
MAX_REASON = 300
# How much of a finding's box a region must cover to hide it.
COVER = 0.9


class ReviewError(InvalidInput):
    """A redaction or approval that makes no sense (the message says why): a 400."""


def unresolved(findings) -> list[dict]:
    return [f for f in findings if f.get("status", OPEN) == OPEN]


_KINDS = {
    "face": "a face",
    "name": "a name",
    "date": "a date",
    "mrn": "a medical record number",
    "phone": "a phone number",
    "room_number": "a room or bed number",
}


def describe(finding: dict) -> str:
    """A finding in a few words and where it is: "a face (at 120,80, 90×98 px)"."""
    x, y, w, h = finding["box"]
    kind = finding.get("kind", "")
    what = _KINDS.get(kind) or (f"text read as {kind.replace('_', ' ')}" if kind else "a finding")
    return f"{what} (at {x},{y}, {w}×{h} px)"


def blocking(state: str, error: str, findings) -> str:
    """Why a photo cannot be signed or sent, as the end of a sentence ("": it can)."""
    if state in (PENDING, CHECKING):
        return "is still being checked for faces and text; wait a few seconds."
    if state == FAILED:
        return f"could not be checked ({error}); remove it and upload it again."
    left = unresolved(findings)
    if not left:
        return ""
    listed = "; ".join(describe(f) for f in left[:5])
    more = f" and {len(left) - 5} more" if len(left) > 5 else ""
    count = "an unresolved finding" if len(left) == 1 else f"{len(left)} unresolved findings"
    return (
        f"has {count}: {listed}{more}. Blur or black it out on the procedure page"
        " (a staff face may be approved with a reason)."
    )


def check_regions(raw: object, width: int, height: int) -> list[dict]:
    """Regions to cover, from a request: [{"box": [x, y, w, h], "style": "blur"|"black"}]."""
    if not isinstance(raw, list) or len(raw) > MAX_REGIONS:
        raise ReviewError(f"regions should be a list of at most {MAX_REGIONS} boxes.")
    out = []
    for item in raw:
        box = item.get("box") if isinstance(item, dict) else None
        style = item.get("style", "blur") if isinstance(item, dict) else None
        if style not in STYLES:
            raise ReviewError("Each region's style is \"blur\" or \"black\".")
        if (
            not isinstance(box, list)
            or len(box) != 4
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in box)
        ):
            raise ReviewError(
                "Each region needs a box: [x, y, width, height] in the photo's pixels."
            )
        x, y, w, h = (int(round(v)) for v in box)
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(width, x + w), min(height, y + h)
        if x1 - x0 < 2 or y1 - y0 < 2:
            raise ReviewError(f"The region {box} is not inside the photo ({width}×{height}).")
        out.append({"box": [x0, y0, x1 - x0, y1 - y0], "style": style})
    return out


def finding_region(finding: dict, style: str, width: int, height: int) -> dict:
    """The region that covers a finding, with a margin (OCR boxes hug the letters)."""
    x, y, w, h = finding["box"]
    m = max(4, int(0.25 * min(w, h)))
    x0, y0 = max(0, x - m), max(0, y - m)
    x1, y1 = min(width, x + w + m), min(height, y + h + m)
    return {"box": [x0, y0, x1 - x0, y1 - y0], "style": style}


def _covered(box: list[int], regions: list[dict]) -> bool:
    """Whether the regions together cover COVER of the box (sampled on a 20×20 grid)."""
    x, y, w, h = box
    grid = [(i + 0.5) / 20 for i in range(20)]
    points = [(x + a * w, y + b * h) for a in grid for b in grid]
    inside = sum(
        any(
            r["box"][0] <= px < r["box"][0] + r["box"][2]
            and r["box"][1] <= py < r["box"][1] + r["box"][3]
            for r in regions
        )
        for px, py in points
    )
    return inside >= COVER * len(points)


def after_redaction(findings, regions: list[dict], actor: str, now: float) -> list[dict]:
    """The findings once `regions` (all of the photo's redactions) cover the photo."""
    out = []
    for f in findings:
        f = dict(f)
        if f.get("status", OPEN) == OPEN and _covered(f["box"], regions):
            f.update(status=REDACTED, by=actor, at=now)
        out.append(f)
    return out


def approve(findings, finding_id: int, actor: str, reason: object, now: float) -> list[dict]:
    """A face approved as a member of staff who agreed to be shown, with a reason."""
    if not isinstance(reason, str) or not reason.strip():
        raise ReviewError(
            "Say why this face may be shown (for example: “Dr. Okafor, staff, consent on file”)."
        )
    if len(reason) > MAX_REASON:
        raise ReviewError(f"The reason can be at most {MAX_REASON} characters.")
    out = [dict(f) for f in findings]
    target = next((f for f in out if f.get("id") == finding_id), None)
    if target is None:
        raise ReviewError("That photo has no such finding.")
    if target.get("kind") != "face":
        raise ReviewError(
            "Only a face can be approved (a member of staff); blur or black out text instead."
        )
    if target.get("status", OPEN) != OPEN:
        raise Conflict(f"That face is {target['status']} already.")
    target.update(status=APPROVED, by=actor, at=now, note=reason.strip())
    return out
