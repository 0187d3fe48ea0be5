"""X API v2 JSON shapes for the emulator: posts, users, media, errors.

Field names follow X's data dictionary: ``id``, ``text`` and
``edit_history_tweet_ids`` always; the rest only when asked for through
``tweet.fields`` / ``user.fields`` / ``media.fields`` and ``expansions``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from liveq.emulators.x.state import EmulatedUser, EmulatorState, StoredMedia, StoredTweet

TWEET_FIELDS = frozenset(
    {
        "created_at",
        "author_id",
        "conversation_id",
        "referenced_tweets",
        "in_reply_to_user_id",
        "attachments",
        "edit_history_tweet_ids",
        "lang",
        "public_metrics",
        "reply_settings",
        "source",
    }
)
USER_FIELDS = frozenset({"created_at", "description", "protected", "verified", "profile_image_url"})
MEDIA_FIELDS = frozenset({"alt_text", "type", "media_key"})
EXPANSIONS = frozenset(
    {"author_id", "referenced_tweets.id", "attachments.media_keys", "in_reply_to_user_id"}
)


def iso(dt: datetime) -> str:
    """X's timestamp format: ``2026-03-01T12:00:00.000Z``."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def split_fields(raw: str | None) -> list[str]:
    return [f for f in (raw or "").split(",") if f]


def tweet_json(tweet: StoredTweet, state: EmulatorState, fields: Iterable[str] = ()) -> dict:
    out: dict[str, Any] = {
        "id": tweet.id,
        "text": tweet.text,
        "edit_history_tweet_ids": [tweet.id],
    }
    for name in fields:
        if name == "created_at":
            out["created_at"] = iso(tweet.created_at)
        elif name == "author_id":
            out["author_id"] = tweet.author_id
        elif name == "conversation_id":
            out["conversation_id"] = tweet.conversation_id
        elif name == "referenced_tweets" and tweet.referenced_tweets:
            out["referenced_tweets"] = tweet.referenced_tweets
        elif name == "in_reply_to_user_id" and tweet.in_reply_to_user_id:
            out["in_reply_to_user_id"] = tweet.in_reply_to_user_id
        elif name == "attachments" and tweet.media_ids:
            keys = [state.media[m].media_key for m in tweet.media_ids if m in state.media]
            out["attachments"] = {"media_keys": keys}
        elif name == "lang":
            out["lang"] = "en"
        elif name == "public_metrics":
            out["public_metrics"] = {
                "retweet_count": 0,
                "reply_count": sum(
                    1 for t in state.tweets.values() if t.in_reply_to_tweet_id == tweet.id
                ),
                "like_count": 0,
                "quote_count": sum(
                    1 for t in state.tweets.values() if t.quote_tweet_id == tweet.id
                ),
            }
        elif name == "reply_settings":
            out["reply_settings"] = "everyone"
    return out


def user_json(user: EmulatedUser, fields: Iterable[str] = ()) -> dict:
    out: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
    for name in fields:
        if name == "created_at":
            out["created_at"] = iso(user.created_at)
        elif name == "description":
            out["description"] = user.description
        elif name == "protected":
            out["protected"] = user.protected
        elif name == "verified":
            out["verified"] = user.verified
        elif name == "profile_image_url":
            out["profile_image_url"] = (
                "https://pbs.twimg.com/profile_images/0/default_profile_normal.png"
            )
    return out


def media_json(media: StoredMedia, fields: Iterable[str] = ()) -> dict:
    out: dict[str, Any] = {"media_key": media.media_key, "type": media.type}
    if "alt_text" in fields and media.alt_text is not None:
        out["alt_text"] = media.alt_text
    return out


def includes_for(
    tweets: list[StoredTweet],
    state: EmulatorState,
    *,
    expansions: list[str],
    tweet_fields: list[str],
    user_fields: list[str],
    media_fields: list[str],
) -> dict:
    """The ``includes`` object for ``tweets`` under the requested expansions."""
    users: dict[str, EmulatedUser] = {}
    referenced: dict[str, StoredTweet] = {}
    media: dict[str, StoredMedia] = {}
    for tweet in tweets:
        if "author_id" in expansions and tweet.author_id in state.users:
            users[tweet.author_id] = state.users[tweet.author_id]
        if "in_reply_to_user_id" in expansions and tweet.in_reply_to_user_id in state.users:
            users[tweet.in_reply_to_user_id] = state.users[tweet.in_reply_to_user_id]
        if "referenced_tweets.id" in expansions:
            for ref in tweet.referenced_tweets:
                target = state.live_tweet(ref["id"])
                if target is not None:
                    referenced[target.id] = target
        if "attachments.media_keys" in expansions:
            for mid in tweet.media_ids:
                if mid in state.media:
                    media[mid] = state.media[mid]
    out: dict[str, Any] = {}
    if users:
        out["users"] = [user_json(u, user_fields) for u in users.values()]
    if referenced:
        out["tweets"] = [tweet_json(t, state, tweet_fields) for t in referenced.values()]
    if media:
        out["media"] = [media_json(m, media_fields) for m in media.values()]
    return out


# -- errors, in X's shapes ------------------------------------------------


def problem(status: int, title: str, detail: str, type_: str = "about:blank") -> dict:
    """X's problem shape: ``{"title", "detail", "type", "status"}``."""
    return {"title": title, "detail": detail, "type": type_, "status": status}


def invalid_request(parameter: str, value: str, message: str) -> dict:
    """X's 400 shape for a bad parameter."""
    return {
        "errors": [{"parameters": {parameter: [value]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


def not_found_error(resource_type: str, parameter: str, value: str) -> dict:
    """One entry of the ``errors`` array X returns (with HTTP 200) for a missing id."""
    return {
        "value": value,
        "detail": f"Could not find {resource_type} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }
