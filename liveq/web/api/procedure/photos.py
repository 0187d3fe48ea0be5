"""A script post's photos: upload (multipart, with alt text), removal, and showing
them to the event's staff (an approver signs what they have seen)."""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from liveq.domain.procedure import script as sc
from liveq.storage import procedure as ps
from liveq.web.api.procedure.common import (
    APPROVERS,
    BASE,
    COMMS,
    number,
    photo_path,
    procedure_event,
    reply,
)
from liveq.web.auth import require_role
from liveq.web.keys import CONFIG, DB

routes = web.RouteTableDef()


async def read_photo(request: web.Request) -> tuple[bytes, str, str]:
    """(bytes, media type, alt) from a multipart form: fields `photo` and `alt`."""
    if not request.content_type.startswith("multipart/"):
        raise web.HTTPBadRequest(text="Send the photo as multipart/form-data (photo, alt).")
    reader = await request.multipart()
    data, media_type, alt = b"", "", ""
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "photo":
            media_type = part.headers.get("Content-Type", "")
            chunks, size = [], 0
            while chunk := await part.read_chunk(64 * 1024):
                size += len(chunk)
                if size > sc.MAX_IMAGE_BYTES:
                    raise web.HTTPRequestEntityTooLarge(
                        max_size=sc.MAX_IMAGE_BYTES,
                        actual_size=size,
                        text="The photo is too large: the limit is 5 MB a photo.",
                    )
                chunks.append(chunk)
            data = b"".join(chunks)
        elif part.name == "alt":
            alt = (await part.text())[: sc.MAX_ALT + 1]
    return data, media_type, alt


@routes.post(BASE + "/posts/{id}/photos")
async def add_photo(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    post_id = number(request.match_info["id"])
    data, media_type, alt = await read_photo(request)
    max_pixels = request.app[CONFIG].limits.max_photo_pixels
    await ps.add_photo(
        request.app[DB], event, identity.name, post_id, data, media_type, alt, max_pixels
    )
    return await reply(request, event, identity, 201)


@routes.post(BASE + "/posts/{id}/photos/{photo}/upload")
async def upload_awaited(request: web.Request) -> web.Response:
    """The file for a photo an imported script named (multipart `photo`, optional `alt`)."""
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data, media_type, alt = await read_photo(request)
    await ps.fill_photo(
        request.app[DB],
        event,
        identity.name,
        number(request.match_info["id"]),
        number(request.match_info["photo"]),
        data,
        media_type,
        alt,
        request.app[CONFIG].limits.max_photo_pixels,
    )
    return await reply(request, event, identity, 201)


@routes.post(BASE + "/posts/{id}/photos/{photo}/delete")
async def remove_photo(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    await ps.remove_photo(
        request.app[DB],
        event,
        identity.name,
        number(request.match_info["id"]),
        number(request.match_info["photo"]),
    )
    return await reply(request, event, identity)


# Served as an image and nothing else: no sniffing, no script even if opened as a
# page, no caching (a photo may show the patient), not embeddable by other sites.
_PHOTO_HEADERS = {
    "Cache-Control": "no-store, private",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


@routes.get(photo_path("{slug}", "{photo}"))
async def show_photo(request: web.Request) -> web.Response:
    """One photo of the script, for the event's moderators, admins and approvers only."""
    event = await procedure_event(request)
    await require_role(request, event, COMMS | APPROVERS)
    photo_id = number(request.match_info["photo"])
    data, media_type = await ps.photo_file(request.app[DB], event, photo_id)
    if media_type not in _EXTENSIONS:
        raise web.HTTPNotFound(text="That photo is not an image liveq can show.")
    name = f"{event.slug}-photo-{photo_id}.{_EXTENSIONS[media_type]}"
    return web.Response(
        body=data,
        content_type=media_type,
        headers={**_PHOTO_HEADERS, "Content-Disposition": f'inline; filename="{name}"'},
    )
