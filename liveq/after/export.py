"""`liveq export`: every question and every post of an event, as JSON or CSV.

A question comes with its text, original text and each edit, source, author or
handle, the time and moderator of each state it went through (from the audit
trail), votes, screening findings and merges. A post comes with its number in
the thread (the counter X got), its text, X id and link, reply target, media,
who queued and signed it off, and when. A procedure's scripted post names the
approver who signed the very text on the row, or none: an edit after sign-off
is never listed as signed, and its editor is never listed as a signer. Client IP
addresses and voters' ids are never exported.

Loading is the only I/O here; building the records is pure, and the report
uses the same records.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from liveq.domain.events import Event
from liveq.storage import polls as poll_store
from liveq.storage.db import Database
from liveq.storage.outbox import SIGNED_KINDS

PostUrl = Callable[[str], str]
# Actors that are liveq itself rather than a person.
SYSTEM_ACTORS = frozenset({"outbox", "liveq"})
# Actions that change a question's text (the audit row has the text before and after).
_TEXT_ACTIONS = ("edit", "redact")


@dataclass(frozen=True)
class EventData:
    """An event's rows as plain dicts: JSON columns parsed, ordered by id (posts by seq)."""

    event: Event
    questions: list[dict]
    audit: list[dict]
    posts: list[dict]
    network_posts: list[dict] = ()  # Mastodon's (and other networks') threads, by network, seq
    polls: list[dict] = ()  # each poll with its results (poll_records)


async def load(db: Database, event: Event) -> EventData:
    questions = [
        {**dict(r), "findings": json.loads(r["findings"]), "labels": json.loads(r["labels"])}
        for r in await db.fetchall(
            "SELECT id, text, original_text, status, source, author, source_id, source_url,"
            " client_ip, created_at, updated_at, votes, merged_into, merged_count, answer,"
            " decline_reason, findings, starred, labels, moderator_note FROM questions"
            " WHERE event_id = ? ORDER BY id",
            (event.id,),
        )
    ]
    audit = [
        {
            **dict(r),
            "before": json.loads(r["before"]) if r["before"] is not None else None,
            "after": json.loads(r["after"]) if r["after"] is not None else None,
        }
        for r in await db.fetchall(
            "SELECT id, question_id, actor, action, at, before, after, detail, hash"
            " FROM audit WHERE event_id = ? ORDER BY id",
            (event.id,),
        )
    ]
    posts = [
        {**dict(r), "media": json.loads(r["media"]), "findings": json.loads(r["findings"])}
        for r in await db.fetchall(
            "SELECT id, seq, thread_number, kind, question_id, text, sent_text, media, state,"
            " attempts, tweet_id, reply_to, mode, error, findings, created_by, created_at,"
            " updated_at, posted_at, script_post_id, signed_version, signed_by, signed_at"
            " FROM outbox WHERE event_id = ? ORDER BY seq",
            (event.id,),
        )
    ]
    network_posts = [
        dict(r)
        for r in await db.fetchall(
            "SELECT network, seq, question_id, text, state, attempts, post_id, post_url,"
            " reply_to, error, created_at, posted_at FROM network_posts WHERE event_id = ?"
            " ORDER BY network, seq",
            (event.id,),
        )
    ]
    polls = [p.full() for p in await poll_store.list_polls(db, event)]
    return EventData(event, questions, audit, posts, network_posts, polls)


def poll_records(data: EventData) -> list[dict]:
    """Each poll: its question, kind, state, answers (counted and held back by screening),
    and its results in the poll's order (a word cloud: most answers first). Who answered
    what is never exported."""
    records = []
    for p in data.polls:
        counts = p["counts"]
        if p["kind"] == "choice":
            results = [
                {"answer": o, "count": counts.get(str(i), 0)} for i, o in enumerate(p["options"])
            ]
        elif p["kind"] == "rating":
            results = [
                {"answer": str(n), "count": counts.get(str(n), 0)} for n in range(1, p["scale"] + 1)
            ]
        else:
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            results = [{"answer": k, "count": n} for k, n in ranked]
        opened = [r for r in data.audit if r["action"] == "poll_open" and _about(r, p["id"])]
        records.append(
            {
                "id": p["id"],
                "kind": p["kind"],
                "question": p["question"],
                "status": p["status"],
                "answers": p["answers"],
                "held": p["held"],
                "opened_at": iso(opened[0]["at"]) if opened else None,
                "opened_by": opened[0]["actor"] if opened else None,
                "results": results,
            }
        )
    return records


def _about(row: dict, poll_id: int) -> bool:
    return row["detail"] == f"poll {poll_id}"


def network_figures(data: EventData) -> dict[str, dict[str, int]]:
    """Per network: questions in, participants (handles), posts out (and not out).

    The event's networks (X when it names none), and any other network it has rows from."""
    networks = set(data.event.networks or ("x",))
    networks |= {q["source"] for q in data.questions if q["source"] != "web"}
    networks |= {p["network"] for p in data.network_posts}
    figures = {}
    for name in sorted(networks):
        asked = [q for q in data.questions if q["source"] == name]
        posts = (
            data.posts if name == "x" else [p for p in data.network_posts if p["network"] == name]
        )
        figures[name] = {
            "questions_in": len(asked),
            "participants": len({q["author"] for q in asked if q["author"]}),
            "posts_out": sum(1 for p in posts if p["state"] == "posted"),
            "posts_not_out": sum(1 for p in posts if p["state"] != "posted"),
        }
    return figures


def iso(t: float | None) -> str | None:
    """UTC, to the millisecond: 2026-11-23T11:54:59.123Z."""
    if t is None:
        return None
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def text_of(value: Any) -> Any:
    """A value from the audit trail, or None where a purge replaced it with its digest."""
    return None if isinstance(value, dict) and set(value) == {"purged"} else value


def by_question(audit: Iterable[dict]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for row in audit:
        if row["question_id"] is not None:
            out.setdefault(row["question_id"], []).append(row)
    return out


def by_post(audit: Iterable[dict]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for row in audit:
        if not row["action"].startswith("post_"):
            continue
        for side in (row["after"], row["before"]):
            if isinstance(side, dict) and "outbox_id" in side:
                out.setdefault(side["outbox_id"], []).append(row)
                break
    return out


# -- questions ------------------------------------------------------------------------


def _states(q: dict, rows: list[dict]) -> list[dict]:
    """Each status the question was in, when it got there and who moved it."""
    changes = [r for r in rows if isinstance(r["after"], dict) and "status" in r["after"]]
    first = changes[0]["before"].get("status") if changes and changes[0]["before"] else None
    states = [{"status": first or q["status"], "at": iso(q["created_at"]), "by": q["source"]}]
    for r in changes:
        states.append({"status": r["after"]["status"], "at": iso(r["at"]), "by": r["actor"]})
    return states


def question_records(data: EventData) -> list[dict]:
    audit = by_question(data.audit)
    merged_from: dict[int, list[int]] = {}
    for q in data.questions:
        if q["merged_into"] is not None:
            merged_from.setdefault(q["merged_into"], []).append(q["id"])
    records = []
    for q in data.questions:
        rows = audit.get(q["id"], [])
        states = _states(q, rows)
        times: dict[str, dict] = {}
        for s in states[1:]:
            times.setdefault(s["status"], {"at": s["at"], "by": s["by"]})
        edits = [
            {
                "at": iso(r["at"]),
                "by": r["actor"],
                "action": r["action"],
                "from": text_of((r["before"] or {}).get("text")),
                "to": text_of((r["after"] or {}).get("text")),
            }
            for r in rows
            if r["action"] in _TEXT_ACTIONS
        ]
        records.append(
            {
                "id": q["id"],
                "source": q["source"],
                "author": q["author"],
                "source_url": q["source_url"],
                "submitted_at": iso(q["created_at"]),
                "status": "merged" if q["merged_into"] is not None else q["status"],
                "text": q["text"],
                "original_text": q["original_text"],
                "edits": edits,
                "states": states,
                "first_time": times,
                "answer": q["answer"],
                "decline_reason": q["decline_reason"],
                "votes": q["votes"],
                "starred": bool(q["starred"]),
                "labels": q["labels"],
                "moderator_note": q["moderator_note"],
                "asked_by": q["merged_count"] + 1,
                "merged_into": q["merged_into"],
                "merged_from": merged_from.get(q["id"], []),
                "findings": q["findings"],
                "history": [
                    {"id": r["id"], "at": iso(r["at"]), "by": r["actor"], "action": r["action"]}
                    for r in rows
                ],
            }
        )
    return records


# -- posts ----------------------------------------------------------------------------


def _sign_off(p: dict) -> dict | None:
    """The approver's sign-off of the post's text, or None (unsigned, or not scripted)."""
    if p["kind"] not in SIGNED_KINDS or p["signed_version"] is None:
        return None
    return {
        "by": p["signed_by"],
        "version": p["signed_version"],
        "at": iso(p["signed_at"]),
        "script_post_id": p["script_post_id"],
    }


def _released_by(p: dict, rows: list[dict], per_question: dict[int, list[dict]]) -> list[str]:
    """Who took responsibility for a post: for a scripted post only its approver."""
    if p["kind"] in SIGNED_KINDS:
        return [p["signed_by"]] if p["signed_version"] is not None else []
    signed: list[str] = []
    if p["created_by"] and p["created_by"] not in SYSTEM_ACTORS:
        signed.append(p["created_by"])
    if p["kind"] == "answer" and p["question_id"] is not None:
        # The moderator who marked the question answered released this post.
        answers = [
            r
            for r in per_question.get(p["question_id"], [])
            if r["action"] == "answer" and r["at"] <= p["created_at"]
        ]
        if answers:
            signed.append(answers[-1]["actor"])
    for r in rows:
        if r["actor"] not in SYSTEM_ACTORS:
            signed.append(r["actor"])
    return list(dict.fromkeys(signed))


def post_records(data: EventData, post_url: PostUrl) -> list[dict]:
    per_post = by_post(data.audit)
    per_question = by_question(data.audit)
    records = []
    for p in data.posts:
        rows = per_post.get(p["id"], [])
        records.append(
            {
                # The number X got ("5/"); None for a post that never went out.
                "number": p["thread_number"],
                # The post's place in the queue (held and skipped posts included).
                "seq": p["seq"],
                "id": p["id"],
                "kind": p["kind"],
                "question_id": p["question_id"],
                "text": p["text"],
                # What X got, where liveq decorated it (a procedure's counter and hashtag).
                "sent_text": p["sent_text"] or p["text"],
                "state": p["state"],
                "tweet_id": p["tweet_id"],
                "url": post_url(p["tweet_id"]) if p["tweet_id"] else None,
                "reply_to": p["reply_to"],
                "reply_to_url": post_url(p["reply_to"]) if p["reply_to"] else None,
                "mode": p["mode"],
                "media": p["media"],
                "attempts": p["attempts"],
                "error": p["error"],
                "queued_by": p["created_by"],
                "queued_at": iso(p["created_at"]),
                "signed_off_by": _released_by(p, rows, per_question),
                "sign_off": _sign_off(p),
                "posted_at": iso(p["posted_at"]),
                "history": [
                    {
                        "id": r["id"],
                        "at": iso(r["at"]),
                        "by": r["actor"],
                        "action": r["action"],
                        "state": (r["after"] or {}).get("state"),
                        "detail": None if r["detail"].startswith("[purged ") else r["detail"],
                    }
                    for r in rows
                ],
            }
        )
    return records


# -- formats --------------------------------------------------------------------------


def to_json(data: EventData, post_url: PostUrl, audit_head: dict | None = None) -> str:
    doc = {
        "event": {**data.event.public(), "id": data.event.id, "moderation": data.event.moderation},
        "exported_at": iso(datetime.now(UTC).timestamp()),
        "questions": question_records(data),
        "posts": post_records(data, post_url),
        "networks": network_figures(data),
        "polls": poll_records(data),
        "network_posts": [
            {
                **{k: v for k, v in p.items() if k not in ("created_at", "posted_at")},
                "queued_at": iso(p["created_at"]),
                "posted_at": iso(p["posted_at"]),
            }
            for p in data.network_posts
        ],
        "audit_head": audit_head,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


QUESTION_COLUMNS = (
    "id",
    "source",
    "author",
    "source_url",
    "submitted_at",
    "status",
    "text",
    "original_text",
    "edit_count",
    "edits",
    "approved_at",
    "approved_by",
    "on_air_at",
    "answered_at",
    "answered_by",
    "declined_at",
    "declined_by",
    "archived_at",
    "answer",
    "decline_reason",
    "votes",
    "starred",
    "labels",
    "moderator_note",
    "asked_by",
    "merged_into",
    "merged_from",
    "finding_kinds",
    "findings",
    "states",
)
POST_COLUMNS = (
    "number",
    "seq",
    "id",
    "kind",
    "question_id",
    "text",
    "sent_text",
    "state",
    "tweet_id",
    "url",
    "reply_to",
    "reply_to_url",
    "mode",
    "media",
    "attempts",
    "error",
    "queued_by",
    "queued_at",
    "signed_off_by",
    "signed_by",
    "signed_version",
    "posted_at",
    "history",
)


POLL_COLUMNS = ("poll_id", "kind", "question", "status", "answer", "count", "answers", "held")


def _poll_rows(records: list[dict]) -> Iterable[dict]:
    """One row per poll and answer (a spreadsheet sums or charts them as they are)."""
    for p in records:
        for result in p["results"] or [{"answer": None, "count": 0}]:
            yield {
                "poll_id": p["id"],
                "kind": p["kind"],
                "question": p["question"],
                "status": p["status"],
                "answer": result["answer"],
                "count": result["count"],
                "answers": p["answers"],
                "held": p["held"],
            }


def _question_row(r: dict) -> dict:
    first = r["first_time"]
    row = {k: r[k] for k in QUESTION_COLUMNS if k in r}
    row.update(
        edit_count=len(r["edits"]),
        edits=_compact(r["edits"]),
        approved_at=first.get("approved", {}).get("at"),
        approved_by=first.get("approved", {}).get("by"),
        on_air_at=first.get("on_air", {}).get("at"),
        answered_at=first.get("answered", {}).get("at"),
        answered_by=first.get("answered", {}).get("by"),
        declined_at=first.get("declined", {}).get("at"),
        declined_by=first.get("declined", {}).get("by"),
        archived_at=first.get("archived", {}).get("at"),
        merged_from="; ".join(str(i) for i in r["merged_from"]),
        labels="; ".join(r["labels"]),
        finding_kinds="; ".join(dict.fromkeys(f["kind"] for f in r["findings"])),
        findings=_compact(r["findings"]),
        states=_compact(r["states"]),
    )
    return row


def _post_row(r: dict) -> dict:
    row = {k: r[k] for k in POST_COLUMNS if k in r}
    sign_off = r["sign_off"] or {}
    row.update(
        signed_by=sign_off.get("by"),
        signed_version=sign_off.get("version"),
        media=_compact(r["media"]),
        signed_off_by="; ".join(r["signed_off_by"]),
        history=_compact(r["history"]),
    )
    return row


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first). A bare
# @handle is left alone: it cannot be a formula and is how X handles are written.
_FORMULA = re.compile(r"^[=+\-@\t\r]")
_HANDLE = re.compile(r"^@\w{1,50}$")


def csv_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text that came from the public (OWASP: prefix ')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and _FORMULA.match(value) and not _HANDLE.match(value):
        return "'" + value
    return value


def to_csv(rows: Iterable[dict], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(row.get(k)) for k in columns})
    return out.getvalue()


def questions_csv(data: EventData) -> str:
    return to_csv((_question_row(r) for r in question_records(data)), QUESTION_COLUMNS)


def posts_csv(data: EventData, post_url: PostUrl) -> str:
    return to_csv((_post_row(r) for r in post_records(data, post_url)), POST_COLUMNS)


def polls_csv(data: EventData) -> str:
    return to_csv(_poll_rows(poll_records(data)), POLL_COLUMNS)
