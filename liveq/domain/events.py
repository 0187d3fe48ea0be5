"""Events: a webinar Q&A or a live-tweeted procedure. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("webinar", "procedure")
MODERATION_MODES = ("pre", "post")

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_HASHTAG = re.compile(r"^[^\W_][\w]{0,99}$")


@dataclass(frozen=True)
class Event:
    id: int
    slug: str
    title: str
    kind: str
    hashtag: str
    moderation: str
    overlay_key: str
    accepting: bool = True
    created_at: float = 0.0
    # The audience pages' language ("es"); "" for each browser's own (Accept-Language).
    language: str = ""

    def public(self) -> dict:
        """What anyone may see of the event."""
        return {
            "slug": self.slug,
            "title": self.title,
            "kind": self.kind,
            "hashtag": self.hashtag,
            "accepting": self.accepting,
            "language": self.language,
        }

    def full(self) -> dict:
        return {**self.public(), "id": self.id, "moderation": self.moderation}


def check_slug(slug: str) -> str:
    """Return the slug, or raise ValueError saying what a slug may contain."""
    if not _SLUG.match(slug or ""):
        raise ValueError(
            f"{slug!r} is not a usable event name: use 1-64 lowercase letters, digits and "
            "dashes, starting and ending with a letter or digit (e.g. grand-rounds-2026)."
        )
    return slug


def check_hashtag(tag: str) -> str:
    """Return the hashtag without '#', or raise ValueError."""
    tag = (tag or "").strip().removeprefix("#")
    if tag and not _HASHTAG.match(tag):
        raise ValueError(f"#{tag} is not a valid hashtag: use letters, digits and underscores.")
    return tag
