"""The day: go live, post next, facts, unscripted posts, pause and resume."""

from __future__ import annotations

import secrets

import aiosqlite
from aiohttp import web

from liveq.domain.events import Event
from liveq.domain.procedure import script as sc
from liveq.domain.procedure.text import body
from liveq.storage import outbox as ob
from liveq.storage import procedure as ps
from liveq.storage.accounts import Identity
from liveq.storage.store import Conflict
from liveq.web.api.procedure.common import (
    BASE,
    COMMS,
    changed,
    number,
    outbox_of,
    procedure_event,
    reply,
    state,
)
from liveq.web.auth import require_role
from liveq.web.keys import DB, NETWORK_OUTBOXES, SCREEN
from liveq.web.responses import read_json_object
from liveq.workers.outbox import screen_post

routes = web.RouteTableDef()


def wake_networks(request: web.Request) -> None:
    """The other networks' outboxes look at the signed thread now (not at their next pass)."""
    for network_outbox in (request.app.get(NETWORK_OUTBOXES) or {}).values():
        network_outbox.wake()


@routes.post(BASE + "/live")
async def go_live(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    await ps.go_live(request.app[DB], event, identity.name)
    return await reply(request, event, identity)


async def live_procedure(request: web.Request, event: Event) -> ps.Procedure:
    proc = await ps.load(request.app[DB], event)
    if proc.live_at is None:
        raise sc.NotReady("The event is not live yet: complete the checklist and go live first.")
    return proc


async def queue(
    request: web.Request,
    event: Event,
    identity: Identity,
    post: ob.NewPost,
    script_post: sc.ScriptPost | None = None,
) -> web.Response:
    outbox = outbox_of(request)

    async def mark(conn: aiosqlite.Connection, ids: list[int]) -> None:
        if script_post is not None and ids:
            await ps.mark_queued(conn, script_post, ids[0])

    items = await ob.enqueue(request.app[DB], event, [post], then=mark)
    if not items:
        raise Conflict("That post is in the thread's queue already.")
    for item in items:
        outbox.announce(item)
    outbox.wake()
    wake_networks(request)
    changed(request, event)
    answer = await state(request, event, identity)
    answer["item"] = outbox.views(items)[0]
    return web.json_response(answer, status=201)


def new_post(request, event, identity, kind, key, text, media=(), signed=None) -> ob.NewPost:
    return ob.NewPost(
        text=text,
        kind=kind,
        key=key,
        findings=tuple(screen_post(request.app[SCREEN], text)),
        created_by=identity.name,
        media=tuple(media),
        signature=signature(signed) if signed is not None else None,
    )


def signature(post: sc.ScriptPost) -> ob.Signature:
    """The approver's sign-off of the post as it stands (checked signed before)."""
    return ob.Signature(post.id, post.version, post.signed_by, post.signed_at)


def media_of(post: sc.ScriptPost) -> list[dict]:
    return [
        {"file_id": p.media_file_id, "alt": p.alt_text, "media_type": p.media_type}
        for p in post.photos
    ]


@routes.post(BASE + "/next")
async def post_next(request: web.Request) -> web.Response:
    """Queue the next scripted post, if it is signed off as it stands."""
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    proc = await live_procedure(request, event)
    post = sc.next_script_post(list(proc.posts))
    if post is None:
        raise sc.NotReady("Every scripted post has been queued; the script is done.")
    sc.check_postable(post)
    key = f"{event.id}:script:{post.id}"
    new = new_post(request, event, identity, "script", key, post.body, media_of(post), post)
    return await queue(request, event, identity, new, post)


@routes.post(BASE + "/facts/{id}/post")
async def post_fact(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    proc = await live_procedure(request, event)
    post = proc.post(number(request.match_info["id"]))
    if post.role != sc.FACT:
        raise web.HTTPNotFound(text="That is not a fact from the pool.")
    if post.outbox_id is not None:
        raise Conflict("That fact has been posted already.")
    sc.check_postable(post)
    key = f"{event.id}:fact:{post.id}"
    new = new_post(request, event, identity, "fact", key, post.body, media_of(post), post)
    return await queue(request, event, identity, new, post)


@routes.post(BASE + "/compose")
async def compose(request: web.Request) -> web.Response:
    """An unscripted post; a screening finding holds it for an override with a reason."""
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    await live_procedure(request, event)
    data = await read_json_object(request)
    text = sc.check_text(data.get("text"), event.hashtag)
    text = sc.check_text(body(text, data.get("warning") is True), event.hashtag)
    key = f"{event.id}:unscripted:{secrets.token_hex(8)}"
    return await queue(
        request, event, identity, new_post(request, event, identity, "post", key, text)
    )


@routes.post(BASE + "/pause")
async def pause(request: web.Request) -> web.Response:
    """Post the signed holding statement and freeze everything else until resume."""
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    outbox = outbox_of(request)
    proc = await live_procedure(request, event)
    holding = proc.of_role(sc.HOLDING)
    if not holding:
        raise sc.NotReady("There is no holding statement to post.")
    sc.check_postable(holding[0])
    key = f"{event.id}:holding:{secrets.token_hex(8)}"
    db = request.app[DB]
    await ob.freeze(
        db,
        event,
        ob.NewPost(
            text=holding[0].body,
            kind=ob.HOLDING,
            key=key,
            # Screened again as it goes out (the rules may have changed since sign-off):
            # a finding holds it for a moderator, like every other outgoing post.
            findings=tuple(screen_post(request.app[SCREEN], holding[0].body)),
            created_by=identity.name,
            signature=signature(holding[0]),
        ),
        identity.name,
    )
    # The holding post took the place of the first waiting post, and those behind
    # it moved back by one: tell every console each one's new place.
    for item in await ob.list_items(db, event.id):
        if item.state not in (ob.POSTED, ob.SKIPPED):
            outbox.announce(item)
    outbox.wake()
    wake_networks(request)
    return await reply(request, event, identity)


@routes.post(BASE + "/resume")
async def resume(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS)
    outbox = outbox_of(request)
    await ob.unfreeze(request.app[DB], event, identity.name)
    outbox.wake()
    wake_networks(request)
    return await reply(request, event, identity)
