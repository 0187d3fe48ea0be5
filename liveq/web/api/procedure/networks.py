"""How a script post reads on each of the event's other networks, for its approver.

X gets the post as one tweet (the script is checked to fit); Mastodon and
Bluesky count differently (graphemes, the instance's limit, links at full
length) and may cut it into a short thread. The approver sees each network's
cut where it differs, and the sign-off's audit row records it.
"""

from __future__ import annotations

from aiohttp import web

from liveq.domain.events import Event
from liveq.domain.procedure import script as sc
from liveq.domain.procedure.text import decorate
from liveq.networks.base import NetworkError
from liveq.web.keys import NETWORK_OUTBOXES


async def splits(request: web.Request, event: Event, post: sc.ScriptPost) -> dict[str, list[str]]:
    """network -> the posts this one becomes there, for networks where it is more than one.

    Numbered as the post's place in the script; a network that cannot say its
    limits now (an outage) is left out rather than guessed."""
    out: dict[str, list[str]] = {}
    for name, outbox in sorted((request.app.get(NETWORK_OUTBOXES) or {}).items()):
        if not event.uses(name):
            continue
        try:
            parts = await outbox.split(decorate(post.body, post.position, event.hashtag))
        except NetworkError:
            continue
        if len(parts) > 1:
            out[name] = parts
    return out
