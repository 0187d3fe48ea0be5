"""Where each network's hashtag reader got to, per event (``network_sources``).

``since_id`` moves only after every page of a read has been ingested, so a
crash mid-read reads again instead of skipping; the questions' own
(source, source_id) keeps a post from being stored twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import aiosqlite

from liveq.storage.db import Database
from liveq.storage.fences import Fence, guard


@dataclass(frozen=True)
class SourceRow:
    since_id: str | None = None
    reads: int = 0
    polls: int = 0
    last_poll_at: float | None = None
    last_error: str = ""


async def get(db: Database, event_id: int, network: str) -> SourceRow:
    row = await db.fetchone(
        "SELECT since_id, reads, polls, last_poll_at, last_error FROM network_sources"
        " WHERE event_id = ? AND network = ?",
        (event_id, network),
    )
    return SourceRow(*row) if row else SourceRow()


async def finish_poll(
    db: Database,
    event_id: int,
    network: str,
    since_id: str | None,
    reads: int,
    fence: Fence | None = None,
) -> None:
    """Record a whole read: the newest id seen (None: keep), the posts it read.

    A reader under a lease passes its `fence`: a stale reader cannot move the
    cursor back (``Fenced``)."""

    async def job(conn: aiosqlite.Connection) -> None:
        await guard(conn, fence)
        await conn.execute(
            "INSERT INTO network_sources (event_id, network, since_id, reads, polls,"
            " last_poll_at, last_error) VALUES (?, ?, ?, ?, 1, ?, '')"
            " ON CONFLICT (event_id, network) DO UPDATE SET"
            # Columns named with their table: PostgreSQL finds a bare name ambiguous here.
            " since_id = coalesce(excluded.since_id, network_sources.since_id),"
            " reads = network_sources.reads + excluded.reads,"
            " polls = network_sources.polls + 1, last_poll_at = excluded.last_poll_at,"
            " last_error = ''",
            (event_id, network, since_id, reads, time.time()),
        )

    await db.write(job)


async def set_error(db: Database, event_id: int, network: str, message: str) -> None:
    async def job(conn: aiosqlite.Connection) -> None:
        await conn.execute(
            "INSERT INTO network_sources (event_id, network, last_error) VALUES (?, ?, ?)"
            " ON CONFLICT (event_id, network) DO UPDATE SET last_error = excluded.last_error",
            (event_id, network, message),
        )

    await db.write(job)
