"""The tweepy client factory: one aiohttp session, one tweepy ``AsyncClient``.

tweepy is used unmodified. We only hand it a session of our own through its
documented ``session`` attribute, because that is where the things tweepy
gets wrong for us live:

- a total timeout (tweepy's own session would use aiohttp's 300 s);
- for the local emulator, a resolver that pins X's hostnames to
  127.0.0.1:<port> and an SSL context trusting only the emulator's CA, so a
  test can never reach the real X;
- closing: tweepy never closes an injected session, so :class:`XClient` does.

tweepy 4.17 has no v2 media upload; :meth:`XClient.upload_media` does it over
the same session with oauthlib signing and raises tweepy's own exceptions.

Usage::

    async with create_x_client(creds, XEndpoint(emulator_port=port, ca_file=pem)) as x:
        resp = await x.api.create_tweet(text="hello")
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import tweepy.errors
from aiohttp.abc import AbstractResolver, ResolveResult
from oauthlib.oauth1 import Client as OAuth1Client
from tweepy.asynchronous import AsyncClient

from liveq.networks.tls import client_ssl_context_from_file

#: Hostnames pinned to the emulator (everything X-shaped we might call).
PINNED_HOSTS: tuple[str, ...] = ("api.twitter.com", "upload.twitter.com", "api.x.com")

#: Where v2 media upload lives (X's current docs use api.x.com).
MEDIA_BASE_URL = "https://api.x.com"

DEFAULT_TIMEOUT = 30.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class XCredentials:
    """The account's keys. Secrets are kept out of ``repr``."""

    consumer_key: str
    consumer_secret: str = field(repr=False)
    access_token: str
    access_token_secret: str = field(repr=False)
    bearer_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class XEndpoint:
    """Where to send requests.

    ``emulator_port=None`` means the real X over the system's trust store.
    With a port, X's hostnames resolve to ``emulator_host:emulator_port`` (an
    IP address) and only the CA in ``ca_file`` is trusted. ``timeout`` is the
    total seconds per request.
    """

    emulator_port: int | None = None
    ca_file: str | Path | None = None
    emulator_host: str = "127.0.0.1"
    timeout: float = DEFAULT_TIMEOUT

    @property
    def is_emulated(self) -> bool:
        return self.emulator_port is not None


@dataclass(frozen=True)
class UploadedMedia:
    """What ``POST /2/media/upload`` answered."""

    id: str
    media_key: str
    alt_text: str | None = None


class PinnedResolver(AbstractResolver):
    """Resolves a fixed set of hostnames to one address and port; refuses the rest.

    Returning the port here is what lets tweepy's hard-coded
    ``https://api.twitter.com`` reach an emulator on a random port while TLS
    still checks the certificate for ``api.twitter.com``.
    """

    def __init__(self, hosts: tuple[str, ...], address: str, port: int) -> None:
        self._hosts = frozenset(h.lower() for h in hosts)
        self._address = address
        self._port = port

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host.lower().rstrip(".") not in self._hosts:
            # Fail loudly rather than fall back to DNS: a client pointed at the
            # emulator must never talk to anything else.
            raise OSError(f"{host!r} is not pinned to the X emulator; refusing to resolve it")
        return [
            {
                "hostname": host,
                "host": self._address,
                "port": self._port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


class _DropDebug(logging.Filter):
    """Drops DEBUG records: tweepy logs the bearer token and bodies there,
    oauthlib logs signature base strings."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_DROP_DEBUG = _DropDebug()

# Filters on a logger apply only to records logged on that exact logger, so
# name each module that logs secrets rather than their parents.
SECRET_LOGGERS: tuple[str, ...] = (
    "tweepy.client",
    "tweepy.asynchronous.client",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
)


def quiet_secret_loggers() -> None:
    """Make sure tweepy and oauthlib never emit their secret-bearing DEBUG lines,
    whatever level someone sets later. Idempotent."""
    for name in SECRET_LOGGERS:
        logger = logging.getLogger(name)
        if _DROP_DEBUG not in logger.filters:
            logger.addFilter(_DROP_DEBUG)


def make_session(endpoint: XEndpoint) -> aiohttp.ClientSession:
    """An aiohttp session for ``endpoint`` (call with a running loop)."""
    timeout = aiohttp.ClientTimeout(total=endpoint.timeout, connect=min(10.0, endpoint.timeout))
    if not endpoint.is_emulated:
        return aiohttp.ClientSession(timeout=timeout)
    if endpoint.ca_file is None:
        raise ValueError("XEndpoint: emulator_port is set but ca_file is missing")
    ssl_ctx: ssl.SSLContext = client_ssl_context_from_file(endpoint.ca_file)
    assert endpoint.emulator_port is not None
    connector = aiohttp.TCPConnector(
        resolver=PinnedResolver(PINNED_HOSTS, endpoint.emulator_host, endpoint.emulator_port),
        ssl=ssl_ctx,
    )
    return aiohttp.ClientSession(connector=connector, timeout=timeout)


class XClient:
    """A tweepy ``AsyncClient`` (``.api``) plus the session it runs on.

    Use as ``async with`` or call :meth:`close`. ``wait_on_rate_limit`` is
    always off: with it on, tweepy retries a 429 without a reset header at
    once, forever; the outbox handles 429 itself.
    """

    def __init__(self, credentials: XCredentials, endpoint: XEndpoint | None = None) -> None:
        quiet_secret_loggers()
        self.credentials = credentials
        self.endpoint = endpoint or XEndpoint()
        self.session = make_session(self.endpoint)
        self.api = AsyncClient(
            bearer_token=credentials.bearer_token,
            consumer_key=credentials.consumer_key,
            consumer_secret=credentials.consumer_secret,
            access_token=credentials.access_token,
            access_token_secret=credentials.access_token_secret,
            wait_on_rate_limit=False,
        )
        # tweepy's documented hook for an injected session.
        self.api.session = self.session

    async def close(self) -> None:
        await self.session.close()

    async def __aenter__(self) -> XClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- v2 media (tweepy 4.17 has none) ---------------------------------

    def _oauth_headers(
        self, method: str, url: str, extra: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        # Multipart and JSON bodies are not part of an OAuth 1.0a signature,
        # so sign the bare URL.
        c = self.credentials
        signer = OAuth1Client(
            c.consumer_key, c.consumer_secret, c.access_token, c.access_token_secret
        )
        _, headers, _ = signer.sign(url, method, headers=dict(extra or {}))
        return headers

    async def _post(self, url: str, *, data: Any = None, json_body: Any = None) -> dict:
        extra = {"Content-Type": "application/json"} if json_body is not None else {}
        headers = self._oauth_headers("POST", url, extra)
        body = json.dumps(json_body) if json_body is not None else data
        async with self.session.post(url, data=body, headers=headers) as resp:
            raw = await resp.read()
            try:
                payload = json.loads(raw) if raw else {}
            except ValueError:
                payload = {"detail": raw[:200].decode("utf-8", "replace")}
            if not 200 <= resp.status < 300:
                raise _tweepy_error(resp, payload)
            return payload

    async def upload_media(
        self,
        data: bytes,
        *,
        media_type: str,
        media_category: str = "tweet_image",
        alt_text: str | None = None,
        filename: str = "media",
    ) -> UploadedMedia:
        """Simple (one-shot) upload, then alt text if given. Returns the media id."""
        form = aiohttp.FormData()
        form.add_field("media", data, filename=filename, content_type=media_type)
        form.add_field("media_category", media_category)
        form.add_field("media_type", media_type)
        payload = await self._post(f"{MEDIA_BASE_URL}/2/media/upload", data=form)
        media = payload["data"]
        if alt_text is not None:
            await self.set_alt_text(media["id"], alt_text)
        return UploadedMedia(id=media["id"], media_key=media["media_key"], alt_text=alt_text)

    async def set_alt_text(self, media_id: str, alt_text: str) -> dict:
        """``POST /2/media/metadata`` with ``metadata.alt_text.text``."""
        body = {"id": str(media_id), "metadata": {"alt_text": {"text": alt_text}}}
        return await self._post(f"{MEDIA_BASE_URL}/2/media/metadata", json_body=body)


def _tweepy_error(resp: aiohttp.ClientResponse, payload: dict) -> tweepy.errors.HTTPException:
    """The same exception tweepy would raise for this status."""
    status = resp.status
    if status == 429:
        reset = resp.headers.get("x-rate-limit-reset")
        return tweepy.errors.TooManyRequests(
            resp, response_json=payload, reset_time=int(reset) if reset else None
        )
    cls = {
        400: tweepy.errors.BadRequest,
        401: tweepy.errors.Unauthorized,
        403: tweepy.errors.Forbidden,
        404: tweepy.errors.NotFound,
    }.get(status)
    if cls is None:
        cls = tweepy.errors.TwitterServerError if status >= 500 else tweepy.errors.HTTPException
    return cls(resp, response_json=payload)


def create_x_client(credentials: XCredentials, endpoint: XEndpoint | None = None) -> XClient:
    """Build an :class:`XClient`; call from inside a running event loop."""
    return XClient(credentials, endpoint)
