"""Findings on a question under review: what blocks it, redaction, overrides, re-screening.

Pure, like the rest of ``liveq.screening``; works on a text and its stored findings
(dicts with kind, start, end, reason, and optionally ``override``, ``question_id`` and
``field``), so the store can call it inside the transaction that changes the question.

A question has two screened fields: its text and its asker's name. A finding in the
name carries ``"field": "name"`` and its span counts in the name; a finding without
``field`` (every finding stored before names were screened) is about the text.

The rule (README, "Screening"): a question whose text or asker's name has a possible
patient identifier or profanity that nobody has redacted or overridden may not be approved,
sent on air or given such text by an edit while the public can see it. Watch-list
phrases, near-duplicates and floods hold a question for a human (pending) but do not
block: approving it is the human's decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from liveq.errors import InvalidInput
from liveq.screening.findings import PHI_KINDS, Finding
from liveq.screening.redact import PLACEHOLDERS, redact
from liveq.screening.rules import ScreeningRules
from liveq.screening.screen import screen_name, screen_text

TEXT = "text"
NAME = "name"
FIELDS = (TEXT, NAME)

# Findings that must be redacted or overridden before a question is shown or posted.
BLOCKING_KINDS: frozenset[str] = frozenset(PHI_KINDS) | {"profanity"}
# Findings about the whole question rather than some of its characters.
WHOLE_TEXT_KINDS: frozenset[str] = frozenset({"duplicate", "flood"})
# How each kind reads in a sentence ("a phone number"); the reason says the detail.
KIND_LABELS: dict[str, str] = {
    "name": "a name",
    "date": "a date",
    "age_over_89": "an age over 89",
    "phone": "a phone number",
    "fax": "a fax number",
    "email": "an email address",
    "ssn": "a social security number",
    "mrn": "a medical record number",
    "health_plan_number": "a health plan number",
    "account_number": "an account number",
    "license_number": "a licence number",
    "vehicle_id": "a vehicle identifier",
    "device_id": "a device identifier",
    "street_address": "a street address",
    "zip_code": "a ZIP code",
    "url": "a web address",
    "ip_address": "an IP address",
    "room_number": "a room number",
    "profanity": "profanity",
    "watch_list": "a watch-list phrase",
    "duplicate": "a near-duplicate",
    "flood": "a flood",
}


class ReviewError(InvalidInput):
    """A redaction or override that cannot be done; the message says why."""


def as_dicts(findings: Iterable[Finding]) -> list[dict]:
    return [f.as_dict() for f in findings]


def field_of(finding: dict) -> str:
    """Which field a finding is about: "name", or "text" (also when it does not say)."""
    return NAME if finding.get("field") == NAME else TEXT


def screen_field(value: str, field: str, rules: ScreeningRules | None) -> list[dict]:
    """Findings for the question's text, or for its asker's name (marked ``"field": "name"``)."""
    if field == TEXT:
        return as_dicts(screen_text(value, rules=rules))
    return [{**f.as_dict(), "field": NAME} for f in screen_name(value, rules=rules)]


def is_overridden(finding: dict) -> bool:
    return bool(finding.get("override"))


def unresolved_blocking(findings: Iterable[dict]) -> list[dict]:
    """Blocking findings nobody has overridden (redacted ones are gone from the text)."""
    return [f for f in findings if f.get("kind") in BLOCKING_KINDS and not is_overridden(f)]


def describe(text: str, finding: dict, name: str = "") -> str:
    """E.g. 'a phone number ("617-555-0143")', or '… in the name (…)', for moderators."""
    label = KIND_LABELS.get(str(finding.get("kind")), str(finding.get("kind")))
    in_name = field_of(finding) == NAME
    value = name if in_name else text
    where = " in the name" if in_name else ""
    start, end = finding.get("start", 0), finding.get("end", 0)
    if finding.get("kind") in WHOLE_TEXT_KINDS or not (0 <= start < end <= len(value)):
        return label + where
    shown = value[start:end]
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return f"{label}{where} (“{shown}”)"


def release_problem(text: str, findings: Sequence[dict], name: str = "") -> str | None:
    """Why this question (its text and asker's name) may not be shown yet, or None."""
    blocking = unresolved_blocking(findings)
    if not blocking:
        return None
    what = ", ".join(describe(text, f, name) for f in blocking[:3])
    if len(blocking) > 3:
        what += f" and {len(blocking) - 3} more"
    return (
        f"It has {what} that nobody has redacted or overridden. "
        "Redact it, or override it with a reason, first."
    )


def rescreen(
    old_text: str,
    old_findings: Sequence[dict],
    new_text: str,
    rules: ScreeningRules | None,
    *,
    field: str = TEXT,
) -> list[dict]:
    """Findings for a question whose text (or, with ``field="name"``, asker's name)
    changes from ``old_text`` to ``new_text``.

    That field's findings are computed afresh; an override given earlier still holds
    for a finding of the same kind over the same characters (fixing a typo elsewhere
    does not undo it). The other field's findings are kept as they are, and so are
    near-duplicate and flood findings, which are about the question and not its words
    (their span stretched to a new text).
    """
    overridden = {
        (f["kind"], old_text[f["start"] : f["end"]]): f["override"]
        for f in old_findings
        if is_overridden(f) and f.get("kind") not in WHOLE_TEXT_KINDS and field_of(f) == field
    }
    out = []
    for d in screen_field(new_text, field, rules):
        override = overridden.get((d["kind"], new_text[d["start"] : d["end"]]))
        if override:
            d["override"] = override
        out.append(d)
    for f in old_findings:
        if f.get("kind") in WHOLE_TEXT_KINDS:
            out.append({**f, "start": 0, "end": len(new_text)} if field == TEXT else f)
        elif field_of(f) != field:
            out.append(f)
    return out


def select_for_redaction(
    text: str,
    findings: Sequence[dict],
    *,
    kinds: Sequence[str] | None = None,
    spans: Sequence[dict] | None = None,
    name: str = "",
    field: str | None = None,
) -> dict[str, list[Finding]]:
    """The spans to redact, per field ("text", "name").

    Nothing given: every unresolved blocking finding. ``kinds``: every finding of those
    kinds (overridden or not). ``field``: only the findings of that field. ``spans``:
    each ``{"start", "end"}`` (str indices, as in findings) of the text, or of the name
    with ``"field": "name"``; a span that is a finding's span takes its kind, any other
    span needs a ``"kind"`` saying what is there (one of the redaction placeholders'
    kinds), so a moderator can remove what the detector missed.
    """
    values = {TEXT: text, NAME: name}
    candidates = [
        f
        for f in findings
        if f.get("kind") not in WHOLE_TEXT_KINDS and (field is None or field_of(f) == field)
    ]
    chosen: dict[str, list[Finding]] = {}
    if spans is not None:
        for span in spans:
            start, end, kind = span.get("start"), span.get("end"), span.get("kind")
            where = span.get("field", TEXT)
            if not isinstance(where, str) or where not in values:
                raise ReviewError('A span\'s field is "text" or "name".')
            value = values[where]
            if (
                not (isinstance(start, int) and isinstance(end, int))
                or isinstance(start, bool)
                or isinstance(end, bool)
            ):
                raise ReviewError("Each span needs a start and an end (whole numbers).")
            if not 0 <= start < end <= len(value):
                raise ReviewError(
                    f"The span {start}–{end} is outside the {where} ({len(value)} characters)."
                )
            if kind is None:
                match = [
                    f
                    for f in candidates
                    if f["start"] == start and f["end"] == end and field_of(f) == where
                ]
                if not match:
                    raise ReviewError(
                        f"No finding covers {start}–{end}; say what is there with "
                        f'"kind" (one of {", ".join(sorted(PLACEHOLDERS))}).'
                    )
                kind = match[0]["kind"]
            if kind not in PLACEHOLDERS:
                raise ReviewError(
                    f"Unknown kind {kind!r}; use one of {', '.join(sorted(PLACEHOLDERS))}."
                )
            chosen.setdefault(where, []).append(
                Finding(kind, start, end, "redacted by a moderator")
            )
        return chosen
    if kinds is not None:
        unknown = sorted(set(kinds) - set(PLACEHOLDERS))
        if unknown:
            raise ReviewError(
                f"Cannot redact {', '.join(unknown)}; "
                f"use kinds among {', '.join(sorted(PLACEHOLDERS))}."
            )
        picked = [f for f in candidates if f.get("kind") in set(kinds)]
    else:
        picked = unresolved_blocking(candidates)
    for f in picked:
        where = field_of(f)
        if 0 <= f["start"] < f["end"] <= len(values[where]):
            chosen.setdefault(where, []).append(
                Finding(f["kind"], f["start"], f["end"], f.get("reason", ""))
            )
    if not chosen:
        if kinds is not None:
            raise ReviewError(f"There is nothing of kind {', '.join(kinds)} to redact.")
        raise ReviewError("There is nothing left to redact in this question.")
    return chosen


def apply_redaction(
    text: str,
    findings: Sequence[dict],
    chosen: dict[str, list[Finding]],
    rules: ScreeningRules | None,
    *,
    name: str = "",
) -> tuple[str, str, list[dict]]:
    """The redacted text and name, and their findings (re-screened; overrides and
    whole-question findings kept)."""
    out = list(findings)
    if chosen.get(TEXT):
        new_text = redact(text, chosen[TEXT])
        out = rescreen(text, out, new_text, rules)
        text = new_text
    if chosen.get(NAME):
        new_name = redact(name, chosen[NAME])
        out = rescreen(name, out, new_name, rules, field=NAME)
        name = new_name
    return text, name, out


def apply_override(
    findings: Sequence[dict],
    *,
    actor: str,
    reason: str,
    at: float,
    kinds: Sequence[str] | None = None,
    field: str | None = None,
) -> tuple[list[dict], int]:
    """Mark findings (all, or those of ``kinds`` / of one ``field``) as overridden;
    return them and how many."""
    if not reason.strip():
        raise ReviewError("Say why you override the findings (a reason is required).")
    out, count = [], 0
    wanted = set(kinds) if kinds is not None else None
    for f in findings:
        if (
            not is_overridden(f)
            and (wanted is None or f.get("kind") in wanted)
            and (field is None or (field_of(f) == field and f.get("kind") not in WHOLE_TEXT_KINDS))
        ):
            f = {**f, "override": {"by": actor, "reason": reason, "at": round(at, 3)}}
            count += 1
        out.append(f)
    if not count:
        raise ReviewError("There is no finding left to override on this question.")
    return out, count
