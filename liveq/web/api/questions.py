"""The JSON API under /api/v1/: everything the console does, for scripts and Stream Decks."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web

from liveq.domain.branding import check_brand_colour
from liveq.domain.events import (
    KINDS,
    MODERATION_MODES,
    Event,
    check_hashtag,
    check_networks,
    check_schedule,
    check_slug,
)
from liveq.domain.questions import ACTIONS, Question, Status, clean_text
from liveq.domain.queue import SOURCES, Search
from liveq.screening import KINDS as FINDING_KINDS
from liveq.screening.review import FIELDS
from liveq.screening.rules import ScreeningRules
from liveq.storage import store
from liveq.web.audience import load_event
from liveq.web.auth import require_admin, require_moderator
from liveq.web.i18n import check_language
from liveq.web.keys import CONFIG, DB, EVENTS, HUB, NETWORK_OUTBOXES, OUTBOX, SCREEN
from liveq.web.responses import read_json_object

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


def whole_number(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise web.HTTPBadRequest(text=f"{what} should be a whole number.")
    return value


def _moment(value: object, what: str) -> float | None:
    """A time as epoch seconds, or None (no limit); 400 for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e11:
        raise web.HTTPBadRequest(
            text=f"{what} should be a time in seconds since 1970 (e.g. 1767261600), or null."
        )
    return float(value)


def question_id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="There is no such question.") from None


async def _rules(app: web.Application, event: Event) -> ScreeningRules:
    """The rules edits and redactions are re-screened with: the ones ingest uses."""
    return await app[SCREEN].rules_for(app[DB], event)


def changed(app: web.Application, questions: list[Question]) -> None:
    """Tell consoles, overlays and the screening state about changed questions."""
    hub = app[HUB]
    screen = app[SCREEN]
    for question in questions:
        hub.question_changed(question)
        screen.question_changed(question)


def publish_answers(app: web.Application, event: Event, answered: list[Question]) -> None:
    """Typed answers to the audience pages of an event that shows them (never otherwise)."""
    answers = {str(q.id): q.answer for q in answered if q.answer}
    if answers:
        message = {"type": "answers", "answers": answers}
        app[HUB].publish(event.id, None, message)


async def _queue_answer(app: web.Application, event: Event, question: Question) -> None:
    """Queue the answer's posts before the moderator hears "done", and wake the outbox.

    Should this fail or liveq stop between the two commits, the outbox finds the
    answered question at its next pass (questions.answered_at): nothing is lost."""
    for network_outbox in app.get(NETWORK_OUTBOXES, {}).values():
        network_outbox.wake()  # each finds the answer by answered_at
    outbox = app.get(OUTBOX)
    if outbox is None:
        return
    try:
        await outbox.enqueue_answer(event, question)
    except Exception:
        log.exception("outbox: could not queue the answer to question %s now", question.id)
    outbox.wake()


def _kinds(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(k, str) for k in value):
        raise web.HTTPBadRequest(text='kinds should be a list of finding kinds, e.g. ["phone"].')
    unknown = sorted(set(value) - set(FINDING_KINDS))
    if unknown:
        raise web.HTTPBadRequest(
            text=f"Unknown kind {unknown[0]!r}; the kinds are {', '.join(FINDING_KINDS)}."
        )
    return tuple(value)


def _field(value: object) -> str | None:
    """Which field a redaction or override is about: the text or the asker's name."""
    if value is None:
        return None
    if isinstance(value, str) and value in FIELDS:
        return value
    raise web.HTTPBadRequest(text='field should be "text" or "name" (the asker\'s name).')


def _spans(value: object) -> tuple[dict, ...] | None:
    if value is None:
        return None
    message = (
        'spans should be a list like [{"start": 10, "end": 22, "kind": "phone"}] '
        '(add "field": "name" for a span of the asker\'s name).'
    )
    if not isinstance(value, list) or not value or len(value) > 100:
        raise web.HTTPBadRequest(text=message)
    out = []
    for span in value:
        if not isinstance(span, dict) or set(span) - {"start", "end", "kind", "field"}:
            raise web.HTTPBadRequest(text=message)
        start, end, kind = span.get("start"), span.get("end"), span.get("kind")
        if whole_number(start, "start") is None or whole_number(end, "end") is None:
            raise web.HTTPBadRequest(text=message)
        if kind is not None and not isinstance(kind, str):
            raise web.HTTPBadRequest(text=message)
        field = _field(span.get("field"))
        out.append(
            {
                "start": start,
                "end": end,
                **({"kind": kind} if kind else {}),
                **({"field": field} if field else {}),
            }
        )
    return tuple(out)


@routes.get("/api/v1/events")
async def list_events(request: web.Request) -> web.Response:
    """The events; with ?archived=1 the archived ones too."""
    await require_admin(request)
    archived = request.query.get("archived", "") in ("1", "true")
    events = await store.list_events(request.app[DB], archived=archived)
    return web.json_response({"events": [e.full() for e in events]})


@routes.post("/api/v1/events")
async def create_event(request: web.Request) -> web.Response:
    identity = await require_admin(request)
    data = await read_json_object(request)
    config = request.app[CONFIG]
    try:
        slug = check_slug(str(data.get("slug", "")))
        hashtag = check_hashtag(str(data.get("hashtag", "")))
        networks = check_networks(data.get("networks", []))
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    kind = data.get("kind", "webinar")
    moderation = data.get("moderation", config.events.moderation)
    if kind not in KINDS:
        raise web.HTTPBadRequest(text=f"kind should be one of {', '.join(KINDS)}.")
    if moderation not in MODERATION_MODES:
        raise web.HTTPBadRequest(text='moderation should be "pre" or "post".')
    title = clean_text(data.get("title", slug), what="title", max_chars=200)
    try:
        language = check_language(str(data.get("language", "")))
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    # Set just after the insert, in a second audited write (create_event takes the rest).
    later: dict[str, object] = {
        w: _moment(data[w], w) for w in ("opens_at", "closes_at") if data.get(w) is not None
    }
    try:
        check_schedule(later.get("opens_at"), later.get("closes_at"))  # type: ignore[arg-type]
        if data.get("brand_colour"):
            later["brand_colour"] = check_brand_colour(str(data["brand_colour"]))
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    event = await store.create_event(
        request.app[DB],
        slug,
        title,
        kind=kind,
        hashtag=hashtag,
        moderation=moderation,
        networks=networks,
        language=language,
        actor=identity.name,
    )
    if later:
        event = await store.update_event(request.app[DB], event, identity.name, **later)
    return web.json_response({"event": event.full()}, status=201)


@routes.get("/api/v1/events/{slug}")
async def get_event(request: web.Request) -> web.Response:
    event = await load_event(request)
    await require_moderator(request, event)
    return web.json_response({"event": event.full()})


@routes.patch("/api/v1/events/{slug}")
async def update_event(request: web.Request) -> web.Response:
    event = await load_event(request)
    identity = await require_moderator(request, event)
    data = await read_json_object(request)
    changes: dict[str, object] = {}
    if "moderation" in data:
        if data["moderation"] not in MODERATION_MODES:
            raise web.HTTPBadRequest(text='moderation should be "pre" or "post".')
        changes["moderation"] = data["moderation"]
    if "accepting" in data:
        if not isinstance(data["accepting"], bool):
            raise web.HTTPBadRequest(text="accepting should be true or false.")
        changes["accepting"] = int(data["accepting"])
    if "title" in data:
        changes["title"] = clean_text(data["title"], what="title", max_chars=200)
    if "hashtag" in data:
        try:
            changes["hashtag"] = check_hashtag(str(data["hashtag"]))
        except ValueError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
    if "networks" in data:
        try:
            changes["networks"] = check_networks(data["networks"])
        except ValueError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
    if "language" in data:
        try:
            changes["language"] = check_language(str(data["language"]))
        except ValueError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
    for option in ("require_name", "show_answers"):
        if option in data:
            if not isinstance(data[option], bool):
                raise web.HTTPBadRequest(text=f"{option} should be true or false.")
            changes[option] = int(data[option])
    if "brand_colour" in data:
        try:
            changes["brand_colour"] = check_brand_colour(str(data["brand_colour"] or ""))
        except ValueError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
    for when in ("opens_at", "closes_at"):
        if when in data:
            changes[when] = _moment(data[when], when)
    try:
        check_schedule(
            changes.get("opens_at", event.opens_at), changes.get("closes_at", event.closes_at)
        )
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    if not changes:
        raise web.HTTPBadRequest(
            text="Nothing to change: send moderation, accepting, title, hashtag, networks,"
            " language, require_name, show_answers, opens_at, closes_at or brand_colour."
        )
    event = await store.update_event(request.app[DB], event, identity.name, **changes)
    request.app[EVENTS].invalidate(event.slug)
    request.app[HUB].event_changed(event)
    if changes.get("show_answers"):
        answered = await store.list_questions(request.app[DB], event, [Status.ANSWERED])
        publish_answers(request.app, event, answered)
    return web.json_response({"event": event.full()})


@routes.get("/api/v1/events/{slug}/questions")
async def list_questions(request: web.Request) -> web.Response:
    event = await load_event(request)
    await require_moderator(request, event)
    statuses = []
    for name in filter(None, request.query.get("status", "").split(",")):
        try:
            statuses.append(Status(name))
        except ValueError:
            known = ", ".join(s.value for s in Status)
            raise web.HTTPBadRequest(text=f"Unknown status {name!r}; use {known}.") from None
    search = _search(request.query)
    questions = await store.list_questions(request.app[DB], event, statuses or None)
    return web.json_response({"questions": [q.full() for q in questions if search.matches(q)]})


def _search(query: Mapping[str, str]) -> Search:
    """?q= (text, name, handle or label), source=, kind=, starred=true|false, label=."""
    source = query.get("source", "")
    if source and source not in SOURCES:
        raise web.HTTPBadRequest(text=f"Unknown source {source!r}; use {', '.join(SOURCES)}.")
    kind = query.get("kind", "")
    if kind and kind not in FINDING_KINDS:
        raise web.HTTPBadRequest(text=f"Unknown finding kind {kind!r}.")
    starred = {"": None, "true": True, "false": False}.get(query.get("starred", ""), "?")
    if starred == "?":
        raise web.HTTPBadRequest(text="starred should be true or false.")
    return Search(
        text=query.get("q", "").strip()[:200],
        source=source,
        kind=kind,
        starred=starred,  # type: ignore[arg-type]
        label=query.get("label", "").strip()[:100],
    )


@routes.get("/api/v1/events/{slug}/questions/{id}")
async def get_question(request: web.Request) -> web.Response:
    event = await load_event(request)
    await require_moderator(request, event)
    question = await store.get_question(request.app[DB], event, question_id(request))
    return web.json_response({"question": question.full()})


@routes.post("/api/v1/events/{slug}/questions/{id}/{action}")
async def moderate(request: web.Request) -> web.Response:
    """approve, decline, on_air, off_air, answer, archive, edit, star, unstar, merge,
    redact (optional kinds or spans, optional field), override (reason required,
    optional kinds and field). field "name" acts on the asker's name."""
    event = await load_event(request)
    identity = await require_moderator(request, event)
    action = request.match_info["action"].replace("-", "_")
    if action not in ACTIONS:
        raise web.HTTPNotFound(
            text=f"Unknown action {action!r}; use one of {', '.join(sorted(ACTIONS))}."
        )
    data = await read_json_object(request)
    limits = request.app[CONFIG].limits
    text = None
    if action == "edit":
        text = clean_text(data.get("text"), what="question", max_chars=limits.max_question_chars)
    kinds = spans = field = None
    if action in ("redact", "override"):
        kinds = _kinds(data.get("kinds"))
        field = _field(data.get("field"))
    if action == "redact":
        spans = _spans(data.get("spans"))
        if kinds is not None and spans is not None:
            raise web.HTTPBadRequest(text="Send kinds or spans, not both.")
    reason = data.get("reason")
    if action == "override" and not (isinstance(reason, str) and reason.strip()):
        raise web.HTTPBadRequest(
            text='Say why you override the findings: {"reason": "..."} is required.'
        )
    moderation = store.Moderation(
        action=action,
        actor=identity.name,
        expected_version=whole_number(data.get("version"), "version"),
        text=text,
        reason=clean_text(data.get("reason"), what="reason", max_chars=500, required=False),
        answer=clean_text(
            data.get("answer"), what="answer", max_chars=limits.max_answer_chars, required=False
        ),
        into=whole_number(data.get("into"), "into"),
        rules=await _rules(request.app, event),
        kinds=kinds,
        spans=spans,
        field=field,
    )
    result = await store.moderate(request.app[DB], event, question_id(request), moderation)
    changed(request.app, result)
    if action == "answer":
        if event.show_answers:
            publish_answers(request.app, event, result[:1])
        await _queue_answer(request.app, event, result[0])
    return web.json_response(
        {"question": result[0].full(), "changed": [q.full() for q in result[1:]]}
    )


@routes.post("/api/v1/events/{slug}/on-air/next")
async def next_on_air(request: web.Request) -> web.Response:
    """Send the best approved question on air: starred first, then most votes, then oldest.

    One button on a Stream Deck runs a session this way.
    """
    event = await load_event(request)
    identity = await require_moderator(request, event)
    db = request.app[DB]
    approved = await store.list_questions(db, event, [Status.APPROVED])
    if not approved:
        raise web.HTTPConflict(text="There is no approved question waiting.")
    best = min(approved, key=lambda q: (not q.starred, -q.votes, q.created_at))
    result = await store.moderate(
        db, event, best.id, store.Moderation(action="on_air", actor=identity.name)
    )
    changed(request.app, result)
    return web.json_response({"question": result[0].full()})


@routes.get("/api/v1/events/{slug}/audit")
async def audit(request: web.Request) -> web.Response:
    event = await load_event(request)
    await require_moderator(request, event)
    return web.json_response({"audit": await store.audit_rows(request.app[DB], event)})
