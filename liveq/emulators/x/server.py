"""A local X API v2 emulator over real HTTPS, for tests, the demo and benchmarks.

What it does (enough of X for liveq's outbox and hashtag poller):

- ``POST /2/tweets`` (text, reply, quote, media), ``DELETE /2/tweets/:id``,
  ``GET /2/tweets/:id``, ``GET /2/tweets?ids=``, ``GET /2/users/me``;
- ``GET /2/tweets/search/recent`` with since_id/until_id, max_results
  (10-100), next_token, expansions and fields; newest first, no retweets;
- ``POST /2/media/upload`` (simple, multipart) and ``POST /2/media/metadata``
  (alt text);
- OAuth 1.0a HMAC-SHA1 (checked by oauthlib) for user context, bearer tokens
  for app-only reads; 401 otherwise, 403 for a bearer on a user-only endpoint;
- ``x-rate-limit-*`` headers on every API response, 429 past the limit;
- duplicate-content 403 (always on), the 2026 reply policy (a switch), and
  injected faults: see :meth:`EmulatorState.fail_next` and
  :mod:`liveq.emulators.x.control` for the ``/_emulator/`` HTTP controls.

Start one in-process with :func:`serve_emulator`; run one as a program (the
``liveq x-emulator`` command) with :func:`run_emulator`::

    running = await serve_emulator("127.0.0.1", 0, EmulatorState())
    async with create_x_client(running.credentials(), running.endpoint()) as x:
        await x.api.create_tweet(text="hello")
    running.state.fail_next("POST /2/tweets", FaultKind.COMMIT_THEN_HANG)
    await running.close()

The ``/_emulator/`` controls have no auth: keep the emulator on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

from aiohttp import web

from liveq.emulators.x.auth import Authenticator, Caller
from liveq.emulators.x.control import add_control_routes
from liveq.emulators.x.keys import AUTH_KEY, CLOSING_KEY, STATE_KEY
from liveq.emulators.x.query import QueryError, SearchDoc, parse_query
from liveq.emulators.x.rehearsal import rehearsal_instructions
from liveq.emulators.x.render import (
    EXPANSIONS,
    includes_for,
    invalid_request,
    not_found_error,
    problem,
    split_fields,
    tweet_json,
    user_json,
)
from liveq.emulators.x.state import (
    ENDPOINTS,
    RECENT_SEARCH_WINDOW,
    USER_CONTEXT_ONLY,
    EmulatorState,
    FaultKind,
    StoredTweet,
)
from liveq.networks.tls import EmulatorCA
from liveq.networks.x.client import XCredentials, XEndpoint
from liveq.tweettext.text import parse_tweet

__all__ = [
    "EmulatorState",
    "FaultKind",
    "RunningEmulator",
    "create_emulator_app",
    "run_emulator",
    "serve_emulator",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DUPLICATE_CONTENT = "You are not allowed to create a Tweet with duplicate content."
QUOTE_NOT_ALLOWED = "Quoting this post is not allowed for your account."
TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text "
    "length see https://github.com/twitter/twitter-text."
)
# The wording X used for conversation-restricted replies; the 2026 policy
# reuses it as far as anyone has reported.
REPLY_NOT_ALLOWED = (
    "Reply to this conversation is not allowed because you have not been mentioned "
    "or otherwise engaged by the author of the post you are replying to."
)
REPLY_TO_MISSING = "You attempted to reply to a Tweet that is deleted or not visible to you."
MEDIA_CATEGORIES = frozenset(
    {
        "tweet_image",
        "tweet_gif",
        "tweet_video",
        "amplify_video",
        "dm_image",
        "dm_gif",
        "dm_video",
        "subtitles",
    }
)
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_ALT_TEXT = 1000


def _json(payload: Any, status: int = 200) -> web.Response:
    return web.json_response(payload, status=status)


# -- the middleware: auth, rate limits, faults ------------------------------


def endpoint_key(request: web.Request) -> str | None:
    """``"METHOD /path/:id"`` for an API route, None for anything else."""
    resource = request.match_info.route.resource
    if resource is None:
        return None
    key = f"{request.method} {resource.canonical.replace('{id}', ':id')}"
    return key if key in ENDPOINTS else None


def _signed_uri(request: web.Request) -> str:
    # The URL exactly as the client signed it: https, its Host header (which
    # names api.twitter.com even though we listen on 127.0.0.1), raw path+query.
    return f"https://{request.host}{request.raw_path}"


async def _authenticate(request: web.Request) -> Caller | None:
    form_body = ""
    if request.content_type == "application/x-www-form-urlencoded" and request.can_read_body:
        form_body = await request.text()
    return request.app[AUTH_KEY].authenticate(
        method=request.method,
        uri=_signed_uri(request),
        headers=dict(request.headers),
        form_body=form_body,
    )


def _rate_headers(limit: int, remaining: int, reset_at: float) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(max(0, remaining)),
        "x-rate-limit-reset": str(int(reset_at)),
    }


async def _hang(request: web.Request) -> NoReturn:
    """Wait until the client gives up (the handler is cancelled), the
    emulator shuts down, or ``hang_seconds`` pass; then drop the connection."""
    state = request.app[STATE_KEY]
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(state.hang_seconds):
            await request.app[CLOSING_KEY].wait()
    _drop(request)


def _drop(request: web.Request) -> NoReturn:
    """Close the connection with no response at all."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    # There is nothing left to write to; ending the handler as cancelled is
    # what aiohttp does itself when a client goes away, so it stays quiet.
    raise asyncio.CancelledError


def _auth_refusal(caller: Caller | None) -> tuple[dict, int]:
    if caller is None:
        return problem(401, "Unauthorized", "Unauthorized"), 401
    detail = (
        "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint. "
        "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context]."
    )
    type_ = "https://api.twitter.com/2/problems/unsupported-authentication"
    return problem(403, "Unsupported Authentication", detail, type_), 403


@web.middleware
async def x_api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Everything X does before and around an endpoint, in X's order:
    authenticate, apply injected faults, count against the rate limit."""
    endpoint = endpoint_key(request)
    if endpoint is None:
        return await _json_errors(request, handler)
    state = request.app[STATE_KEY]
    state.request_counts[endpoint] += 1

    caller = await _authenticate(request)
    if caller is None or (caller.kind == "app" and endpoint in USER_CONTEXT_ONLY):
        # Refused before counting, but still with rate headers: clients read
        # them on every response.
        window = state.rate_window(endpoint, caller.identity if caller else "anonymous")
        resp = _json(*_auth_refusal(caller))
        resp.headers.update(
            _rate_headers(window.limit, window.limit - window.used, window.reset_at)
        )
        return resp

    window = state.rate_window(endpoint, caller.identity)
    fault = state.take_fault(endpoint)
    if fault is not None and fault.kind is FaultKind.RATE_LIMIT:
        headers = _rate_headers(window.limit, 0, time.time() + fault.reset_after)
        resp = _json(problem(429, "Too Many Requests", "Too Many Requests"), 429)
        resp.headers.update(headers)
        return resp
    if window.used >= window.limit:
        resp = _json(problem(429, "Too Many Requests", "Too Many Requests"), 429)
        resp.headers.update(_rate_headers(window.limit, 0, window.reset_at))
        return resp
    window.used += 1
    headers = _rate_headers(window.limit, window.limit - window.used, window.reset_at)

    if fault is not None and fault.kind is FaultKind.SERVER_ERROR:
        resp = _json(problem(500, "Internal Server Error", "Internal Server Error"), 500)
    elif fault is not None and fault.kind is FaultKind.SERVICE_UNAVAILABLE:
        resp = _json(problem(503, "Service Unavailable", "Service Unavailable"), 503)
    elif fault is not None and fault.kind is FaultKind.HANG:
        await _hang(request)
    else:
        if fault is not None and fault.kind is FaultKind.SLOW:
            # X under load: the request is served normally, only late.
            await asyncio.sleep(request.app[STATE_KEY].hang_seconds)
        resp = await _json_errors(request, handler)
        # The side effect has happened (the post is stored); now lose the answer.
        if fault is not None and fault.kind is FaultKind.COMMIT_THEN_HANG:
            await _hang(request)
        if fault is not None and fault.kind is FaultKind.COMMIT_THEN_DROP:
            _drop(request)
    resp.headers.update(headers)
    return resp


async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own 404/405 are text; X clients call ``.json()`` on errors."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _json(problem(exc.status, exc.reason, exc.reason), exc.status)


# -- request helpers ----------------------------------------------------------


class _BadRequest(Exception):
    def __init__(self, parameter: str, value: str, message: str) -> None:
        super().__init__(message)
        self.payload = invalid_request(parameter, value, message)


async def _json_body(request: web.Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise _BadRequest("body", "", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise _BadRequest("body", "", "The request body must be a JSON object.")
    return body


def _int_param(request: web.Request, name: str, *, low: int, high: int, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise _BadRequest(
            name, raw, f"The `{name}` query parameter value [{raw}] is not between {low} and {high}"
        )
    return int(raw)


def _id_param(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise _BadRequest(name, raw, f"The `{name}` query parameter value [{raw}] is not valid")
    return int(raw)


def _time_param(request: web.Request, name: str) -> datetime | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _BadRequest(name, raw, f"Invalid '{name}':'{raw}'.") from None


def _expansion_args(request: web.Request) -> dict[str, list[str]]:
    expansions = split_fields(request.query.get("expansions"))
    for name in expansions:
        if name not in EXPANSIONS:
            raise _BadRequest(
                "expansions",
                name,
                f"The `expansions` query parameter value [{name}] "
                f"is not one of {sorted(EXPANSIONS)}",
            )
    return {
        "expansions": expansions,
        "tweet_fields": split_fields(request.query.get("tweet.fields")),
        "user_fields": split_fields(request.query.get("user.fields")),
        "media_fields": split_fields(request.query.get("media.fields")),
    }


def _with_bad_request(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except _BadRequest as exc:
            return _json(exc.payload, 400)

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


def _forbidden(detail: str) -> web.Response:
    return _json(problem(403, "Forbidden", detail), 403)


# -- posts --------------------------------------------------------------------


async def create_tweet(request: web.Request) -> web.Response:
    """``POST /2/tweets``."""
    state = request.app[STATE_KEY]
    me = state.account_id
    body = await _json_body(request)
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise _BadRequest("text", str(text), "`text` must be a string.")
    reply = body.get("reply") or {}
    parent_id = str(reply.get("in_reply_to_tweet_id") or "") or None
    quote_id = str(body.get("quote_tweet_id") or "") or None
    media_ids = [str(m) for m in (body.get("media") or {}).get("media_ids") or []]
    if not text and not media_ids:
        raise _BadRequest("text", "", "Requires at least one of: text, media.media_ids.")
    if text and not parse_tweet(text).valid:
        # X counts by twitter-text's weighting (links 23, CJK and emoji 2), not characters.
        return _forbidden(TOO_LONG)

    if parent_id is not None:
        parent = state.live_tweet(parent_id)
        if parent is None:
            return _forbidden(REPLY_TO_MISSING)
        if state.reply_refused(me, parent):
            return _forbidden(REPLY_NOT_ALLOWED)
    if quote_id is not None and state.quote_policy:
        return _forbidden(QUOTE_NOT_ALLOWED)
    if quote_id is not None and state.live_tweet(quote_id) is None:
        raise _BadRequest(
            "quote_tweet_id", quote_id, "The quoted Tweet does not exist or was deleted."
        )
    if len(media_ids) > 4:
        raise _BadRequest("media.media_ids", ",".join(media_ids), "At most 4 media per post.")
    for mid in media_ids:
        media = state.media.get(mid)
        if media is None or media.owner_id != me:
            raise _BadRequest("media.media_ids", mid, "Your media IDs are invalid.")
    if text and state.find_duplicate(me, text) is not None:
        return _forbidden(DUPLICATE_CONTENT)

    tweet = state.store_tweet(
        text=text or "",
        author_id=me,
        in_reply_to_tweet_id=parent_id,
        quote_tweet_id=quote_id,
        media_ids=tuple(media_ids),
    )
    return _json({"data": tweet_json(tweet, state)}, 201)


async def delete_tweet(request: web.Request) -> web.Response:
    """``DELETE /2/tweets/:id``."""
    state = request.app[STATE_KEY]
    tweet = state.live_tweet(request.match_info["id"])
    if tweet is None:
        err = not_found_error("tweet", "id", request.match_info["id"])
        return _json(problem(404, err["title"], err["detail"], err["type"]), 404)
    if tweet.author_id != state.account_id:
        return _forbidden("You are not allowed to delete a Tweet you did not author.")
    tweet.deleted = True
    return _json({"data": {"deleted": True}})


async def get_tweet(request: web.Request) -> web.Response:
    """``GET /2/tweets/:id``: X answers a missing post with 200 and ``errors``."""
    state = request.app[STATE_KEY]
    args = _expansion_args(request)
    tweet = state.live_tweet(request.match_info["id"])
    if tweet is None:
        return _json({"errors": [not_found_error("tweet", "id", request.match_info["id"])]})
    return _json(_tweets_payload([tweet], state, args, single=True))


async def get_tweets(request: web.Request) -> web.Response:
    """``GET /2/tweets?ids=``."""
    state = request.app[STATE_KEY]
    args = _expansion_args(request)
    ids = split_fields(request.query.get("ids"))
    if not ids or len(ids) > 100:
        raise _BadRequest(
            "ids", request.query.get("ids", ""), "`ids` needs 1 to 100 comma-separated ids."
        )
    found = [t for i in ids if (t := state.live_tweet(i)) is not None]
    payload = _tweets_payload(found, state, args) if found else {}
    missing = [not_found_error("tweet", "ids", i) for i in ids if state.live_tweet(i) is None]
    if missing:
        payload["errors"] = missing
    return _json(payload)


def _tweets_payload(
    tweets: list[StoredTweet],
    state: EmulatorState,
    args: dict[str, list[str]],
    *,
    single: bool = False,
) -> dict:
    data = [tweet_json(t, state, args["tweet_fields"]) for t in tweets]
    payload: dict[str, Any] = {"data": data[0] if single else data}
    includes = includes_for(tweets, state, **args)
    if includes:
        payload["includes"] = includes
    return payload


async def users_me(request: web.Request) -> web.Response:
    """``GET /2/users/me``."""
    state = request.app[STATE_KEY]
    return _json({"data": user_json(state.account, split_fields(request.query.get("user.fields")))})


# -- recent search --------------------------------------------------------------


def _encode_token(tweet_id: str) -> str:
    return base64.b32encode(f"liveq:{tweet_id}".encode()).decode().rstrip("=").lower()


def _decode_token(token: str) -> int:
    padded = token.upper() + "=" * (-len(token) % 8)
    try:
        prefix, _, value = base64.b32decode(padded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _BadRequest(
            "next_token", token, "The `next_token` query parameter value is invalid."
        ) from None
    if prefix != "liveq" or not value.isdigit():
        raise _BadRequest("next_token", token, "The `next_token` query parameter value is invalid.")
    return int(value)


def _search_doc(tweet: StoredTweet, state: EmulatorState) -> SearchDoc:
    author = state.users.get(tweet.author_id)
    replied_to = state.users.get(tweet.in_reply_to_user_id or "")
    return SearchDoc(
        text=tweet.text,
        author_username=author.username if author else "",
        in_reply_to_username=replied_to.username if replied_to else None,
        is_retweet=tweet.is_retweet,
        is_reply=tweet.in_reply_to_tweet_id is not None,
        is_quote=tweet.quote_tweet_id is not None,
        has_media=bool(tweet.media_ids),
    )


async def search_recent(request: web.Request) -> web.Response:
    """``GET /2/tweets/search/recent``: newest first, last 7 days, no retweets."""
    state = request.app[STATE_KEY]
    query = request.query.get("query")
    if query is None:
        raise _BadRequest("query", "", "The `query` query parameter can not be empty")
    try:
        matches_query = parse_query(query)
    except QueryError as exc:
        raise _BadRequest(
            "query", query, f"There were errors processing your request: {exc}"
        ) from None
    max_results = _int_param(request, "max_results", low=10, high=100, default=10)
    since_id = _id_param(request, "since_id")
    until_id = _id_param(request, "until_id")
    start_time = _time_param(request, "start_time")
    end_time = _time_param(request, "end_time")
    token = request.query.get("next_token") or request.query.get("pagination_token")
    cursor = _decode_token(token) if token else None
    args = _expansion_args(request)

    oldest_allowed = state.now() - RECENT_SEARCH_WINDOW
    hits = []
    for tweet in sorted(state.tweets.values(), key=lambda t: int(t.id), reverse=True):
        tid = int(tweet.id)
        if (
            tweet.deleted
            # Since 2026 recent search never returns retweets, whatever the query.
            or tweet.is_retweet
            or tweet.created_at < oldest_allowed
            or (since_id is not None and tid <= since_id)
            or (until_id is not None and tid >= until_id)
            or (cursor is not None and tid >= cursor)
            or (start_time is not None and tweet.created_at < start_time)
            or (end_time is not None and tweet.created_at >= end_time)
        ):
            continue
        if matches_query(_search_doc(tweet, state)):
            hits.append(tweet)
            if len(hits) > max_results:
                break

    page, more = hits[:max_results], len(hits) > max_results
    if not page:
        return _json({"meta": {"result_count": 0}})
    payload = _tweets_payload(page, state, args)
    meta: dict[str, Any] = {
        "newest_id": page[0].id,
        "oldest_id": page[-1].id,
        "result_count": len(page),
    }
    if more:
        meta["next_token"] = _encode_token(page[-1].id)
    payload["meta"] = meta
    return _json(payload)


# -- media ----------------------------------------------------------------------


async def media_upload(request: web.Request) -> web.Response:
    """``POST /2/media/upload``, simple (one-shot) multipart upload."""
    state = request.app[STATE_KEY]
    if not request.content_type.startswith("multipart/"):
        raise _BadRequest("media", "", "Send the media as multipart/form-data.")
    form = await request.post()
    if "command" in form:
        raise _BadRequest("command", str(form["command"]), "The emulator only does simple uploads.")
    field = form.get("media")
    if not isinstance(field, web.FileField):
        raise _BadRequest("media", "", "The `media` part is missing.")
    data = field.file.read()
    media_type = str(form.get("media_type") or field.content_type or "application/octet-stream")
    category = str(form.get("media_category") or "tweet_image")
    if category not in MEDIA_CATEGORIES:
        raise _BadRequest("media_category", category, f"Unknown media_category [{category}].")
    if not data:
        raise _BadRequest("media", "", "The `media` part is empty.")
    if media_type.startswith("image/") and len(data) > MAX_IMAGE_BYTES:
        raise _BadRequest("media", str(len(data)), "Images must be at most 5 MB.")
    media = state.store_media(
        owner_id=state.account_id,
        media_type=media_type,
        media_category=category,
        size=len(data),
        data=data,
    )
    return _json(
        {
            "data": {
                "id": media.id,
                "media_key": media.media_key,
                "size": media.size,
                "expires_after_secs": 86400,
            }
        }
    )


async def media_metadata(request: web.Request) -> web.Response:
    """``POST /2/media/metadata``: only ``alt_text`` is kept."""
    state = request.app[STATE_KEY]
    body = await _json_body(request)
    mid = str(body.get("id") or "")
    media = state.media.get(mid)
    if media is None or media.owner_id != state.account_id:
        raise _BadRequest("id", mid, "Your media IDs are invalid.")
    alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
    if alt is not None:
        if not isinstance(alt, str) or len(alt) > MAX_ALT_TEXT:
            raise _BadRequest(
                "metadata.alt_text.text", str(alt)[:40], "Alt text must be at most 1000 characters."
            )
        media.alt_text = alt
    associated = {"alt_text": {"text": media.alt_text}} if media.alt_text is not None else {}
    return _json({"data": {"id": media.id, "associated_metadata": associated}})


# -- the app ---------------------------------------------------------------------


def create_emulator_app(state: EmulatorState | None = None) -> web.Application:
    """The emulator as an aiohttp app; serve it over TLS (see :func:`serve_emulator`)."""
    state = state or EmulatorState()
    app = web.Application(middlewares=[x_api_middleware], client_max_size=16 * 1024 * 1024)
    app[STATE_KEY] = state
    app[AUTH_KEY] = Authenticator(state)
    app[CLOSING_KEY] = asyncio.Event()

    async def release_hanging(app: web.Application) -> None:
        app[CLOSING_KEY].set()

    app.on_shutdown.append(release_hanging)
    # search/recent before {id}: aiohttp matches in registration order.
    routes = [
        ("POST", "/2/tweets", create_tweet),
        ("GET", "/2/tweets/search/recent", search_recent),
        ("GET", "/2/tweets", get_tweets),
        ("GET", r"/2/tweets/{id:\d+}", get_tweet),
        ("DELETE", r"/2/tweets/{id:\d+}", delete_tweet),
        ("GET", "/2/users/me", users_me),
        ("POST", "/2/media/upload", media_upload),
        ("POST", "/2/media/metadata", media_metadata),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, _with_bad_request(handler))
    add_control_routes(app)
    return app


@dataclass
class RunningEmulator:
    """A served emulator: where it is and how to reach it."""

    host: str
    port: int
    state: EmulatorState
    ca: EmulatorCA
    ca_file: Path
    runner: web.AppRunner

    @property
    def base_url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def endpoint(self, *, timeout: float = 30.0) -> XEndpoint:
        """An :class:`XEndpoint` pinning X's hostnames to this emulator."""
        return XEndpoint(
            emulator_port=self.port, ca_file=self.ca_file, emulator_host=self.host, timeout=timeout
        )

    def credentials(self) -> XCredentials:
        return self.state.credentials()

    async def close(self) -> None:
        await self.runner.cleanup()


async def serve_emulator(
    host: str = "127.0.0.1",
    port: int = 0,
    state: EmulatorState | None = None,
    *,
    ca: EmulatorCA | None = None,
    ca_file: str | Path | None = None,
) -> RunningEmulator:
    """Start the emulator on ``host:port`` (0 = a free port) over HTTPS.

    ``ca`` defaults to a fresh :class:`EmulatorCA`; its PEM is written to
    ``ca_file`` (default: a file in the system temp dir named after the port)
    so other processes can trust it. Close with ``await running.close()``.
    """
    state = state or EmulatorState()
    ca = ca or EmulatorCA()
    # handler_cancellation: a client that times out cancels its hanging request.
    runner = web.AppRunner(
        create_emulator_app(state), handler_cancellation=True, shutdown_timeout=1.0, access_log=None
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=ca.server_ssl_context())
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    actual_port = runner.addresses[0][1]
    if ca_file is None:
        ca_file = Path(tempfile.gettempdir()) / f"liveq-x-emulator-{actual_port}-ca.pem"
    written = ca.write_ca_pem(ca_file)
    return RunningEmulator(
        host=host, port=actual_port, state=state, ca=ca, ca_file=written, runner=runner
    )


async def run_emulator(
    host: str = "127.0.0.1",
    port: int = 8443,
    state: EmulatorState | None = None,
    *,
    ca_file: str | Path | None = None,
    out: TextIO | None = None,
) -> None:
    """Serve the emulator until cancelled (Ctrl-C), for ``liveq x-emulator``.

    Prints the base URL, where the CA PEM was written, the fake account, and the
    export lines and [x] table that point liveq at it.
    """
    out = out or sys.stdout
    running = await serve_emulator(host, port, state, ca_file=ca_file)
    try:
        text = rehearsal_instructions(
            running.base_url,
            running.port,
            running.state.account.username,
            running.ca_file,
            running.credentials(),
        )
        print(text, file=out, flush=True)
        await asyncio.Event().wait()
    finally:
        await running.close()
