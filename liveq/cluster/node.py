"""This process's place in a cluster: its Redis connection, its name, its leases."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from liveq.cluster.lease import LeasedJob, process_name
from liveq.cluster.limits import RedisBuckets
from liveq.cluster.redis_client import REDIS_DEADLINE, connect
from liveq.config import ClusterConfig
from liveq.storage.fences import Fence


@dataclass
class Node:
    redis: aioredis.Redis
    namespace: str
    lease_seconds: float
    name: str = field(default_factory=process_name)
    leases: dict[str, LeasedJob] = field(default_factory=dict)

    @classmethod
    def connect(cls, cluster: ClusterConfig) -> Node:
        """A node for the configured Redis (connections are opened when first used)."""
        return cls(connect(cluster.redis_url), cluster.namespace, cluster.lease_seconds)

    def buckets(self) -> RedisBuckets:
        return RedisBuckets(self.redis, self.namespace)

    def leased(self, name: str, job: Callable[[Fence], Awaitable[None]]) -> LeasedJob:
        """`job` under the lease `name`, run by whichever process takes it."""
        lease = self.leases[name] = LeasedJob(
            self.redis, self.namespace, name, job, period=self.lease_seconds, owner=self.name
        )
        return lease

    async def reachable(self) -> bool:
        try:
            async with asyncio.timeout(REDIS_DEADLINE):
                return bool(await self.redis.ping())
        except (RedisError, OSError, TimeoutError):
            return False

    async def close(self) -> None:
        await self.redis.aclose()
