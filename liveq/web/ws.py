"""The websocket endpoint /ws/{slug}: a snapshot on connect, then a stream of changes."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from liveq.hub import MODERATOR, PUBLIC, encode
from liveq.storage import outbox as outbox_store
from liveq.web.audience import load_event
from liveq.web.auth import identify
from liveq.web.keys import CONFIG, DB, HUB, OUTBOX, SNAPSHOTS, WEBSOCKETS


def _origin_allowed(request: web.Request) -> bool:
    """Browsers always send Origin; other clients (scripts, OBS plugins) may not."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    server = request.app[CONFIG].server
    allowed = {_origin_of(server.public_url), *map(_origin_of, server.allowed_origins)}
    allowed.add(f"{request.scheme}://{request.host}")
    return origin.rstrip("/").lower() in {a.lower() for a in allowed}


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def websocket(request: web.Request) -> web.WebSocketResponse:
    # aiohttp has no Origin option: check before prepare(), or any site could listen in.
    if not _origin_allowed(request):
        raise web.HTTPForbidden(text="This page may not connect from that origin.")
    event = await load_event(request)
    key = request.query.get("key")
    role = PUBLIC
    if key is not None:
        if not hmac.compare_digest(key.encode(), event.overlay_key.encode()):
            raise web.HTTPForbidden(text="That overlay key is not valid for this event.")
    else:
        identity = await identify(request)
        if identity is not None and identity.may_moderate(event.id):
            role = MODERATOR

    # No compression: it triples fan-out time and memory for small messages.
    ws = web.WebSocketResponse(compress=False, heartbeat=30, max_msg_size=4096)
    await ws.prepare(request)
    hub = request.app[HUB]
    sockets = request.app[WEBSOCKETS]
    # Subscribe before reading the snapshot so no change falls between the two.
    client = hub.connect(ws, event, role)
    sockets.add(ws)
    sender: asyncio.Task[None] | None = None
    try:
        db = request.app[DB]
        # The snapshot goes first, ahead of changes queued while it was read; a
        # change already in the snapshot arrives again, which is harmless.
        await ws.send_str(await request.app[SNAPSHOTS].get(event, role))
        counts = hub.counts_message(event.id)
        if counts is not None:
            # Votes counted since the snapshot was read (it may be shared and older).
            await ws.send_str(counts)
        outbox = request.app.get(OUTBOX)
        if role == MODERATOR and outbox is not None:
            items = await outbox_store.list_items(db, event.id)
            await ws.send_str(encode({"type": "outbox_snapshot", "items": outbox.views(items)}))
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
        sockets.discard(ws)
    return ws
