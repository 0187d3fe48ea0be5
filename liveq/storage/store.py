"""The store: raw SQL over the Database. The single source of truth.

Every moderation change is a compare-and-set on the question's version and
writes an audit row (who, what, when, before/after) in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from liveq.domain.events import Event
from liveq.domain.questions import (
    EDITS,
    PUBLIC_STATUSES,
    IllegalTransition,
    Question,
    Status,
    check_merge,
    next_status,
    past_tense,
)
from liveq.errors import AlreadyExists, Conflict, NotFound
from liveq.screening import review
from liveq.screening.rules import ScreeningRules
from liveq.storage import audit
from liveq.storage.db import Database

# -- events ---------------------------------------------------------------------


def _event(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"],
        slug=row["slug"],
        title=row["title"],
        kind=row["kind"],
        hashtag=row["hashtag"],
        moderation=row["moderation"],
        overlay_key=row["overlay_key"],
        accepting=bool(row["accepting"]),
        created_at=row["created_at"],
        networks=tuple(n for n in row["networks"].split(",") if n),
        language=row["language"],
        require_name=bool(row["require_name"]),
        show_answers=bool(row["show_answers"]),
        archived_at=row["archived_at"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        brand_colour=row["brand_colour"],
        logo_sha256=row["logo_sha256"],
    )


async def create_event(
    db: Database,
    slug: str,
    title: str,
    *,
    kind: str,
    hashtag: str,
    moderation: str,
    networks: Sequence[str] = (),
    language: str = "",
    actor: str | None = None,
) -> Event:
    """A new event with its own overlay key; audited when `actor` is given (the CLI and the
    web always give one)."""

    async def job(conn: aiosqlite.Connection) -> int:
        # ON CONFLICT rather than catching the engine's error: on PostgreSQL a failed
        # statement spoils the whole transaction (the batch), on sqlite it does not.
        cur = await conn.execute(
            "INSERT INTO events (slug, title, kind, hashtag, moderation, overlay_key,"
            " created_at, networks, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (slug) DO NOTHING",
            (
                slug,
                title,
                kind,
                hashtag,
                moderation,
                secrets.token_urlsafe(18),
                time.time(),
                ",".join(networks),
                language,
            ),
        )
        if not cur.rowcount:
            raise AlreadyExists(f"An event called {slug!r} already exists.")
        if actor is not None:
            after = {"kind": kind, "mode": moderation, "slug": slug, "title": title}
            await audit.append(conn, cur.lastrowid, None, actor, "event_create", None, after)
        return cur.lastrowid

    await db.write(job)
    event = await get_event(db, slug)
    assert event is not None
    return event


async def get_event(db: Database, slug: str) -> Event | None:
    row = await db.fetchone("SELECT * FROM events WHERE slug = ?", (slug,))
    return _event(row) if row else None


async def get_event_by_id(db: Database, event_id: int) -> Event | None:
    row = await db.fetchone("SELECT * FROM events WHERE id = ?", (event_id,))
    return _event(row) if row else None


async def list_events(db: Database, *, archived: bool = False) -> list[Event]:
    """The events that are not archived (with `archived`, every event)."""
    where = "" if archived else " WHERE archived_at IS NULL"
    return [_event(r) for r in await db.fetchall(f"SELECT * FROM events{where} ORDER BY id")]  # noqa: S608


async def archive_event(db: Database, event: Event, actor: str) -> Event:
    """Archive: the event leaves the lists and stops taking questions (its data stays)."""

    async def job(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute(
            "UPDATE events SET archived_at = ?, accepting = 0 WHERE id = ? AND archived_at IS NULL",
            (time.time(), event.id),
        )
        if cur.rowcount != 1:
            raise Conflict(f"The event {event.slug!r} is already archived.")
        after = {"state": "archived"}
        await audit.append(conn, event.id, None, actor, "event_archive", None, after)

    await db.write(job)
    archived = await get_event(db, event.slug)
    assert archived is not None
    return archived


async def update_event(db: Database, event: Event, actor: str, **changes: object) -> Event:
    allowed = {
        "title",
        "hashtag",
        "moderation",
        "accepting",
        "overlay_key",
        "networks",
        "language",
        "require_name",
        "show_answers",
        "opens_at",
        "closes_at",
        "brand_colour",
    }
    if not changes or set(changes) - allowed:
        raise ValueError(f"only {sorted(allowed)} can be changed")
    if "networks" in changes:
        changes["networks"] = ",".join(changes["networks"])  # type: ignore[arg-type]

    async def job(conn: aiosqlite.Connection) -> None:
        if changes.get("accepting"):
            rows = list(
                await conn.execute_fetchall(
                    "SELECT archived_at FROM events WHERE id = ?", (event.id,)
                )
            )
            if rows and rows[0][0] is not None:
                raise Conflict("This event is archived; it takes no more questions.")
        assignments = ", ".join(f"{k} = ?" for k in changes)
        await conn.execute(
            f"UPDATE events SET {assignments} WHERE id = ?",  # noqa: S608 - keys checked above
            (*changes.values(), event.id),
        )
        shown = {k: ("(new key)" if k == "overlay_key" else v) for k, v in changes.items()}
        await audit.append(
            conn, event.id, None, actor, "event_update", None, None, json.dumps(shown)
        )

    await db.write(job)
    updated = await get_event(db, event.slug)
    assert updated is not None
    return updated


async def set_logo(
    db: Database, event: Event, actor: str, data: bytes | None, media_type: str = ""
) -> Event:
    """Set (cleaned bytes) or remove (None) the event's logo; audited with its SHA-256."""
    digest = hashlib.sha256(data).hexdigest() if data is not None else ""

    async def job(conn: aiosqlite.Connection) -> None:
        if data is None:
            await conn.execute("DELETE FROM event_logos WHERE event_id = ?", (event.id,))
        else:
            await conn.execute(
                "INSERT INTO event_logos (event_id, data, media_type, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (event_id) DO UPDATE SET data = excluded.data,"
                " media_type = excluded.media_type, updated_at = excluded.updated_at",
                (event.id, data, media_type, time.time()),
            )
        await conn.execute("UPDATE events SET logo_sha256 = ? WHERE id = ?", (digest, event.id))
        after = {"sha256": digest, "media_type": media_type} if data is not None else None
        action = "event_logo_set" if data is not None else "event_logo_remove"
        await audit.append(conn, event.id, None, actor, action, None, after)

    await db.write(job)
    updated = await get_event(db, event.slug)
    assert updated is not None
    return updated


async def get_logo(db: Database, event: Event) -> tuple[bytes, str] | None:
    row = await db.fetchone(
        "SELECT data, media_type FROM event_logos WHERE event_id = ?", (event.id,)
    )
    return (bytes(row["data"]), row["media_type"]) if row else None


# -- questions --------------------------------------------------------------------

_Q_COLUMNS = (
    "id, event_id, text, status, source, author, created_at, updated_at, version,"
    " original_text, starred, votes, merged_into, merged_count, answer, decline_reason,"
    " source_url, findings, updated_by, answered_at, labels, moderator_note, lang"
)
# Columns whose Question attribute has another name, or that are stored as JSON.
_ATTRIBUTE = {"moderator_note": "note"}
_JSON_COLUMNS = frozenset({"findings", "labels"})


def _question(row: sqlite3.Row) -> Question:
    return Question(
        id=row["id"],
        event_id=row["event_id"],
        text=row["text"],
        status=Status(row["status"]),
        source=row["source"],
        author=row["author"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
        original_text=row["original_text"],
        starred=bool(row["starred"]),
        votes=row["votes"],
        merged_into=row["merged_into"],
        merged_count=row["merged_count"],
        answer=row["answer"],
        decline_reason=row["decline_reason"],
        source_url=row["source_url"],
        findings=tuple(json.loads(row["findings"])),
        answered_at=row["answered_at"],
        labels=tuple(json.loads(row["labels"])),
        note=row["moderator_note"],
        lang=row["lang"],
    )


@dataclass(frozen=True)
class NewQuestion:
    """A question as a source hands it to ingest."""

    text: str
    author: str = ""
    source: str = "web"
    client_ip: str = ""
    source_id: str | None = None  # e.g. the tweet id; unique per event and source
    source_url: str = ""
    created_at: float | None = None
    asker: str = ""  # the form's signed browser id: that browser sees the status
    lang: str = ""  # the language it is written in, as ingest detected it


async def insert_question(
    db: Database, event: Event, new: NewQuestion, status: Status, findings: Sequence[dict] = ()
) -> Question | None:
    """Store a new question; None when this source_id was stored before."""

    async def job(conn: aiosqlite.Connection) -> Question | None:
        now = time.time()
        created = new.created_at or now
        cur = await conn.execute(
            "INSERT INTO questions (event_id, text, status, source, author, source_id,"
            " source_url, client_ip, created_at, updated_at, findings, asker, lang)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (
                event.id,
                new.text,
                str(status),
                new.source,
                new.author,
                new.source_id,
                new.source_url,
                new.client_ip,
                created,
                now,
                json.dumps(list(findings)),
                new.asker,
                new.lang,
            ),
        )
        if cur.rowcount == 0:
            return None
        # Built here rather than read back: one round trip per question on the hot path.
        return Question(
            id=cur.lastrowid,
            event_id=event.id,
            text=new.text,
            status=status,
            source=new.source,
            author=new.author,
            created_at=created,
            updated_at=now,
            source_url=new.source_url,
            findings=tuple(findings),
            lang=new.lang,
        )

    return await db.write(job)


async def get_question(db: Database, event: Event, question_id: int) -> Question:
    row = await db.fetchone(
        f"SELECT {_Q_COLUMNS} FROM questions WHERE id = ? AND event_id = ?",  # noqa: S608
        (question_id, event.id),
    )
    if row is None:
        raise NotFound(f"There is no question {question_id} in this event.")
    return _question(row)


async def list_questions(
    db: Database, event: Event, statuses: Sequence[Status] | None = None
) -> list[Question]:
    sql = f"SELECT {_Q_COLUMNS} FROM questions WHERE event_id = ?"  # noqa: S608
    params: list[object] = [event.id]
    if statuses:
        sql += f" AND status IN ({', '.join('?' * len(statuses))})"
        params += [str(s) for s in statuses]
    rows = await db.fetchall(sql + " ORDER BY id", params)
    return [_question(r) for r in rows]


async def questions_asked_by(db: Database, event: Event, asker: str) -> list[Question]:
    """The questions one browser asked on the form, newest first (at most 20)."""
    if not asker:
        return []
    rows = await db.fetchall(
        f"SELECT {_Q_COLUMNS} FROM questions WHERE event_id = ? AND asker = ?"  # noqa: S608
        " ORDER BY id DESC LIMIT 20",
        (event.id, asker),
    )
    return [_question(r) for r in rows]


async def count_questions(db: Database, event: Event) -> int:
    row = await db.fetchone("SELECT count(*) FROM questions WHERE event_id = ?", (event.id,))
    return row[0] if row else 0


async def _load(conn: aiosqlite.Connection, event: Event, question_id: int) -> Question:
    rows = await conn.execute_fetchall(
        f"SELECT {_Q_COLUMNS} FROM questions WHERE id = ? AND event_id = ?",  # noqa: S608
        (question_id, event.id),
    )
    if not rows:
        raise NotFound(f"There is no question {question_id} in this event.")
    return _question(list(rows)[0])


async def _cas_update(
    conn: aiosqlite.Connection,
    q: Question,
    actor: str,
    action: str,
    changes: dict[str, object],
    detail: str = "",
) -> None:
    """Apply `changes` only if nobody changed the question since we read it."""
    assignments = ", ".join(f"{k} = ?" for k in changes)
    values = [json.dumps(v) if k in _JSON_COLUMNS else v for k, v in changes.items()]
    cur = await conn.execute(
        f"UPDATE questions SET {assignments}, version = version + 1, updated_at = ?,"  # noqa: S608
        " updated_by = ? WHERE id = ? AND version = ?",
        (*values, time.time(), actor, q.id, q.version),
    )
    if cur.rowcount != 1:
        raise Conflict(f"Question {q.id} changed while you were acting on it; try again.")
    before = {k: _plain(getattr(q, _ATTRIBUTE.get(k, k))) for k in changes}
    await audit.append(conn, q.event_id, q.id, actor, action, before, dict(changes), detail)


@dataclass(frozen=True)
class Moderation:
    """What a moderator asked for."""

    action: str
    actor: str
    expected_version: int | None = None
    text: str | None = None  # edit
    reason: str = ""  # decline; override (required)
    answer: str = ""  # answer
    into: int | None = None  # merge target
    # Screening (see liveq.screening.review). Edits and redactions re-screen the new
    # text with `rules` (None: the default rules).
    rules: ScreeningRules | None = None
    kinds: tuple[str, ...] | None = None  # redact/override only these kinds
    # redact these {"start", "end", "kind"?, "field"?} spans
    spans: tuple[dict, ...] | None = None
    field: str | None = None  # redact/override only the findings of "text" or "name"


async def moderate(db: Database, event: Event, question_id: int, m: Moderation) -> list[Question]:
    """Apply one moderation action; return every question it changed (acted-on first)."""

    async def job(conn: aiosqlite.Connection) -> list[int]:
        q = await _load(conn, event, question_id)
        if m.expected_version is not None and q.version != m.expected_version:
            last = await _last_change(conn, q.id)
            raise Conflict(
                f"Someone else changed question {q.id} first ({last}): it is now "
                f"{_status_label(q.status)}. Your “{m.action.replace('_', ' ')}” was not applied."
            )
        try:
            return await _apply(conn, event, q, m)
        except IllegalTransition as exc:
            last = await _last_change(conn, q.id)
            raise IllegalTransition(f"{exc} Last change: {last}." if last else str(exc)) from None

    changed = await db.write(job)
    return [await get_question(db, event, qid) for qid in changed]


async def annotate(
    db: Database,
    event: Event,
    question_id: int,
    actor: str,
    *,
    labels: Sequence[str] | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Question:
    """Set a question's labels or its moderator note, in any state; audited."""
    changes: dict[str, object] = {}
    if labels is not None:
        changes["labels"] = list(labels)
    if note is not None:
        changes["moderator_note"] = note
    if not changes:
        raise ValueError("annotate needs labels or a note")
    action = "label" if labels is not None else "note"

    async def job(conn: aiosqlite.Connection) -> None:
        q = await _load(conn, event, question_id)
        if expected_version is not None and q.version != expected_version:
            last = await _last_change(conn, q.id)
            raise Conflict(
                f"Someone else changed question {q.id} first ({last}); look again and retry."
            )
        await _cas_update(conn, q, actor, action, changes)

    await db.write(job)
    return await get_question(db, event, question_id)


def _plain(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Status):
        return str(value)
    return int(value) if isinstance(value, bool) else value


def _status_label(status: Status) -> str:
    return "on air" if status is Status.ON_AIR else str(status)


async def _last_change(conn: aiosqlite.Connection, question_id: int) -> str:
    """E.g. "approved by alice", for telling a moderator who got there first."""
    rows = list(
        await conn.execute_fetchall(
            "SELECT actor, action FROM audit WHERE question_id = ? ORDER BY id DESC LIMIT 1",
            (question_id,),
        )
    )
    return f"{past_tense(rows[0]['action'])} by {rows[0]['actor']}" if rows else ""


async def _apply(conn: aiosqlite.Connection, event: Event, q: Question, m: Moderation) -> list[int]:
    if m.action == "merge":
        if m.into is None:
            raise IllegalTransition("Say which question to merge into.")
        target = await _load(conn, event, m.into)
        check_merge(q, target)
        await _cas_update(
            conn,
            q,
            m.actor,
            "merge",
            {"status": str(Status.ARCHIVED), "merged_into": target.id},
        )
        await _cas_update(
            conn,
            target,
            m.actor,
            "merged_from",
            {
                "merged_count": target.merged_count + 1 + q.merged_count,
                "votes": target.votes + q.votes,
            },
        )
        return [q.id, target.id]

    new_status = next_status(q.status, m.action)
    if m.action in EDITS:
        detail = ""
        if m.action == "edit":
            if m.text is None:
                raise IllegalTransition("An edit needs the new text.")
            findings = review.rescreen(q.text, q.findings, m.text, m.rules)
            _check_public_text(q, m.text, findings)
            changes: dict[str, object] = _text_change(q, m.text, findings)
        elif m.action == "redact":
            try:
                chosen = review.select_for_redaction(
                    q.text, q.findings, kinds=m.kinds, spans=m.spans, name=q.author, field=m.field
                )
            except review.ReviewError as exc:
                raise IllegalTransition(str(exc)) from None
            text, author, findings = review.apply_redaction(
                q.text, q.findings, chosen, m.rules, name=q.author
            )
            changes = _text_change(q, text, findings) if text != q.text else {"findings": findings}
            if author != q.author:
                changes["author"] = author
            detail = _redaction_detail(chosen)
        elif m.action == "override":
            try:
                findings, _ = review.apply_override(
                    q.findings,
                    actor=m.actor,
                    reason=m.reason,
                    at=time.time(),
                    kinds=m.kinds,
                    field=m.field,
                )
            except review.ReviewError as exc:
                raise IllegalTransition(str(exc)) from None
            changes = {"findings": findings}
            detail = m.reason
        else:
            changes = {"starred": int(m.action == "star")}
        await _cas_update(conn, q, m.actor, m.action, changes, detail)
        return [q.id]

    if m.action in ("approve", "on_air"):
        # Possible patient identifiers and profanity never reach the public unseen.
        problem = review.release_problem(q.text, q.findings, q.author)
        if problem:
            raise IllegalTransition(
                f"Question {q.id} cannot be {past_tense(m.action)} yet. {problem}"
            )

    changes = {"status": str(new_status)}
    if m.action == "decline":
        changes["decline_reason"] = m.reason
    if m.action == "answer":
        changes["answered_at"] = time.time()
        if m.answer:
            changes["answer"] = m.answer
    touched = []
    if m.action == "on_air":
        # One question on air per event: the one there goes back to the approved list.
        rows = await conn.execute_fetchall(
            f"SELECT {_Q_COLUMNS} FROM questions WHERE event_id = ? AND status = ?",  # noqa: S608
            (event.id, str(Status.ON_AIR)),
        )
        for row in rows:
            current = _question(row)
            await _cas_update(conn, current, m.actor, "off_air", {"status": str(Status.APPROVED)})
            touched.append(current.id)
    await _cas_update(conn, q, m.actor, m.action, changes)
    return [q.id, *touched]


def _redaction_detail(chosen: dict[str, list]) -> str:
    """The audit detail of a redaction: "phone", or "phone; name: profanity"."""
    parts = []
    for field in (f for f in review.FIELDS if f in chosen):
        kinds = ", ".join(sorted({f.kind for f in chosen[field]}))
        parts.append(kinds if field == review.TEXT else f"{field}: {kinds}")
    return "; ".join(parts)


def _text_change(q: Question, text: str, findings: list[dict]) -> dict[str, object]:
    changes: dict[str, object] = {"text": text, "findings": findings}
    if q.original_text is None:
        changes["original_text"] = q.text
    return changes


def _check_public_text(q: Question, text: str, findings: list[dict]) -> None:
    """An edit may not put unreviewed identifiers in front of the audience."""
    if q.status not in PUBLIC_STATUSES:
        return
    blocking = review.unresolved_blocking(findings)
    if blocking:
        where = "on air" if q.status is Status.ON_AIR else "approved (the audience sees it)"
        what = ", ".join(review.describe(text, f, q.author) for f in blocking[:3])
        raise IllegalTransition(
            f"Question {q.id} is {where}, so the edit was not saved: the new text has {what}. "
            "Take it out of the text."
        )


async def vote(db: Database, event: Event, question_id: int, voter: str) -> int:
    """Count one vote per voter and return the question's count.

    Voting twice is not an error and counts once. The count comes back from the
    write itself: no read after it, so a vote costs one place in a group commit.
    """

    async def job(conn: aiosqlite.Connection) -> int:
        cur = await conn.execute(
            "SELECT status, votes FROM questions WHERE id = ? AND event_id = ?",
            (question_id, event.id),
        )
        row = await cur.fetchone()
        if row is None or row["status"] not in PUBLIC_STATUSES:
            raise NotFound(f"There is no question {question_id} open for votes.")
        cur = await conn.execute(
            "INSERT INTO votes (question_id, voter, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (question_id, voter, time.time()),
        )
        if not cur.rowcount:
            return row["votes"]
        cur = await conn.execute(
            "UPDATE questions SET votes = votes + 1 WHERE id = ? RETURNING votes", (question_id,)
        )
        return (await cur.fetchone())["votes"]

    return await db.write(job)


async def audit_rows(db: Database, event: Event) -> list[dict]:
    rows = await db.fetchall(
        "SELECT id, question_id, actor, action, at, before, after, detail FROM audit"
        " WHERE event_id = ? ORDER BY id",
        (event.id,),
    )
    return [
        {
            **dict(r),
            "before": json.loads(r["before"]) if r["before"] else None,
            "after": json.loads(r["after"]) if r["after"] else None,
        }
        for r in rows
    ]
