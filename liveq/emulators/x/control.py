"""The emulator's own HTTP controls under ``/_emulator/``, for other processes.

No auth: the emulator listens on 127.0.0.1 and holds nothing but fakes.

- ``GET  /_emulator/state``     switches, limits, faults, request counts, account
- ``POST /_emulator/settings``  ``{"reply_policy": bool, "self_replies_exempt": bool,
  "hang_seconds": n, "duplicate_window_seconds": n,
  "rate_limits": {"POST /2/tweets": {"limit": n, "window_seconds": n}}}``
- ``GET  /_emulator/tweets``    every stored post, oldest first
  (``?author=handle``, ``?include_deleted=1``), with media and alt text
- ``POST /_emulator/tweets``    inject an audience post: ``{"text", "author_username",
  "author_name"?, "created_at"?, "in_reply_to_tweet_id"?, "quote_tweet_id"?, "retweet_of"?}``
- ``GET|POST|DELETE /_emulator/faults``  list / add ``{"endpoint", "kind",
  "count"?, "reset_after"?}`` / clear
- ``POST /_emulator/reset``     forget everything but the account
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from liveq.emulators.x.keys import STATE_KEY
from liveq.emulators.x.render import iso, user_json
from liveq.emulators.x.state import EmulatorState, FaultKind, StoredTweet

PREFIX = "/_emulator"


def _error(status: int, detail: str) -> web.Response:
    return web.json_response(
        {"title": "Bad Request", "detail": detail, "status": status}, status=status
    )


async def _body(request: web.Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(
            text='{"detail": "body must be JSON"}', content_type="application/json"
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text='{"detail": "body must be a JSON object"}', content_type="application/json"
        )
    return body


def tweet_view(tweet: StoredTweet, state: EmulatorState) -> dict[str, Any]:
    """A post with everything a test or the demo wants to see at once."""
    author = state.users.get(tweet.author_id)
    return {
        "id": tweet.id,
        "text": tweet.text,
        "author_id": tweet.author_id,
        "author_username": author.username if author else None,
        "author_name": author.name if author else None,
        "created_at": iso(tweet.created_at),
        "conversation_id": tweet.conversation_id,
        "in_reply_to_tweet_id": tweet.in_reply_to_tweet_id,
        "quote_tweet_id": tweet.quote_tweet_id,
        "retweet_of": tweet.retweeted_tweet_id,
        "deleted": tweet.deleted,
        "injected": tweet.injected,
        "media": [
            {"id": m.id, "media_key": m.media_key, "type": m.type, "alt_text": m.alt_text}
            for m in state.media_of(tweet.id)
        ],
    }


def state_view(state: EmulatorState) -> dict[str, Any]:
    return {
        "account": user_json(state.account),
        "reply_policy": state.reply_policy,
        "self_replies_exempt": state.self_replies_exempt,
        "quote_policy": state.quote_policy,
        "hang_seconds": state.hang_seconds,
        "duplicate_window_seconds": state.duplicate_window.total_seconds(),
        "rate_limits": {
            k: {"limit": limit, "window_seconds": window}
            for k, (limit, window) in state.rate_limits.items()
        },
        "faults": [_fault_view(f) for f in state.faults],
        "request_counts": dict(state.request_counts),
        "tweet_count": len(state.tweets),
    }


def _fault_view(fault: Any) -> dict[str, Any]:
    return {
        "endpoint": fault.endpoint,
        "kind": str(fault.kind),
        "remaining": fault.remaining,
        "reset_after": fault.reset_after,
    }


async def get_state(request: web.Request) -> web.Response:
    return web.json_response(state_view(request.app[STATE_KEY]))


async def post_settings(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body = await _body(request)
    try:
        for name in ("reply_policy", "self_replies_exempt", "quote_policy"):
            if name in body:
                if not isinstance(body[name], bool):
                    return _error(400, f"{name} must be true or false")
                setattr(state, name, body[name])
        if "hang_seconds" in body:
            state.hang_seconds = float(body["hang_seconds"])
        if "duplicate_window_seconds" in body:
            state.duplicate_window = timedelta(seconds=float(body["duplicate_window_seconds"]))
        for endpoint, limit in (body.get("rate_limits") or {}).items():
            state.set_rate_limit(
                endpoint, int(limit["limit"]), float(limit.get("window_seconds", 900))
            )
    except (ValueError, TypeError, KeyError) as exc:
        return _error(400, str(exc))
    return web.json_response(state_view(state))


async def list_tweets(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    include_deleted = request.query.get("include_deleted", "") in ("1", "true", "yes")
    author = request.query.get("author")
    author_user = state.user_by_username(author) if author else None
    tweets = [
        t
        for t in sorted(state.tweets.values(), key=lambda t: int(t.id))
        if (include_deleted or not t.deleted)
        and (author is None or (author_user is not None and t.author_id == author_user.id))
    ]
    return web.json_response({"data": [tweet_view(t, state) for t in tweets]})


async def inject_tweet(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body = await _body(request)
    text, username = body.get("text"), body.get("author_username")
    if not isinstance(text, str) or not text or not isinstance(username, str) or not username:
        return _error(400, "text and author_username are required strings")
    created_at = None
    if body.get("created_at"):
        try:
            created_at = datetime.fromisoformat(str(body["created_at"]).replace("Z", "+00:00"))
        except ValueError:
            return _error(400, "created_at must be ISO 8601")
        if created_at.tzinfo is None:
            return _error(400, "created_at needs a time zone (e.g. ...Z)")
    tweet = state.inject_tweet(
        text,
        author_username=username.lstrip("@"),
        author_name=body.get("author_name"),
        created_at=created_at,
        in_reply_to_tweet_id=_opt_str(body.get("in_reply_to_tweet_id")),
        quote_tweet_id=_opt_str(body.get("quote_tweet_id")),
        retweet_of=_opt_str(body.get("retweet_of")),
    )
    return web.json_response({"data": tweet_view(tweet, state)}, status=201)


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


async def list_faults(request: web.Request) -> web.Response:
    return web.json_response({"data": [_fault_view(f) for f in request.app[STATE_KEY].faults]})


async def add_fault(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body = await _body(request)
    try:
        fault = state.fail_next(
            str(body["endpoint"]),
            FaultKind(body["kind"]),
            int(body.get("count", 1)),
            reset_after=float(body.get("reset_after", 60.0)),
        )
    except (KeyError, ValueError, TypeError) as exc:
        kinds = ", ".join(k.value for k in FaultKind)
        return _error(400, f"{exc}; kind is one of: {kinds}")
    return web.json_response({"data": _fault_view(fault)}, status=201)


async def clear_faults(request: web.Request) -> web.Response:
    request.app[STATE_KEY].clear_faults()
    return web.json_response({"data": []})


async def reset(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    state.reset()
    return web.json_response(state_view(state))


def add_control_routes(app: web.Application) -> None:
    r = app.router
    r.add_get(f"{PREFIX}/state", get_state)
    r.add_post(f"{PREFIX}/settings", post_settings)
    r.add_get(f"{PREFIX}/tweets", list_tweets)
    r.add_post(f"{PREFIX}/tweets", inject_tweet)
    r.add_get(f"{PREFIX}/faults", list_faults)
    r.add_post(f"{PREFIX}/faults", add_fault)
    r.add_delete(f"{PREFIX}/faults", clear_faults)
    r.add_post(f"{PREFIX}/reset", reset)
