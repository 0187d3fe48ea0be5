"""The live thread on Mastodon and Bluesky: one outbox per network per event.

Every post is a row before it is a request, with the key its network will
recognise a retry by (``idempotency_key``: Mastodon's Idempotency-Key, chosen
here when the row is written). States as in ``storage/outbox.py``: ``queued``,
``posting`` (a request may be in flight), ``posted``, ``failed`` (the network
refused; a person retries or skips), ``skipped``. A failed post holds the
posts after it in the same network's thread only: the other networks go on.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from dataclasses import dataclass

import aiosqlite

from liveq.storage import audit
from liveq.storage.db import Database
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
        }


def _post(row: sqlite3.Row) -> NetworkPost:
    return NetworkPost(
        **{k: row[k] for k in NetworkPost.__dataclass_fields__}  # type: ignore[arg-type]
    )


async def enqueue(
    db: Database,
    event_id: int,
    network: str,
    question_id: int,
    parts: list[str],
    keys: list[str] | None = None,
) -> list[NetworkPost]:
    """Append an answer's parts to the network's thread (nothing if queued already).

    `keys` are the network's own keys for the posts (Bluesky's record keys);
    by default a random Idempotency-Key each."""
    keys = keys or [f"liveq-{network}-{secrets.token_hex(12)}" for _ in parts]

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
                " idempotency_key, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
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
                    {"network": network, "post": cur.lastrowid, "text": text},
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


async def answered_count(db: Database, event_id: int, network: str) -> int:
    row = await db.fetchone(
        "SELECT count(DISTINCT question_id) FROM network_posts WHERE event_id = ? AND network = ?",
        (event_id, network),
    )
    return row[0] if row else 0


async def next_due(db: Database, network: str, now: float) -> NetworkPost | None:
    """The first open post of any of this network's threads whose earlier posts are settled."""
    row = await db.fetchone(
        "SELECT p.* FROM network_posts p WHERE p.network = ?"
        " AND p.state IN ('queued', 'posting') AND p.not_before <= ?"
        " AND NOT EXISTS (SELECT 1 FROM network_posts e WHERE e.event_id = p.event_id"
        "   AND e.network = p.network AND e.seq < p.seq"
        "   AND e.state IN ('queued', 'posting', 'failed'))"
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
        " ORDER BY seq LIMIT 1",
        (post.event_id, post.network),
    )
    return _post(row) if row else None


async def previous_posted(db: Database, post: NetworkPost) -> NetworkPost | None:
    row = await db.fetchone(
        "SELECT * FROM network_posts WHERE event_id = ? AND network = ? AND seq < ?"
        " AND state = 'posted' ORDER BY seq DESC LIMIT 1",
        (post.event_id, post.network, post.seq),
    )
    return _post(row) if row else None


_CHANGEABLE = frozenset(
    {"state", "attempts", "post_id", "post_url", "reply_to", "error", "not_before", "posted_at"}
)


async def update(
    db: Database, post: NetworkPost, actor: str = "outbox", **changes: object
) -> NetworkPost:
    """Compare-and-set on (id, state, updated_at); an audit row for each state change."""
    if set(changes) - _CHANGEABLE:
        raise ValueError(f"cannot change {set(changes) - _CHANGEABLE}")

    async def job(conn: aiosqlite.Connection) -> None:
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
