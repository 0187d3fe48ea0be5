"""Photos of the live thread for the overlay's in-room screen (`view=thread`).

Authorised by the event's read-only overlay key, and only for posts already on X: that
key sits in OBS and on screens in the room, so it may see what the public already sees,
never a scripted photo that has not gone out. (Staff see every photo where they sign it,
through a route of their own.)
"""

from __future__ import annotations

from aiohttp import web

from liveq.domain.procedure.script import IMAGE_TYPES
from liveq.storage import outbox as ob
from liveq.web.audience import load_event
from liveq.web.auth import overlay_key_valid
from liveq.web.keys import DB

routes = web.RouteTableDef()

NO_PHOTO = "There is no such photo in the live thread."


@routes.get("/overlay/{slug}/posts/{post_id}/photos/{n}")
async def thread_photo(request: web.Request) -> web.Response:
    event = await load_event(request)
    if not overlay_key_valid(request, event):
        raise web.HTTPForbidden(text="This overlay link is missing its key or the key has changed.")
    try:
        post_id, n = int(request.match_info["post_id"]), int(request.match_info["n"])
    except ValueError:
        raise web.HTTPNotFound(text=NO_PHOTO) from None
    db = request.app[DB]
    item = await ob.get_item(db, event.id, post_id)
    if item.state != ob.POSTED or not 0 <= n < len(item.media):
        raise web.HTTPNotFound(text=NO_PHOTO)
    data, media_type = await ob.media_file(db, int(item.media[n]["file_id"]))
    if media_type not in IMAGE_TYPES:
        raise web.HTTPNotFound(text=NO_PHOTO)
    # Already public on X and never changed: the screen may keep it while the thread runs.
    return web.Response(
        body=data, content_type=media_type, headers={"Cache-Control": "private, max-age=3600"}
    )
