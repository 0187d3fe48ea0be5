"""Too many questions from one author or one IP address in a sliding window."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from liveq.screening.findings import Finding


class FloodMeter:
    """Counts submissions per author and per IP over the last ``window_seconds``.

    ``clock`` is any callable returning monotonic seconds (tests pass a fake one).
    """

    def __init__(
        self,
        max_per_window: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_per_window < 1 or window_seconds <= 0:
            raise ValueError("max_per_window must be >= 1 and window_seconds > 0")
        self.max_per_window = max_per_window
        self.window_seconds = window_seconds
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._calls = 0

    def record(self, *, author: str | None = None, ip: str | None = None,
               text: str = "") -> list[Finding]:
        """Count one submission; a ``flood`` finding per key that is over the limit."""
        now = self._clock()
        self._calls += 1
        if self._calls % 1024 == 0:
            self._sweep(now)
        out = []
        for label, key in (("author", author), ("IP address", ip)):
            if not key:
                continue
            stamps = self._seen.setdefault(f"{label}:{key}", deque())
            self._expire(stamps, now)
            stamps.append(now)
            if len(stamps) > self.max_per_window:
                out.append(Finding(
                    "flood", 0, len(text),
                    f"flood: {len(stamps)} questions from this {label} "
                    f"in {self.window_seconds:g} s (limit {self.max_per_window})",
                ))
        return out

    def count(self, *, author: str | None = None, ip: str | None = None) -> int:
        """Submissions in the current window for one author or IP (for consoles)."""
        key = f"author:{author}" if author else f"IP address:{ip}"
        stamps = self._seen.get(key)
        if not stamps:
            return 0
        self._expire(stamps, self._clock())
        return len(stamps)

    def _expire(self, stamps: deque[float], now: float) -> None:
        while stamps and stamps[0] <= now - self.window_seconds:
            stamps.popleft()

    def _sweep(self, now: float) -> None:
        # Forget quiet keys so a long event with many one-off authors stays small.
        cutoff = now - self.window_seconds
        for key in [k for k, s in self._seen.items() if not s or s[-1] <= cutoff]:
            del self._seen[key]
