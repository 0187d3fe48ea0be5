"""The day before: the script's posts, sign-off, import, the consent checklist, options."""

from __future__ import annotations

import base64
import binascii

from aiohttp import web

from liveq.domain.procedure import importer
from liveq.domain.procedure import script as sc
from liveq.domain.procedure.text import MAX_WEIGHT, body, decorate
from liveq.screening.photos.clean import CleanPhoto
from liveq.storage import outbox as ob
from liveq.storage import procedure as ps
from liveq.tweettext.text import weighted_length
from liveq.web.api.procedure.common import (
    APPROVERS,
    BASE,
    COMMS,
    number,
    procedure_event,
    reply,
)
from liveq.web.api.procedure.networks import splits as network_splits
from liveq.web.api.procedure.photos import cleaned
from liveq.web.auth import require_role
from liveq.web.keys import DB, OUTBOX, PHOTO_CHECKER, SCREEN
from liveq.web.responses import read_json_object
from liveq.workers.outbox import screen_post

routes = web.RouteTableDef()


@routes.post(BASE + "/measure")
async def measure(request: web.Request) -> web.Response:
    """The composer's live counter: X's weighted length once counter and hashtag are added."""
    event = await procedure_event(request)
    await require_role(request, event, COMMS | APPROVERS)
    data = await read_json_object(request)
    raw = data.get("text")
    text = body(raw.strip() if isinstance(raw, str) else "", data.get("warning") is True)
    weight = weighted_length(decorate(text, 999, event.hashtag))
    return web.json_response(
        {"weight": weight, "max": MAX_WEIGHT, "over": max(0, weight - MAX_WEIGHT)}
    )


@routes.post(BASE + "/options")
async def options(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data = await read_json_object(request)
    await ps.set_options(
        request.app[DB], event, identity.name, data.get("physician"), data.get("pacing_minutes")
    )
    return await reply(request, event, identity)


@routes.post(BASE + "/posts")
async def add_post(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data = await read_json_object(request)
    await ps.add_post(
        request.app[DB],
        event,
        identity.name,
        str(data.get("role", sc.SCRIPT)),
        data.get("text"),
        data.get("warning") is True,
    )
    return await reply(request, event, identity, 201)


@routes.post(BASE + "/posts/{id}")
async def edit_post(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data = await read_json_object(request)
    post_id = number(request.match_info["id"])
    await ps.edit_post(
        request.app[DB], event, identity.name, post_id, data.get("text"), data.get("warning")
    )
    return await reply(request, event, identity)


@routes.post(BASE + "/posts/{id}/delete")
async def delete_post(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    await ps.delete_post(request.app[DB], event, identity.name, number(request.match_info["id"]))
    return await reply(request, event, identity)


@routes.post(BASE + "/posts/{id}/sign")
async def sign(request: web.Request) -> web.Response:
    """An approver signs off the version of the post they read."""
    event = await procedure_event(request)
    identity = await require_role(request, event, APPROVERS)
    data = await read_json_object(request)
    db = request.app[DB]
    post = (await ps.load(db, event)).post(number(request.match_info["id"]))
    if post.role == sc.HOLDING:
        check_holding(request, post)
    released = await ps.sign(
        db,
        event,
        identity.name,
        post.id,
        data.get("version"),
        splits=await network_splits(request, event, post),
    )
    outbox = request.app.get(OUTBOX)
    if released and outbox is not None:
        # A post edited in the live thread goes on once its new text is signed.
        for item_id in released:
            outbox.announce(await ob.get_item(db, event.id, item_id))
        outbox.wake()
    return await reply(request, event, identity)


def check_holding(request: web.Request, post: sc.ScriptPost) -> None:
    """The holding statement goes out the moment Pause is pressed, with no time to look
    at it: screening must find nothing in it when it is signed."""
    findings = screen_post(request.app[SCREEN], post.body)
    if findings:
        found = "; ".join(f"{f['reason']} (“{post.body[f['start'] : f['end']]}”)" for f in findings)
        raise sc.NotReady(
            f"The holding statement cannot be signed off: screening found {found}. It is "
            "posted the moment Pause is pressed, with no time to check it: edit it first."
        )


@routes.post(BASE + "/import")
async def import_script(request: web.Request) -> web.Response:
    """Replace the script: {"format": "toml"|"markdown", "source": "...",
    "photos": {"file.png": {"media_type": "image/png", "data": "<base64>"}}}."""
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data = await read_json_object(request)
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise web.HTTPBadRequest(text="Send the script's text as source.")
    spec = importer.parse(source, str(data.get("format", "toml")))
    photos: dict[str, CleanPhoto] = {}
    raw_photos = data.get("photos") or {}
    if not isinstance(raw_photos, dict):
        raise web.HTTPBadRequest(text="photos should map file names to {media_type, data}.")
    named = {ph.file for post in spec.posts for ph in post.photos}
    for name, photo in raw_photos.items():
        try:
            raw, media_type = base64.b64decode(photo["data"], validate=True), photo["media_type"]
        except (KeyError, TypeError, binascii.Error):
            raise web.HTTPBadRequest(text=f"The photo {name!r} is not valid base64.") from None
        if name in named:
            photos[name] = await cleaned(request, raw, media_type)
    await ps.replace_script(request.app[DB], event, identity.name, spec, photos)
    request.app[PHOTO_CHECKER].wake()
    return await reply(request, event, identity)


@routes.post(BASE + "/consents")
async def add_consent(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data = await read_json_object(request)
    await ps.add_consent(request.app[DB], event, identity.name, data.get("label"))
    return await reply(request, event, identity, 201)


@routes.post(BASE + "/consents/{id}")
async def set_consent(request: web.Request) -> web.Response:
    """{"done": true, "note": "on file, ref 2231"} records who and when."""
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data = await read_json_object(request)
    note = data.get("note", "")
    if not isinstance(note, str) or len(note) > 500:
        raise web.HTTPBadRequest(text="The note should be short text.")
    await ps.set_consent(
        request.app[DB],
        event,
        identity.name,
        number(request.match_info["id"]),
        data.get("done") is not False,
        note.strip(),
    )
    return await reply(request, event, identity)
