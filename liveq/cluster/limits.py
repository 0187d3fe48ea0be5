"""Token buckets in Redis: one allowance per key whichever process a request reaches.

The same rule as the in-memory limiter (``web/ratelimit.py``), run inside
Redis by one script so two processes never spend the same token. Redis's own
clock is used, so the hosts' clocks need not agree. A bucket left alone expires
once it would be full again (a full bucket carries no information).
"""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from liveq.cluster.redis_client import REDIS_DEADLINE

# KEYS: the bucket; ARGV: tokens per second, burst. Returns the seconds to wait, as text.
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local v = redis.call('HMGET', KEYS[1], 't', 's')
local tokens = tonumber(v[1]) or burst
local stamp = tonumber(v[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local wait = 0
if tokens < 1 then
  wait = (1 - tokens) / rate
else
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 's', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class RedisBuckets:
    def __init__(self, redis: aioredis.Redis, namespace: str) -> None:
        self.prefix = f"{namespace}:limit:"
        self._take = redis.register_script(_TAKE)

    async def take(self, name: str, key: str, rate: float, burst: float) -> float:
        """Take one token from bucket `name`/`key`; 0 if allowed, else seconds to wait."""
        async with asyncio.timeout(REDIS_DEADLINE):  # on a request's path: never wait long
            wait = await self._take(keys=[f"{self.prefix}{name}:{key}"], args=[rate, burst])
        return float(wait)
