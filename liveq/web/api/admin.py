"""Administrative API: rotate an event's overlay key.

Rotating invalidates the old overlay URL at once and closes the event's public
websockets (overlays and audience views; the hub cannot tell them apart): an
audience view reconnects and resyncs, an overlay with the old key is refused.
"""

from __future__ import annotations

import secrets

from aiohttp import WSCloseCode, web

from liveq.domain.events import Event
from liveq.hub import PUBLIC, Hub
from liveq.storage import store
from liveq.web.audience import load_event
from liveq.web.auth import require_moderator
from liveq.web.keys import CONFIG, DB, EVENTS, HUB

routes = web.RouteTableDef()


def overlay_path(event: Event) -> str:
    return f"/overlay/{event.slug}?key={event.overlay_key}"


async def close_public_sockets(hub: Hub, event_id: int) -> int:
    """Close the event's public sockets (overlays among them); return how many."""
    # The hub has no API for this; its client registry is read here, not changed.
    clients = [c for c in hub._clients.get(event_id, ()) if c.role == PUBLIC]
    for client in clients:
        hub.disconnect(client)
        await client.ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"overlay key changed")
    return len(clients)


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
    closed = await close_public_sockets(app[HUB], event.id)
    base = app[CONFIG].server.public_url.rstrip("/")
    return web.json_response(
        {"overlay_url": base + overlay_path(event), "closed_websockets": closed}
    )
