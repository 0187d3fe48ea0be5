"""Administrative API: rotate an event's overlay key.

Rotating invalidates the old overlay URL at once and closes the event's public
websockets (overlays and audience views; the hub cannot tell them apart): an
audience view reconnects and resyncs, an overlay with the old key is refused.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from liveq.domain.events import Event
from liveq.storage import store
from liveq.web.audience import load_event
from liveq.web.auth import require_moderator
from liveq.web.keys import CONFIG, DB, EVENTS, HUB

routes = web.RouteTableDef()


def overlay_path(event: Event) -> str:
    return f"/overlay/{event.slug}?key={event.overlay_key}"


@routes.post("/api/v1/events/{slug}/overlay-key")
async def rotate_overlay_key(request: web.Request) -> web.Response:
    """A new read-only overlay key; the old URL and its websockets stop working."""
    event = await load_event(request)
    identity = await require_moderator(request, event)
    app = request.app
    event = await store.update_event(
        app[DB], event, identity.name, overlay_key=secrets.token_urlsafe(18)
    )
    app[EVENTS].invalidate(event.slug)
    closed = app[HUB].close_public(event.id, event.slug)
    base = app[CONFIG].server.public_url.rstrip("/")
    return web.json_response(
        {"overlay_url": base + overlay_path(event), "closed_websockets": closed}
    )
