"""Events: a webinar Q&A or a live-tweeted procedure. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("webinar", "procedure")
# The networks an event can post to and read from.
NETWORKS = ("x", "bluesky", "mastodon")
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
    # The networks this event posts to; empty: every network configured.
    networks: tuple[str, ...] = ()

    def uses(self, network: str) -> bool:
        """Whether this event's threads (and hashtag) include `network`."""
        return not self.networks or network in self.networks
    # The audience pages' language ("es"); "" for each browser's own (Accept-Language).
    language: str = ""
    # Audience options: the form refuses a question without a name; the audience page
    # shows the typed answer under an answered question.
    require_name: bool = False
    show_answers: bool = False
    # When an admin archived it (None: not archived): off the lists, no questions.
    archived_at: float | None = None
    # When questions open and close (epoch seconds; None: no limit that side).
    opens_at: float | None = None
    closes_at: float | None = None
    # The audience pages' accent colour, "#rrggbb" (domain/branding.py checked it); "": ours.
    brand_colour: str = ""
    # The SHA-256 of its logo's cleaned bytes; "": no logo.
    logo_sha256: str = ""

    def schedule_state(self, now: float) -> str:
        """"before" its questions open, "after" they closed, else "open"."""
        if self.opens_at is not None and now < self.opens_at:
            return "before"
        if self.closes_at is not None and now >= self.closes_at:
            return "after"
        return "open"

    def public(self) -> dict:
        """What anyone may see of the event."""
        return {
            "slug": self.slug,
            "title": self.title,
            "kind": self.kind,
            "hashtag": self.hashtag,
            "accepting": self.accepting,
            "language": self.language,
            "require_name": self.require_name,
            "show_answers": self.show_answers,
            "opens_at": self.opens_at,
            "closes_at": self.closes_at,
            "brand_colour": self.brand_colour,
            "logo": bool(self.logo_sha256),
        }

    def full(self) -> dict:
        return {
            **self.public(),
            "id": self.id,
            "moderation": self.moderation,
            "networks": list(self.networks),
            "archived": self.archived_at is not None,
        }


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


def check_networks(value: object) -> tuple[str, ...]:
    """Networks as a list or "x,bluesky"; raise ValueError naming the unknown one.

    Empty means every network liveq is configured for."""
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError('networks should be a list of names, e.g. ["x", "bluesky"].')
    names = [v.strip().lower() for v in value]
    for name in names:
        if name not in NETWORKS:
            raise ValueError(
                f"{name!r} is not a network liveq posts to; use {', '.join(NETWORKS)}."
            )
    return tuple(n for n in NETWORKS if n in names)  # one order everywhere


def check_schedule(opens_at: float | None, closes_at: float | None) -> None:
    """Raise ValueError unless questions close after they open."""
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise ValueError("Questions must close after they open: choose a later closing time.")
