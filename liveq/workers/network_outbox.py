"""The outbox of one network other than X: answers become its thread, exactly once.

Network-neutral: it works with any client that offers ``name``, ``limits()``,
``split(text, limits)`` and ``post(text, reply_to, key)`` raising the errors of
``liveq.networks.base``. One ``NetworkOutbox`` runs per enabled network; each
event's thread on that network goes in order, and a refusal or an outage holds
that network's thread only.

Exactly once: the post's key (``idempotency_key``) is chosen when its row is
written and sent with every attempt: Mastodon answers a repeated
Idempotency-Key with the status the first attempt made; on Bluesky the key
is the record key (a TID) and a retry looks it up (``getRecord``) first. So a
retry after a timeout, a dropped connection, a 5xx or liveq's own death can
never post twice. A 429 means
nothing was done: the row waits for the reset the network names.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from liveq.domain.events import Event
from liveq.domain.procedure import text as procedure_text
from liveq.networks.base import Image, NetworkError, Posted, RateLimited, Refused, Unavailable
from liveq.storage import network_posts as np
from liveq.storage import outbox as ob
from liveq.storage import store
from liveq.storage.fences import Fence, Fenced, claim
from liveq.tweettext import thread

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0


class Publisher(Protocol):
    name: str

    async def post(
        self,
        text: str,
        reply_to: str | None,
        key: str,
        root: str | None,
        retry: bool,
        media: Sequence[Image] = (),
    ) -> Posted: ...


class ThreadStyle(Protocol):
    """How an answer reads on a network and how it is cut into posts."""

    answer_template: str
    signature: str
    disclaimer: str


class NetworkOutbox:
    def __init__(
        self,
        db,
        hub,
        client: Publisher,
        style: ThreadStyle,
        split: Callable[[str], Any],
        interval: float = 0.5,
    ) -> None:
        self.db = db
        self.hub = hub
        self.client = client
        self.network = client.name
        self.style = style
        self.split = split  # async: text -> parts that fit the network
        self.interval = interval
        self._wake = asyncio.Event()
        self._stopping = False
        self._enqueueing = asyncio.Lock()
        self._failures = 0  # passes in a row that met a network error outside send()
        self._fence: Fence | None = None  # this holder's lease token (a cluster)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    def announce(self, post: np.NetworkPost) -> None:
        self.hub.publish(post.event_id, {"type": "network_post", "post": post.view()}, None)

    async def _set(self, post: np.NetworkPost, **changes: object) -> np.NetworkPost:
        post = await np.update(self.db, post, fence=self._fence, **changes)
        self.announce(post)
        return post

    # -- answers into posts ----------------------------------------------------------------

    async def enqueue_answers(self) -> None:
        """Queue every answer not in this network's thread yet (durable: answered_at)."""
        async with self._enqueueing:
            events: dict[int, Event] = {}
            for event_id, question_id in await np.answered_without_posts(self.db, self.network):
                if event_id not in events:
                    events[event_id] = await store.get_event_by_id(self.db, event_id)
                event = events[event_id]
                question = await store.get_question(self.db, event, question_id)
                number = await np.answered_count(self.db, event.id, self.network) + 1
                text = thread.render_answer(
                    self.style.answer_template,
                    thread.AnswerContext(
                        number=number,
                        question=question.text,
                        answer=question.answer,
                        asker=question.author,
                        hashtag=event.hashtag,
                        signature=self.style.signature,
                        disclaimer=self.style.disclaimer,
                    ),
                )
                parts = await self.split(text)
                new_key = getattr(self.client, "new_key", None)
                keys = [new_key() for _ in parts] if new_key else None
                queued = await np.enqueue(self.db, event.id, self.network, question.id, parts, keys)
                for post in queued:
                    self.announce(post)

    async def enqueue_script(self) -> None:
        """Queue each procedure post released in the signed thread, in its order.

        The words are the thread's as X gets them ("5/ text #Tag", numbered in this
        network's thread), cut to fit here; the photos (their cleaned, current
        version) go with the first part."""
        async with self._enqueueing:
            for row in await np.script_without_posts(self.db, self.network):
                number = await np.mirrored_count(self.db, row.event_id, self.network) + 1
                parts = await self.split(procedure_text.decorate(row.text, number, row.hashtag))
                media = [{k: m.get(k) for k in ("file_id", "alt", "media_type")} for m in row.media]
                new_key = getattr(self.client, "new_key", None)
                keys = [new_key() for _ in parts] if new_key else None
                queued = await np.enqueue(
                    self.db,
                    row.event_id,
                    self.network,
                    row.question_id,
                    parts,
                    keys,
                    outbox_id=row.outbox_id,
                    media=[media if n == 0 else [] for n in range(len(parts))],
                )
                for post in queued:
                    self.announce(post)

    # -- sending ----------------------------------------------------------------------------

    async def run(self, fence: Fence | None = None) -> None:
        """Work until stopped or cancelled. In a cluster, `fence` is this holder's
        lease: once a newer holder has started, its writes are refused and it returns."""
        self._fence = fence
        try:
            await claim(self.db, fence)
            await self._work()
        except Fenced as exc:
            log.warning("%s outbox: stopped, fenced out: %s", self.network, exc)

    async def _work(self) -> None:
        while not self._stopping:
            try:
                await self.enqueue_answers()
                await self.enqueue_script()
                while not self._stopping and (
                    post := await np.next_due(self.db, self.network, time.time())
                ):
                    await self.send(post)
            except (asyncio.CancelledError, Fenced):
                raise
            except NetworkError as exc:
                # Cutting a post needs the instance's limits: while it is down, say so
                # once per wait (not a traceback every pass) and wait longer each time.
                self._failures += 1
                log.warning("%s outbox: %s Trying again shortly.", self.network, exc)
            except Exception:
                log.exception("%s outbox: unexpected error; trying again shortly", self.network)
            else:
                self._failures = 0
            wake = await np.next_wake(self.db, self.network)
            delay = (
                self.interval if wake is None else max(0.05, min(self.interval, wake - time.time()))
            )
            if self._failures:
                delay = min(MAX_BACKOFF, self.interval * 2**self._failures)
            self._wake.clear()
            try:
                async with asyncio.timeout(delay):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def send(self, post: np.NetworkPost) -> np.NetworkPost:
        previous = await np.previous_posted(self.db, post)
        parent = previous.post_id if previous else None
        first = await np.first_posted(self.db, post) if parent else None
        # A row already 'posting' may have reached the network: the client looks
        # (Bluesky) or resends the same key (Mastodon) instead of posting again.
        retry = post.state == np.POSTING
        # The row says 'posting' (committed) before the request.
        post = await self._set(post, state=np.POSTING, attempts=post.attempts + 1)
        try:
            images = [await self._image(m) for m in post.media]
            if self._fence is not None:
                self._fence.check()  # woken from a freeze past the lease: send nothing
            done = await self.client.post(
                post.text,
                parent,
                post.idempotency_key,
                first.post_id if first else None,
                retry,
                images,
            )
        except RateLimited as exc:
            return await self._set(post, state=np.QUEUED, not_before=exc.reset, error=str(exc))
        except Unavailable as exc:
            delay = min(MAX_BACKOFF, 0.5 * 2 ** max(0, post.attempts - 1))
            return await self._set(post, error=f"{exc} Retrying.", not_before=time.time() + delay)
        except Refused as exc:
            return await self._set(post, state=np.FAILED, error=str(exc))
        return await self._set(
            post,
            state=np.POSTED,
            post_id=done.id,
            post_url=done.url,
            reply_to=parent,
            posted_at=time.time(),
            error="",
            not_before=0,
        )

    async def _image(self, entry: dict) -> Image:
        data, media_type = await ob.media_file(self.db, int(entry["file_id"]))
        return Image(data, media_type, str(entry.get("alt") or ""))
