"""The cluster's Redis client, against the real Redis: a cancelled command is cancelled."""

import asyncio
import random
import secrets

from liveq.cluster.redis_client import connect


async def test_a_command_cancelled_as_it_is_sent_is_cancelled_not_swallowed(redis_url):
    # With a socket timeout, redis-py sends through asyncio.wait_for, which on
    # Python 3.11 drops a cancellation landing as the send completes: the task
    # carries on as if never cancelled (so a lease holder told to stop renewed for ever).
    redis = connect(redis_url)
    key = f"test-{secrets.token_hex(6)}"
    renew = redis.register_script("return redis.call('PEXPIRE', KEYS[1], ARGV[1])")

    async def renewing() -> None:
        while True:
            await renew(keys=[key], args=["1000"])

    rng = random.Random(20)  # noqa: S311 - timings, not secrets
    swallowed = cancelled = 0
    try:
        for _ in range(300):
            task = asyncio.create_task(renewing())
            await asyncio.sleep(rng.uniform(0, 0.002))
            task.cancel()
            try:
                async with asyncio.timeout(1):
                    await task
            except asyncio.CancelledError:
                cancelled += 1
            except TimeoutError:  # still renewing a second after it was cancelled
                swallowed += 1
                task.cancel()  # again: it may stop this time; the test has failed anyway
                break
        assert swallowed == 0 and cancelled == 300
    finally:
        await redis.aclose()
