"""Raw SQL for ``x_sources``: where each event's hashtag poller got to, and what it spent.

One row per event, created on first use. ``since_id`` only moves forward once a
whole poll (every page) has been ingested, so a crash re-reads rather than skips.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

import aiosqlite

from liveq.storage import audit
from liveq.storage.db import Database
from liveq.storage.fences import Fence, guard

_COLUMNS = "event_id, since_id, reads_used, polls, last_poll_at, last_error, paused"


@dataclass(frozen=True)
class SourceRow:
    event_id: int
    since_id: str | None = None
    reads_used: int = 0
    polls: int = 0
    last_poll_at: float | None = None
    last_error: str = ""
    paused: bool = False


def _row(row: sqlite3.Row) -> SourceRow:
    return SourceRow(
        event_id=row["event_id"],
        since_id=row["since_id"],
        reads_used=row["reads_used"],
        polls=row["polls"],
        last_poll_at=row["last_poll_at"],
        last_error=row["last_error"],
        paused=bool(row["paused"]),
    )


async def get(db: Database, event_id: int) -> SourceRow:
    """The event's row, or an empty one if the poller never ran for it."""
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM x_sources WHERE event_id = ?",  # noqa: S608 - constant
        (event_id,),
    )
    return _row(row) if row else SourceRow(event_id=event_id)


async def all_rows(db: Database) -> dict[int, SourceRow]:
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM x_sources")  # noqa: S608 - constant
    return {r["event_id"]: _row(r) for r in rows}


async def _ensure(conn: aiosqlite.Connection, event_id: int) -> None:
    await conn.execute(
        "INSERT INTO x_sources (event_id) VALUES (?) ON CONFLICT(event_id) DO NOTHING",
        (event_id,),
    )


async def add_reads(
    db: Database, event_id: int, reads: int, fence: Fence | None = None
) -> None:
    """Count posts X returned (and charged for), page by page, before ingesting them."""

    async def job(conn: aiosqlite.Connection) -> None:
        await guard(conn, fence)
        await _ensure(conn, event_id)
        await conn.execute(
            "UPDATE x_sources SET reads_used = reads_used + ? WHERE event_id = ?",
            (reads, event_id),
        )

    await db.write(job)


async def finish_poll(
    db: Database, event_id: int, since_id: str | None, fence: Fence | None = None
) -> None:
    """A poll ended well: move since_id (if given) and clear the last error.

    The pollers under a lease pass its `fence`: a stale holder (frozen, then woken
    after another took over) cannot move the cursor back (``Fenced``)."""

    async def job(conn: aiosqlite.Connection) -> None:
        await guard(conn, fence)
        await _ensure(conn, event_id)
        await conn.execute(
            "UPDATE x_sources SET since_id = coalesce(?, since_id), polls = polls + 1,"
            " last_poll_at = ?, last_error = '' WHERE event_id = ?",
            (since_id, time.time(), event_id),
        )

    await db.write(job)


async def set_error(db: Database, event_id: int, message: str) -> None:
    async def job(conn: aiosqlite.Connection) -> None:
        await _ensure(conn, event_id)
        await conn.execute(
            "UPDATE x_sources SET last_error = ? WHERE event_id = ?", (message, event_id)
        )

    await db.write(job)


async def set_paused(db: Database, event_id: int, paused: bool, actor: str) -> None:
    """Pause or resume the event's hashtag source, with an audit row."""

    async def job(conn: aiosqlite.Connection) -> None:
        await _ensure(conn, event_id)
        rows = list(
            await conn.execute_fetchall(
                "SELECT paused FROM x_sources WHERE event_id = ?", (event_id,)
            )
        )
        before = bool(rows[0]["paused"]) if rows else False
        await conn.execute(
            "UPDATE x_sources SET paused = ? WHERE event_id = ?", (int(paused), event_id)
        )
        # Through the hash chain, like every other audit row.
        await audit.append(
            conn,
            event_id,
            None,
            actor,
            "x_source_pause" if paused else "x_source_resume",
            {"paused": before},
            {"paused": paused},
            "",
        )

    await db.write(job)
