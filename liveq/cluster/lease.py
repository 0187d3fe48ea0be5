"""Exactly one of each background job in a cluster: a lease in Redis, with a fencing token.

Every process runs a ``LeasedJob`` for each job; the one that takes the lease
runs the job and renews the lease three times per period. Taking it hands out
the next fencing token (a counter that only grows), so every holder in the
job's history has its own number, logged and readable as ``token``. The job
gets it as a ``Fence`` (``liveq.storage.fences``): its writes carry the token
and the store refuses them once a newer holder has started, and it asks the
fence before a request to a network (a holder woken from a freeze past its
deadline stops there).

A holder that cannot renew stops its job before the lease can expire in
Redis (at 0.8 of the period after the last renewal it sent): by the time
another process may take over, the old one has stopped. A process that dies
stops renewing; another takes over within one period. The outbox's rule (a
row first, look on the network before any retry) covers the post that was in
flight when its holder died or stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from liveq.storage.fences import Fence

log = logging.getLogger(__name__)

# KEYS: the lease, the job's fencing counter; ARGV: owner, period in ms.
# A counter that is missing (first use, or Redis lost its data) starts at Redis's
# clock in microseconds: tokens stay above every token the store recorded before
# (each take costs a round trip to Redis, so fewer than one is taken per
# microsecond), so a restarted Redis fences nobody out. Below 2**53 until 2255.
_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[2], string.format('%d', now[1] * 1000000 + now[2]))
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], string.format('%d', token) .. ' ' .. ARGV[1], 'PX', ARGV[2])
return token
"""
# KEYS: the lease; ARGV: our value, period in ms. 1 if still ours.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# Of the period: a holder stops its job this long after the last renewal it sent.
SAFE_FRACTION = 0.8


def process_name() -> str:
    """Who holds a lease, for logs and /healthz: host, pid and worker number."""
    worker = os.environ.get("LIVEQ_WORKER_ID", "")
    return f"{socket.gethostname()}:{os.getpid()}" + (f":w{worker}" if worker else "")


class LeasedJob:
    """Run `job` while this process holds the lease `name`; stop it when the lease is lost.

    `job` gets this holder's ``Fence`` and runs until cancelled, or returns when
    it was asked to stop or was fenced out (then the lease is given back at once
    rather than left to expire).
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        namespace: str,
        name: str,
        job: Callable[[Fence], Awaitable[None]],
        *,
        period: float,
        owner: str | None = None,
    ) -> None:
        self.redis = redis
        self.name = name
        self.job = job
        self.period = period
        self.owner = owner or process_name()
        self.key = f"{namespace}:lease:{name}"
        self.fence_key = f"{namespace}:fence:{name}"
        self._acquire = redis.register_script(_ACQUIRE)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)
        self.token: int | None = None  # the fencing token while held
        self._deadline = 0.0  # monotonic: the job must have stopped by then unless renewed
        self._stopping = False
        self._wake = asyncio.Event()

    @property
    def held(self) -> bool:
        return self.token is not None

    def stop(self) -> None:
        """Stop trying to take the lease (shutdown); a job in hand is stopped by its owner."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        ms = str(int(self.period * 1000))
        while not self._stopping:
            # The lease's time runs in Redis from when the script ran, before its
            # answer reaches us: our deadline counts from when we sent it.
            sent = time.monotonic()
            try:
                keys = [self.key, self.fence_key]
                async with asyncio.timeout(self.period * SAFE_FRACTION):
                    token = int(await self._acquire(keys=keys, args=[self.owner, ms]))
            except (RedisError, OSError, TimeoutError) as exc:
                log.debug("lease %s: Redis unavailable (%r)", self.name, exc)
                token = 0
            if token:
                await self._hold(token, ms, sent)
                continue
            # Someone else holds it (or Redis is away): look again a few times a period.
            self._wake.clear()
            pause = self.period / 3 * random.uniform(0.8, 1.2)  # noqa: S311 - jitter
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await self._wake.wait()

    def _holds(self, token: int) -> bool:
        """Still the holder with `token`, its deadline not passed (a frozen holder's has)."""
        return self.token == token and time.monotonic() < self._deadline

    async def _hold(self, token: int, ms: str, sent: float) -> None:
        value = f"{token} {self.owner}"
        self.token = token
        log.info("lease %s: taken by %s (fencing token %d)", self.name, self.owner, token)
        self._deadline = deadline = sent + self.period * SAFE_FRACTION
        fence = Fence(self.name, token, lambda: self._holds(token))
        task = asyncio.create_task(self.job(fence), name=f"liveq-job-{self.name}")
        why = "stopped"
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=self.period / 3)
                if done:
                    if not task.cancelled() and task.exception() is not None:
                        why = "failed"
                        log.error("job %s failed", self.name, exc_info=task.exception())
                        await asyncio.sleep(1)
                    return
                sent = time.monotonic()
                try:
                    async with asyncio.timeout(max(0.1, deadline - sent)):
                        ours = await self._renew(keys=[self.key], args=[value, ms])
                except (RedisError, OSError, TimeoutError) as exc:
                    ours = None
                    log.warning("lease %s: could not renew (%s)", self.name, exc)
                if ours == 1:
                    self._deadline = deadline = sent + self.period * SAFE_FRACTION
                elif ours == 0 or time.monotonic() >= deadline:
                    why = "lost"
                    log.warning("lease %s: lost by %s; its job stops", self.name, self.owner)
                    return
        finally:
            self.token = None
            if not task.done():
                task.cancel()
            # The job's own end (even cancelled) comes back as a result; only our own
            # cancellation is raised here, and it must go on (not be swallowed).
            await asyncio.gather(task, return_exceptions=True)
            if why != "lost":
                with contextlib.suppress(RedisError, OSError, TimeoutError):
                    async with asyncio.timeout(self.period / 3):
                        await self._release(keys=[self.key], args=[value])
