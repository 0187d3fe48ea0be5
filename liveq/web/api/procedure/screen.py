"""The overlay's in-room screen: the latest post of the thread, by the overlay's key."""

from __future__ import annotations

import hmac

from aiohttp import web

from liveq.storage import outbox as ob
from liveq.web.audience import load_event
from liveq.web.keys import DB, OUTBOX
from liveq.workers.outbox import public_post

routes = web.RouteTableDef()


@routes.get("/overlay/{slug}/latest-post")
async def latest_post(request: web.Request) -> web.Response:
    """The latest post of the thread, for an overlay (its read-only key)."""
    event = await load_event(request)
    key = request.query.get("key", "")
    if not hmac.compare_digest(key.encode(), event.overlay_key.encode()):
        raise web.HTTPForbidden(text="This overlay link is missing its key or the key has changed.")
    item = await ob.latest_posted(request.app[DB], event.id)
    outbox = request.app.get(OUTBOX)
    url = outbox.settings.post_url(item.tweet_id) if item and item.tweet_id and outbox else None
    return web.json_response({"post": public_post(item, url) if item else None})
