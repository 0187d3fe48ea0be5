"""Websockets on a real server: snapshots, live sync, conflicts, resync after restart."""

import asyncio
import base64
import contextlib
import json
import os
import socket

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.fixtures_server import start_server, write_config
from tests.waiting import eventually
from tests.web.test_moderation_api import act, ask


async def recv_until(ws, predicate, timeout=1.0):
    """Read events until one matches; fail if none does within `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while True:
            msg = json.loads(await ws.recv())
            if predicate(msg):
                return msg


def moderator_ws(server, token=None):
    token = token or server.tokens["moderator"]
    return websockets.connect(
        f"{server.ws_url}/ws/grand-rounds",
        additional_headers={"Authorization": f"Bearer {token}"},
        compression=None,
    )


async def test_snapshot_then_changes_for_moderators(server, http):
    qid = await ask(http, server, "Before connecting?")
    async with moderator_ws(server) as ws:
        snap = json.loads(await ws.recv())
        assert snap["type"] == "snapshot" and snap["role"] == "moderator"
        assert [q["id"] for q in snap["questions"]] == [qid]
        assert snap["questions"][0]["status"] == "pending"
        new = await ask(http, server, "After connecting?")
        msg = await recv_until(ws, lambda m: m["type"] == "question")
        assert msg["question"]["id"] == new and msg["question"]["text"] == "After connecting?"


async def test_two_moderator_consoles_stay_in_sync_within_a_second(server, http):
    async with moderator_ws(server) as a, moderator_ws(server) as b:
        for ws in (a, b):
            assert json.loads(await ws.recv())["type"] == "snapshot"
        qid = await ask(http, server)
        for ws in (a, b):
            await recv_until(ws, lambda m: m.get("question", {}).get("id") == qid)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await act(http, server, qid, "approve")
        for ws in (a, b):
            msg = await recv_until(
                ws, lambda m: m.get("question", {}).get("status") == "approved", timeout=1.0
            )
            assert msg["question"]["id"] == qid
        assert loop.time() - started < 1.0


async def test_public_clients_never_see_pending_or_private_fields(server, http):
    pending = await ask(http, server, "Not yet approved")
    async with websockets.connect(f"{server.ws_url}/ws/grand-rounds") as ws:
        snap = json.loads(await ws.recv())
        assert snap["role"] == "public" and snap["questions"] == []
        await act(http, server, pending, "approve")
        msg = await recv_until(ws, lambda m: m["type"] == "question")
        assert msg["question"]["text"] == "Not yet approved"
        assert "findings" not in msg["question"] and "original_text" not in msg["question"]
        await act(http, server, pending, "decline", {"reason": "off topic"})
        gone = await recv_until(ws, lambda m: m["type"] == "question_removed")
        assert gone["id"] == pending


async def test_overlay_key_is_checked(server):
    with pytest.raises(InvalidStatus) as info:
        async with websockets.connect(f"{server.ws_url}/ws/grand-rounds?key=wrong"):
            pass
    assert info.value.response.status_code == 403
    key = server.event.overlay_key
    async with websockets.connect(f"{server.ws_url}/ws/grand-rounds?key={key}") as ws:
        assert json.loads(await ws.recv())["role"] == "public"


async def test_foreign_origin_is_refused(server):
    with pytest.raises(InvalidStatus) as info:
        async with websockets.connect(
            f"{server.ws_url}/ws/grand-rounds", origin="https://evil.example"
        ):
            pass
    assert info.value.response.status_code == 403
    async with websockets.connect(
        f"{server.ws_url}/ws/grand-rounds", origin=f"http://127.0.0.1:{server.port}"
    ) as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"


async def _stalled_client(server) -> socket.socket:
    """A websocket client that completes the handshake and then never reads."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)  # before connect: tiny window
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, ("127.0.0.1", server.port))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws/grand-rounds HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        f"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer {server.tokens['moderator']}\r\n\r\n"
    )
    await loop.sock_sendall(sock, request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += await loop.sock_recv(sock, 1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


async def _websocket_count(http, server) -> int:
    headers = {"Authorization": f"Bearer {server.tokens['moderator']}"}
    async with http.get(f"{server.url}/healthz", headers=headers) as resp:
        return (await resp.json())["websockets"]


async def test_a_slow_client_is_dropped_and_does_not_delay_others(tmp_path, http):
    # Big questions, so the stalled client's kernel buffers fill quickly.
    limits = {
        "ws_queue_size": 4,
        "questions_per_minute": 0,
        "max_question_chars": 16_000,
        "max_body_bytes": 65_536,
    }
    config = write_config(tmp_path, limits=limits)
    server = await start_server(config)
    stalled = await _stalled_client(server)
    try:
        async with moderator_ws(server) as fast:
            await fast.recv()
            assert await _websocket_count(http, server) == 2
            big = "x" * 15_000
            seen = 0

            async def read_all():
                nonlocal seen
                while True:
                    seen += json.loads(await fast.recv())["type"] == "question"

            reader = asyncio.create_task(read_all())
            # Asked ten at a time until the stalled client is cut loose: its kernel buffers
            # (up to 4 MB on Linux) fill after a few hundred; 600 is far more than enough.
            asked = 0
            while asked < 600 and await _websocket_count(http, server) == 2:
                await asyncio.gather(*(ask(http, server, f"{asked + i} {big}") for i in range(10)))
                asked += 10
            assert await _websocket_count(http, server) == 1, f"not dropped after {asked}"

            async def all_seen() -> bool:
                return seen == asked

            # The reading client got everything while the stalled one was cut loose.
            try:
                await eventually(all_seen, timeout=10)
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
    finally:
        stalled.close()
        await server.stop()


async def test_overlay_client_resyncs_after_a_server_restart(server, http):
    qid = await ask(http, server, "On air before the restart")
    await act(http, server, qid, "approve")
    await act(http, server, qid, "on_air")
    key = server.event.overlay_key
    url = f"{server.ws_url}/ws/grand-rounds?key={key}"
    ws = await websockets.connect(url)
    snap = json.loads(await ws.recv())
    assert [q["status"] for q in snap["questions"]] == ["on_air"]

    await server.stop()
    with pytest.raises(ConnectionClosed) as info:
        async with asyncio.timeout(3):
            await ws.recv()
    assert info.value.rcvd.code == 1001  # GOING_AWAY: come back later

    await server.start()  # same port, same database file
    # While it was down, the moderator moved on (through the API once it is back).
    await act(http, server, qid, "answer")
    q2 = await ask(http, server, "After the restart")
    await act(http, server, q2, "approve")
    await act(http, server, q2, "on_air")
    async with websockets.connect(url) as again:
        snap = json.loads(await again.recv())
    statuses = {q["id"]: q["status"] for q in snap["questions"]}
    assert statuses == {qid: "answered", q2: "on_air"}
