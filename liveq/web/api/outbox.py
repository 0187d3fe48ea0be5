"""The outbox over the JSON API: the live thread, and a moderator's hand on it."""

from __future__ import annotations

import secrets

from aiohttp import web

from liveq.domain.events import Event
from liveq.domain.procedure import script as sc
from liveq.domain.procedure.text import body
from liveq.domain.questions import clean_text
from liveq.storage import outbox as ob
from liveq.storage import procedure as ps
from liveq.tweettext.thread import split_post
from liveq.web.audience import load_event
from liveq.web.auth import require_moderator
from liveq.web.keys import DB, HUB, OUTBOX, SCREEN
from liveq.web.responses import read_json_object
from liveq.workers.outbox import Outbox, screen_post, screened_parts

routes = web.RouteTableDef()

# action -> the states it may start from
_ACTIONS = {
    "retry": (ob.FAILED,),
    "override": (ob.HELD,),
    "skip": (ob.QUEUED, ob.HELD, ob.FAILED),
    "edit": (ob.QUEUED, ob.HELD, ob.FAILED),
}


def _outbox(request: web.Request) -> Outbox:
    outbox = request.app.get(OUTBOX)
    if outbox is None:
        raise web.HTTPConflict(text="Posting to X is not enabled in this liveq's config ([x]).")
    return outbox


@routes.get("/api/v1/events/{slug}/outbox")
async def list_outbox(request: web.Request) -> web.Response:
    event = await load_event(request)
    await require_moderator(request, event)
    outbox = _outbox(request)
    items = await ob.list_items(request.app[DB], event.id)
    return web.json_response({"items": outbox.views(items)})


@routes.post("/api/v1/events/{slug}/outbox")
async def compose(request: web.Request) -> web.Response:
    """Queue a post written in the console (it joins the thread in order)."""
    event = await load_event(request)
    identity = await require_moderator(request, event)
    outbox = _outbox(request)
    data = await read_json_object(request)
    text = clean_text(data.get("text"), what="post", max_chars=2_000)
    db = request.app[DB]
    batch = secrets.token_hex(6)
    posts = [
        ob.NewPost(
            text=part,
            kind="post",
            key=f"{event.id}:post:{batch}:{i}",
            findings=findings,
            created_by=identity.name,
        )
        for i, (part, findings) in enumerate(screened_parts(request.app[SCREEN], split_post(text)))
    ]
    items = await ob.enqueue(db, event, posts)
    for item in items:
        outbox.announce(item)
    outbox.wake()
    return web.json_response({"items": outbox.views(items)}, status=201)


@routes.post("/api/v1/events/{slug}/outbox/{id}/{action}")
async def act(request: web.Request) -> web.Response:
    """retry a failed post, override a held one (with a reason), edit or skip one."""
    event = await load_event(request)
    identity = await require_moderator(request, event)
    outbox = _outbox(request)
    action = request.match_info["action"]
    if action not in _ACTIONS:
        raise web.HTTPNotFound(text=f"Unknown action {action!r}; use {', '.join(_ACTIONS)}.")
    try:
        item_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="There is no such post.") from None
    db = request.app[DB]
    item = await ob.get_item(db, event.id, item_id)
    if item.state not in _ACTIONS[action]:
        raise web.HTTPConflict(
            text=f"Post {item.seq} is {item.state}; “{action}” is not possible now."
        )
    data = await read_json_object(request)
    if action == "override" and item.scripted and not item.signed:
        raise web.HTTPConflict(
            text=f"Post {item.seq} is a scripted post changed after sign-off: an approver must"
            " sign its new text on the procedure page; it cannot be posted anyway (skip it"
            " instead)."
        )
    if action == "edit" and item.scripted:
        item = await _edit_scripted(request, event, identity.name, item, data.get("text"))
    elif action == "retry":
        item = await ob.update(db, item, identity.name, state=ob.QUEUED, error="", not_before=0)
    elif action == "override":
        reason = clean_text(data.get("reason"), what="reason", max_chars=500)
        item = await ob.update(
            db, item, identity.name, state=ob.QUEUED, error=f"Overridden: {reason}", findings=[]
        )
    elif action == "skip":
        item = await ob.update(db, item, identity.name, state=ob.SKIPPED)
    else:
        text = clean_text(data.get("text"), what="post", max_chars=2_000)
        if len(split_post(text)) > 1:
            raise web.HTTPBadRequest(text="The edited post is too long for one post on X.")
        findings = screen_post(request.app[SCREEN], text)
        item = await ob.update(
            db,
            item,
            identity.name,
            text=text,
            findings=findings,
            state=ob.HELD if findings else ob.QUEUED,
            error="",
            not_before=0,
        )
    outbox.announce(item)
    outbox.wake()
    return web.json_response({"item": outbox.views([item])[0]})


async def _edit_scripted(
    request: web.Request, event: Event, actor: str, item: ob.OutboxItem, typed: object
) -> ob.OutboxItem:
    """An edit of a signed script post is a new version of it: back to the approver."""
    db = request.app[DB]
    proc = await ps.load(db, event)
    post = proc.post(item.script_post_id) if item.script_post_id else None
    if post is None:
        raise web.HTTPConflict(text=f"Post {item.seq} has lost its script post; skip it.")
    text = sc.thread_edit_text(post, typed, event.hashtag)
    if body(text, post.warning) == item.text:
        return item
    findings = screen_post(request.app[SCREEN], body(text, post.warning))
    await ps.edit_in_thread(db, event, actor, item, post, text, findings)
    request.app[HUB].publish(event.id, {"type": "procedure_changed"}, None)
    return await ob.get_item(db, event.id, item.id)
