"""The application factory: create_app(config) wires resources, middleware and routes."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import jinja2
from aiohttp import WSCloseCode, web

from liveq import __version__, screening
from liveq.cluster.hub import ClusterHub
from liveq.cluster.node import Node
from liveq.config import Config
from liveq.domain.roles import MODERATING_ROLES
from liveq.hub import Hub
from liveq.ingest.screener import Screener, ScreeningService
from liveq.networks.bluesky.settings import load_bluesky_settings
from liveq.networks.mastodon.settings import load_mastodon_settings
from liveq.networks.x.client import create_x_client, quiet_secret_loggers
from liveq.networks.x.settings import load_x_settings
from liveq.storage.db import Database
from liveq.web import audience, auth, overlay_media, pages, poll_answer, setup_pages, ws
from liveq.web.api import networks as api_networks
from liveq.web.api import outbox as api_outbox
from liveq.web.api import polls as api_polls
from liveq.web.api import questions as api
from liveq.web.api import queue as api_queue
from liveq.web.api.admin import routes as admin_routes
from liveq.web.api.procedure import routes as procedure_routes
from liveq.web.api.readability import routes as readability_routes
from liveq.web.api.setup import routes as setup_routes
from liveq.web.api.x_source import routes as x_source_routes
from liveq.web.event_cache import EventCache
from liveq.web.i18n import Templates
from liveq.web.keys import (
    API_LIMIT,
    BLUESKY_SETTINGS,
    CLUSTER,
    CONFIG,
    DB,
    EVENTS,
    HUB,
    LOGIN_LIMIT,
    MASTODON_SETTINGS,
    QUESTION_LIMIT,
    SCREEN,
    SNAPSHOTS,
    TEMPLATES,
    VOTE_LIMIT,
    WEBSOCKETS,
    WS_PER_ADDRESS,
    X_CLIENT,
    X_SETTINGS,
)
from liveq.web.middleware import errors, quiet_server_header, security_headers
from liveq.web.ratelimit import BrowserAndAddress, RateLimiter
from liveq.web.report_page import report as report_page
from liveq.web.snapshots import Snapshots
from liveq.web.workers import (
    networks_ctx,
    outbox_ctx,
    photo_checker_ctx,
    socket_credentials_ctx,
    x_pollers_ctx,
)

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
STARTED = web.AppKey("started", float)


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    db = app[DB] = Database(app[CONFIG].database_target)
    await db.open()
    app[EVENTS] = EventCache(db)
    yield
    await db.close()


async def screening_ctx(app: web.Application) -> AsyncIterator[None]:
    """The screening tables loaded before the first request, in a thread: loaded by the
    first question instead, they held up the event loop (every socket) for a second or two."""
    await asyncio.to_thread(screening.warm_up, app[SCREEN].rules)
    yield


async def cluster_ctx(app: web.Application) -> AsyncIterator[None]:
    """With [cluster] redis_url: this process's Redis for leases and shared rate limits."""
    cluster = app[CONFIG].cluster
    if not cluster.redis_url:
        yield
        return
    node = app[CLUSTER] = Node.connect(cluster)
    buckets = node.buckets()
    app[QUESTION_LIMIT].share(buckets, "questions")
    app[VOTE_LIMIT].share(buckets, "votes")
    app[LOGIN_LIMIT].share(buckets, "logins")
    app[API_LIMIT].share(buckets, "api")
    yield
    await node.close()


async def hub_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    limits = config.limits
    options = {
        "queue_size": limits.ws_queue_size,
        "vote_interval": limits.vote_frame_seconds,
        "moderator_vote_interval": limits.moderator_vote_frame_seconds,
    }
    if config.cluster.redis_url:
        cluster_hub = ClusterHub(config.cluster.redis_url, config.cluster.namespace, **options)
        # A change to an event made on another process: our copy is stale at once.
        cluster_hub.on_event_stale = app[EVENTS].invalidate
        # A question asked on another process is a possible duplicate here too.
        cluster_hub.on_question = app[SCREEN].seen_elsewhere
        cluster_hub.start()
        try:
            async with asyncio.timeout(3):
                await cluster_hub.wait_up()
        except TimeoutError:
            log.warning("bus: Redis not reachable yet; websockets refused until it is")
        hub: Hub = cluster_hub
    else:
        hub = Hub(**options)  # type: ignore[arg-type]
    app[HUB] = hub
    app[SNAPSHOTS] = Snapshots(app[DB], hub)
    # Sends the coalesced vote counts; cancelled and awaited on shutdown.
    votes = asyncio.create_task(hub.run(), name="liveq-hub-votes")
    yield
    votes.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await votes
    if isinstance(hub, ClusterHub):
        await hub.close()


async def x_client_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[X_SETTINGS]
    if not settings.enabled:
        app[X_CLIENT] = None
        yield
        return
    quiet_secret_loggers()
    client = create_x_client(settings.credentials, settings.endpoint(app[CONFIG].path.parent))
    app[X_CLIENT] = client
    yield
    await client.close()


async def close_websockets(app: web.Application) -> None:
    """On shutdown, tell every client we are going away so overlays reconnect."""
    await app[HUB].close_all()
    for ws_ in set(app[WEBSOCKETS]):
        await ws_.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")


async def _store_reachable(app: web.Application) -> bool:
    try:
        async with asyncio.timeout(2):
            await app[DB].fetchone("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "not reachable", said below
        return False
    return True


async def healthz(request: web.Request) -> web.Response:
    """Up or not, for anyone (503 when the store or the bus is unreachable, so a load
    balancer takes this process out); the details for moderators and admins."""
    app = request.app
    store_ok = await _store_reachable(app)
    hub = app[HUB]
    bus = "none" if not isinstance(hub, ClusterHub) else ("ok" if hub.accepting else "unreachable")
    status = "ok" if store_ok and bus != "unreachable" else "unavailable"
    code = 200 if status == "ok" else 503
    identity = await auth.identify(request) if store_ok else None
    if identity is None or identity.role not in MODERATING_ROLES:
        return web.json_response({"status": status}, status=code)
    row = await app[DB].fetchone("SELECT count(*) FROM events")
    node = app.get(CLUSTER)
    leases = {n: lease.token for n, lease in node.leases.items() if lease.held} if node else {}
    return web.json_response(
        {
            "status": status,
            "version": __version__,
            "uptime_s": round(time.monotonic() - app[STARTED], 1),
            "events": row[0] if row else 0,
            "websockets": hub.count(),
            # Which process answered: behind one port or a load balancer there are several.
            "pid": os.getpid(),
            "worker": os.environ.get("LIVEQ_WORKER_ID", ""),
            "process": node.name if node is not None else "",
            "store": "ok" if store_ok else "unreachable",
            "bus": bus,
            "leases": leases,
        },
        status=code,
    )


def environment() -> jinja2.Environment:
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(HERE / "templates"), jinja2.FileSystemLoader(pages.overlays_dir())]
    )
    return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)


def templates() -> Templates:
    """The pages' templates, in each language that has a catalog (liveq/web/i18n.py)."""
    return Templates(environment)


def create_app(config: Config, *, screen: Screener | None = None) -> web.Application:
    """The app; `screen` defaults to the config's [screening] (pass NoScreening() for none)."""
    limits = config.limits
    app = web.Application(
        middlewares=[security_headers, errors], client_max_size=limits.max_body_bytes
    )
    app[CONFIG] = config
    app[STARTED] = time.monotonic()
    app[TEMPLATES] = templates()
    # Holds each event's screening state (duplicate index, flood meters) while it runs.
    app[SCREEN] = screen if screen is not None else ScreeningService.from_config(config)
    app[WEBSOCKETS] = set()
    app[WS_PER_ADDRESS] = collections.Counter()
    app[X_SETTINGS] = load_x_settings(config)
    app[MASTODON_SETTINGS] = load_mastodon_settings(config)
    app[BLUESKY_SETTINGS] = load_bluesky_settings(config)
    app[QUESTION_LIMIT] = BrowserAndAddress(
        limits.questions_per_minute, limits.questions_per_minute_per_address, limits.question_burst
    )
    app[VOTE_LIMIT] = BrowserAndAddress(
        limits.votes_per_minute, limits.votes_per_minute_per_address
    )
    app[LOGIN_LIMIT] = RateLimiter(limits.login_attempts_per_minute)
    app[API_LIMIT] = RateLimiter(limits.api_requests_per_minute)
    app.cleanup_ctx.append(screening_ctx)
    app.cleanup_ctx.append(cluster_ctx)
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(hub_ctx)
    app.cleanup_ctx.append(socket_credentials_ctx)
    app.cleanup_ctx.append(x_client_ctx)
    app.cleanup_ctx.append(x_pollers_ctx)
    app.cleanup_ctx.append(outbox_ctx)
    app.cleanup_ctx.append(networks_ctx)
    app.cleanup_ctx.append(photo_checker_ctx)
    app.on_shutdown.append(close_websockets)
    app.on_response_prepare.append(quiet_server_header)

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", pages.index)
    app.router.add_get("/login", auth.login_page)
    app.router.add_post("/login", auth.login_submit)
    app.router.add_post("/logout", auth.logout_submit)
    app.router.add_get("/admin", setup_pages.admin_page)
    app.router.add_get("/invite/{token}", setup_pages.link_page)
    app.router.add_post("/invite/{token}", setup_pages.link_submit)
    app.router.add_get("/e/{slug}", audience.form_page)
    app.router.add_post("/e/{slug}/questions", audience.submit_question)
    app.router.add_get("/e/{slug}/thanks", audience.thanks_page)
    app.router.add_get("/e/{slug}/mine", audience.my_questions)
    app.router.add_get("/e/{slug}/brand.css", audience.brand_css)
    app.router.add_get("/e/{slug}/logo", audience.logo)
    app.router.add_post("/e/{slug}/questions/{id}/vote", audience.vote)
    app.router.add_post("/e/{slug}/polls/{id}/answer", poll_answer.answer)
    app.router.add_get("/mod/{slug}", pages.console)
    app.router.add_get("/mod/{slug}/report", report_page)
    app.router.add_get("/overlay/{slug}", pages.overlay)
    app.router.add_get("/ws/{slug}", ws.websocket)
    app.router.add_routes(api.routes)
    app.router.add_routes(api_queue.routes)
    app.router.add_routes(x_source_routes)
    app.router.add_routes(api_outbox.routes)
    app.router.add_routes(api_polls.routes)
    app.router.add_routes(api_networks.routes)
    app.router.add_routes(procedure_routes)
    app.router.add_routes(admin_routes)
    app.router.add_routes(setup_routes)
    app.router.add_routes(overlay_media.routes)
    app.router.add_routes(readability_routes)
    app.router.add_static("/static/", HERE / "static")
    app.router.add_static("/overlay-assets/", pages.overlays_dir())
    return app
