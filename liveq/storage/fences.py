"""Fencing tokens in the store: a job's stale holder cannot write after a newer one.

In a cluster each background job runs under a lease (``liveq.cluster.lease``)
that hands its holder a token larger than every earlier holder's. A holder
frozen longer than its lease (a GC pause, SIGSTOP, a hung request) may wake
after another took over; the lease alone cannot stop its next write. So each
fenced write transaction first records its token in ``job_fences`` (``guard``):
a token older than the newest one recorded for the job is refused there, inside
the transaction, and the write with it (``Fenced``). A new holder records its
token when it starts (``claim``), so the old one is shut out from that moment.

One process without a cluster has no lease and no token (``fence`` is None):
nothing is recorded and nothing is checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiosqlite

from liveq.storage.db import Database


class Fenced(Exception):
    """A newer holder of this job has started: this one must stop and write nothing."""


def _always() -> bool:
    return True


@dataclass(frozen=True)
class Fence:
    """One holder's token for the job `name`; `valid` is its lease's own view of
    whether it still holds it (its deadline not passed)."""

    name: str
    token: int
    valid: Callable[[], bool] = field(default=_always, compare=False)

    def check(self) -> None:
        """Before a request that a store write cannot undo: is the lease still ours?

        A holder woken from a freeze sees its deadline passed here before it sends."""
        if not self.valid():
            raise Fenced(f"The lease of {self.name} (token {self.token}) ran out.")


async def guard(conn: aiosqlite.Connection, fence: Fence | None) -> None:
    """In a write transaction: record `fence`'s token as the newest for its job,
    or raise ``Fenced`` (undoing the transaction) if a newer one is recorded."""
    if fence is None:
        return
    fence.check()
    cur = await conn.execute(
        "INSERT INTO job_fences (name, token, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET token = excluded.token,"
        " updated_at = excluded.updated_at WHERE job_fences.token <= excluded.token",
        (fence.name, fence.token, time.time()),
    )
    if cur.rowcount != 1:
        raise Fenced(f"{fence.name}: a newer holder than token {fence.token} has started.")


async def claim(db: Database, fence: Fence | None) -> None:
    """A new holder's first write: from now on older tokens are refused."""
    if fence is None:
        return

    async def job(conn: aiosqlite.Connection) -> None:
        await guard(conn, fence)

    await db.write(job)


async def newest(db: Database, name: str) -> int | None:
    """The newest token recorded for the job `name` (None before any)."""
    row = await db.fetchone("SELECT token FROM job_fences WHERE name = ?", (name,))
    return row["token"] if row else None
