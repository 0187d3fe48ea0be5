"""Replace findings' spans with a placeholder saying what was there."""

from __future__ import annotations

from collections.abc import Iterable

from liveq.screening.findings import Finding

PLACEHOLDERS: dict[str, str] = {
    "name": "[name removed]",
    "date": "[date removed]",
    "age_over_89": "[age removed]",
    "phone": "[phone removed]",
    "fax": "[fax removed]",
    "email": "[email removed]",
    "ssn": "[SSN removed]",
    "mrn": "[record number removed]",
    "health_plan_number": "[member ID removed]",
    "account_number": "[account number removed]",
    "license_number": "[licence number removed]",
    "vehicle_id": "[vehicle ID removed]",
    "device_id": "[device ID removed]",
    "street_address": "[address removed]",
    "zip_code": "[ZIP removed]",
    "url": "[link removed]",
    "ip_address": "[IP address removed]",
    "room_number": "[room removed]",
    "profanity": "[profanity removed]",
    "watch_list": "[phrase removed]",
}
# Whole-question findings (near-duplicate, flood) say nothing about any characters.
_NOT_TEXT = frozenset({"duplicate", "flood"})


def redact(text: str, spans: Iterable[Finding]) -> str:
    """``text`` with each finding's span replaced; overlapping spans merge into one.

    Where spans overlap, the placeholder is the one of the finding that starts first
    (the longest, on a tie).
    """
    chosen = sorted(
        (f for f in spans if f.kind not in _NOT_TEXT and 0 <= f.start < f.end <= len(text)),
        key=lambda f: (f.start, -f.end),
    )
    out: list[str] = []
    pos = 0
    for f in chosen:
        if f.end <= pos:
            continue  # wholly inside a span already replaced
        if f.start < pos:
            # Overlaps the previous span: extend that replacement to cover this one.
            pos = f.end
            continue
        out.append(text[pos:f.start])
        out.append(PLACEHOLDERS.get(f.kind, f"[{f.kind.replace('_', ' ')} removed]"))
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
