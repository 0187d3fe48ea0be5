"""Every web.AppKey of the application, in one place."""

from __future__ import annotations

import collections

from aiohttp import web

from liveq.cluster.node import Node
from liveq.config import Config
from liveq.hub import Hub
from liveq.ingest.screener import Screener
from liveq.networks.bluesky.settings import BlueskySettings
from liveq.networks.mastodon.settings import MastodonSettings
from liveq.networks.x.client import XClient
from liveq.networks.x.settings import XSettings
from liveq.storage.db import Database
from liveq.web.event_cache import EventCache
from liveq.web.i18n import Templates
from liveq.web.ratelimit import BrowserAndAddress, RateLimiter
from liveq.web.snapshots import Snapshots
from liveq.web.socket_credentials import SocketCredentials
from liveq.workers.network_hashtag import NetworkHashtag
from liveq.workers.network_outbox import NetworkOutbox
from liveq.workers.outbox import Outbox
from liveq.workers.photo_check import PhotoChecker
from liveq.workers.x_hashtag import XPollers

CONFIG = web.AppKey("config", Config)
DB = web.AppKey("db", Database)
HUB = web.AppKey("hub", Hub)
# Present only with [cluster] redis_url: this process's Redis, name and leases.
CLUSTER = web.AppKey("cluster", Node)
SNAPSHOTS = web.AppKey("snapshots", Snapshots)
TEMPLATES = web.AppKey("templates", Templates)  # one Jinja environment per language
SCREEN = web.AppKey("screen", Screener)
QUESTION_LIMIT = web.AppKey("question_limit", BrowserAndAddress)
VOTE_LIMIT = web.AppKey("vote_limit", BrowserAndAddress)
LOGIN_LIMIT = web.AppKey("login_limit", RateLimiter)
API_LIMIT = web.AppKey("api_limit", RateLimiter)
WEBSOCKETS = web.AppKey("websockets", set)
# Open websockets per client address (limits.websockets_per_address).
WS_PER_ADDRESS = web.AppKey("ws_per_address", collections.Counter)
# Moderators' sockets and the session or token that opened each (web/socket_credentials.py).
SOCKET_CREDENTIALS = web.AppKey("socket_credentials", SocketCredentials)
X_SETTINGS = web.AppKey("x_settings", XSettings)
EVENTS = web.AppKey("events", EventCache)
# None when X is not enabled in the config.
X_CLIENT = web.AppKey("x_client", XClient | None)
# Present only when X is enabled.
OUTBOX = web.AppKey("outbox", Outbox)
X_POLLERS = web.AppKey("x_pollers", XPollers)
MASTODON_SETTINGS = web.AppKey("mastodon_settings", MastodonSettings)
BLUESKY_SETTINGS = web.AppKey("bluesky_settings", BlueskySettings)
# Per enabled network other than X (name -> worker); empty when none is enabled.
NETWORK_OUTBOXES = web.AppKey("network_outboxes", dict[str, NetworkOutbox])
NETWORK_HASHTAGS = web.AppKey("network_hashtags", dict[str, NetworkHashtag])
# Cleans uploaded photos and checks them for faces and text, off the event loop.
PHOTO_CHECKER = web.AppKey("photo_checker", PhotoChecker)

# Per-request storage.
CSRF_NONCE = web.RequestKey("csrf_nonce", str)
BROWSER_ID = web.RequestKey("browser_id", str)  # issued to this request's browser
IDENTITY = web.RequestKey("identity", object)  # liveq.storage.accounts.Identity | None
