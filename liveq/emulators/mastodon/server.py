"""A local Mastodon API emulator over HTTPS, for the tests, the demo and rehearsals.

It implements what liveq uses, with Mastodon's own shapes: bearer-token auth
(401 ``{"error": "The access token is invalid"}``), ``GET /api/v2/instance``
(the character limit, 23 per URL), ``POST /api/v1/statuses`` with
``in_reply_to_id``, ``visibility``, ``media_ids`` and the ``Idempotency-Key``
header (the same key returns the same status), 422 over the limit,
``GET /api/v1/statuses/:id``, ``GET /api/v1/timelines/tag/:tag`` (newest
first, ``since_id``/``max_id``/``min_id``/``limit``, a ``Link`` header),
``POST /api/v2/media`` with a description, and ``X-RateLimit-*`` headers
(the reset as ISO 8601) on every answer.

Faults (``POST /_emulator/faults``): ``rate_limit`` (429 with a reset),
``server_error`` (503), ``forbidden`` (403, as for a
suspended account), ``commit_then_drop`` (the status is created, the
connection closed before the answer) and ``slow``. The ``/_emulator/``
controls have no auth: keep the emulator on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from aiohttp import web

from liveq.emulators.common import (
    RunningEmulator,
    fault_switch,
    remember_transport,
    serve_https,
)
from liveq.emulators.mastodon.state import FAULT_KINDS, MastodonState, Status
from liveq.networks.tls import EmulatorCA
from liveq.tweettext.mastodon import mastodon_length

STATE = web.AppKey("mastodon_state", MastodonState)
PREFIX = "/_emulator"
_HASHTAG = re.compile(r"(?<![\w/])#(\w+)")


def _iso(epoch: float) -> str:
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def status_view(state: MastodonState, s: Status, base_url: str) -> dict[str, Any]:
    reblog = state.statuses.get(s.reblog_of) if s.reblog_of else None
    paragraphs = "".join(
        f"<p>{escape(p).replace(chr(10), '<br />')}</p>" for p in s.text.split("\n\n")
    )
    return {
        "id": s.id,
        "created_at": _iso(s.created_at),
        "in_reply_to_id": s.in_reply_to_id,
        "in_reply_to_account_id": (
            state.statuses[s.in_reply_to_id].account.id
            if s.in_reply_to_id in state.statuses
            else None
        ),
        "sensitive": False,
        "spoiler_text": "",
        "visibility": s.visibility,
        "language": "en",
        "uri": f"{base_url}/users/{s.account.username}/statuses/{s.id}",
        "url": f"{base_url}/@{s.account.username}/{s.id}",
        "content": "" if reblog else paragraphs,
        "reblog": status_view(state, reblog, base_url) if reblog else None,
        "account": {
            "id": s.account.id,
            "username": s.account.username,
            "acct": s.account.acct,
            "display_name": s.account.username,
            "url": f"{base_url}/@{s.account.username}",
        },
        "media_attachments": list(s.media),
        "mentions": [],
        "tags": [{"name": t, "url": f"{base_url}/tags/{t}"} for t in s.tags],
        "emojis": [],
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
    }


@web.middleware
async def _mastodon(request: web.Request, handler) -> web.StreamResponse:
    """Auth, faults and rate-limit headers, the way Mastodon does them."""
    if request.path.startswith(PREFIX):
        return await handler(request)
    state = request.app[STATE]
    remember_transport(request)
    remaining, reset = state.spend()
    headers = {
        "X-RateLimit-Limit": str(state.rate_limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": _iso(reset),
    }
    auth = request.headers.get("Authorization", "")
    public = request.path.startswith(("/api/v1/instance", "/api/v2/instance"))  # no token needed
    if auth != f"Bearer {state.token}" and not public:
        resp = _error(401, "The access token is invalid")
        resp.headers.update(headers)
        return resp
    route = request.match_info.route.resource
    endpoint = f"{request.method} {route.canonical if route else request.path}"
    endpoint = endpoint.replace("/{tag}", "").replace("/{id}", "")
    fault = state.take_fault(endpoint)
    if fault is not None and fault.kind == "rate_limit":
        reset_at = datetime.now(UTC).timestamp() + fault.reset_after
        resp = _error(429, "Too many requests")
        resp.headers.update(
            {**headers, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": _iso(reset_at)}
        )
        return resp
    if fault is not None and fault.kind == "forbidden":
        # What a suspended or limited account gets.
        resp = _error(403, "This action is not allowed")
        resp.headers.update(headers)
        return resp
    if fault is not None and fault.kind == "server_error":
        return web.Response(status=503, text="<html><body>503 Service Unavailable</body></html>")
    resp = await handler(request)
    if fault is not None and fault.kind == "slow":
        # An instance under load: the work is done, the answer comes late (a client
        # that gives up first never learns of the status it made).
        await asyncio.sleep(state.slow_seconds)
    if fault is not None and fault.kind == "commit_then_drop":
        # Done, and no answer at all: the connection is closed under the client.
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
    resp.headers.update(headers)
    return resp


def _base(request: web.Request) -> str:
    return f"https://{request.host}"


async def verify_credentials(request: web.Request) -> web.Response:
    a = request.app[STATE].account
    return web.json_response({"id": a.id, "username": a.username, "acct": a.acct})


async def instance_v2(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return web.json_response(
        {
            "domain": request.host,
            "title": "liveq Mastodon emulator",
            "version": "4.3.0",
            "api_versions": {"mastodon": 2},
            "configuration": {
                "statuses": {
                    "max_characters": state.max_characters,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": state.url_length,
                },
                "media_attachments": {"description_limit": 1500},
            },
        }
    )


async def instance_v1(request: web.Request) -> web.Response:
    """The older instance document; Mastodon.py reads the version from it before media."""
    state = request.app[STATE]
    return web.json_response(
        {
            "uri": request.host,
            "title": "liveq Mastodon emulator",
            "version": "4.3.0",
            "configuration": {"statuses": {"max_characters": state.max_characters}},
        }
    )


async def _form(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post()
    out: dict[str, Any] = {}
    for key in form:
        values = form.getall(key)
        out[key.removesuffix("[]")] = values if key.endswith("[]") else values[0]
    return out


async def post_status(request: web.Request) -> web.Response:
    state = request.app[STATE]
    key = request.headers.get("Idempotency-Key")
    if key and (state.account.id, key) in state.idempotency:
        # Mastodon answers a repeated key with the status the first request made.
        s = state.statuses[state.idempotency[(state.account.id, key)]]
        return web.json_response(status_view(state, s, _base(request)))
    body = await _form(request)
    text = str(body.get("status") or "")
    media_ids = body.get("media_ids") or []
    if not text.strip() and not media_ids:
        return _error(422, "Validation failed: Text can't be blank")
    if len(media_ids) > 4:
        return _error(422, "Validation failed: Media attachments maximum 4")
    if any(str(m) not in state.media for m in media_ids):
        return _error(422, "Validation failed: Media attachments are invalid")
    if mastodon_length(text, state.url_length) > state.max_characters:
        return _error(
            422, f"Validation failed: Text character limit of {state.max_characters} exceeded"
        )
    reply_to = body.get("in_reply_to_id") or None
    if reply_to is not None and str(reply_to) not in state.statuses:
        return _error(404, "Record not found")
    visibility = str(body.get("visibility") or "public")
    media = tuple(state.media.pop(str(m)) for m in media_ids if str(m) in state.media)
    s = state.add_status(
        state.account,
        text,
        in_reply_to_id=str(reply_to) if reply_to else None,
        visibility=visibility,
        tags=tuple(t.lower() for t in _HASHTAG.findall(text)),
        media=media,
    )
    if key:
        state.idempotency[(state.account.id, key)] = s.id
    return web.json_response(status_view(state, s, _base(request)))


async def post_media(request: web.Request) -> web.Response:
    state = request.app[STATE]
    form = await request.post()
    upload = form.get("file")
    if upload is None or not hasattr(upload, "file"):
        return _error(422, "Validation failed: File can't be blank")
    media_id = state.new_id()
    view = {
        "id": media_id,
        "type": "image",
        "url": f"{_base(request)}/media/{media_id}",
        "description": str(form.get("description") or "") or None,
    }
    state.media[media_id] = view
    # The bytes as received, so a test can see exactly what left liveq.
    state.media_files[media_id] = (upload.file.read(), upload.content_type)
    return web.json_response(view)


async def get_status(request: web.Request) -> web.Response:
    state = request.app[STATE]
    s = state.statuses.get(request.match_info["id"])
    if s is None:
        return _error(404, "Record not found")
    return web.json_response(status_view(state, s, _base(request)))


def _id_param(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    return int(raw) if raw and raw.isdigit() else None


async def tag_timeline(request: web.Request) -> web.Response:
    state = request.app[STATE]
    tag = request.match_info["tag"].lower()
    since, max_id, min_id = (_id_param(request, n) for n in ("since_id", "max_id", "min_id"))
    try:
        limit = max(1, min(40, int(request.query.get("limit", "20"))))
    except ValueError:
        return _error(422, "limit must be a number")
    chosen = [
        s
        for s in state.statuses.values()
        if s.visibility == "public"
        and tag in (s.tags or (state.statuses[s.reblog_of].tags if s.reblog_of else ()))
        and (since is None or int(s.id) > since)
        and (max_id is None or int(s.id) < max_id)
        and (min_id is None or int(s.id) > min_id)
    ]
    chosen.sort(key=lambda s: int(s.id), reverse=min_id is None)
    page = chosen[:limit]
    if min_id is not None:
        page.reverse()
    resp = web.json_response([status_view(state, s, _base(request)) for s in page])
    if page:
        url = f"{_base(request)}/api/v1/timelines/tag/{tag}?limit={limit}"
        resp.headers["Link"] = (
            f'<{url}&max_id={page[-1].id}>; rel="next", <{url}&min_id={page[0].id}>; rel="prev"'
        )
    return resp


# -- controls (tests, the demo's audience) ------------------------------------------------


async def control_post(request: web.Request) -> web.Response:
    """A status by someone in the audience: {"username", "text", "boost_of"?}."""
    state = request.app[STATE]
    body = await request.json()
    account = state.account_named(str(body.get("username") or "audience"))
    boost = body.get("boost_of")
    if boost:
        s = state.add_status(account, "", reblog_of=str(boost))
    else:
        text = str(body["text"])
        s = state.add_status(account, text, tags=tuple(t.lower() for t in _HASHTAG.findall(text)))
    return web.json_response(status_view(state, s, _base(request)), status=201)


async def control_statuses(request: web.Request) -> web.Response:
    state = request.app[STATE]
    ordered = sorted(state.statuses.values(), key=lambda s: int(s.id))
    return web.json_response([status_view(state, s, _base(request)) for s in ordered])


async def control_settings(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await request.json()
    for key in ("max_characters", "url_length", "slow_seconds", "rate_limit"):
        if key in body:
            setattr(state, key, type(getattr(state, key))(body[key]))
    return web.json_response({"ok": True})


def create_app(state: MastodonState) -> web.Application:
    app = web.Application(middlewares=[_mastodon])
    app[STATE] = state
    r = app.router
    r.add_get("/api/v1/accounts/verify_credentials", verify_credentials)
    r.add_get("/api/v1/instance", instance_v1)
    r.add_get("/api/v1/instance/", instance_v1)
    r.add_get("/api/v2/instance", instance_v2)
    r.add_get("/api/v2/instance/", instance_v2)  # Mastodon.py asks with the slash
    r.add_post("/api/v1/statuses", post_status)
    r.add_get("/api/v1/statuses/{id}", get_status)
    r.add_get("/api/v1/timelines/tag/{tag}", tag_timeline)
    r.add_post("/api/v2/media", post_media)
    r.add_post(f"{PREFIX}/statuses", control_post)
    r.add_get(f"{PREFIX}/statuses", control_statuses)
    r.add_post(
        f"{PREFIX}/faults",
        fault_switch(lambda app: app[STATE].faults, FAULT_KINDS, "POST /api/v1/statuses"),
    )
    r.add_post(f"{PREFIX}/settings", control_settings)
    return app


RunningMastodon = RunningEmulator[MastodonState]


async def serve_mastodon(
    host: str = "127.0.0.1",
    port: int = 0,
    state: MastodonState | None = None,
    *,
    ca: EmulatorCA | None = None,
    ca_file: str | Path | None = None,
) -> RunningMastodon:
    """Start the emulator on host:port (0: a free port) over HTTPS; its CA written to ca_file."""
    state = state or MastodonState()
    return await serve_https(
        create_app(state), state, "mastodon", host, port, ca=ca, ca_file=ca_file
    )
