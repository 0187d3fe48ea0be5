"""The audience side: the question form (works without JavaScript), thanks, votes."""

from __future__ import annotations

import hmac
import time

from aiohttp import web

from liveq.domain.events import Event
from liveq.domain.questions import InvalidText, Status, clean_text
from liveq.ingest.pipeline import ingest
from liveq.storage import store
from liveq.web import browser_id, csrf, i18n
from liveq.web.client_ip import client_ip
from liveq.web.i18n import N_
from liveq.web.keys import CONFIG, DB, EVENTS, HUB, QUESTION_LIMIT, SCREEN, VOTE_LIMIT
from liveq.web.ratelimit import retry_after
from liveq.web.responses import error_response, parse_json, render, see_other

_STATUS_WORDS = {
    Status.PENDING: N_("It is waiting for a moderator."),
    Status.APPROVED: N_("It has been approved and is in the queue."),
    Status.ON_AIR: N_("It is on air right now."),
    Status.ANSWERED: N_("It has been answered."),
}
# Only on the asker's own list (the thanks page never sees these states).
_NOT_SHOWN = N_("It will not be shown.")
_NAME_REQUIRED = N_("Please give your name: this event does not take anonymous questions.")

# The form's refusals, in the catalog; each is shown in the page's language.
_EXPIRED = N_("This form has expired; please send your question again.")
_CLOSED = N_("This event is not taking questions right now.")
_OPENS = N_("Questions open on %(time)s.")
_CLOSED_AT = N_("Questions closed on %(time)s.")
_TOO_FAST = N_("You are sending questions very fast; please wait %(seconds)s and try again.")
# What clean_text refused (InvalidText.reason, .what), said per field: other languages
# agree words with "question" and "name" differently.
_TEXT_ERRORS = {
    ("empty", "question"): N_("The question is empty; please type something."),
    ("not_text", "question"): N_("The question must be text."),
    ("not_text", "name"): N_("The name must be text."),
    ("control", "question"): N_(
        "The question contains invisible control characters; please type it again."
    ),
    ("control", "name"): N_(
        "The name contains invisible control characters; please type it again."
    ),
    ("too_long", "question"): N_(
        "The question is %(length)s characters long; the limit is %(limit)s."
    ),
    ("too_long", "name"): N_("The name is %(length)s characters long; the limit is %(limit)s."),
}
_NO_EVENT = N_("There is no event at this address; check the link.")


def _text_error(lang: str, exc: InvalidText) -> str:
    template = _TEXT_ERRORS.get((exc.reason, exc.what))
    if template is None:
        return str(exc)
    return i18n.gettext(
        lang, template, length=i18n.number(lang, exc.length), limit=i18n.number(lang, exc.limit)
    )


async def load_event(request: web.Request) -> Event:
    event = await request.app[EVENTS].get(request.match_info["slug"])
    if event is None:
        raise web.HTTPNotFound(text=_NO_EVENT)
    return event


def _form_page(
    request: web.Request,
    event: Event,
    *,
    error: str = "",
    text: str = "",
    name: str = "",
    status: int = 200,
    mine: list[dict] | None = None,
) -> web.Response:
    config = request.app[CONFIG]
    lang = i18n.choose(request, event.language)
    ctx = {
        "event": event,
        "csrf": csrf.token_for(request, config.server.secret),
        "error": error,
        "text": text,
        "name": name,
        "limits": config.limits,
        "mine": mine or [],
        "schedule_note": _schedule_note(lang, event),
    }
    resp = render(request, "audience.html", ctx, status=status, lang=lang)
    csrf.set_cookie(request, resp)
    # A missing, unsigned or forged id is replaced by a signed one.
    if browser_id.current(request, config.server.secret) is None:
        browser_id.issue(request)
    browser_id.set_cookie(request, resp, config.server.secret, event.slug)
    return resp


def _schedule_note(lang: str, event: Event) -> str:
    """"Questions open on …" before the event's opening time, "… closed on …" after its
    closing time; "" while it is open (or has no times)."""
    state = event.schedule_state(time.time())
    if state == "before":
        return i18n.gettext(lang, _OPENS, time=i18n.moment(lang, event.opens_at))
    if state == "after":
        return i18n.gettext(lang, _CLOSED_AT, time=i18n.moment(lang, event.closes_at))
    return ""


async def brand_css(request: web.Request) -> web.Response:
    """The event's accent colour as a stylesheet: the CSP allows no inline style, and the
    colour passed the contrast check (domain/branding.py) when it was set."""
    event = await load_event(request)
    css = f":root {{ --accent: {event.brand_colour}; }}\n" if event.brand_colour else ""
    return web.Response(
        text=css, content_type="text/css", headers={"Cache-Control": "max-age=60"}
    )


async def logo(request: web.Request) -> web.Response:
    """The event's logo: bytes liveq re-encoded itself, so their type is known."""
    event = await load_event(request)
    found = await store.get_logo(request.app[DB], event)
    if found is None:
        raise web.HTTPNotFound(text="This event has no logo.")
    data, media_type = found
    return web.Response(
        body=data,
        content_type=media_type,
        headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"},
    )


async def form_page(request: web.Request) -> web.Response:
    event = await load_event(request)
    return _form_page(request, event, mine=await _mine(request, event))


async def _mine(request: web.Request, event: Event) -> list[dict]:
    """This browser's own questions with their status in the page's language; [] for
    a browser without a signed id (nobody else's questions are ever listed)."""
    browser = browser_id.current(request, request.app[CONFIG].server.secret)
    if browser is None:
        return []
    lang = i18n.choose(request, event.language)
    out = []
    for q in await store.questions_asked_by(request.app[DB], event, browser):
        shown = q.status in _STATUS_WORDS
        out.append(
            {
                "id": q.id,
                "text": q.text,
                "lang": q.lang,
                "status": str(q.status) if shown else "not_shown",
                "status_text": i18n.gettext(lang, _STATUS_WORDS[q.status] if shown else _NOT_SHOWN),
                "answer": q.answer if event.show_answers and q.status is Status.ANSWERED else "",
            }
        )
    return out


async def my_questions(request: web.Request) -> web.Response:
    """GET /e/{slug}/mine: the asker's own questions and their status (the page refreshes)."""
    event = await load_event(request)
    return web.json_response({"questions": await _mine(request, event)})


async def _read_submission(request: web.Request) -> tuple[dict, bool]:
    """The submitted fields and whether they came as JSON; 4xx on anything else."""
    if request.content_type == "application/json":
        data = await parse_json(request)
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text='Send a JSON object such as {"text": "..."}.')
        return data, True
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        fields = {}
        for key, value in form.items():
            if not isinstance(value, str):
                raise web.HTTPBadRequest(text="Files cannot be attached to a question.")
            fields[key] = value
        return fields, False
    raise web.HTTPUnsupportedMediaType(
        text="Send the question from the form, or as JSON (Content-Type: application/json)."
    )


async def submit_question(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    event = await load_event(request)
    data, is_json = await _read_submission(request)
    raw_text = data.get("text", "")
    raw_name = data.get("name", "")

    lang = i18n.choose(request, event.language)

    def reject(status: int, message: str, headers: dict[str, str] | None = None):
        if is_json:
            return error_response(request, status, message, headers)
        resp = _form_page(
            request,
            event,
            error=message,
            text=raw_text if isinstance(raw_text, str) else "",
            name=raw_name if isinstance(raw_name, str) else "",
            status=status,
        )
        resp.headers.update(headers or {})
        return resp

    if not is_json and not csrf.check(request, config.server.secret, data.get(csrf.FIELD)):
        return reject(403, i18n.gettext(lang, _EXPIRED))
    if not event.accepting:
        return reject(409, i18n.gettext(lang, _CLOSED))
    said_when = _schedule_note(lang if not is_json else i18n.DEFAULT, event)
    if said_when:
        return reject(409, said_when)
    try:
        text = clean_text(raw_text, what="question", max_chars=config.limits.max_question_chars)
        name = clean_text(
            raw_name, what="name", max_chars=config.limits.max_name_chars, required=False
        )
    except InvalidText as exc:
        return reject(400, str(exc) if is_json else _text_error(lang, exc))
    if event.require_name and not name:
        return reject(400, i18n.gettext(i18n.DEFAULT if is_json else lang, _NAME_REQUIRED))
    # Checked after the text, so a typo does not use up a person's allowance.
    ip = client_ip(request, config.server.trusted_proxies)
    browser = browser_id.current(request, config.server.secret)
    limit = request.app[QUESTION_LIMIT]
    wait = await limit.take(browser and f"{event.id}:{browser}", f"{event.id}:{ip}")
    if wait:
        after = retry_after(wait)
        said = i18n.DEFAULT if is_json else lang
        return reject(
            429,
            i18n.gettext(said, _TOO_FAST, seconds=i18n.seconds(said, after)),
            {"Retry-After": str(after)},
        )
    question = await ingest(
        request.app[DB],
        request.app[HUB],
        event,
        store.NewQuestion(text=text, author=name, source="web", client_ip=ip, asker=browser or ""),
        request.app[SCREEN],
    )
    assert question is not None  # web questions have no source_id, so never a repeat
    if is_json:
        return web.json_response({"id": question.id, "status": str(question.status)}, status=201)
    location = f"/e/{event.slug}/thanks?q={question.id}"
    if browser is not None:
        # Proof that this browser asked it: the thanks page shows the status only then.
        location += f"&k={browser_id.question_proof(config.server.secret, browser, question.id)}"
    return see_other(location)


async def thanks_page(request: web.Request) -> web.Response:
    """Thanks, and the question's status: only for the browser that asked it."""
    event = await load_event(request)
    secret = request.app[CONFIG].server.secret
    browser = browser_id.current(request, secret)
    status_line = ""
    try:
        question_id = int(request.query["q"])
        proof = browser_id.question_proof(secret, browser, question_id) if browser else ""
        if proof and hmac.compare_digest(proof, request.query.get("k", "")):
            question = await store.get_question(request.app[DB], event, question_id)
            status_line = _STATUS_WORDS.get(question.status, "")
    except (KeyError, ValueError, OverflowError, store.NotFound):
        pass
    lang = i18n.choose(request, event.language)
    ctx = {"event": event, "status_line": i18n.gettext(lang, status_line) if status_line else ""}
    return render(request, "thanks.html", ctx, lang=lang)


async def vote(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    event = await load_event(request)
    if not csrf.check(request, config.server.secret, request.headers.get(csrf.HEADER)):
        raise web.HTTPForbidden(text="This page has expired; reload it to vote.")
    voter = browser_id.current(request, config.server.secret)
    if voter is None:
        # Made up, altered or from before ids were signed: it never counts. A real
        # browser gets a signed id with the refusal, so its next click counts.
        browser_id.issue(request)
        resp = error_response(
            request, 403, "Your browser's voting pass was missing or out of date; vote again."
        )
        browser_id.set_cookie(request, resp, config.server.secret, event.slug)
        return resp
    ip = client_ip(request, config.server.trusted_proxies)
    wait = await request.app[VOTE_LIMIT].take(voter, ip)
    if wait:
        raise web.HTTPTooManyRequests(
            text="Too many votes from this browser or network; wait a moment.",
            headers={"Retry-After": str(retry_after(wait))},
        )
    try:
        question_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="There is no such question.") from None
    votes = await store.vote(request.app[DB], event, question_id, voter)
    # No broadcast per vote: the count goes out with the next coalesced votes frame.
    request.app[HUB].vote_counted(event.id, question_id, votes)
    return web.json_response({"id": question_id, "votes": votes})
