"""The Redis client every part of a cluster uses, and how long one command may take."""

from __future__ import annotations

import redis.asyncio as aioredis

# Seconds a single Redis command may take before it counts as Redis being away.
REDIS_DEADLINE = 2.0


def connect(url: str, *, check_seconds: float = 1.0) -> aioredis.Redis:
    """A Redis client whose commands can always be cancelled.

    No socket timeout: with one, redis-py sends each command inside
    ``asyncio.wait_for``, which on Python 3.11 swallows a cancellation that
    lands as the send completes (CPython gh-86296): a lease holder told to stop
    went on renewing and shutdown waited for ever. Deadlines are ours instead,
    ``asyncio.timeout`` around the calls that could hang.
    """
    return aioredis.from_url(
        url,
        socket_timeout=None,
        socket_connect_timeout=2 * check_seconds,
        # Pinged before use when idle: a connection from before a Redis restart is
        # replaced rather than failing a lease renewal, a rate limit or a change sent.
        health_check_interval=check_seconds,
    )
