"""The presenter's session timer as a state: pure. A page counts down from it itself."""

from __future__ import annotations

from dataclasses import dataclass

from liveq.errors import Conflict, InvalidInput

TIMER_ACTIONS = ("set", "start", "pause", "reset")
MAX_TIMER_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Timer:
    duration: float = 0.0
    remaining: float = 0.0
    started_at: float | None = None

    def view(self, now: float) -> dict:
        """What the pages get: enough to count down without asking again."""
        return {
            "duration": self.duration,
            "remaining": self.remaining,
            "started_at": self.started_at,
            "running": self.started_at is not None,
            "server_now": now,
        }

    def left(self, now: float) -> float:
        if self.started_at is None:
            return self.remaining
        return self.remaining - (now - self.started_at)


def next_timer(timer: Timer, action: str, seconds: float | None, now: float) -> Timer:
    """The timer after `action`; pure. Illegal moves raise with a sentence."""
    if action == "set":
        if seconds is None:
            raise InvalidInput('Say how long the timer runs: {"seconds": 600}.')
        if not 0 < seconds <= MAX_TIMER_SECONDS:
            raise InvalidInput("The timer runs from 1 second to 24 hours.")
        return Timer(seconds, seconds, None)
    if action == "start":
        if timer.started_at is not None:
            raise Conflict("The timer is running already.")
        if timer.duration <= 0:
            raise Conflict("Set the timer's length before starting it.")
        return Timer(timer.duration, timer.remaining, now)
    if action == "pause":
        if timer.started_at is None:
            raise Conflict("The timer is not running.")
        return Timer(timer.duration, timer.left(now), None)
    return Timer(timer.duration, timer.duration, None)  # reset
