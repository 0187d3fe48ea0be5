"""The Finding record, the documented kinds, and how overlapping findings are merged."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass

# PHI kinds: the HIPAA Safe Harbor identifiers that fit in a short text, plus rooms/beds.
PHI_KINDS: tuple[str, ...] = (
    "name",
    "date",
    "age_over_89",
    "phone",
    "fax",
    "email",
    "ssn",
    "mrn",
    "health_plan_number",
    "account_number",
    "license_number",
    "vehicle_id",
    "device_id",
    "street_address",
    "zip_code",
    "url",
    "ip_address",
    "room_number",
)
# Every kind screening can report; documented one by one in docs/screening.md.
KINDS: tuple[str, ...] = (*PHI_KINDS, "profanity", "watch_list", "duplicate", "flood")


@dataclass(frozen=True, slots=True)
class Finding:
    """Why a question is held: a kind, a span of the text (str indices) and a human reason."""

    kind: str
    start: int
    end: int
    reason: str

    def as_dict(self) -> dict[str, object]:
        """The JSON-friendly form stored with a question and sent to consoles."""
        # Spelled out: dataclasses.asdict deep-copies and costs ~10x more on the hot path.
        return {"kind": self.kind, "start": self.start, "end": self.end, "reason": self.reason}


# When two PHI findings overlap, the more specific detector wins (a labelled MRN is not
# also a phone number). Lower number = stronger claim on the characters.
_PRIORITY = {kind: rank for rank, kind in enumerate((
    "ssn", "mrn", "health_plan_number", "account_number", "license_number", "device_id",
    "vehicle_id", "email", "url", "ip_address", "fax", "phone", "date", "age_over_89",
    "street_address", "zip_code", "room_number", "name",
))}


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Keep one finding per overlapping group: strongest kind first, then the longest span."""
    ranked = sorted(
        findings, key=lambda f: (_PRIORITY.get(f.kind, 99), -(f.end - f.start), f.start)
    )
    # The kept spans never overlap, so in start order their ends rise too: only the kept span
    # that starts last before f ends can overlap it. A bisect, not a scan of all kept spans,
    # because a long hostile text has thousands of findings.
    kept: list[tuple[int, int, Finding]] = []
    for f in ranked:
        i = bisect_left(kept, (f.end, -1))
        if i and kept[i - 1][1] > f.start:
            continue
        insort(kept, (f.start, f.end, f), key=lambda k: k[:2])
    return [f for _, _, f in kept]
