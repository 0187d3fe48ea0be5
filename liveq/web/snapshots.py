"""Snapshots for joining websockets: one encoded snapshot per event, role and change.

When everyone opens the page at noon, thousands of sockets join within seconds.
Each needs the event's questions; reading and encoding them once per socket cost
one query and one JSON encoding per person. Here a snapshot is built once and
shared by every socket that joins while it is current: while the hub's
generation for the event (bumped by every change except votes) is the one the
snapshot was started at, and for at most ``max_age`` seconds (a change made
behind the hub's back, by the CLI, shows within that time). Votes travel
separately: a joining socket gets the hub's latest counts right after.

Why a socket may share a snapshot: it subscribes to the hub first, then asks
for the snapshot. Any change published after it subscribed reaches it as a
frame. So it may take a snapshot whose generation is still the current one,
even one still being read, but never one started before a change it will not
be sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from liveq.domain.events import Event
from liveq.domain.questions import PUBLIC_STATUSES, Status
from liveq.hub import MODERATOR, Hub, encode
from liveq.storage import polls, store
from liveq.storage.db import Database


@dataclass
class _Entry:
    generation: int
    built_at: float
    text: asyncio.Future[str]


class Snapshots:
    def __init__(
        self,
        db: Database,
        hub: Hub,
        *,
        max_age: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.hub = hub
        self.max_age = max_age
        self._clock = clock
        self._entries: dict[tuple[int, str], _Entry] = {}
        self.built = 0  # how many were read from the database (for tests and benchmarks)

    async def get(self, event: Event, role: str) -> str:
        """The encoded snapshot for a client of `role` that has subscribed already."""
        key = (event.id, role)
        generation = self.hub.generation(event.id)
        entry = self._entries.get(key)
        if (
            entry is None
            or entry.generation != generation
            or self._clock() - entry.built_at > self.max_age
            or (entry.text.done() and entry.text.exception() is not None)
        ):
            entry = _Entry(generation, self._clock(), asyncio.get_running_loop().create_future())
            self._entries[key] = entry
            try:
                text = await build(self.db, event, role)
            except BaseException as exc:
                entry.text.set_exception(exc)
                entry.text.exception()  # retrieved: waiters see it, not the loop's log
                if self._entries.get(key) is entry:
                    del self._entries[key]
                raise
            self.built += 1
            entry.text.set_result(text)
            return text
        return await asyncio.shield(entry.text)

    def forget(self, event_id: int) -> None:
        for key in [k for k in self._entries if k[0] == event_id]:
            del self._entries[key]


async def build(db: Database, event: Event, role: str) -> str:
    """Read and encode one snapshot of the event for `role`."""
    if role == MODERATOR:
        questions = [q.full() for q in await store.list_questions(db, event)]
        event_view = event.full()
        poll_views = [p.full() for p in await polls.list_polls(db, event)]
    else:
        public = await store.list_questions(db, event, sorted(PUBLIC_STATUSES))
        questions = [q.public() for q in public]
        event_view = event.public()
        poll_views = [p.public() for p in await polls.list_polls(db, event, public=True)]
        if event.show_answers:
            # Typed answers travel apart from the questions, and only where the event
            # shows them (Event.show_answers).
            snapshot = {"type": "snapshot", "role": role, "event": event_view}
            answers = {str(q.id): q.answer for q in public if q.status is Status.ANSWERED}
            return encode(
                {**snapshot, "questions": questions, "answers": answers, "polls": poll_views}
            )
    return encode(
        {
            "type": "snapshot",
            "role": role,
            "event": event_view,
            "questions": questions,
            "polls": poll_views,
        }
    )
