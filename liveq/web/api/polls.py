"""Polls for moderators: prepare in draft, open and close live, show or hide results."""

from __future__ import annotations

from aiohttp import web

from liveq.domain.polls import ACTIONS, PollDraft, check_draft
from liveq.storage import polls
from liveq.web.audience import load_event
from liveq.web.auth import require_moderator
from liveq.web.keys import DB, HUB
from liveq.web.responses import read_json_object

routes = web.RouteTableDef()

MAX_REASON = 300  # characters: a sentence, as for any other override


def _poll_id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="There is no such poll.") from None


def _draft(data: dict) -> PollDraft:
    options = data.get("options", [])
    if not isinstance(options, list):
        raise web.HTTPBadRequest(text='Send the options as a list, e.g. ["Yes", "No"].')
    scale = data.get("scale", 0)
    if isinstance(scale, bool) or not isinstance(scale, int):
        raise web.HTTPBadRequest(text="A rating poll's scale should be a whole number, e.g. 5.")
    hide = data.get("hide_results", True)
    if not isinstance(hide, bool):
        raise web.HTTPBadRequest(text="hide_results should be true or false.")
    return check_draft(
        PollDraft(
            kind=str(data.get("kind", "")),
            question=data.get("question"),  # type: ignore[arg-type]  # checked as text
            options=tuple(options),
            scale=scale,
            hide_results=hide,
        )
    )


def _version(data: dict) -> int | None:
    version = data.get("version")
    if version is None:
        return None
    if isinstance(version, bool) or not isinstance(version, int):
        raise web.HTTPBadRequest(text="version should be a whole number.")
    return version


@routes.get("/api/v1/events/{slug}/polls")
async def list_polls(request: web.Request) -> web.Response:
    event = await load_event(request)
    await require_moderator(request, event)
    found = await polls.list_polls(request.app[DB], event)
    return web.json_response({"polls": [p.full() for p in found]})


@routes.post("/api/v1/events/{slug}/polls")
async def create_poll(request: web.Request) -> web.Response:
    """{"kind": "choice"|"rating"|"cloud", "question", "options" (choice), "scale" (rating,
    3-10, default 5), "hide_results" (default true: shown when a moderator says so)}."""
    event = await load_event(request)
    identity = await require_moderator(request, event)
    draft = _draft(await read_json_object(request))
    poll = await polls.create_poll(request.app[DB], event, draft, identity.name)
    request.app[HUB].poll_changed(poll)
    return web.json_response({"poll": poll.full()}, status=201)


@routes.patch("/api/v1/events/{slug}/polls/{id}")
async def update_poll(request: web.Request) -> web.Response:
    event = await load_event(request)
    identity = await require_moderator(request, event)
    data = await read_json_object(request)
    poll = await polls.update_poll(
        request.app[DB], event, _poll_id(request), _draft(data), identity.name, _version(data)
    )
    request.app[HUB].poll_changed(poll)
    return web.json_response({"poll": poll.full()})


@routes.delete("/api/v1/events/{slug}/polls/{id}")
async def delete_poll(request: web.Request) -> web.Response:
    event = await load_event(request)
    identity = await require_moderator(request, event)
    poll_id = _poll_id(request)
    await polls.delete_poll(request.app[DB], event, poll_id, identity.name)
    request.app[HUB].poll_removed(event.id, poll_id)
    return web.json_response({"deleted": poll_id})


@routes.get("/api/v1/events/{slug}/polls/{id}/held")
async def held(request: web.Request) -> web.Response:
    """A word cloud's answers that screening kept out of it, with the findings."""
    event = await load_event(request)
    await require_moderator(request, event)
    answers = await polls.held_answers(request.app[DB], event, _poll_id(request))
    return web.json_response({"held": answers})


@routes.post("/api/v1/events/{slug}/polls/{id}/held/{answer}/release")
async def release_held(request: web.Request) -> web.Response:
    """Count a word-cloud answer screening held back: {"reason": "why it identifies
    no one"} (its findings are overridden with the reason, in the audit log)."""
    event = await load_event(request)
    identity = await require_moderator(request, event)
    data = await read_json_object(request)
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise web.HTTPBadRequest(text="Say why this answer can be counted (a reason is required).")
    if len(reason) > MAX_REASON:
        raise web.HTTPBadRequest(text=f"The reason can be at most {MAX_REASON} characters.")
    try:
        answer_id = int(request.match_info["answer"])
    except ValueError:
        raise web.HTTPNotFound(text="There is no such held answer.") from None
    poll = await polls.release_held(
        request.app[DB], event, _poll_id(request), answer_id, identity.name, reason.strip()
    )
    request.app[HUB].poll_changed(poll)
    return web.json_response({"poll": poll.full()})


@routes.post("/api/v1/events/{slug}/polls/{id}/{action}")
async def act(request: web.Request) -> web.Response:
    """open (closes the poll that was open), close, show or hide (the results)."""
    event = await load_event(request)
    identity = await require_moderator(request, event)
    action = request.match_info["action"]
    if action not in ACTIONS:
        raise web.HTTPNotFound(
            text=f"Unknown poll action {action!r}; use one of {', '.join(sorted(ACTIONS))}."
        )
    data = await read_json_object(request)
    changed = await polls.act(
        request.app[DB], event, _poll_id(request), action, identity.name, _version(data)
    )
    hub = request.app[HUB]
    for poll in changed:
        hub.poll_changed(poll)
    return web.json_response(
        {"poll": changed[0].full(), "changed": [p.full() for p in changed[1:]]}
    )
