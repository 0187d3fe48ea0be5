"""Procedure mode over HTTP: the day before (script, photos, sign-off, consent)
and the day (go live, post next, facts, unscripted posts, pause/resume).

The domain's errors (ScriptError, NotReady) carry their HTTP status; the
error middleware answers them.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time

import aiosqlite
from aiohttp import BodyPartReader, web

from liveq.domain.events import Event
from liveq.domain.procedure import importer
from liveq.domain.procedure import script as sc
from liveq.domain.procedure.text import MAX_WEIGHT, body, decorate
from liveq.storage import outbox as ob
from liveq.storage import procedure as ps
from liveq.storage.accounts import Identity
from liveq.storage.store import Conflict
from liveq.tweettext.text import weighted_length
from liveq.web import csrf
from liveq.web.audience import load_event
from liveq.web.auth import require_role
from liveq.web.keys import CONFIG, DB, HUB, OUTBOX, SCREEN
from liveq.web.responses import read_json_object, render
from liveq.workers.outbox import Outbox, public_post, screen_post

routes = web.RouteTableDef()
BASE = "/api/v1/events/{slug}/procedure"
COMMS = frozenset({"admin", "moderator"})
APPROVERS = frozenset({"approver"})


async def _procedure_event(request: web.Request) -> Event:
    event = await load_event(request)
    if event.kind != "procedure":
        raise web.HTTPConflict(text="This event is a webinar, not a live-tweeted procedure.")
    return event


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise web.HTTPNotFound(text="There is no such item.") from None


def _outbox(request: web.Request) -> Outbox:
    outbox = request.app.get(OUTBOX)
    if outbox is None:
        raise web.HTTPConflict(text="Posting to X is not enabled in this liveq's config ([x]).")
    return outbox


async def state(request: web.Request, event: Event, identity: Identity) -> dict:
    """Everything the procedure page shows."""
    db = request.app[DB]
    proc = await ps.load(db, event)
    posts = list(proc.posts)
    nxt = sc.next_script_post(posts)
    fact = sc.suggest_fact(posts)
    last = await ob.last_posted_at(db, event.id)
    now = time.time()
    return {
        "event": event.full(),
        "role": identity.role,
        "user": identity.name,
        "physician": proc.physician,
        "pacing_seconds": proc.pacing_seconds,
        "live": proc.live_at is not None,
        "live_at": proc.live_at,
        "paused": proc.paused_at is not None,
        "paused_at": proc.paused_at,
        "problems": sc.go_live_problems(posts, list(proc.consents)),
        "script": [p.view() for p in proc.of_role(sc.SCRIPT)],
        "facts": [p.view() for p in proc.of_role(sc.FACT)],
        "holding": [p.view() for p in proc.of_role(sc.HOLDING)],
        "consents": [c.view() for c in proc.consents],
        "next": nxt.view() if nxt else None,
        "suggested_fact": fact.view() if fact else None,
        "last_posted_at": last,
        "pacing_due": proc.live_at is not None
        and proc.paused_at is None
        and sc.pacing_due(last, proc.live_at, now, proc.pacing_seconds),
        "now": now,
        "x_enabled": request.app.get(OUTBOX) is not None,
    }


def _changed(request: web.Request, event: Event) -> None:
    """Tell every console of the event to reload the procedure's state."""
    request.app[HUB].publish(event.id, {"type": "procedure_changed"}, None)


async def _reply(request: web.Request, event: Event, identity: Identity, status: int = 200):
    _changed(request, event)
    return web.json_response(await state(request, event, identity), status=status)


# -- the page -------------------------------------------------------------------------


@routes.get("/mod/{slug}/procedure")
async def page(request: web.Request) -> web.Response:
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS | APPROVERS)
    secret = request.app[CONFIG].server.secret
    ctx = {
        "event": event,
        "identity": identity,
        "csrf": csrf.token_for(request, secret),
        "overlay_url": f"/overlay/{event.slug}?key={event.overlay_key}&view=thread",
    }
    resp = render(request, "procedure.html", ctx)
    csrf.set_cookie(request, resp)
    return resp


@routes.get(BASE)
async def get_state(request: web.Request) -> web.Response:
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS | APPROVERS)
    return web.json_response(await state(request, event, identity))


# -- the day before ---------------------------------------------------------------------


@routes.post(BASE + "/measure")
async def measure(request: web.Request) -> web.Response:
    """The composer's live counter: X's weighted length once counter and hashtag are added."""
    event = await _procedure_event(request)
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
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data = await read_json_object(request)
    await ps.set_options(
        request.app[DB], event, identity.name, data.get("physician"), data.get("pacing_minutes")
    )
    return await _reply(request, event, identity)


@routes.post(BASE + "/posts")
async def add_post(request: web.Request) -> web.Response:
    event = await _procedure_event(request)
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
    return await _reply(request, event, identity, 201)


@routes.post(BASE + "/posts/{id}")
async def edit_post(request: web.Request) -> web.Response:
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data = await read_json_object(request)
    post_id = _int(request.match_info["id"])
    await ps.edit_post(
        request.app[DB], event, identity.name, post_id, data.get("text"), data.get("warning")
    )
    return await _reply(request, event, identity)


@routes.post(BASE + "/posts/{id}/delete")
async def delete_post(request: web.Request) -> web.Response:
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    await ps.delete_post(request.app[DB], event, identity.name, _int(request.match_info["id"]))
    return await _reply(request, event, identity)


async def _read_photo(request: web.Request) -> tuple[bytes, str, str]:
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
                        max_size=sc.MAX_IMAGE_BYTES, actual_size=size
                    )
                chunks.append(chunk)
            data = b"".join(chunks)
        elif part.name == "alt":
            alt = (await part.text())[: sc.MAX_ALT + 1]
    return data, media_type, alt


@routes.post(BASE + "/posts/{id}/photos")
async def add_photo(request: web.Request) -> web.Response:
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    post_id = _int(request.match_info["id"])
    data, media_type, alt = await _read_photo(request)
    await ps.add_photo(request.app[DB], event, identity.name, post_id, data, media_type, alt)
    return await _reply(request, event, identity, 201)


@routes.post(BASE + "/posts/{id}/photos/{photo}/delete")
async def remove_photo(request: web.Request) -> web.Response:
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    await ps.remove_photo(
        request.app[DB],
        event,
        identity.name,
        _int(request.match_info["id"]),
        _int(request.match_info["photo"]),
    )
    return await _reply(request, event, identity)


@routes.post(BASE + "/posts/{id}/sign")
async def sign(request: web.Request) -> web.Response:
    """An approver signs off the version of the post they read."""
    event = await _procedure_event(request)
    identity = await require_role(request, event, APPROVERS)
    data = await read_json_object(request)
    await ps.sign(
        request.app[DB], event, identity.name, _int(request.match_info["id"]), data.get("version")
    )
    return await _reply(request, event, identity)


@routes.post(BASE + "/import")
async def import_script(request: web.Request) -> web.Response:
    """Replace the script: {"format": "toml"|"markdown", "source": "...",
    "photos": {"file.png": {"media_type": "image/png", "data": "<base64>"}}}."""
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data = await read_json_object(request)
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise web.HTTPBadRequest(text="Send the script's text as source.")
    spec = importer.parse(source, str(data.get("format", "toml")))
    photos: dict[str, tuple[bytes, str]] = {}
    raw_photos = data.get("photos") or {}
    if not isinstance(raw_photos, dict):
        raise web.HTTPBadRequest(text="photos should map file names to {media_type, data}.")
    for name, photo in raw_photos.items():
        try:
            photos[name] = (base64.b64decode(photo["data"], validate=True), photo["media_type"])
        except (KeyError, TypeError, binascii.Error):
            raise web.HTTPBadRequest(text=f"The photo {name!r} is not valid base64.") from None
    await ps.replace_script(request.app[DB], event, identity.name, spec, photos)
    return await _reply(request, event, identity)


@routes.post(BASE + "/consents")
async def add_consent(request: web.Request) -> web.Response:
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data = await read_json_object(request)
    await ps.add_consent(request.app[DB], event, identity.name, data.get("label"))
    return await _reply(request, event, identity, 201)


@routes.post(BASE + "/consents/{id}")
async def set_consent(request: web.Request) -> web.Response:
    """{"done": true, "note": "on file, ref 2231"} records who and when."""
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    data = await read_json_object(request)
    note = data.get("note", "")
    if not isinstance(note, str) or len(note) > 500:
        raise web.HTTPBadRequest(text="The note should be short text.")
    await ps.set_consent(
        request.app[DB],
        event,
        identity.name,
        _int(request.match_info["id"]),
        data.get("done") is not False,
        note.strip(),
    )
    return await _reply(request, event, identity)


# -- the day ------------------------------------------------------------------------


@routes.post(BASE + "/live")
async def go_live(request: web.Request) -> web.Response:
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    await ps.go_live(request.app[DB], event, identity.name)
    return await _reply(request, event, identity)


async def _live(request: web.Request, event: Event) -> ps.Procedure:
    proc = await ps.load(request.app[DB], event)
    if proc.live_at is None:
        raise sc.NotReady("The event is not live yet: complete the checklist and go live first.")
    return proc


async def _queue(
    request: web.Request,
    event: Event,
    identity: Identity,
    post: ob.NewPost,
    script_post: sc.ScriptPost | None = None,
) -> web.Response:
    outbox = _outbox(request)

    async def mark(conn: aiosqlite.Connection, ids: list[int]) -> None:
        if script_post is not None and ids:
            await ps.mark_queued(conn, script_post, ids[0])

    items = await ob.enqueue(request.app[DB], event, [post], then=mark)
    if not items:
        raise Conflict("That post is in the thread's queue already.")
    for item in items:
        outbox.announce(item)
    outbox.wake()
    _changed(request, event)
    body = await state(request, event, identity)
    body["item"] = outbox.views(items)[0]
    return web.json_response(body, status=201)


def _new_post(request, event, identity, kind, key, text, media=()) -> ob.NewPost:
    return ob.NewPost(
        text=text,
        kind=kind,
        key=key,
        findings=tuple(screen_post(request.app[SCREEN], text)),
        created_by=identity.name,
        media=tuple(media),
    )


def _media(post: sc.ScriptPost) -> list[dict]:
    return [
        {"file_id": p.media_file_id, "alt": p.alt_text, "media_type": p.media_type}
        for p in post.photos
    ]


@routes.post(BASE + "/next")
async def post_next(request: web.Request) -> web.Response:
    """Queue the next scripted post, if it is signed off as it stands."""
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    proc = await _live(request, event)
    post = sc.next_script_post(list(proc.posts))
    if post is None:
        raise sc.NotReady("Every scripted post has been queued; the script is done.")
    sc.check_postable(post)
    new = _new_post(
        request, event, identity, "script", f"{event.id}:script:{post.id}", post.body, _media(post)
    )
    return await _queue(request, event, identity, new, post)


@routes.post(BASE + "/facts/{id}/post")
async def post_fact(request: web.Request) -> web.Response:
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    proc = await _live(request, event)
    post = proc.post(_int(request.match_info["id"]))
    if post.role != sc.FACT:
        raise web.HTTPNotFound(text="That is not a fact from the pool.")
    if post.outbox_id is not None:
        raise Conflict("That fact has been posted already.")
    sc.check_postable(post)
    new = _new_post(
        request, event, identity, "fact", f"{event.id}:fact:{post.id}", post.body, _media(post)
    )
    return await _queue(request, event, identity, new, post)


@routes.post(BASE + "/compose")
async def compose(request: web.Request) -> web.Response:
    """An unscripted post; a screening finding holds it for an override with a reason."""
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    await _live(request, event)
    data = await read_json_object(request)
    text = sc.check_text(data.get("text"), event.hashtag)
    text = sc.check_text(body(text, data.get("warning") is True), event.hashtag)
    key = f"{event.id}:unscripted:{secrets.token_hex(8)}"
    return await _queue(
        request, event, identity, _new_post(request, event, identity, "post", key, text)
    )


@routes.post(BASE + "/pause")
async def pause(request: web.Request) -> web.Response:
    """Post the signed holding statement and freeze everything else until resume."""
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    outbox = _outbox(request)
    proc = await _live(request, event)
    holding = proc.of_role(sc.HOLDING)
    if not holding:
        raise sc.NotReady("There is no holding statement to post.")
    sc.check_postable(holding[0])
    key = f"{event.id}:holding:{secrets.token_hex(8)}"
    item = await ob.freeze(
        request.app[DB],
        event,
        ob.NewPost(text=holding[0].body, kind=ob.HOLDING, key=key, created_by=identity.name),
        identity.name,
    )
    outbox.announce(item)
    outbox.wake()
    return await _reply(request, event, identity)


@routes.post(BASE + "/resume")
async def resume(request: web.Request) -> web.Response:
    event = await _procedure_event(request)
    identity = await require_role(request, event, COMMS)
    outbox = _outbox(request)
    await ob.unfreeze(request.app[DB], event, identity.name)
    outbox.wake()
    return await _reply(request, event, identity)


# -- the overlay's in-room screen ---------------------------------------------------------


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
