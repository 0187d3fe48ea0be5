"""Token-bucket rate limits keyed by client IP, token or user.

In memory for one process; in a cluster, shared through Redis (``share``), so a
person's allowance is the same whichever process their request reaches.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from liveq.cluster.limits import RedisBuckets

log = logging.getLogger(__name__)


class RateLimiter:
    """Allow `per_minute` hits per key on average, `burst` back to back.

    A per_minute of 0 turns the limit off.
    """

    def __init__(
        self,
        per_minute: int,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, per_minute))
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, stamp)
        self._shared: RedisBuckets | None = None
        self._name = ""

    def share(self, buckets: RedisBuckets, name: str) -> None:
        """Keep the buckets in Redis under `name` (several processes, one allowance)."""
        self._shared, self._name = buckets, name

    async def take(self, key: str) -> float:
        """As hit(), in the shared buckets when there are some."""
        if self._shared is None or self.rate <= 0:
            return self.hit(key)
        try:
            return await self._shared.take(self._name, key, self.rate, self.burst)
        except Exception as exc:  # noqa: BLE001 - Redis away: this process's own buckets
            log.warning("rate limit %s: Redis unavailable (%s); counting here", self._name, exc)
            return self.hit(key)

    def hit(self, key: str) -> float:
        """Take one token for `key`; return 0 if allowed, else seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        tokens, stamp = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate
        if len(self._buckets) >= self.max_keys:
            self._prune(now)
        self._buckets[key] = (tokens - 1.0, now)
        return 0.0

    def _prune(self, now: float) -> None:
        # Full buckets carry no information; forgetting them bounds memory under a flood.
        full = [k for k, (t, s) in self._buckets.items() if t + (now - s) * self.rate >= self.burst]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= self.max_keys:
            self._buckets.clear()


class BrowserAndAddress:
    """A limit per browser and a higher ceiling for every browser behind one address.

    A room on one hospital Wi-Fi shares an address: each phone gets its own
    allowance, and the address as a whole a ceiling. A request without a browser
    id (no cookie) counts against its address at the per-browser rate. A
    per_browser of 0 turns both off.
    """

    def __init__(
        self,
        per_browser: int,
        per_address: int,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.browser = RateLimiter(per_browser, burst, clock)
        self.address = RateLimiter(per_address if per_browser else 0, clock=clock)

    def hit(self, browser: str | None, address: str) -> float:
        """0 if allowed, else seconds to wait; a refused browser takes nothing from its address."""
        wait = self.browser.hit(f"browser:{browser}" if browser else f"address:{address}")
        return wait or self.address.hit(address)

    def share(self, buckets: RedisBuckets, name: str) -> None:
        self.browser.share(buckets, f"{name}:browser")
        self.address.share(buckets, f"{name}:address")

    async def take(self, browser: str | None, address: str) -> float:
        """As hit(), in the shared buckets when there are some."""
        wait = await self.browser.take(f"browser:{browser}" if browser else f"address:{address}")
        return wait or await self.address.take(address)


def retry_after(wait: float) -> int:
    """Whole seconds for a Retry-After header: rounded up, at least 1."""
    return max(1, math.ceil(wait))


def seconds(n: int) -> str:
    return "1 second" if n == 1 else f"{n} seconds"
