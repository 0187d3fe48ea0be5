"""What every network's client offers the workers, and the errors it raises.

The outbox and the hashtag poller of ``liveq.workers.network_*`` are written
against these: a publisher posts one part of a thread (with a key chosen
before the request, so a retry can never post twice) and a source reads a
hashtag's new posts. Each network's client turns its SDK's errors into these
four, so a worker decides the same way for every network.
"""

from __future__ import annotations

from dataclasses import dataclass


class NetworkError(Exception):
    """Base of the errors below; the message is a sentence for the console."""


class RateLimited(NetworkError):
    """429: nothing was done; try again after `reset` (epoch seconds)."""

    def __init__(self, message: str, reset: float) -> None:
        super().__init__(message)
        self.reset = reset


class Unavailable(NetworkError):
    """5xx, a timeout or a dropped connection: the request may or may not have
    taken effect; look (or resend with the same key) before doing it again."""


class Refused(NetworkError):
    """4xx other than 429: retrying the same request will not help; a person must act."""


@dataclass(frozen=True)
class Posted:
    """A post that exists on the network."""

    id: str
    url: str


@dataclass(frozen=True)
class Incoming:
    """One hashtag post read from a network, to become a question."""

    id: str
    text: str
    handle: str
    url: str
    created_at: float | None = None


@dataclass(frozen=True)
class Image:
    """A photo to attach to a post, with its description (alt text)."""

    data: bytes
    media_type: str
    alt: str
