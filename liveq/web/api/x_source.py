"""JSON API for an event's X hashtag source: status, pause, resume (moderators).

- ``GET  /api/v1/events/{slug}/x-source`` → ``{"enabled": bool, "source": {...} | null}``
- ``POST /api/v1/events/{slug}/x-source/pause`` → ``{"enabled": true, "source": {...}}``
- ``POST /api/v1/events/{slug}/x-source/resume`` → the same

``source`` has hashtag, query, reads_used, read_budget, spend_usd, polling,
paused, state, status (a sentence), polls, since_id, last_poll_at,
last_error, next_poll_at and interval_seconds; the same object goes to
moderator websockets as ``{"type": "x_source", "source": ...}``.
"""

from __future__ import annotations

from aiohttp import web

from liveq.web.audience import load_event
from liveq.web.auth import require_moderator
from liveq.web.workers import pollers_of
from liveq.workers.x_hashtag import XPollers

routes = web.RouteTableDef()

_OFF = "X is not enabled on this server (see the [x] section of the configuration)."


def _pollers(request: web.Request) -> XPollers:
    sup = pollers_of(request.app)
    if sup is None:
        raise web.HTTPConflict(text=_OFF)
    return sup


@routes.get("/api/v1/events/{slug}/x-source")
async def get_x_source(request: web.Request) -> web.Response:
    event = await load_event(request)
    await require_moderator(request, event)
    sup = pollers_of(request.app)
    if sup is None:
        return web.json_response({"enabled": False, "source": None, "message": _OFF})
    return web.json_response({"enabled": True, "source": await sup.view(event)})


@routes.post("/api/v1/events/{slug}/x-source/pause")
async def pause_x_source(request: web.Request) -> web.Response:
    event = await load_event(request)
    identity = await require_moderator(request, event)
    sup = _pollers(request)
    await sup.pause(event, identity.name)
    return web.json_response({"enabled": True, "source": await sup.view(event)})


@routes.post("/api/v1/events/{slug}/x-source/resume")
async def resume_x_source(request: web.Request) -> web.Response:
    event = await load_event(request)
    identity = await require_moderator(request, event)
    sup = _pollers(request)
    await sup.resume(event, identity.name)
    return web.json_response({"enabled": True, "source": await sup.view(event)})
