"""A script post's photos: upload (multipart, with alt text), removal, redaction,
approving a staff face, and showing them to the event's staff (an approver signs
what they have seen).

Every upload is re-encoded without its metadata before it is stored, then checked
for faces and text in the background (workers/photo_check.py); both run off the
event loop. Only the current version of a photo is ever served or sent: the
cleaned original that redactions start from stays on the server.
"""

from __future__ import annotations

import time

from aiohttp import BodyPartReader, web

from liveq.domain.procedure import photo_review as pr
from liveq.domain.procedure import script as sc
from liveq.screening.photos.clean import CleanPhoto, size_of
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
from liveq.web.keys import CONFIG, DB, PHOTO_CHECKER
from liveq.web.responses import read_json_object

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


async def cleaned(request: web.Request, data: bytes, media_type: str) -> CleanPhoto:
    """The upload checked — its bytes are a PNG, JPEG, GIF or WebP within the size and
    pixel limits, whatever it was called — then re-encoded without its metadata; both
    in the checker's threads. `media_type` (the browser's guess) is not trusted."""
    del media_type
    max_pixels = request.app[CONFIG].limits.max_photo_pixels
    return await request.app[PHOTO_CHECKER].clean(data, max_pixels)


@routes.post(BASE + "/posts/{id}/photos")
async def add_photo(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    post_id = number(request.match_info["id"])
    data, media_type, alt = await read_photo(request)
    sc.check_alt(alt)  # before the work of cleaning it
    photo = await cleaned(request, data, media_type)
    await ps.add_photo(request.app[DB], event, identity.name, post_id, photo, alt)
    request.app[PHOTO_CHECKER].wake()
    return await reply(request, event, identity, 201)


@routes.post(BASE + "/posts/{id}/photos/{photo}/upload")
async def upload_awaited(request: web.Request) -> web.Response:
    """The file for a photo an imported script named (multipart `photo`, optional `alt`)."""
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data, media_type, alt = await read_photo(request)
    photo = await cleaned(request, data, media_type)
    await ps.fill_photo(
        request.app[DB],
        event,
        identity.name,
        number(request.match_info["id"]),
        number(request.match_info["photo"]),
        photo,
        alt,
    )
    request.app[PHOTO_CHECKER].wake()
    return await reply(request, event, identity, 201)


@routes.post(BASE + "/posts/{id}/photos/{photo}/redact")
async def redact(request: web.Request) -> web.Response:
    """Blur or black out findings and drawn boxes in one action: a new version of the
    photo (its post's sign-off cleared). {"findings": [ids], "regions": [{"box": [x, y, w,
    h], "style": "blur"|"black"}], "style": "blur"|"black" (for the findings)}."""
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS | APPROVERS)
    data = await read_json_object(request)
    db = request.app[DB]
    source = await ps.redaction_source(
        db, event, number(request.match_info["id"]), number(request.match_info["photo"])
    )
    sc.check_editable(source.post)
    if source.photo.check_state != pr.DONE:
        raise sc.NotReady("That photo is still being checked; redact it once the check is done.")
    width, height = size_of(source.original)
    style = data.get("style", "blur")
    if style not in pr.STYLES:
        raise web.HTTPBadRequest(text='style is "blur" or "black".')
    regions = pr.check_regions(data.get("regions", []), width, height)
    wanted = data.get("findings", [])
    if not isinstance(wanted, list):
        raise web.HTTPBadRequest(text="findings should be a list of finding ids.")
    by_id = {f["id"]: f for f in source.photo.findings}
    for fid in wanted:
        if fid not in by_id:
            raise web.HTTPBadRequest(text=f"That photo has no finding {fid!r}.")
        regions.append(pr.finding_region(by_id[fid], style, width, height))
    if not regions:
        raise web.HTTPBadRequest(text="Say what to cover: findings or regions (boxes).")
    every = source.redactions + regions
    version = await request.app[PHOTO_CHECKER].redact(source.original, source.media_type, every)
    findings = pr.after_redaction(source.photo.findings, every, identity.name, time.time())
    await ps.redact(db, event, identity.name, source, regions, version, findings)
    return await reply(request, event, identity)


@routes.post(BASE + "/posts/{id}/photos/{photo}/findings/{finding}/approve")
async def approve(request: web.Request) -> web.Response:
    """An approver lets a staff face be shown: {"reason": "Dr. Okafor, staff, consented"}."""
    event = await procedure_event(request)
    identity = await require_role(request, event, APPROVERS)
    data = await read_json_object(request)
    await ps.approve_finding(
        request.app[DB],
        event,
        identity.name,
        number(request.match_info["id"]),
        number(request.match_info["photo"]),
        number(request.match_info["finding"]),
        data.get("reason"),
    )
    return await reply(request, event, identity)


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
