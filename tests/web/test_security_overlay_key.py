"""The presenter's overlay key: read-only, per event, rotatable; token list/revoke by CLI."""

import asyncio
import json
import sys

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from liveq.storage import accounts as auth
from tests.fixtures_server import bearer, login


async def cli(config, *args) -> tuple[int, str, str]:
    """Run `liveq ARGS --config ...` as a subprocess without blocking the test's server."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "liveq", *args, "--config", str(config.path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode(), err.decode()


async def test_rotating_the_key_kills_the_old_url_and_its_websocket(server, http):
    slug = "grand-rounds"
    old = server.event.overlay_key
    async with http.get(f"{server.url}/overlay/{slug}?key={old}") as resp:
        assert resp.status == 200
    async with websockets.connect(f"{server.ws_url}/ws/{slug}?key={old}") as overlay:
        assert json.loads(await overlay.recv())["type"] == "snapshot"
        # A presenter token (or an approver) may not rotate; a moderator may.
        presenter = await auth.create_api_token(server.db, "presenter", event_id=server.event.id)
        async with http.post(
            f"{server.url}/api/v1/events/{slug}/overlay-key",
            headers={"Authorization": f"Bearer {presenter}"},
        ) as resp:
            assert resp.status == 403
        async with http.post(
            f"{server.url}/api/v1/events/{slug}/overlay-key", headers=bearer(server)
        ) as resp:
            assert resp.status == 200, await resp.text()
            body = await resp.json()
        assert body["closed_websockets"] == 1
        new = body["overlay_url"].split("key=")[1]
        assert new != old and len(new) >= 20
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(2):
                while True:
                    await overlay.recv()
        assert overlay.close_code == 1008
    async with http.get(f"{server.url}/overlay/{slug}?key={old}") as resp:
        assert resp.status == 403
    with pytest.raises(InvalidStatus) as info:
        async with websockets.connect(f"{server.ws_url}/ws/{slug}?key={old}"):
            pass
    assert info.value.response.status_code == 403
    async with http.get(f"{server.url}/overlay/{slug}?key={new}") as resp:
        assert resp.status == 200
    # The console shows the new URL, and no longer the old one.
    await login(http, server)
    async with http.get(f"{server.url}/mod/{slug}") as resp:
        page = await resp.text()
    assert f"key={new}" in page and old not in page


async def test_cli_rotates_the_key_and_lists_and_revokes_tokens(server, http):
    config = server.config
    code, out, err = await cli(config, "event", "rotate-key", "grand-rounds")
    assert code == 0, err
    new = out.split("key=")[1].split()[0]
    assert new != server.event.overlay_key
    await asyncio.sleep(2.1)  # the server's event cache forgets the old key within 2 s
    async with http.get(f"{server.url}/overlay/grand-rounds?key={server.event.overlay_key}") as r:
        assert r.status == 403
    async with http.get(f"{server.url}/overlay/grand-rounds?key={new}") as r:
        assert r.status == 200

    code, out, err = await cli(config, "token", "list")
    assert code == 0, err
    lines = [line.split("\t") for line in out.strip().splitlines()]
    assert [(cols[1], cols[3], cols[5]) for cols in lines] == [
        ("moderator", "deck", "active"),
        ("admin", "admin", "active"),
    ]
    for secret in server.tokens.values():
        assert secret not in out
    url = f"{server.url}/api/v1/events/grand-rounds/questions"
    async with http.get(url, headers=bearer(server)) as resp:
        assert resp.status == 200
    code, out, err = await cli(config, "token", "revoke", lines[0][0])
    assert code == 0, err
    async with http.get(url, headers=bearer(server)) as resp:
        assert resp.status == 401
    code, out, err = await cli(config, "token", "revoke", lines[0][0])
    assert code == 1 and "no active API token" in err
    code, out, err = await cli(config, "token", "list")
    assert out.splitlines()[0].endswith("revoked")
