"""The change bus between liveq processes: Redis pub/sub with a sequence per event.

Every change is published once, by the process that made it, and every process
(the sender too) hands it to its own hub, so all of them see one order per
event. A Lua script takes the event's next sequence number (INCR) and publishes
in one step: the order of the numbers is the order of the messages. A receiver
that sees a number other than the next one (a message lost in a partition, a
Redis restart that began counting again) calls ``on_gap`` for the event: its
clients resync from a snapshot instead of showing stale state.

When the connection is lost the bus calls ``on_down`` (the hub closes its
sockets and refuses new ones) and keeps trying; once subscribed again it calls
``on_up``. Changes that could not be sent meanwhile are announced as a
``resync`` of their events, so the other processes' clients catch up too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from redis.exceptions import RedisError

from liveq.cluster.redis_client import connect

log = logging.getLogger(__name__)

# KEYS[1]: the event's sequence; ARGV: channel, event id, body. One step, so the
# numbers are published in the order they are taken.
_SEND = """
local seq = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2] .. ' ' .. seq .. ' ' .. ARGV[3])
return seq
"""
RESYNC = '{"k":"resync"}'
# Messages sent per round trip when changes come faster than one trip each.
BATCH = 500


class RedisBus:
    def __init__(
        self,
        url: str,
        namespace: str,
        *,
        on_message: Callable[[int, str], None],
        on_gap: Callable[[int], None],
        on_down: Callable[[], None],
        on_up: Callable[[], None],
        check_seconds: float = 1.0,
    ) -> None:
        self.url = url
        self.namespace = namespace
        self.channel = f"{namespace}:changes"
        self.on_message = on_message
        self.on_gap = on_gap
        self.on_down = on_down
        self.on_up = on_up
        self.check_seconds = check_seconds
        self.redis = connect(url, check_seconds=check_seconds)
        self._send = self.redis.register_script(_SEND)
        self._outgoing: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        self._last: dict[int, int] = {}  # event id -> the last sequence delivered
        self._unsent: set[int] = set()  # events with a change lost while down
        self.up = False
        self.subscribed = asyncio.Event()  # set while up
        self.received = 0
        self.gaps = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._lost = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._subscribe(), name="liveq-bus-in"),
            asyncio.create_task(self._publish(), name="liveq-bus-out"),
            asyncio.create_task(self._watch(), name="liveq-bus-watch"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.redis.aclose()

    # -- sending -----------------------------------------------------------------

    def send(self, event_id: int, body: str) -> None:
        """Queue a change for every process; sent in the order queued."""
        if not self.up:
            self._unsent.add(event_id)
            return
        self._outgoing.put_nowait((event_id, body))

    async def _publish(self) -> None:
        while True:
            batch = [await self._outgoing.get()]
            while len(batch) < BATCH and not self._outgoing.empty():
                batch.append(self._outgoing.get_nowait())
            try:
                async with (
                    asyncio.timeout(2 * self.check_seconds),
                    self.redis.pipeline(transaction=False) as pipe,
                ):
                    for event_id, body in batch:
                        await self._send(
                            keys=[self._seq_key(event_id)],
                            args=[self.channel, event_id, body],
                            client=pipe,
                        )
                    await pipe.execute()
            except (RedisError, OSError, TimeoutError) as exc:
                self._unsent.update(e for e, _ in batch)
                self._down(f"publishing failed: {exc}")

    def _seq_key(self, event_id: int) -> str:
        return f"{self.namespace}:seq:{event_id}"

    # -- receiving ---------------------------------------------------------------

    async def _subscribe(self) -> None:
        delay = 0.1
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                # Connections from before the loss may be dead: sending starts afresh.
                await self.redis.connection_pool.disconnect(inuse_connections=False)
                async with asyncio.timeout(2 * self.check_seconds):
                    await pubsub.subscribe(self.channel)
                self._up()
                delay = 0.1
                while not self._lost.is_set():
                    msg = await pubsub.get_message(timeout=self.check_seconds)
                    if msg is not None:
                        self._receive(msg["data"])
            except (RedisError, OSError, TimeoutError) as exc:
                self._down(f"subscription lost: {exc!r}")
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
            self._lost.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _receive(self, data: bytes) -> None:
        head, _, body = data.partition(b" ")
        seq_text, _, body = body.partition(b" ")
        event_id, seq = int(head), int(seq_text)
        self.received += 1
        last = self._last.get(event_id)
        self._last[event_id] = seq
        text = body.decode()
        if last is not None and seq != last + 1:
            self.gaps += 1
            log.warning(
                "bus: event %d jumped from message %d to %d; its clients resync",
                event_id,
                last,
                seq,
            )
        if text == RESYNC or (last is not None and seq != last + 1):
            self.on_gap(event_id)
        if text != RESYNC:
            self.on_message(event_id, text)

    async def _watch(self) -> None:
        """Ping Redis: a silent partition shows no error on a quiet subscription."""
        while True:
            await asyncio.sleep(self.check_seconds)
            if not self.up:
                continue
            try:
                async with asyncio.timeout(2 * self.check_seconds):
                    await self.redis.ping()
            except (RedisError, OSError, TimeoutError) as exc:
                self._down(f"Redis did not answer a ping: {exc}")

    # -- state -------------------------------------------------------------------

    def _down(self, why: str) -> None:
        self._lost.set()  # the subscriber starts again
        if not self.up:
            return
        self.up = False
        self.subscribed.clear()
        log.warning("bus: %s; websockets refused until Redis is back", why)
        # Whatever was queued can no longer keep its order: those events resync.
        while not self._outgoing.empty():
            self._unsent.add(self._outgoing.get_nowait()[0])
        self.on_down()

    def _up(self) -> None:
        # Anything may have been missed meanwhile; every client was closed, so any
        # number is a fresh start.
        self._last.clear()
        self.up = True
        self.subscribed.set()
        log.info("bus: subscribed to %s", self.channel)
        unsent, self._unsent = self._unsent, set()
        for event_id in sorted(unsent):
            self._outgoing.put_nowait((event_id, RESYNC))
        self.on_up()
