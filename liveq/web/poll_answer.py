"""The audience's answer to the open poll: one per browser, the vote rules.

The same identity as a vote (the signed browser id, web/browser_id.py) and the
same limits (per browser and per address). A word-cloud answer is screened
like a question: anything found keeps it out of the cloud (it is stored, held,
for the moderators to see). No broadcast per answer: its count goes out with
the next coalesced poll_counts frame (liveq/hub.py).
"""

from __future__ import annotations

from aiohttp import web

from liveq.domain.polls import InvalidAnswer, PollNotOpen, answer_key
from liveq.errors import NotFound
from liveq.storage import polls
from liveq.web import browser_id, csrf, i18n
from liveq.web.audience import load_event
from liveq.web.client_ip import client_ip
from liveq.web.i18n import N_
from liveq.web.keys import CONFIG, DB, HUB, SCREEN, VOTE_LIMIT
from liveq.web.ratelimit import retry_after
from liveq.web.responses import error_response, parse_json

_EXPIRED = N_("This page has expired; reload it to answer.")
_NO_PASS = N_("Your browser's voting pass was missing or out of date; answer again.")
_TOO_FAST = N_("Too many answers from this browser or network; wait a moment.")
_NO_POLL = N_("There is no such poll open here.")
_NOT_OPEN = N_("This poll is not open for answers right now.")
_SEND_JSON = N_('Send your answer as JSON, e.g. {"value": 2}.')
_ANSWER_ERRORS = {
    "choose": N_("Choose one of the poll's options."),
    "rating": N_("Choose a rating from 1 to %(scale)s."),
    "words": N_("Type a word or a short phrase."),
    "words_long": N_(
        "Your answer is %(length)s characters long; a word cloud takes %(limit)s at most."
    ),
}


async def answer(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    event = await load_event(request)
    lang = i18n.choose(request, event.language)

    def refuse(status: int, message: str, headers: dict[str, str] | None = None, **values):
        return error_response(request, status, i18n.gettext(lang, message, **values), headers)

    if not csrf.check(request, config.server.secret, request.headers.get(csrf.HEADER)):
        return refuse(403, _EXPIRED)
    voter = browser_id.current(request, config.server.secret)
    if voter is None:
        # As for votes: a made-up or unsigned id never counts; a real browser gets one.
        browser_id.issue(request)
        resp = refuse(403, _NO_PASS)
        browser_id.set_cookie(request, resp, config.server.secret, event.slug)
        return resp
    ip = client_ip(request, config.server.trusted_proxies)
    wait = await request.app[VOTE_LIMIT].take(voter, ip)
    if wait:
        return refuse(429, _TOO_FAST, {"Retry-After": str(retry_after(wait))})
    try:
        poll_id = int(request.match_info["id"])
    except ValueError:
        return refuse(404, _NO_POLL)
    if request.content_type != "application/json":
        return refuse(415, _SEND_JSON)
    data = await parse_json(request)
    if not isinstance(data, dict):
        return refuse(400, _SEND_JSON)
    db = request.app[DB]
    try:
        poll = await polls.get_poll(db, event, poll_id, counts=False)
        if poll.status == "draft":
            raise NotFound("draft")
        key = answer_key(poll, data.get("value"))
    except NotFound:
        return refuse(404, _NO_POLL)
    except PollNotOpen:
        return refuse(409, _NOT_OPEN)
    except InvalidAnswer as exc:
        values = {k: i18n.number(lang, v) for k, v in exc.values.items()}  # type: ignore[arg-type]
        return refuse(400, _ANSWER_ERRORS[exc.reason], **values)
    findings: list[dict] = []
    value = None
    if poll.kind == "cloud":
        value = " ".join(str(data["value"]).split())
        findings = request.app[SCREEN](value)
    try:
        result = await polls.answer(
            db, event, poll.id, voter, key, held=bool(findings), findings=findings, value=value
        )
    except PollNotOpen:
        return refuse(409, _NOT_OPEN)
    except NotFound:
        return refuse(404, _NO_POLL)
    hub = request.app[HUB]
    if result.count is not None:
        hub.poll_counted(event.id, poll.id, key, result.count, poll.results_visible)
    elif findings and not result.repeat:
        # Held back: the moderators' view of the poll shows one more held answer.
        held = await polls.get_poll(db, event, poll.id)
        hub.publish(event.id, {"type": "poll", "poll": held.full()}, None)
    return web.json_response(
        {"poll": poll.id, "counted": result.count is not None, "repeat": result.repeat}
    )
