"""The post-event report's figures, computed from an event's rows. Pure: no I/O.

Definitions (also in docs/after-the-event.md):

- a question's time to approval is from its submission to its first ``approve``
  in the audit trail (questions shown without approval have none); time to
  answer, to its first ``answer``;
- p90 is the nearest-rank 90th percentile: the smallest value at least 90 % of
  the values are at or below;
- the answered share counts answered questions among distinct ones: a question
  merged into another is the same question asked again;
- participants: on X, one per handle (any case); on the web form, one per name
  typed (any case and spacing), and questions without a name one per network
  address (so a hospital's shared network counts as one person): an estimate;
- a finding's outcome: overridden (someone accepted it with a reason), redacted,
  edited out, else what became of its question (declined, merged, archived,
  approved, pending).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

SOURCE_ORDER = ("web", "x")
# Bucket widths for the per-minute chart: minutes until a chart would get too many bars.
_BUCKETS = (60, 300, 900, 3600)
_MAX_BARS = 180
_PUBLIC_DONE = ("approved", "on_air", "answered")


@dataclass(frozen=True)
class Durations:
    """Seconds, sorted, with their median and p90 (None when there are none)."""

    values: tuple[float, ...]
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Iterable[float]) -> Durations:
        ordered = tuple(sorted(values))
        if not ordered:
            return cls((), None, None)
        return cls(ordered, statistics.median(ordered), percentile(ordered, 90))


@dataclass(frozen=True)
class Figures:
    total: int
    by_source: dict[str, int]
    status_counts: dict[str, int]
    bucket_seconds: int
    # (bucket start, {source: questions}) for every bucket from the first to the last.
    per_bucket: list[tuple[float, dict[str, int]]]
    peak_minute: tuple[float, int] | None
    to_approval: Durations
    to_answer: Durations
    answered: int
    distinct: int
    answered_share: float | None
    participants: dict[str, int] | None
    unnamed_web_addresses: int | None
    questions_per_participant: dict[str, float]
    top_askers: list[tuple[str, str, int]]
    findings: dict[str, dict[str, int]]
    moderators: dict[str, dict[str, int]]
    purged_at: float | None = None
    sources: tuple[str, ...] = field(default=SOURCE_ORDER)


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values."""
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def sources_of(questions: Iterable[dict]) -> tuple[str, ...]:
    seen = {q["source"] for q in questions}
    return tuple(s for s in SOURCE_ORDER) + tuple(sorted(seen - set(SOURCE_ORDER)))


def minute(t: float) -> float:
    return math.floor(t / 60) * 60.0


def per_bucket(
    questions: Sequence[dict], sources: Sequence[str]
) -> tuple[int, list[tuple[float, dict[str, int]]]]:
    """Questions per time bucket by source; the bucket is a minute unless that makes too many."""
    if not questions:
        return 60, []
    times = [q["created_at"] for q in questions]
    span = max(times) - min(times)
    width = next((w for w in _BUCKETS if span / w < _MAX_BARS), _BUCKETS[-1])
    first = math.floor(min(times) / width) * width
    count = math.floor((max(times) - first) / width) + 1
    buckets = [(first + i * width, dict.fromkeys(sources, 0)) for i in range(count)]
    for q in questions:
        i = math.floor((q["created_at"] - first) / width)
        buckets[i][1][q["source"]] = buckets[i][1].get(q["source"], 0) + 1
    return width, buckets


def peak_minute(questions: Sequence[dict]) -> tuple[float, int] | None:
    """The minute with the most questions (the earliest on a tie) and how many."""
    counts = Counter(minute(q["created_at"]) for q in questions)
    if not counts:
        return None
    start = min(counts, key=lambda m: (-counts[m], m))
    return start, counts[start]


def first_action_delays(
    questions: Sequence[dict], audit: Sequence[dict], action: str
) -> list[float]:
    """For each question with `action` in its trail: seconds from submission to the first one."""
    first: dict[int, float] = {}
    for row in audit:
        qid = row["question_id"]
        if row["action"] == action and qid is not None and qid not in first:
            first[qid] = row["at"]
    return [first[q["id"]] - q["created_at"] for q in questions if q["id"] in first]


def participant_key(q: dict) -> tuple[str, str] | None:
    """Who asked, as (kind, key): a handle, a name, or (no name) a network address."""
    author = " ".join((q.get("author") or "").split()).casefold()
    if q["source"] == "web":
        if author:
            return ("name", author)
        return ("address", q.get("client_ip") or "") if q.get("client_ip") else None
    return ("handle", author) if author else None


def participants(questions: Sequence[dict]) -> tuple[dict[str, int], int]:
    """Distinct participants per source, and how many of the web's are unnamed addresses."""
    seen: dict[str, set] = {}
    for q in questions:
        key = participant_key(q)
        if key is not None:
            seen.setdefault(q["source"], set()).add(key)
    unnamed = sum(1 for kind, _ in seen.get("web", set()) if kind == "address")
    return {s: len(seen[s]) for s in sources_of(questions) if s in seen}, unnamed


def top_askers(questions: Sequence[dict], limit: int = 10) -> list[tuple[str, str, int]]:
    """(as they wrote it, source, questions) for named askers and handles, most first."""
    counts: Counter = Counter()
    label: dict[tuple, str] = {}
    for q in questions:
        key = participant_key(q)
        if key is None or key[0] == "address":
            continue
        counts[(q["source"], key)] += 1
        label.setdefault((q["source"], key), " ".join(q["author"].split()))
    ranked = sorted(counts, key=lambda k: (-counts[k], label[k].casefold()))
    return [(label[k], k[0], counts[k]) for k in ranked[:limit]]


def _kinds(findings: object, *, unresolved: bool = False) -> set[str]:
    if not isinstance(findings, list):
        return set()
    return {
        f["kind"]
        for f in findings
        if isinstance(f, dict) and "kind" in f and not (unresolved and f.get("override"))
    }


def finding_outcomes(questions: Sequence[dict], audit: Sequence[dict]) -> dict[str, dict[str, int]]:
    """For each kind of finding: how many questions' findings of it ended which way."""
    rows_of: dict[int, list[dict]] = {}
    for row in audit:
        if row["question_id"] is not None:
            rows_of.setdefault(row["question_id"], []).append(row)
    out: dict[str, Counter] = {}
    for q in questions:
        rows = rows_of.get(q["id"], [])
        lists = [q["findings"]]
        for r in rows:
            for side in (r["before"], r["after"]):
                if isinstance(side, dict) and "findings" in side:
                    lists.append(side["findings"])
        overridden = {
            f["kind"] for lst in lists for f in lst if isinstance(f, dict) and f.get("override")
        }
        removed: dict[str, set[str]] = {"redact": set(), "edit": set()}
        for r in rows:
            if r["action"] in removed and isinstance(r["before"], dict):
                gone = _kinds(r["before"].get("findings"), unresolved=True) - _kinds(
                    (r["after"] or {}).get("findings")
                )
                removed[r["action"]] |= gone
        for kind in set().union(*(_kinds(lst) for lst in lists)):
            if kind in overridden:
                outcome = "overridden"
            elif kind in removed["redact"]:
                outcome = "redacted"
            elif kind in removed["edit"]:
                outcome = "edited out"
            else:
                outcome = _fate(q)
            out.setdefault(kind, Counter())[outcome] += 1
    return {k: dict(v) for k, v in sorted(out.items())}


def _fate(q: dict) -> str:
    if q["merged_into"] is not None:
        return "merged"
    if q["status"] in _PUBLIC_DONE:
        return "approved"
    return q["status"]


def status_counts(questions: Sequence[dict]) -> dict[str, int]:
    counts = Counter(_fate(q) if q["merged_into"] is not None else q["status"] for q in questions)
    order = ("answered", "on_air", "approved", "pending", "declined", "merged", "archived")
    return {s: counts[s] for s in order if counts[s]}


def moderators(audit: Sequence[dict]) -> dict[str, dict[str, int]]:
    """Audit rows per actor and action."""
    out: dict[str, Counter] = {}
    for row in audit:
        out.setdefault(row["actor"], Counter())[row["action"]] += 1
    return {actor: dict(sorted(c.items())) for actor, c in sorted(out.items())}


def compute(questions: Sequence[dict], audit: Sequence[dict]) -> Figures:
    """Every figure of the report from the event's questions and audit rows."""
    sources = sources_of(questions)
    width, buckets = per_bucket(questions, sources)
    by_source = Counter(q["source"] for q in questions)
    answered = sum(1 for q in questions if q["status"] == "answered")
    distinct = sum(1 for q in questions if q["merged_into"] is None)
    purge = next((r for r in reversed(audit) if r["action"] == "purge"), None)
    if purge is not None:
        # Names, handles and addresses are gone; the purge kept the counts.
        kept = purge["after"] or {}
        people = kept.get("participants")
        unnamed = kept.get("unnamed_web_addresses")
        askers: list[tuple[str, str, int]] = []
    else:
        people, unnamed = participants(questions)
        askers = top_askers(questions)
    per_person = {s: by_source[s] / n for s, n in (people or {}).items() if n and by_source.get(s)}
    return Figures(
        total=len(questions),
        by_source={s: by_source[s] for s in sources if by_source[s]},
        status_counts=status_counts(questions),
        bucket_seconds=width,
        per_bucket=buckets,
        peak_minute=peak_minute(questions),
        to_approval=Durations.of(first_action_delays(questions, audit, "approve")),
        to_answer=Durations.of(first_action_delays(questions, audit, "answer")),
        answered=answered,
        distinct=distinct,
        answered_share=answered / distinct if distinct else None,
        participants=people,
        unnamed_web_addresses=unnamed,
        questions_per_participant=per_person,
        top_askers=askers,
        findings=finding_outcomes(questions, audit),
        moderators=moderators(audit),
        purged_at=purge["at"] if purge is not None else None,
        sources=sources,
    )
