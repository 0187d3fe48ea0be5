"""What the server says about itself and whom it trusts: a CSP and an Origin check built
from the configuration only (never the request's Host), a quiet /healthz and Server
header, and a cap on websockets per address (issue 12 item 11)."""

import asyncio
import base64
import json
import os

import pytest
import websockets

from liveq.storage import accounts as auth
from tests.fixtures_server import bearer, login, start_server, write_config


async def handshake(server, *, host: str, origin: str | None, path="/ws/grand-rounds") -> bytes:
    """A raw websocket upgrade with any Host and Origin; the status line and headers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    writer.close()
    return head


async def test_csp_is_built_from_configured_origins_never_the_host_header(tmp_path, http):
    config = write_config(tmp_path, server={"allowed_origins": ["https://screens.example.org"]})
    server = await start_server(config)
    try:
        async with http.get(f"{server.url}/login") as resp:
            normal = resp.headers["Content-Security-Policy"]
        for host in ["evil.example", "evil.example; script-src *", "x:1 'unsafe-inline'"]:
            async with http.get(f"{server.url}/login", headers={"Host": host}) as resp:
                csp = resp.headers["Content-Security-Policy"]
            assert "evil" not in csp and "unsafe" not in csp, (host, csp)
            assert csp == normal
        connect = next(d for d in normal.split(";") if d.strip().startswith("connect-src"))
        assert f"ws://127.0.0.1:{server.port}" in connect
        assert "wss://screens.example.org" in connect
    finally:
        await server.stop()


async def test_websocket_origin_must_be_a_configured_origin(tmp_path):
    config = write_config(tmp_path, server={"allowed_origins": ["https://screens.example.org"]})
    server = await start_server(config)
    try:
        # A page on another site whose name points here (DNS rebinding) sends a Host that
        # matches its own Origin: still refused.
        for host, origin in [
            ("evil.example:8080", "http://evil.example:8080"),
            (f"127.0.0.1:{server.port}", "http://evil.example"),
            (f"localhost:{server.port}", f"http://localhost:{server.port}"),
        ]:
            head = await handshake(server, host=host, origin=origin)
            assert head.startswith(b"HTTP/1.1 403"), (origin, head)
        for origin in [f"http://127.0.0.1:{server.port}", "https://screens.example.org"]:
            head = await handshake(server, host="anything.example", origin=origin)
            assert head.startswith(b"HTTP/1.1 101"), (origin, head)
        # Programs (OBS plugins, scripts) send no Origin at all.
        head = await handshake(server, host="anything.example", origin=None)
        assert head.startswith(b"HTTP/1.1 101")
    finally:
        await server.stop()


async def test_healthz_tells_strangers_only_that_it_is_up(server, http):
    async with http.get(f"{server.url}/healthz") as resp:
        assert resp.status == 200
        assert await resp.json() == {"status": "ok"}
    presenter = await auth.create_api_token(server.db, "presenter", label="screen")
    async with http.get(
        f"{server.url}/healthz", headers={"Authorization": f"Bearer {presenter}"}
    ) as resp:
        assert await resp.json() == {"status": "ok"}
    for headers in (bearer(server), bearer(server, "admin")):
        async with http.get(f"{server.url}/healthz", headers=headers) as resp:
            body = await resp.json()
        assert body["status"] == "ok" and {"version", "events", "websockets"} <= set(body)
    await login(http, server)
    async with http.get(f"{server.url}/healthz") as resp:
        assert "websockets" in await resp.json()


async def test_server_header_names_no_version(server, http):
    paths = ["/", "/login", "/static/style.css", "/no-such-page", "/healthz", "/e/nope"]
    for path in paths:
        async with http.get(server.url + path, allow_redirects=False) as resp:
            value = resp.headers.get("Server", "")
        assert "aiohttp" not in value and "Python" not in value, (path, value)
        assert not any(ch.isdigit() for ch in value), (path, value)
    head = await handshake(server, host=f"127.0.0.1:{server.port}", origin=None)
    assert head.startswith(b"HTTP/1.1 101") and b"aiohttp" not in head


async def test_websockets_per_address_are_capped(tmp_path):
    config = write_config(tmp_path, limits={"websockets_per_address": 3})
    server = await start_server(config)
    try:
        url = f"{server.ws_url}/ws/grand-rounds"
        opened = [await websockets.connect(url) for _ in range(3)]
        for ws in opened:
            assert json.loads(await ws.recv())["type"] == "snapshot"
        with pytest.raises(websockets.InvalidStatus) as info:
            await websockets.connect(url)
        assert info.value.response.status_code == 429
        assert b"connections from your address" in info.value.response.body
        assert int(info.value.response.headers["Retry-After"]) >= 1
        # A closed one makes room again.
        await opened.pop().close()
        for _ in range(50):
            try:
                again = await websockets.connect(url)
                break
            except websockets.InvalidStatus:
                await asyncio.sleep(0.05)
        assert json.loads(await again.recv())["type"] == "snapshot"
        await again.close()
        for ws in opened:
            await ws.close()
    finally:
        await server.stop()

