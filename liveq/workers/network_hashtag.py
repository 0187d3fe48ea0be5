"""The hashtag reader of one network other than X (Mastodon): questions in, once each.

Network-neutral: the client offers ``name``, ``me()`` and
``hashtag_posts(tag, since_id)`` (every post newer than ``since_id``, oldest
first, boosts and reposts left out, and the new ``since_id``) and raises the errors of
``liveq.networks.base``. Each pass reads every event that takes questions and
has a hashtag; boosts and our own posts are left out; each post goes through
``ingest`` with ``source=<network>`` and ``source_id`` = its id, so it is
stored once however often it is read. ``since_id`` moves only after the whole
read is ingested, so a crash mid-read reads again instead of skipping.

The pace follows the X poller's model: a fixed interval, the reset after a
429 (every event of the network waits: the limit is the account's), an
exponential backoff on 5xx and network errors, and an event whose read is
refused (4xx) stops with the reason in ``last_error`` until the next start.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from liveq.domain.events import Event
from liveq.hub import Hub
from liveq.ingest.pipeline import ingest
from liveq.ingest.screener import Screener
from liveq.networks.base import Incoming, RateLimited, Refused, Unavailable
from liveq.storage import network_sources as sources
from liveq.storage import store
from liveq.storage.db import Database
from liveq.storage.fences import Fence, Fenced, claim
from liveq.storage.store import NewQuestion
from liveq.workers.x_hashtag import backoff_delay, question_text

log = logging.getLogger(__name__)

MAX_RESET_WAIT = 16 * 60.0


class HashtagClient(Protocol):
    name: str

    async def me(self) -> tuple[str, str]: ...

    async def hashtag_posts(
        self, tag: str, since_id: str | None
    ) -> tuple[list[Incoming], str | None]: ...


class NetworkHashtag:
    def __init__(
        self,
        *,
        db: Database,
        hub: Hub,
        client: HashtagClient,
        screen: Screener,
        max_chars: int,
        interval: float,
    ) -> None:
        self.db = db
        self.hub = hub
        self.client = client
        self.network = client.name
        self.screen = screen
        self.max_chars = max_chars
        self.interval = interval
        self.failures = 0
        self.stopped: dict[int, str] = {}  # event id -> why its reading stopped
        self._task: asyncio.Task[None] | None = None
        self._fence: Fence | None = None  # this holder's lease token (a cluster)
        self._claimed = False

    def start(self, fence: Fence | None = None) -> None:
        self._fence, self._claimed = fence, False
        self._task = asyncio.create_task(self.run(), name=f"liveq-{self.network}-hashtag")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def run(self) -> None:
        while True:
            try:
                if self._fence is not None and not self._claimed:
                    await claim(self.db, self._fence)  # older readers' cursors refused now
                    self._claimed = True
                await self.read_all()
                self.failures = 0
                delay = self.interval
            except asyncio.CancelledError:
                raise
            except Fenced as exc:
                log.warning("%s hashtag: stopped, fenced out: %s", self.network, exc)
                return
            except RateLimited as exc:
                delay = min(max(0.0, exc.reset - time.time()) + 0.5, MAX_RESET_WAIT)
                log.warning("%s hashtag: %s", self.network, exc)
            except Unavailable as exc:
                self.failures += 1
                delay = backoff_delay(self.interval, self.failures)
                log.warning("%s hashtag: %s; retrying in %.1f s", self.network, exc, delay)
            except Exception:
                self.failures += 1
                delay = backoff_delay(self.interval, self.failures)
                log.exception("%s hashtag: unexpected error", self.network)
            await asyncio.sleep(delay)

    async def read_all(self) -> None:
        _, own = await self.client.me()
        for event in await store.list_events(self.db):
            if not event.hashtag or not event.accepting or event.id in self.stopped:
                continue
            if not event.uses(self.network):
                continue
            try:
                await self.read_event(event, own)
            except (RateLimited, Unavailable) as exc:
                await sources.set_error(self.db, event.id, self.network, str(exc))
                raise
            except Refused as exc:
                self.stopped[event.id] = str(exc)
                await sources.set_error(self.db, event.id, self.network, f"Stopped: {exc}")
                log.warning("%s hashtag for %s stopped: %s", self.network, event.slug, exc)

    async def read_event(self, event: Event, own: str) -> int:
        """Read, ingest and record one event's new posts; the number read."""
        row = await sources.get(self.db, event.id, self.network)
        posts, newest = await self.client.hashtag_posts(event.hashtag, row.since_id)
        # Oldest first (as the client gives them): question numbers follow the order
        # people asked in.
        for post in posts:
            if post.handle.lower() == own.lower():
                continue
            text = question_text(post.text, event.hashtag, self.max_chars)
            if not text:
                continue
            new = NewQuestion(
                text=text,
                author=f"@{post.handle}",
                source=self.network,
                source_id=post.id,
                source_url=post.url,
                created_at=post.created_at,
            )
            await ingest(self.db, self.hub, event, new, self.screen)
        await sources.finish_poll(
            self.db, event.id, self.network, newest, len(posts), fence=self._fence
        )
        return len(posts)
