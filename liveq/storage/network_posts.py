"""The live thread on Mastodon and Bluesky: one outbox per network per event.

Every post is a row before it is a request, with the key its network will
recognise a retry by (``idempotency_key``: Mastodon's Idempotency-Key, chosen
here when the row is written). States as in ``storage/outbox.py``: ``queued``,
``posting`` (a request may be in flight), ``posted``, ``failed`` (the network
refused; a person retries or skips), ``skipped``. A failed post holds the
posts after it in the same network's thread only: the other networks go on.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass

import aiosqlite

from liveq.storage import audit
from liveq.storage.db import Database
from liveq.storage.fences import Fence, guard
from liveq.storage.store import Conflict, NotFound

QUEUED, POSTING, POSTED, FAILED, SKIPPED = "queued", "posting", "posted", "failed", "skipped"


@dataclass(frozen=True)
class NetworkPost:
    id: int
    event_id: int
    network: str
    seq: int
    question_id: int | None
    part: int
    text: str
    idempotency_key: str
    state: str
    attempts: int
    post_id: str | None
    post_url: str
    reply_to: str | None
    error: str
    not_before: float
    updated_at: float
    posted_at: float | None
    outbox_id: int | None = None  # a procedure post: its row in the signed thread
    media: tuple[dict, ...] = ()  # {"file_id", "alt", "media_type"} per image

    def view(self) -> dict:
        return {
            "id": self.id,
            "network": self.network,
            "seq": self.seq,
            "question_id": self.question_id,
            "text": self.text,
            "state": self.state,
            "attempts": self.attempts,
            "post_id": self.post_id,
            "url": self.post_url or None,
            "reply_to": self.reply_to,
            "error": self.error,
            "posted_at": self.posted_at,
            "outbox_id": self.outbox_id,
            "media": [{"alt": m.get("alt", "")} for m in self.media],
        }


def _post(row: sqlite3.Row) -> NetworkPost:
    values = {k: row[k] for k in NetworkPost.__dataclass_fields__}
    values["media"] = tuple(json.loads(values["media"]))
    return NetworkPost(**values)  # type: ignore[arg-type]


async def enqueue(
    db: Database,
    event_id: int,
    network: str,
    question_id: int | None,
    parts: list[str],
    keys: list[str] | None = None,
    outbox_id: int | None = None,
    media: list[list[dict]] | None = None,
) -> list[NetworkPost]:
    """Append an answer's (or a procedure post's) parts to the network's thread;
    nothing if queued already.

    `keys` are the network's own keys for the posts (Bluesky's record keys);
    by default a random Idempotency-Key each. `outbox_id` ties a procedure
    post to its row in the signed thread; `media` are each part's images."""
    keys = keys or [f"liveq-{network}-{secrets.token_hex(12)}" for _ in parts]
    media = media or [[] for _ in parts]

    async def job(conn: aiosqlite.Connection) -> list[int]:
        rows = list(
            await conn.execute_fetchall(
                "SELECT coalesce(max(seq), 0) FROM network_posts"
                " WHERE event_id = ? AND network = ?",
                (event_id, network),
            )
        )
        seq, ids, now = rows[0][0], [], time.time()
        for part, text in enumerate(parts):
            cur = await conn.execute(
                "INSERT INTO network_posts (event_id, network, seq, question_id, part, text,"
                " idempotency_key, state, created_at, updated_at, outbox_id, media)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    event_id,
                    network,
                    seq + 1,
                    question_id,
                    part,
                    text,
                    keys[part],
                    QUEUED,
                    now,
                    now,
                    outbox_id,
                    json.dumps(media[part]),
                ),
            )
            if cur.rowcount:
                seq += 1
                ids.append(cur.lastrowid)
                await audit.append(
                    conn,
                    event_id,
                    question_id,
                    "outbox",
                    "post_queued",
                    None,
                    {
                        "network": network,
                        "post": cur.lastrowid,
                        "text": text,
                        "outbox_id": outbox_id,
                    },
                    "",
                )
        return ids

    ids = await db.write(job)
    return [await get(db, i) for i in ids]


async def get(db: Database, post_id: int) -> NetworkPost:
    row = await db.fetchone("SELECT * FROM network_posts WHERE id = ?", (post_id,))
    if row is None:
        raise NotFound(f"There is no post {post_id} in the networks' threads.")
    return _post(row)


async def list_posts(db: Database, event_id: int, network: str | None = None) -> list[NetworkPost]:
    if network is None:
        rows = await db.fetchall(
            "SELECT * FROM network_posts WHERE event_id = ? ORDER BY network, seq", (event_id,)
        )
    else:
        rows = await db.fetchall(
            "SELECT * FROM network_posts WHERE event_id = ? AND network = ? ORDER BY seq",
            (event_id, network),
        )
    return [_post(r) for r in rows]


async def answered_without_posts(db: Database, network: str) -> list[tuple[int, int]]:
    """(event id, question id) of answers not in this network's thread yet, oldest first.

    Webinar events that post to this network only: a procedure's thread mirrors
    its signed thread (``script_without_posts``), its answers included."""
    rows = await db.fetchall(
        "SELECT q.event_id, q.id FROM questions q JOIN events e ON e.id = q.event_id"
        " WHERE q.answered_at IS NOT NULL AND q.status = 'answered' AND e.kind != 'procedure'"
        " AND (e.networks = '' OR instr(',' || e.networks || ',', ',' || ? || ',') > 0)"
        " AND NOT EXISTS (SELECT 1 FROM network_posts p WHERE p.question_id = q.id"
        "   AND p.network = ?)"
        " ORDER BY q.answered_at, q.id",
        (network, network),
    )
    return [(r["event_id"], r["id"]) for r in rows]


@dataclass(frozen=True)
class ScriptRow:
    """A post of a procedure's signed thread, released for the other networks."""

    outbox_id: int
    event_id: int
    question_id: int | None
    kind: str
    text: str
    media: tuple[dict, ...]
    hashtag: str


async def script_without_posts(db: Database, network: str) -> list[ScriptRow]:
    """Rows of procedures' signed threads (``outbox``) that this network should post
    and has not queued yet, in each thread's order.

    A row is released once its words are final: signed (a scripted kind), not held
    by screening, and not behind the pause (a holding post is). A held row keeps
    the rows after it back, so each network's thread keeps the order; X refusing
    or failing to send a row holds X alone."""
    rows = await db.fetchall(
        "SELECT o.id, o.event_id, o.question_id, o.kind, o.text, o.media, e.hashtag"
        " FROM outbox o JOIN events e ON e.id = o.event_id"
        " WHERE e.kind = 'procedure'"
        " AND (e.networks = '' OR instr(',' || e.networks || ',', ',' || ? || ',') > 0)"
        " AND o.state IN ('queued', 'posting', 'posted', 'failed')"
        " AND (o.kind NOT IN ('script', 'fact', 'holding') OR o.signed_version IS NOT NULL)"
        " AND (o.kind = 'holding' OR o.event_id NOT IN (SELECT event_id FROM outbox_pauses))"
        " AND NOT EXISTS (SELECT 1 FROM network_posts p WHERE p.outbox_id = o.id"
        "   AND p.network = ?)"
        " AND NOT EXISTS (SELECT 1 FROM outbox b WHERE b.event_id = o.event_id"
        "   AND b.seq < o.seq AND b.state = 'held' AND NOT EXISTS (SELECT 1 FROM"
        "   network_posts p2 WHERE p2.outbox_id = b.id AND p2.network = ?))"
        " ORDER BY o.event_id, o.seq",
        (network, network, network),
    )
    return [
        ScriptRow(
            r["id"],
            r["event_id"],
            r["question_id"],
            r["kind"],
            r["text"],
            tuple(json.loads(r["media"])),
            r["hashtag"],
        )
        for r in rows
    ]


async def mirrored_count(db: Database, event_id: int, network: str) -> int:
    """How many of the procedure's posts this network's thread has queued so far."""
    row = await db.fetchone(
        "SELECT count(DISTINCT outbox_id) FROM network_posts"
        " WHERE event_id = ? AND network = ? AND outbox_id IS NOT NULL",
        (event_id, network),
    )
    return row[0] if row else 0


async def answered_count(db: Database, event_id: int, network: str) -> int:
    row = await db.fetchone(
        "SELECT count(DISTINCT question_id) FROM network_posts WHERE event_id = ? AND network = ?",
        (event_id, network),
    )
    return row[0] if row else 0


async def next_due(db: Database, network: str, now: float) -> NetworkPost | None:
    """The first open post of any of this network's threads whose earlier posts are settled."""
    # A procedure's pause (outbox_pauses) holds its posts here too, but for a post
    # already in flight and the holding statement, which goes ahead of the queued ones.
    row = await db.fetchone(
        "SELECT p.* FROM network_posts p LEFT JOIN outbox o ON o.id = p.outbox_id"
        " WHERE p.network = ? AND p.state IN ('queued', 'posting') AND p.not_before <= ?"
        " AND (o.id IS NULL OR o.kind = 'holding' OR p.state = 'posting'"
        "   OR p.event_id NOT IN (SELECT event_id FROM outbox_pauses))"
        " AND NOT EXISTS (SELECT 1 FROM network_posts e LEFT JOIN outbox eo"
        "   ON eo.id = e.outbox_id WHERE e.event_id = p.event_id"
        "   AND e.network = p.network AND e.seq < p.seq"
        "   AND e.state IN ('queued', 'posting', 'failed')"
        "   AND NOT (coalesce(o.kind, '') = 'holding' AND e.state = 'queued'"
        "     AND coalesce(eo.kind, '') != 'holding'"
        "     AND p.event_id IN (SELECT event_id FROM outbox_pauses)))"
        " ORDER BY p.not_before, p.id LIMIT 1",
        (network, now),
    )
    return _post(row) if row else None


async def next_wake(db: Database, network: str) -> float | None:
    row = await db.fetchone(
        "SELECT min(not_before) FROM network_posts WHERE network = ?"
        " AND state IN ('queued', 'posting')",
        (network,),
    )
    return row[0] if row and row[0] is not None else None


async def first_posted(db: Database, post: NetworkPost) -> NetworkPost | None:
    """The thread's first post on this network (Bluesky replies name their root)."""
    row = await db.fetchone(
        "SELECT * FROM network_posts WHERE event_id = ? AND network = ? AND state = 'posted'"
        " ORDER BY posted_at, seq LIMIT 1",
        (post.event_id, post.network),
    )
    return _post(row) if row else None


async def previous_posted(db: Database, post: NetworkPost) -> NetworkPost | None:
    """The post this one replies to: the thread's latest (a holding statement that
    went ahead during a pause is replied to by the post after it, not skipped)."""
    row = await db.fetchone(
        "SELECT * FROM network_posts WHERE event_id = ? AND network = ? AND id != ?"
        " AND state = 'posted' ORDER BY posted_at DESC, seq DESC LIMIT 1",
        (post.event_id, post.network, post.id),
    )
    return _post(row) if row else None


_CHANGEABLE = frozenset(
    {"state", "attempts", "post_id", "post_url", "reply_to", "error", "not_before", "posted_at"}
)


async def update(
    db: Database,
    post: NetworkPost,
    actor: str = "outbox",
    *,
    fence: Fence | None = None,
    **changes: object,
) -> NetworkPost:
    """Compare-and-set on (id, state, updated_at); an audit row for each state change.

    The network outbox's writes carry its lease's `fence`: refused (``Fenced``)
    once a newer holder of that outbox has started."""
    if set(changes) - _CHANGEABLE:
        raise ValueError(f"cannot change {set(changes) - _CHANGEABLE}")

    async def job(conn: aiosqlite.Connection) -> None:
        await guard(conn, fence)
        assignments = ", ".join(f"{k} = ?" for k in changes)
        cur = await conn.execute(
            f"UPDATE network_posts SET {assignments}, updated_at = ?"  # noqa: S608 - keys checked
            " WHERE id = ? AND state = ? AND updated_at = ?",
            (*changes.values(), time.time(), post.id, post.state, post.updated_at),
        )
        if cur.rowcount != 1:
            raise Conflict(f"{post.network} post {post.seq} changed meanwhile; try again.")
        if "state" in changes and changes["state"] != post.state:
            await audit.append(
                conn,
                post.event_id,
                post.question_id,
                actor,
                f"post_{changes['state']}",
                {"network": post.network, "post": post.id, "state": post.state},
                {"state": changes["state"], "post_id": changes.get("post_id")},
                str(changes.get("error", "")),
            )

    await db.write(job)
    return await get(db, post.id)


async def counts(db: Database, event_id: int) -> dict[str, dict[str, int]]:
    """Per network: posts by state (for the report and export)."""
    rows = await db.fetchall(
        "SELECT network, state, count(*) AS n FROM network_posts WHERE event_id = ?"
        " GROUP BY network, state",
        (event_id,),
    )
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        out.setdefault(r["network"], {})[r["state"]] = r["n"]
    return out
