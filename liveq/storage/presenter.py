"""The presenter's timer and backstage messages (tables presenter_timers, backstage_messages).

The timer is stored as a state, not a ticking clock: while it runs, `started_at`
is when it was last started and `remaining` what was left then; the page counts
down from those itself, so a reload (or a restart of liveq) loses nothing.
"""

from __future__ import annotations

import time

import aiosqlite

from liveq.domain.events import Event
from liveq.domain.presenter import TIMER_ACTIONS, Timer, next_timer
from liveq.errors import InvalidInput
from liveq.storage import audit
from liveq.storage.db import Database

# The presenter view shows the latest few messages.
MESSAGES_SHOWN = 3


async def get_timer(db: Database, event: Event) -> Timer:
    row = await db.fetchone(
        "SELECT duration, remaining, started_at FROM presenter_timers WHERE event_id = ?",
        (event.id,),
    )
    return Timer(row["duration"], row["remaining"], row["started_at"]) if row else Timer()


async def change_timer(
    db: Database, event: Event, action: str, actor: str, seconds: float | None = None
) -> Timer:
    """Apply one timer action (set, start, pause, reset), audited; return the new timer."""
    if action not in TIMER_ACTIONS:
        raise InvalidInput(f"Unknown timer action {action!r}; use {', '.join(TIMER_ACTIONS)}.")

    async def job(conn: aiosqlite.Connection) -> Timer:
        rows = list(
            await conn.execute_fetchall(
                "SELECT duration, remaining, started_at FROM presenter_timers WHERE event_id = ?",
                (event.id,),
            )
        )
        before = Timer(*rows[0]) if rows else Timer()
        now = time.time()
        after = next_timer(before, action, seconds, now)
        await conn.execute(
            "INSERT INTO presenter_timers (event_id, duration, remaining, started_at,"
            " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (event_id) DO UPDATE SET duration = excluded.duration,"
            " remaining = excluded.remaining, started_at = excluded.started_at,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (event.id, after.duration, after.remaining, after.started_at, actor, now),
        )
        await audit.append(
            conn,
            event.id,
            None,
            actor,
            f"timer_{action}",
            {"duration": before.duration, "remaining": round(before.left(now), 1)},
            {"duration": after.duration, "remaining": round(after.left(now), 1)},
        )
        return after

    return await db.write(job)


async def send_message(db: Database, event: Event, text: str, actor: str) -> dict:
    """Store a backstage message to the presenter, audited; return its view."""

    async def job(conn: aiosqlite.Connection) -> dict:
        now = time.time()
        cur = await conn.execute(
            "INSERT INTO backstage_messages (event_id, text, created_by, created_at)"
            " VALUES (?, ?, ?, ?)",
            (event.id, text, actor, now),
        )
        await audit.append(
            conn, event.id, None, actor, "backstage_message", None, {"text": text}
        )
        return {"id": cur.lastrowid, "text": text, "by": actor, "at": now}

    return await db.write(job)


async def recent_messages(db: Database, event: Event, limit: int = MESSAGES_SHOWN) -> list[dict]:
    """The latest messages, oldest first."""
    rows = await db.fetchall(
        "SELECT id, text, created_by, created_at FROM backstage_messages WHERE event_id = ?"
        " ORDER BY id DESC LIMIT ?",
        (event.id, limit),
    )
    return [
        {"id": r["id"], "text": r["text"], "by": r["created_by"], "at": r["created_at"]}
        for r in reversed(rows)
    ]
