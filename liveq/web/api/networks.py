"""The threads on Mastodon (and other networks than X) over the JSON API.

``GET /api/v1/events/{slug}/networks``: each enabled network's thread, its
posts with their state and link. ``POST .../networks/{network}/{id}/retry``
sends a refused post again (with the same idempotency key); ``.../skip``
leaves it out so the rest of that network's thread goes on.
"""

from __future__ import annotations

from aiohttp import web

from liveq.errors import Conflict, NotFound
from liveq.storage import network_posts as np
from liveq.web.audience import load_event
from liveq.web.auth import require_moderator
from liveq.web.keys import DB, NETWORK_OUTBOXES

routes = web.RouteTableDef()

_ACTIONS = {"retry": ((np.FAILED,), np.QUEUED), "skip": ((np.QUEUED, np.FAILED), np.SKIPPED)}


@routes.get("/api/v1/events/{slug}/networks")
async def list_threads(request: web.Request) -> web.Response:
    event = await load_event(request)
    await require_moderator(request, event)
    networks = sorted(n for n in request.app.get(NETWORK_OUTBOXES) or {} if event.uses(n))
    posts = await np.list_posts(request.app[DB], event.id)
    return web.json_response(
        {"networks": {name: [p.view() for p in posts if p.network == name] for name in networks}}
    )


@routes.post("/api/v1/events/{slug}/networks/{network}/{id:\\d+}/{action:retry|skip}")
async def act(request: web.Request) -> web.Response:
    event = await load_event(request)
    identity = await require_moderator(request, event)
    outboxes = request.app.get(NETWORK_OUTBOXES) or {}
    outbox = outboxes.get(request.match_info["network"])
    if outbox is None:
        raise NotFound(f"Posting to {request.match_info['network']} is not enabled here.")
    post = await np.get(request.app[DB], int(request.match_info["id"]))
    if post.event_id != event.id or post.network != outbox.network:
        raise NotFound("There is no such post in this event's thread.")
    sources, target = _ACTIONS[request.match_info["action"]]
    if post.state not in sources:
        raise Conflict(
            f"This post is {post.state}: there is nothing to {request.match_info['action']}."
        )
    post = await np.update(request.app[DB], post, identity.name, state=target, error="")
    outbox.announce(post)
    outbox.wake()
    return web.json_response({"post": post.view()})
