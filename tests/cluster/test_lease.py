"""The lease's fence, against the real Redis: what a job holds and when it stops holding."""

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator

import pytest

from liveq.cluster.lease import SAFE_FRACTION, LeasedJob
from liveq.cluster.redis_client import connect
from liveq.storage.fences import Fence


@pytest.fixture
async def redis(redis_url):
    client = connect(redis_url)
    yield client
    await client.aclose()


@contextlib.asynccontextmanager
async def running(lease: LeasedJob) -> AsyncIterator[None]:
    """The lease's loop while the block runs; then stopped, cancelled, its keys deleted."""
    task = asyncio.create_task(lease.run())
    try:
        yield
    finally:
        lease.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await lease.redis.delete(lease.key, lease.fence_key)


async def test_a_holder_frozen_past_its_deadline_sees_its_fence_gone_on_waking(redis):
    namespace = f"test-{secrets.token_hex(6)}"
    checks: list[bool] = []
    seen: list[Fence] = []

    async def job(fence: Fence) -> None:
        seen.append(fence)
        checks.append(fence.valid())
        # A freeze: the event loop does nothing (as under SIGSTOP or a long GC pause).
        time.sleep(1.0 * SAFE_FRACTION + 0.1)  # noqa: ASYNC251 - blocking is the point
        checks.append(fence.valid())  # first thing on waking, before any I/O
        await asyncio.sleep(3600)

    lease = LeasedJob(redis, namespace, "x-outbox", job, period=1.0, owner="a")
    async with running(lease):
        async with asyncio.timeout(5):
            while len(checks) < 2:
                await asyncio.sleep(0.01)
    assert checks == [True, False]
    assert seen[0].name == "x-outbox" and seen[0].token > 0


async def test_tokens_keep_growing_when_redis_loses_the_counter(redis):
    namespace = f"test-{secrets.token_hex(6)}"
    tokens: list[int] = []

    async def take_once() -> LeasedJob:
        async def job(fence: Fence) -> None:
            tokens.append(fence.token)
            lease.stop()  # and return: the lease is given back at once

        lease = LeasedJob(redis, namespace, "x-outbox", job, period=1.0, owner="a")
        await asyncio.wait_for(lease.run(), 5)
        return lease

    try:
        lease = await take_once()
        await take_once()
        await redis.delete(lease.fence_key)  # as a Redis restarted without persistence
        await take_once()
        assert tokens[1] == tokens[0] + 1
        assert tokens[2] > tokens[1]  # a store that recorded tokens[1] still takes it
        assert tokens[0] > 10**15  # started from Redis's clock in µs, not from 1
    finally:
        await redis.delete(lease.key, lease.fence_key)


async def test_a_holder_keeps_its_lease_and_token_across_renewals(redis):
    namespace = f"test-{secrets.token_hex(6)}"
    fences: list[Fence] = []

    async def job(fence: Fence) -> None:
        fences.append(fence)
        await asyncio.sleep(3600)

    lease = LeasedJob(redis, namespace, "x-outbox", job, period=1.0, owner="a")
    async with running(lease):
        async with asyncio.timeout(5):
            while not fences:
                await asyncio.sleep(0.01)
        for _ in range(6):  # three periods: renewed each time (the value matched)
            await asyncio.sleep(0.5)
            assert fences[0].valid()
        assert len(fences) == 1 and lease.token == fences[0].token
