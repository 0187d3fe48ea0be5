"""How script posts read on each of the event's other networks, for their approver.

X gets a post as one tweet (the script is checked to fit); Mastodon and
Bluesky count differently (graphemes, the instance's limit, links at full
length) and may cut it into a short thread. The approver sees each network's
cut where it differs, and the sign-off's audit row records it.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from liveq.domain.events import Event
from liveq.domain.procedure import script as sc
from liveq.domain.procedure.text import decorate
from liveq.networks.base import NetworkError
from liveq.web.keys import NETWORK_OUTBOXES

# Mastodon's limit is read from the instance once; a page must not wait on an
# instance that does not answer.
LIMITS_WAIT = 3.0


async def splits_of(
    request: web.Request, event: Event, posts: list[sc.ScriptPost]
) -> dict[int, dict[str, list[str]]]:
    """post id -> {network: the posts it becomes there}, for networks where it is more than one.

    Numbered as the post's place in the script. A network that cannot say its
    limits now (an outage) is left out for this answer rather than guessed."""
    out: dict[int, dict[str, list[str]]] = {p.id: {} for p in posts}
    for name, outbox in sorted((request.app.get(NETWORK_OUTBOXES) or {}).items()):
        if not event.uses(name):
            continue
        try:
            for post in posts:
                text = decorate(post.body, post.position, event.hashtag)
                async with asyncio.timeout(LIMITS_WAIT):
                    parts = await outbox.split(text)
                if len(parts) > 1:
                    out[post.id][name] = parts
        except (NetworkError, TimeoutError):
            for cuts in out.values():
                cuts.pop(name, None)
    return out


async def splits(request: web.Request, event: Event, post: sc.ScriptPost) -> dict[str, list[str]]:
    """One post's cuts (see splits_of)."""
    return (await splits_of(request, event, [post]))[post.id]
