"""The websocket endpoint /ws/{slug}: a snapshot on connect, then a stream of changes."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time

from aiohttp import WSMsgType, web

from liveq.domain.events import Event
from liveq.hub import MODERATOR, PRESENTER, PUBLIC, encode
from liveq.storage import network_posts, presenter
from liveq.storage import outbox as outbox_store
from liveq.storage.db import Database
from liveq.web import origins
from liveq.web.audience import load_event
from liveq.web.auth import SESSION_COOKIE, identify
from liveq.web.client_ip import client_ip
from liveq.web.keys import (
    CONFIG,
    DB,
    HUB,
    NETWORK_OUTBOXES,
    OUTBOX,
    SNAPSHOTS,
    SOCKET_CREDENTIALS,
    WEBSOCKETS,
    WS_PER_ADDRESS,
)
from liveq.web.socket_credentials import Credential, credential_of

log = logging.getLogger(__name__)
_warned: set[str] = set()


def _origin_allowed(request: web.Request) -> bool:
    """Browsers always send Origin; other clients (scripts, OBS plugins) may not.

    Compared with the configured origins and the address this connection reached
    (`liveq serve --port`, a LAN address): never with the Host header.
    """
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    origin = origin.rstrip("/").lower()
    if origin in origins.configured(request.app[CONFIG].server):
        return True
    if origin in _listening_origins(request):
        return True
    if len(_warned) < 100 and origin not in _warned:
        _warned.add(origin)
        # The operator's own page at an address the config does not name lands here.
        log.warning(
            "websocket refused from Origin %r: not server.public_url or server.allowed_origins",
            origin[:200],
        )
    return False


def _listening_origins(request: web.Request) -> set[str]:
    """The origin of our own socket's address (an IP literal: no name to rebind)."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if not sockname:
        return set()
    host, port = str(sockname[0]), int(sockname[1])
    host = f"[{host}]" if ":" in host else host
    found = {f"{request.scheme}://{host}:{port}"}
    if (request.scheme, port) in (("http", 80), ("https", 443)):
        found.add(f"{request.scheme}://{host}")
    return found


def _address_cap(request: web.Request) -> str:
    """The client's address, after refusing it if it has its share of sockets open."""
    config = request.app[CONFIG]
    ip = client_ip(request, config.server.trusted_proxies)
    cap = config.limits.websockets_per_address
    if cap and request.app[WS_PER_ADDRESS].get(ip, 0) >= cap:
        raise web.HTTPTooManyRequests(
            text=f"Too many live connections from your address ({cap}); close some pages "
            "and try again.",
            headers={"Retry-After": "5"},
        )
    return ip


async def websocket(request: web.Request) -> web.WebSocketResponse:
    # aiohttp has no Origin option: check before prepare(), or any site could listen in.
    if not _origin_allowed(request):
        raise web.HTTPForbidden(text="This page may not connect from that origin.")
    event = await load_event(request)
    if not request.app[HUB].accepting:
        # Cut off from the other processes: a socket here would miss their changes.
        raise web.HTTPServiceUnavailable(
            text="This server has lost touch with the others; trying again in a moment.",
            headers={"Retry-After": "2"},
        )
    key = request.query.get("key")
    role = PUBLIC
    credential = None
    if key is not None:
        if not hmac.compare_digest(key.encode(), event.overlay_key.encode()):
            raise web.HTTPForbidden(text="That overlay key is not valid for this event.")
        if request.query.get("view") == "presenter":
            role = PRESENTER  # also gets the timer and the backstage messages
    else:
        identity = await identify(request)
        if identity is not None and identity.may_moderate(event.id):
            role = MODERATOR
            credential = credential_of(identity, request.cookies.get(SESSION_COOKIE))

    ip = _address_cap(request)
    per_address = request.app[WS_PER_ADDRESS]
    per_address[ip] += 1
    try:
        return await _serve(request, event, role, credential)
    finally:
        per_address[ip] -= 1
        if per_address[ip] <= 0:
            del per_address[ip]


async def _serve(
    request: web.Request, event: Event, role: str, credential: Credential | None
) -> web.WebSocketResponse:
    # No compression: it triples fan-out time and memory for small messages.
    ws = web.WebSocketResponse(compress=False, heartbeat=30, max_msg_size=4096)
    await ws.prepare(request)
    hub = request.app[HUB]
    sockets = request.app[WEBSOCKETS]
    # Subscribe before reading the snapshot so no change falls between the two.
    client = hub.connect(ws, event, role)
    sockets.add(ws)
    credentials = request.app[SOCKET_CREDENTIALS]
    if credential is not None:
        credentials.add(client, credential)
    sender: asyncio.Task[None] | None = None
    try:
        db = request.app[DB]
        # The snapshot goes first, ahead of changes queued while it was read; a
        # change already in the snapshot arrives again, which is harmless.
        snapshot_role = PUBLIC if role == PRESENTER else role
        await ws.send_str(await request.app[SNAPSHOTS].get(event, snapshot_role))
        counts = hub.counts_message(event.id)
        if counts is not None:
            # Votes counted since the snapshot was read (it may be shared and older).
            await ws.send_str(counts)
        poll_counts = hub.poll_counts_message(event.id, role)
        if poll_counts is not None:
            await ws.send_str(poll_counts)
        if role in (MODERATOR, PRESENTER):
            await ws.send_str(await presenter_snapshot(db, event))
        outbox = request.app.get(OUTBOX)
        if role == MODERATOR and outbox is not None:
            items = await outbox_store.list_items(db, event.id)
            await ws.send_str(encode({"type": "outbox_snapshot", "items": outbox.views(items)}))
        networks = request.app.get(NETWORK_OUTBOXES) or {}
        if role == MODERATOR and networks:
            posts = await network_posts.list_posts(db, event.id)
            await ws.send_str(
                encode(
                    {
                        "type": "network_snapshot",
                        "networks": sorted(networks),
                        "posts": [p.view() for p in posts],
                    }
                )
            )
        sender = asyncio.create_task(client.pump())
        async for msg in ws:
            if msg.type == WSMsgType.TEXT and msg.data == "ping":
                await ws.send_str('{"type":"pong"}')
            # Clients have nothing else to say here: actions go through the HTTP API.
    finally:
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await sender
        hub.disconnect(client)
        credentials.remove(client)
        sockets.discard(ws)
    return ws


async def presenter_snapshot(db: Database, event: Event) -> str:
    """The timer and the latest backstage messages, read fresh (they change rarely)."""
    timer = await presenter.get_timer(db, event)
    messages = await presenter.recent_messages(db, event)
    return encode(
        {"type": "presenter", "timer": timer.view(time.time()), "messages": messages}
    )
