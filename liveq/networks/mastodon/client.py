"""Mastodon through Mastodon.py, unmodified.

Mastodon.py is synchronous (requests): each call runs in a thread. Its
``requests.Session`` is ours: for the local emulator it trusts only the
emulator's CA (``verify=ca_file``), so a client set up for rehearsal can never
reach a real instance by accident. Rate limits are thrown, not slept on
(``ratelimit_method="throw"``): the workers wait for the reset themselves.
Every post carries an ``Idempotency-Key`` chosen before the request and
stored on the outbox row, so sending it again after a crash or a timeout
returns the same status instead of a second one.
"""

from __future__ import annotations

import asyncio
import html
import io
import mimetypes
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
)

from liveq.networks.base import Image, Incoming, Posted, RateLimited, Refused, Unavailable
from liveq.networks.mastodon.settings import MastodonSettings
from liveq.tweettext.mastodon import split_for_mastodon

# Mastodon's defaults where an instance does not say (/api/v2/instance).
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_URL_LENGTH = 23
# Statuses per hashtag timeline page (Mastodon's maximum).
PAGE = 40


@dataclass(frozen=True)
class Limits:
    """The instance's status limits, read from /api/v2/instance."""

    max_characters: int = DEFAULT_MAX_CHARACTERS
    url_length: int = DEFAULT_URL_LENGTH
    max_media: int = 4


def make_api(settings: MastodonSettings, base: Path) -> Mastodon:
    """A Mastodon.py client on our own session (the emulator's CA, when set)."""
    session = requests.Session()
    ca = settings.ca_path(base)
    if ca is not None:
        session.verify = str(ca)
        # requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override session.verify
        # (psf/requests#3829) and would send the request through a proxy: with a
        # CA of our own, trust nothing from the environment.
        session.trust_env = False
    return Mastodon(
        access_token=settings.access_token,
        api_base_url=settings.instance_url,
        session=session,
        ratelimit_method="throw",
        request_timeout=float(settings.timeout_seconds),
        version_check_mode="none",
    )


_TAGS = re.compile(r"<[^>]+>")


def plain_text(content: str) -> str:
    """A status's HTML content as the text its author typed."""
    text = re.sub(r"<br\s*/?>", "\n", content)
    text = re.sub(r"</p>\s*<p>", "\n\n", text)
    return html.unescape(_TAGS.sub("", text)).strip()


def _epoch(value: Any) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    return None


class MastodonClient:
    """What liveq does on Mastodon: post a thread, read a hashtag."""

    name = "mastodon"

    def __init__(self, settings: MastodonSettings, base: Path) -> None:
        self.settings = settings
        self.api = make_api(settings, base)
        self._me: tuple[str, str] | None = None
        self._limits: Limits | None = None

    async def _call(self, fn, *args, **kwargs):
        """Run one Mastodon.py call in a thread; its errors as liveq's network errors."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except MastodonRatelimitError as exc:
            reset = self.api.ratelimit_reset or time.time() + 60.0
            when = time.strftime("%H:%M:%S", time.localtime(reset))
            raise RateLimited(
                f"Mastodon rate limit reached; waiting until {when}.", float(reset)
            ) from exc
        except (MastodonServerError, MastodonNetworkError) as exc:
            raise Unavailable(f"Mastodon did not answer ({type(exc).__name__}).") from exc
        except MastodonAPIError as exc:
            detail = exc.args[3] if len(exc.args) > 3 else str(exc)
            raise Refused(f"Mastodon refused: {detail}") from exc

    async def me(self) -> tuple[str, str]:
        """(account id, acct) of the account liveq posts as."""
        if self._me is None:
            account = await self._call(self.api.account_verify_credentials)
            self._me = (str(account["id"]), str(account["acct"]))
        return self._me

    async def limits(self) -> Limits:
        """The instance's character limit and URL length (read once)."""
        if self._limits is None:
            info = await self._call(self.api.instance_v2)
            statuses = ((info.get("configuration") or {}).get("statuses")) or {}
            self._limits = Limits(
                max_characters=int(statuses.get("max_characters") or DEFAULT_MAX_CHARACTERS),
                url_length=int(statuses.get("characters_reserved_per_url") or DEFAULT_URL_LENGTH),
                max_media=int(statuses.get("max_media_attachments") or 4),
            )
        return self._limits

    async def post(
        self,
        text: str,
        reply_to: str | None,
        key: str,
        root: str | None = None,
        retry: bool = False,
        media: Sequence[Image] = (),
    ) -> Posted:
        """Post one status; the same `key` never makes a second status (so a retry
        simply sends it again; `root` is Bluesky's business).

        Each image is uploaded with its description first. A retry uploads them
        again: an attachment no status uses is removed by the instance, and the
        repeated key still answers with the first status."""
        media_ids = []
        for image in media:
            attachment = await self._call(
                self.api.media_post,
                io.BytesIO(image.data),
                mime_type=image.media_type,
                description=image.alt or None,
                file_name="photo" + (mimetypes.guess_extension(image.media_type) or ""),
            )
            media_ids.append(attachment["id"])
        status = await self._call(
            self.api.status_post,
            text,
            in_reply_to_id=reply_to,
            media_ids=media_ids or None,
            visibility=self.settings.visibility,
            idempotency_key=key,
        )
        return Posted(id=str(status["id"]), url=str(status.get("url") or status.get("uri")))

    async def status(self, status_id: str) -> dict:
        return await self._call(self.api.status, status_id)

    async def hashtag_page(
        self, tag: str, since_id: str | None, max_id: str | None, limit: int = 40
    ) -> list[dict]:
        """One page of the hashtag timeline, newest first."""
        return list(
            await self._call(
                self.api.timeline_hashtag, tag, since_id=since_id, max_id=max_id, limit=limit
            )
            or []
        )

    @staticmethod
    def incoming(status: dict) -> Incoming:
        account = status.get("account") or {}
        return Incoming(
            id=str(status["id"]),
            text=plain_text(str(status.get("content") or "")),
            handle=str(account.get("acct") or ""),
            url=str(status.get("url") or status.get("uri") or ""),
            created_at=_epoch(status.get("created_at")),
        )

    async def hashtag_posts(
        self, tag: str, since_id: str | None
    ) -> tuple[list[Incoming], str | None]:
        """Every status newer than `since_id`, boosts left out; and the newest id seen.

        Pages go back with ``max_id`` until a page comes back short."""
        statuses: list[dict] = []
        max_id = None
        while True:
            page = await self.hashtag_page(tag, since_id, max_id, limit=PAGE)
            statuses.extend(page)
            if len(page) < PAGE:
                break
            max_id = str(page[-1]["id"])
        newest = max((str(s["id"]) for s in statuses), key=int, default=None)
        statuses.sort(key=lambda s: int(s["id"]))  # oldest first
        return [self.incoming(s) for s in statuses if not s.get("reblog")], newest

    async def split(self, text: str) -> list[str]:
        """`text` as the posts of a thread within the instance's character limit."""
        limits = await self.limits()
        return split_for_mastodon(text, limits.max_characters, limits.url_length)

    async def close(self) -> None:
        """Close the session's connections (Mastodon.py never closes a session it was given)."""
        self.api.session.close()
