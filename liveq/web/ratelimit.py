"""Token-bucket rate limits keyed by client IP, token or user. Pure."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


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


def retry_after(wait: float) -> int:
    """Whole seconds for a Retry-After header: rounded up, at least 1."""
    return max(1, math.ceil(wait))


def seconds(n: int) -> str:
    return "1 second" if n == 1 else f"{n} seconds"
