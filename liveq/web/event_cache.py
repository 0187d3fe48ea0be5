"""Events by slug, kept in memory for a moment: every audience request needs one.

Changes made through this server invalidate at once; changes by another
process (the CLI) show within `ttl` seconds.
"""

from __future__ import annotations

import time

from liveq.domain.events import Event
from liveq.storage import store
from liveq.storage.db import Database


class EventCache:
    def __init__(self, db: Database, ttl: float = 2.0) -> None:
        self.db = db
        self.ttl = ttl
        self._events: dict[str, tuple[float, Event]] = {}

    async def get(self, slug: str) -> Event | None:
        now = time.monotonic()
        hit = self._events.get(slug)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        event = await store.get_event(self.db, slug)
        if event is not None:
            self._events[slug] = (now, event)
        else:
            self._events.pop(slug, None)
        return event

    def invalidate(self, slug: str) -> None:
        self._events.pop(slug, None)
