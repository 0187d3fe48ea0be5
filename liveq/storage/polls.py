"""Polls, their answers and tallies (tables polls, poll_answers, poll_tallies).

Every change of a poll is a compare-and-set on its version with an audit row
in the same transaction. An answer is one write: the row (unique per poll and
browser) and its key's count, which comes back from the write, like a vote.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass

import aiosqlite

from liveq.domain.events import Event
from liveq.domain.polls import (
    VISIBILITY,
    IllegalPollMove,
    Poll,
    PollDraft,
    PollNotOpen,
    check_editable,
    next_status,
    words_key,
)
from liveq.errors import Conflict, NotFound
from liveq.screening import review
from liveq.storage import audit
from liveq.storage.db import Database

_COLUMNS = (
    "id, event_id, kind, question, options, scale, status, results_visible, version, created_at"
)


def _poll(row: sqlite3.Row, counts: dict[str, int] | None = None, answers=0, held=0) -> Poll:
    return Poll(
        id=row["id"],
        event_id=row["event_id"],
        kind=row["kind"],
        question=row["question"],
        options=tuple(json.loads(row["options"])),
        scale=row["scale"],
        status=row["status"],
        results_visible=bool(row["results_visible"]),
        version=row["version"],
        created_at=row["created_at"],
        counts=counts or {},
        answers=answers,
        held=held,
    )


def _draft_view(draft: PollDraft) -> dict:
    return {
        "kind": draft.kind,
        "question": draft.question,
        "options": list(draft.options),
        "scale": draft.scale,
        "hide_results": draft.hide_results,
    }


async def create_poll(db: Database, event: Event, draft: PollDraft, actor: str) -> Poll:
    """Store a checked draft (domain.polls.check_draft)."""

    async def job(conn: aiosqlite.Connection) -> int:
        now = time.time()
        cur = await conn.execute(
            "INSERT INTO polls (event_id, kind, question, options, scale, results_visible,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.id,
                draft.kind,
                draft.question,
                json.dumps(list(draft.options)),
                draft.scale,
                int(not draft.hide_results),
                now,
                now,
            ),
        )
        poll_id = cur.lastrowid
        await audit.append(
            conn, event.id, None, actor, "poll_create", None, _draft_view(draft), f"poll {poll_id}"
        )
        return poll_id

    return await get_poll(db, event, await db.write(job))


async def _load(conn: aiosqlite.Connection, event: Event, poll_id: int) -> Poll:
    rows = list(
        await conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM polls WHERE id = ? AND event_id = ? AND deleted = 0",  # noqa: S608
            (poll_id, event.id),
        )
    )
    if not rows:
        raise NotFound(f"There is no poll {poll_id} in this event.")
    return _poll(rows[0])


async def _cas(
    conn: aiosqlite.Connection,
    poll: Poll,
    actor: str,
    action: str,
    changes: dict[str, object],
    before: dict,
    after: dict,
) -> None:
    assignments = "".join(f"{k} = ?, " for k in changes)
    cur = await conn.execute(
        f"UPDATE polls SET {assignments}version = version + 1, updated_at = ?"  # noqa: S608
        " WHERE id = ? AND version = ? AND deleted = 0",
        (*changes.values(), time.time(), poll.id, poll.version),
    )
    if cur.rowcount != 1:
        raise Conflict(f"Poll {poll.id} changed while you were acting on it; try again.")
    await audit.append(conn, poll.event_id, None, actor, action, before, after, f"poll {poll.id}")


def _check_version(poll: Poll, expected: int | None) -> None:
    if expected is not None and expected != poll.version:
        raise Conflict(
            f"Someone else changed poll {poll.id} first; it is now {poll.status}. "
            "Reload it and try again."
        )


async def update_poll(
    db: Database,
    event: Event,
    poll_id: int,
    draft: PollDraft,
    actor: str,
    expected_version: int | None = None,
) -> Poll:
    """Rewrite a poll still in draft."""

    async def job(conn: aiosqlite.Connection) -> None:
        poll = await _load(conn, event, poll_id)
        _check_version(poll, expected_version)
        check_editable(poll)
        before = {
            "kind": poll.kind,
            "question": poll.question,
            "options": list(poll.options),
            "scale": poll.scale,
            "hide_results": not poll.results_visible,
        }
        changes = {
            "kind": draft.kind,
            "question": draft.question,
            "options": json.dumps(list(draft.options)),
            "scale": draft.scale,
            "results_visible": int(not draft.hide_results),
        }
        await _cas(conn, poll, actor, "poll_edit", changes, before, _draft_view(draft))

    await db.write(job)
    return await get_poll(db, event, poll_id)


async def delete_poll(db: Database, event: Event, poll_id: int, actor: str) -> None:
    """Delete a draft (kept as a deleted row, so the audit trail still points somewhere)."""

    async def job(conn: aiosqlite.Connection) -> None:
        poll = await _load(conn, event, poll_id)
        check_editable(poll)
        await _cas(
            conn, poll, actor, "poll_delete", {"deleted": 1}, {"question": poll.question}, {}
        )

    await db.write(job)


async def act(
    db: Database, event: Event, poll_id: int, action: str, actor: str, expected: int | None = None
) -> list[Poll]:
    """open, close, show or hide (results); every poll it changed, acted-on first.

    One poll is open per event: opening one closes the one that was open.
    """

    async def job(conn: aiosqlite.Connection) -> list[int]:
        poll = await _load(conn, event, poll_id)
        _check_version(poll, expected)
        touched = []
        if action in VISIBILITY:
            visible = VISIBILITY[action]
            if visible == poll.results_visible:
                raise IllegalPollMove(
                    f"This poll's results are already {'shown' if visible else 'hidden'}."
                )
            await _cas(
                conn,
                poll,
                actor,
                f"poll_{action}",
                {"results_visible": int(visible)},
                {"results_visible": poll.results_visible},
                {"results_visible": visible},
            )
            return [poll.id]
        status = next_status(poll.status, action)
        if action == "open":
            rows = await conn.execute_fetchall(
                f"SELECT {_COLUMNS} FROM polls WHERE event_id = ? AND status = 'open'"  # noqa: S608
                " AND deleted = 0",
                (event.id,),
            )
            for row in rows:
                other = _poll(row)
                await _cas(
                    conn,
                    other,
                    actor,
                    "poll_close",
                    {"status": "closed"},
                    {"status": "open"},
                    {"status": "closed"},
                )
                touched.append(other.id)
        await _cas(
            conn,
            poll,
            actor,
            f"poll_{action}",
            {"status": status},
            {"status": poll.status},
            {"status": status},
        )
        return [poll.id, *touched]

    changed = await db.write(job)
    return [await get_poll(db, event, pid) for pid in changed]


@dataclass(frozen=True)
class Answered:
    """What one answer did: counted (its key's new count), held, or a repeat."""

    key: str
    count: int | None  # None: not counted (held back, or this browser answered before)
    repeat: bool


async def answer(
    db: Database,
    event: Event,
    poll_id: int,
    voter: str,
    key: str,
    *,
    held: bool = False,
    findings: list[dict] | None = None,
    value: str | None = None,
) -> Answered:
    """Record one browser's answer; a second answer from it is not an error and counts once.

    ``value`` is what the person typed (a word cloud), kept for the export;
    ``key`` is what is counted.
    """

    async def job(conn: aiosqlite.Connection) -> Answered:
        cur = await conn.execute(
            "SELECT status FROM polls WHERE id = ? AND event_id = ? AND deleted = 0",
            (poll_id, event.id),
        )
        row = await cur.fetchone()
        if row is None or row["status"] == "draft":
            raise NotFound(f"There is no poll {poll_id} open in this event.")
        if row["status"] != "open":
            raise PollNotOpen("This poll has closed; answers are no longer taken.")
        cur = await conn.execute(
            "INSERT INTO poll_answers (poll_id, voter, value, held, findings,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                poll_id,
                voter,
                value if value is not None else key,
                int(held),
                json.dumps(findings or []),
                time.time(),
            ),
        )
        if not cur.rowcount:
            return Answered(key, None, True)
        if held:
            return Answered(key, None, False)
        cur = await conn.execute(
            "INSERT INTO poll_tallies (poll_id, key, n) VALUES (?, ?, 1)"
            " ON CONFLICT (poll_id, key) DO UPDATE SET n = poll_tallies.n + 1"
            " RETURNING poll_tallies.n",
            (poll_id, key),
        )
        return Answered(key, (await cur.fetchone())["n"], False)

    return await db.write(job)


async def _counts(db: Database, poll_ids: list[int]) -> dict[int, dict[str, int]]:
    if not poll_ids:
        return {}
    marks = ", ".join("?" * len(poll_ids))
    rows = await db.fetchall(
        f"SELECT poll_id, key, n FROM poll_tallies WHERE poll_id IN ({marks})",  # noqa: S608
        poll_ids,
    )
    counts: dict[int, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r["poll_id"], {})[r["key"]] = r["n"]
    return counts


async def _answer_counts(db: Database, poll_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not poll_ids:
        return {}
    marks = ", ".join("?" * len(poll_ids))
    rows = await db.fetchall(
        f"SELECT poll_id, count(*) AS n, sum(held) AS held FROM poll_answers"  # noqa: S608
        f" WHERE poll_id IN ({marks}) GROUP BY poll_id",
        poll_ids,
    )
    # int(): PostgreSQL sums a BIGINT column as NUMERIC (a Decimal).
    return {r["poll_id"]: (int(r["n"]), int(r["held"] or 0)) for r in rows}


async def list_polls(db: Database, event: Event, *, public: bool = False) -> list[Poll]:
    """The event's polls with their counts, oldest first (public: not the drafts)."""
    sql = f"SELECT {_COLUMNS} FROM polls WHERE event_id = ? AND deleted = 0"  # noqa: S608
    if public:
        sql += " AND status != 'draft'"
    rows = await db.fetchall(sql + " ORDER BY id", (event.id,))
    ids = [r["id"] for r in rows]
    counts = await _counts(db, ids)
    answers = await _answer_counts(db, ids)
    return [_poll(r, counts.get(r["id"]), *answers.get(r["id"], (0, 0))) for r in rows]


async def get_poll(db: Database, event: Event, poll_id: int, *, counts: bool = True) -> Poll:
    """The poll; counts=False skips its counts (an answer needs only its kind and state)."""
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM polls WHERE id = ? AND event_id = ? AND deleted = 0",  # noqa: S608
        (poll_id, event.id),
    )
    if row is None:
        raise NotFound(f"There is no poll {poll_id} in this event.")
    if not counts:
        return _poll(row)
    tallies = await _counts(db, [poll_id])
    answers = await _answer_counts(db, [poll_id])
    return _poll(row, tallies.get(poll_id), *answers.get(poll_id, (0, 0)))


async def held_answers(db: Database, event: Event, poll_id: int) -> list[dict]:
    """A word cloud's answers kept out of it, with what screening found (moderators only)."""
    rows = await db.fetchall(
        "SELECT a.id, a.value, a.findings, a.created_at FROM poll_answers a"
        " JOIN polls p ON p.id = a.poll_id WHERE a.poll_id = ? AND p.event_id = ? AND a.held = 1"
        " ORDER BY a.id",
        (poll_id, event.id),
    )
    return [
        {
            "id": r["id"],
            "value": r["value"],
            "findings": json.loads(r["findings"]),
            "created_at": r["created_at"],
        }
        for r in rows
    ]


async def release_held(
    db: Database, event: Event, poll_id: int, answer_id: int, actor: str, reason: str
) -> Poll:
    """Count a word-cloud answer that screening held back: its findings overridden with
    the moderator's reason (audited, without the answer's words), its words tallied."""

    async def job(conn: aiosqlite.Connection) -> None:
        await _load(conn, event, poll_id)
        rows = list(
            await conn.execute_fetchall(
                "SELECT value, findings FROM poll_answers WHERE id = ? AND poll_id = ?"
                " AND held = 1",
                (answer_id, poll_id),
            )
        )
        if not rows:
            raise NotFound(f"Poll {poll_id} has no held answer {answer_id} (counted already?).")
        findings, _ = review.apply_override(
            json.loads(rows[0]["findings"]), actor=actor, reason=reason, at=time.time()
        )
        await conn.execute(
            "UPDATE poll_answers SET held = 0, findings = ? WHERE id = ?",
            (json.dumps(findings), answer_id),
        )
        await conn.execute(
            "INSERT INTO poll_tallies (poll_id, key, n) VALUES (?, ?, 1)"
            " ON CONFLICT (poll_id, key) DO UPDATE SET n = poll_tallies.n + 1",
            (poll_id, words_key(rows[0]["value"])),
        )
        await audit.append(
            conn,
            event.id,
            None,
            actor,
            "poll_release",
            {"answer": answer_id, "held": True},
            {"answer": answer_id, "held": False, "reason": reason},
            f"poll {poll_id}",
        )

    await db.write(job)
    return await get_poll(db, event, poll_id)
