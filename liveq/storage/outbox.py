"""The outbox's rows: every outgoing post is written down before it is sent.

States: ``queued`` (waiting its turn), ``posting`` (a request may be in
flight: look on X before sending again), ``posted`` (has a tweet id),
``held`` (screening found something; a moderator must edit or override),
``failed`` (X refused it; a moderator may retry, edit or skip), ``skipped``.
A held or failed post blocks the posts after it in the same thread, so the
thread never goes out of order.

A post may carry media (``media``: ``[{"file_id", "alt", "media_type",
"media_id"}]``): the worker uploads each file once and records its X media id
on the row, so a retry never uploads twice. An event's outbox can be frozen
(``freeze``): a holding post goes to the front of what is waiting and is the
only one sent until ``unfreeze``.

A procedure's scripted posts (``SIGNED_KINDS``) carry the approver's sign-off
of the very text on the row (``signed_version``, ``signed_by``, ``signed_at``,
of script post ``script_post_id``): changing the text clears it, and the worker
never sends a scripted row without one. ``thread_number`` is the number X got:
the post's place among the posts that went out, fixed when it is sent.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosqlite

from liveq.domain.events import Event
from liveq.storage import audit
from liveq.storage.db import Database
from liveq.storage.fences import Fence, guard
from liveq.storage.store import Conflict, NotFound

QUEUED, POSTING, POSTED, HELD, FAILED, SKIPPED = (
    "queued",
    "posting",
    "posted",
    "held",
    "failed",
    "skipped",
)
BLOCKING = (HELD, FAILED)
OPEN = (QUEUED, POSTING)
HOLDING = "holding"  # the kind of post that goes out while the event is frozen
# Kinds an approver signs (a procedure's script, facts, holding statement).
SIGNED_KINDS = frozenset({"script", "fact", HOLDING})


@dataclass(frozen=True)
class Signature:
    """An approver's sign-off of one version of a script post."""

    post_id: int
    version: int
    by: str
    at: float | None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    event_id: int
    seq: int
    kind: str
    question_id: int | None
    text: str
    state: str
    attempts: int
    tweet_id: str | None
    reply_to: str | None
    mode: str
    error: str
    findings: tuple[dict, ...]
    not_before: float
    created_by: str
    created_at: float
    updated_at: float
    posted_at: float | None
    idempotency_key: str
    media: tuple[dict, ...] = ()
    sent_text: str = ""
    script_post_id: int | None = None
    signed_version: int | None = None
    signed_by: str = ""
    signed_at: float | None = None
    thread_number: int | None = None

    @property
    def scripted(self) -> bool:
        """A post an approver must have signed (as it stands) before it goes out."""
        return self.kind in SIGNED_KINDS

    @property
    def signed(self) -> bool:
        return self.signed_version is not None

    def view(self, post_url: str | None = None) -> dict:
        return {
            "id": self.id,
            "seq": self.seq,
            "number": self.thread_number,
            "kind": self.kind,
            "question_id": self.question_id,
            "text": self.text,
            "state": self.state,
            "attempts": self.attempts,
            "tweet_id": self.tweet_id,
            "url": post_url,
            "reply_to": self.reply_to,
            "mode": self.mode,
            "error": self.error,
            "findings": list(self.findings),
            "not_before": self.not_before,
            "posted_at": self.posted_at,
            "media": [
                {"alt": m.get("alt", ""), "uploaded": bool(m.get("media_id"))} for m in self.media
            ],
            "sent_text": self.sent_text,
            "scripted": self.scripted,
            "signed": self.signed,
            "signed_by": self.signed_by,
            "signed_version": self.signed_version,
        }


def _item(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        event_id=row["event_id"],
        seq=row["seq"],
        kind=row["kind"],
        question_id=row["question_id"],
        text=row["text"],
        state=row["state"],
        attempts=row["attempts"],
        tweet_id=row["tweet_id"],
        reply_to=row["reply_to"],
        mode=row["mode"],
        error=row["error"],
        findings=tuple(json.loads(row["findings"])),
        not_before=row["not_before"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        posted_at=row["posted_at"],
        idempotency_key=row["idempotency_key"],
        media=tuple(json.loads(row["media"])),
        sent_text=row["sent_text"],
        script_post_id=row["script_post_id"],
        signed_version=row["signed_version"],
        signed_by=row["signed_by"],
        signed_at=row["signed_at"],
        thread_number=row["thread_number"],
    )


@dataclass(frozen=True)
class NewPost:
    text: str
    kind: str  # "answer", "post", ...
    key: str  # idempotency key: the same key is never queued twice
    question_id: int | None = None
    findings: tuple[dict, ...] = ()
    created_by: str = ""
    media: tuple[dict, ...] = ()  # {"file_id", "alt", "media_type"} per image
    signature: Signature | None = None  # a scripted post's sign-off of this text


# Runs in enqueue's transaction with the ids of the rows it inserted.
AfterEnqueue = Callable[[aiosqlite.Connection, list[int]], Awaitable[None]]


async def enqueue(
    db: Database, event: Event, posts: list[NewPost], then: AfterEnqueue | None = None
) -> list[OutboxItem]:
    """Append posts to the event's thread in order; skip any key already queued.

    `then` runs in the same transaction (e.g. to mark a script post as queued).
    """

    async def job(conn: aiosqlite.Connection) -> list[int]:
        rows = list(
            await conn.execute_fetchall(
                "SELECT coalesce(max(seq), 0) FROM outbox WHERE event_id = ?", (event.id,)
            )
        )
        seq = rows[0][0]
        ids = []
        now = time.time()
        for post in posts:
            seq += 1
            sig = post.signature
            cur = await conn.execute(
                "INSERT INTO outbox (event_id, seq, kind, question_id, text, idempotency_key,"
                " state, findings, created_by, created_at, updated_at, media, script_post_id,"
                " signed_version, signed_by, signed_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    event.id,
                    seq,
                    post.kind,
                    post.question_id,
                    post.text,
                    post.key,
                    HELD if post.findings else QUEUED,
                    json.dumps(list(post.findings)),
                    post.created_by,
                    now,
                    now,
                    json.dumps(list(post.media)),
                    sig.post_id if sig else None,
                    sig.version if sig else None,
                    sig.by if sig else "",
                    sig.at if sig else None,
                ),
            )
            if cur.rowcount:
                ids.append(cur.lastrowid)
                await audit.append(
                    conn,
                    event.id,
                    post.question_id,
                    post.created_by or "liveq",
                    "post_queued",
                    None,
                    {"outbox_id": cur.lastrowid, "text": post.text},
                    "",
                )
            else:
                seq -= 1
        if then is not None:
            await then(conn, ids)
        return ids

    ids = await db.write(job)
    return [await get_item(db, event.id, i) for i in ids]


async def get_item(db: Database, event_id: int, item_id: int) -> OutboxItem:
    row = await db.fetchone(
        "SELECT * FROM outbox WHERE id = ? AND event_id = ?", (item_id, event_id)
    )
    if row is None:
        raise NotFound(f"There is no post {item_id} in this event's outbox.")
    return _item(row)


async def list_items(db: Database, event_id: int) -> list[OutboxItem]:
    rows = await db.fetchall("SELECT * FROM outbox WHERE event_id = ? ORDER BY seq", (event_id,))
    return [_item(r) for r in rows]


async def answered_without_posts(db: Database) -> list[tuple[int, int]]:
    """(event id, question id) of answered questions whose answer is not in the outbox
    yet, in the order they were answered."""
    rows = await db.fetchall(
        "SELECT q.event_id, q.id FROM questions q JOIN events e ON e.id = q.event_id"
        " WHERE q.answered_at IS NOT NULL AND q.status = 'answered'"
        # A webinar that leaves X out has no thread here; a procedure's answers join
        # its signed thread, which its other networks mirror.
        " AND (e.kind = 'procedure' OR e.networks = ''"
        "   OR instr(',' || e.networks || ',', ',x,') > 0)"
        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.question_id = q.id)"
        " ORDER BY q.answered_at, q.id"
    )
    return [(r["event_id"], r["id"]) for r in rows]


async def answered_count(db: Database, event_id: int) -> int:
    row = await db.fetchone(
        "SELECT count(DISTINCT question_id) FROM outbox WHERE event_id = ? AND kind = 'answer'",
        (event_id,),
    )
    return row[0] if row else 0


async def next_due(db: Database, now: float) -> OutboxItem | None:
    """The first open post of any thread whose earlier posts are all settled."""
    row = await db.fetchone(
        "SELECT o.* FROM outbox o WHERE o.state IN ('queued', 'posting') AND o.not_before <= ?"
        " AND (o.kind = 'holding' OR o.event_id NOT IN (SELECT event_id FROM outbox_pauses))"
        # An event whose networks leave X out keeps this thread for the other networks.
        " AND o.event_id NOT IN (SELECT id FROM events WHERE networks != ''"
        "   AND instr(',' || networks || ',', ',x,') = 0)"
        " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.event_id = o.event_id"
        "   AND e.seq < o.seq AND e.state IN ('queued', 'posting', 'held', 'failed'))"
        " ORDER BY o.not_before, o.id LIMIT 1",
        (now,),
    )
    return _item(row) if row else None


async def next_wake(db: Database) -> float | None:
    row = await db.fetchone(
        "SELECT min(not_before) FROM outbox WHERE state IN ('queued', 'posting')"
        " AND (kind = 'holding' OR event_id NOT IN (SELECT event_id FROM outbox_pauses))"
    )
    return row[0] if row and row[0] is not None else None


async def previous_posted(db: Database, item: OutboxItem) -> OutboxItem | None:
    row = await db.fetchone(
        "SELECT * FROM outbox WHERE event_id = ? AND seq < ? AND state = 'posted'"
        " ORDER BY seq DESC LIMIT 1",
        (item.event_id, item.seq),
    )
    return _item(row) if row else None


async def thread_position(db: Database, item: OutboxItem) -> int:
    """1 + the number of posts before this one that went out: its number in the thread."""
    row = await db.fetchone(
        "SELECT count(*) FROM outbox WHERE event_id = ? AND seq < ? AND state = 'posted'",
        (item.event_id, item.seq),
    )
    return (row[0] if row else 0) + 1


_CHANGEABLE = frozenset(
    {
        "state",
        "attempts",
        "tweet_id",
        "reply_to",
        "mode",
        "error",
        "not_before",
        "posted_at",
        "text",
        "findings",
        "media",
        "sent_text",
        "thread_number",
        "signed_version",
        "signed_by",
        "signed_at",
    }
)


async def update(
    db: Database,
    item: OutboxItem,
    actor: str = "outbox",
    *,
    fence: Fence | None = None,
    **changes: object,
) -> OutboxItem:
    """Compare-and-set on (id, state, updated_at); write an audit row for state changes.

    The outbox worker's writes carry its lease's `fence`: refused (``Fenced``) once
    a newer holder of the outbox has started."""

    async def job(conn: aiosqlite.Connection) -> None:
        await guard(conn, fence)
        await update_in(conn, item, actor, **changes)

    await db.write(job)
    return await get_item(db, item.event_id, item.id)


async def update_in(
    conn: aiosqlite.Connection, item: OutboxItem, actor: str, **changes: object
) -> None:
    """``update`` inside a caller's transaction.

    A new text is no longer the text an approver signed: it clears the sign-off
    (unless the change sets one)."""
    if set(changes) - _CHANGEABLE:
        raise ValueError(f"cannot change {set(changes) - _CHANGEABLE}")
    if "text" in changes and changes["text"] != item.text and "signed_version" not in changes:
        changes.update(signed_version=None, signed_by="", signed_at=None)
    if "findings" in changes:
        changes["findings"] = json.dumps(list(changes["findings"]))  # type: ignore[arg-type]
    if "media" in changes:
        changes["media"] = json.dumps(list(changes["media"]))  # type: ignore[arg-type]
    assignments = ", ".join(f"{k} = ?" for k in changes)
    cur = await conn.execute(
        f"UPDATE outbox SET {assignments}, updated_at = ?"  # noqa: S608 - keys checked
        " WHERE id = ? AND state = ? AND updated_at = ?",
        (*changes.values(), time.time(), item.id, item.state, item.updated_at),
    )
    if cur.rowcount != 1:
        raise Conflict(f"Post {item.seq} changed while you were acting on it; try again.")
    if "state" in changes and changes["state"] != item.state or "text" in changes:
        keys = ("state", "tweet_id", "mode", "text", "signed_version")
        after = {k: v for k, v in changes.items() if k in keys}
        before = {"outbox_id": item.id, "state": item.state, "text": item.text}
        if item.scripted:
            before["signed_version"] = item.signed_version
        await audit.append(
            conn,
            item.event_id,
            item.question_id,
            actor,
            f"post_{changes.get('state', 'edit')}",
            before,
            after,
            str(changes.get("error", "")),
        )


async def sign_waiting_in(
    conn: aiosqlite.Connection, event_id: int, signature: Signature, text: str
) -> list[int]:
    """Sign the event's waiting rows of this script post that have exactly `text`.

    A row held only for want of a sign-off is queued again; one with screening
    findings stays held for a person. Returns the ids of the rows signed."""
    rows = list(
        await conn.execute_fetchall(
            "SELECT id, state, findings FROM outbox WHERE event_id = ? AND script_post_id = ?"
            " AND signed_version IS NULL AND text = ? AND state IN ('queued', 'held', 'failed')",
            (event_id, signature.post_id, text),
        )
    )
    for row in rows:
        release = row["state"] == HELD and row["findings"] == "[]"
        await conn.execute(
            "UPDATE outbox SET signed_version = ?, signed_by = ?, signed_at = ?, state = ?,"
            " error = CASE WHEN ? THEN '' ELSE error END, not_before = 0, updated_at = ?"
            " WHERE id = ?",
            (
                signature.version,
                signature.by,
                signature.at,
                QUEUED if release else row["state"],
                release,
                time.time(),
                row["id"],
            ),
        )
        await audit.append(
            conn,
            event_id,
            None,
            signature.by,
            "post_signed",
            {"outbox_id": row["id"], "state": row["state"]},
            {
                "outbox_id": row["id"],
                "state": QUEUED if release else row["state"],
                "signed_version": signature.version,
            },
            "",
        )
    return [row["id"] for row in rows]


# -- media and freezing (procedure mode) ---------------------------------------------


async def media_file(db: Database, file_id: int) -> tuple[bytes, str]:
    """The bytes and media type of an uploaded file."""
    row = await db.fetchone("SELECT data, media_type FROM media_files WHERE id = ?", (file_id,))
    if row is None:
        raise NotFound(f"There is no media file {file_id}.")
    return bytes(row["data"]), row["media_type"]


async def thread_style(db: Database, event_id: int) -> tuple[bool, str]:
    """(numbered, hashtag): a procedure's posts get a counter and the hashtag."""
    row = await db.fetchone("SELECT kind, hashtag FROM events WHERE id = ?", (event_id,))
    if row is None:
        return False, ""
    return row["kind"] == "procedure", row["hashtag"]


async def frozen(db: Database, event_id: int) -> float | None:
    """When the event's outbox was frozen, or None."""
    row = await db.fetchone("SELECT paused_at FROM outbox_pauses WHERE event_id = ?", (event_id,))
    return row[0] if row else None


async def freeze(db: Database, event: Event, holding: NewPost, actor: str) -> OutboxItem:
    """Freeze the event's outbox and put `holding` ahead of everything still waiting.

    Waiting posts keep their order behind it; only holding posts go out until
    ``unfreeze``. Raises Conflict if already frozen.
    """

    async def job(conn: aiosqlite.Connection) -> int:
        now = time.time()
        cur = await conn.execute(
            "INSERT INTO outbox_pauses (event_id, paused_at, paused_by) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (event.id, now, actor),
        )
        if not cur.rowcount:
            raise Conflict("The live thread is paused already.")
        rows = list(
            await conn.execute_fetchall(
                "SELECT min(seq), (SELECT coalesce(max(seq), 0) + 1 FROM outbox"
                " WHERE event_id = ?) FROM outbox WHERE event_id = ?"
                " AND state IN ('queued', 'held', 'failed')",
                (event.id, event.id),
            )
        )
        first = rows[0][0] if rows[0][0] is not None else rows[0][1]
        # Make room at `first`: shift the waiting posts back by one, in two steps
        # (UNIQUE(event_id, seq)); touching updated_at makes a worker that read
        # one of them before the shift fail its compare-and-set and look again.
        await conn.execute(
            "UPDATE outbox SET seq = -(seq + 1), updated_at = ? WHERE event_id = ? AND seq >= ?",
            (now, event.id, first),
        )
        await conn.execute(
            "UPDATE outbox SET seq = -seq WHERE event_id = ? AND seq < 0", (event.id,)
        )
        sig = holding.signature
        # A holding post with screening findings is held like any other post.
        state = HELD if holding.findings else QUEUED
        cur = await conn.execute(
            "INSERT INTO outbox (event_id, seq, kind, text, idempotency_key, state, findings,"
            " created_by, created_at, updated_at, media, script_post_id, signed_version,"
            " signed_by, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?)",
            (
                event.id,
                first,
                HOLDING,
                holding.text,
                holding.key,
                state,
                json.dumps(list(holding.findings)),
                actor,
                now,
                now,
                sig.post_id if sig else None,
                sig.version if sig else None,
                sig.by if sig else "",
                sig.at if sig else None,
            ),
        )
        await audit.append(
            conn,
            event.id,
            None,
            actor,
            "thread_paused",
            None,
            {"outbox_id": cur.lastrowid, "text": holding.text},
            "",
        )
        return cur.lastrowid

    item_id = await db.write(job)
    return await get_item(db, event.id, item_id)


async def unfreeze(db: Database, event: Event, actor: str) -> None:
    """Let the event's thread go on, in order. Raises Conflict if it is not frozen."""

    async def job(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute("DELETE FROM outbox_pauses WHERE event_id = ?", (event.id,))
        if not cur.rowcount:
            raise Conflict("The live thread is not paused.")
        await audit.append(conn, event.id, None, actor, "thread_resumed", None, None, "")

    await db.write(job)


async def last_posted_at(db: Database, event_id: int) -> float | None:
    row = await db.fetchone(
        "SELECT max(posted_at) FROM outbox WHERE event_id = ? AND state = 'posted'", (event_id,)
    )
    return row[0] if row else None


async def latest_posted(db: Database, event_id: int) -> OutboxItem | None:
    row = await db.fetchone(
        "SELECT * FROM outbox WHERE event_id = ? AND state = 'posted' ORDER BY seq DESC LIMIT 1",
        (event_id,),
    )
    return _item(row) if row else None
