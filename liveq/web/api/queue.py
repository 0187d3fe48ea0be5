"""The console's queue tools: labels and notes per question, the export, and the
presenter's timer and backstage messages. Moderators only; every change audited."""

from __future__ import annotations

import time

from aiohttp import web

from liveq.after import export
from liveq.domain import queue
from liveq.domain.presenter import TIMER_ACTIONS
from liveq.domain.questions import clean_text
from liveq.storage import audit, presenter, store
from liveq.web.api.questions import changed, question_id, whole_number
from liveq.web.audience import load_event
from liveq.web.auth import require_moderator
from liveq.web.keys import DB, HUB, X_SETTINGS
from liveq.web.responses import read_json_object

routes = web.RouteTableDef()
MAX_MESSAGE_CHARS = 200


@routes.put("/api/v1/events/{slug}/questions/{id}/labels")
async def set_labels(request: web.Request) -> web.Response:
    """{"labels": ["Dr Lee", "vaccines"]}: replaces the question's labels ([] clears)."""
    return await _annotate(request, "labels", '{"labels": ["Dr Lee"]} ([] clears them)')


@routes.put("/api/v1/events/{slug}/questions/{id}/note")
async def set_note(request: web.Request) -> web.Response:
    """{"note": "..."}: the moderators' note on a question ("" clears). Never public."""
    return await _annotate(request, "note", '{"note": "asked twice before"} ("" clears it)')


async def _annotate(request: web.Request, field: str, example: str) -> web.Response:
    event = await load_event(request)
    identity = await require_moderator(request, event)
    data = await read_json_object(request)
    if field not in data:
        raise web.HTTPBadRequest(text=f"Send the {field}: {example}.")
    value = data[field]
    change = (
        {"labels": queue.clean_labels(value)}
        if field == "labels"
        else {"note": queue.clean_note(value)}
    )
    question = await store.annotate(
        request.app[DB],
        event,
        question_id(request),
        identity.name,
        expected_version=whole_number(data.get("version"), "version"),
        **change,  # type: ignore[arg-type]
    )
    changed(request.app, [question])
    return web.json_response({"question": question.full()})


@routes.get("/api/v1/events/{slug}/export")
async def export_event(request: web.Request) -> web.Response:
    """The same files as `liveq export`: ?format=json, or csv with ?what=questions|posts."""
    event = await load_event(request)
    await require_moderator(request, event)
    fmt = request.query.get("format", "json")
    what = request.query.get("what", "questions")
    if fmt not in ("json", "csv"):
        raise web.HTTPBadRequest(text='format should be "json" or "csv".')
    if what not in ("questions", "posts"):
        raise web.HTTPBadRequest(text='what should be "questions" or "posts".')
    db = request.app[DB]
    data = await export.load(db, event)
    post_url = request.app[X_SETTINGS].post_url
    if fmt == "json":
        verdict = await audit.verify_event(db, event.id)
        head = {"row": verdict.head_id, "hash": verdict.head_hash, "intact": verdict.ok}
        body, name, kind = export.to_json(data, post_url, head), f"{event.slug}.json", "json"
    else:
        rows = export.questions_csv(data) if what == "questions" else export.posts_csv(
            data, post_url
        )
        body, name, kind = rows, f"{event.slug}.{what}.csv", "csv"
    return web.Response(
        text=body,
        content_type="application/json" if kind == "json" else "text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@routes.put("/api/v1/events/{slug}/presenter/timer")
async def timer(request: web.Request) -> web.Response:
    """{"action": "set", "seconds": 600}, or start, pause, reset."""
    event = await load_event(request)
    identity = await require_moderator(request, event)
    data = await read_json_object(request)
    action = data.get("action")
    if action not in TIMER_ACTIONS:
        raise web.HTTPBadRequest(text=f"action should be one of {', '.join(TIMER_ACTIONS)}.")
    seconds = data.get("seconds")
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, int | float)
    ):
        raise web.HTTPBadRequest(text="seconds should be a number, e.g. 600 for ten minutes.")
    db = request.app[DB]
    await presenter.change_timer(db, event, action, identity.name, seconds)
    view = await presenter.get_timer(db, event)
    message = {"type": "timer", "timer": view.view(time.time())}
    # Moderators and the presenter view; never the audience or the program overlay.
    request.app[HUB].publish(event.id, message, None, message)
    return web.json_response(message)


@routes.post("/api/v1/events/{slug}/presenter/messages")
async def backstage(request: web.Request) -> web.Response:
    """{"text": "Two more questions"}: shown on the presenter view only."""
    event = await load_event(request)
    identity = await require_moderator(request, event)
    data = await read_json_object(request)
    text = clean_text(data.get("text"), what="message", max_chars=MAX_MESSAGE_CHARS)
    sent = await presenter.send_message(request.app[DB], event, text, identity.name)
    message = {"type": "backstage", "message": sent}
    request.app[HUB].publish(event.id, message, None, message)
    return web.json_response(message, status=201)
