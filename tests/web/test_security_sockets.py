"""A websocket lives no longer than the session or API token that opened it (issue 12
item 3): revoking the token, logging out or logging out everywhere closes it with
1008 and a reason, and it receives nothing after."""

import asyncio
import json

import aiohttp
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from liveq.storage import accounts as auth
from tests.fixtures_server import login, start_server, write_config
from tests.web.test_security_overlay_key import cli

SLUG = "grand-rounds"


def moderator_socket(server, *, token=None, cookie=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {"Cookie": cookie}
    return websockets.connect(f"{server.ws_url}/ws/{SLUG}", additional_headers=headers)


async def snapshot_role(ws) -> str:
    msg = json.loads(await ws.recv())
    assert msg["type"] == "snapshot"
    return msg["role"]


async def closed_with(ws, timeout: float) -> tuple[int, str, list[dict]]:
    """Wait for the server to close `ws`; the code, the reason and what came before."""
    seen = []
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(timeout):
            while True:
                seen.append(json.loads(await ws.recv()))
    return ws.close_code, ws.close_reason, seen


async def ask(http, server, text) -> int:
    async with http.post(f"{server.url}/e/{SLUG}/questions", json={"text": text}) as resp:
        assert resp.status == 201
        return (await resp.json())["id"]


async def receives_question(ws, qid, timeout=2.0) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            msg = json.loads(await ws.recv())
            if msg["type"] == "question" and msg["question"]["id"] == qid:
                return msg["question"]


def session_cookie(session: aiohttp.ClientSession) -> str:
    value = next(c.value for c in session.cookie_jar if c.key == "liveq_session")
    return f"liveq_session={value}"


async def test_revoking_a_token_closes_its_websockets(server, http):
    leaked = await auth.create_api_token(server.db, "moderator", label="leaked")
    row = await server.db.fetchone("SELECT id FROM api_tokens WHERE label = 'leaked'")
    async with (
        moderator_socket(server, token=leaked) as bad,
        moderator_socket(server, token=server.tokens["moderator"]) as good,
    ):
        assert await snapshot_role(bad) == "moderator"
        assert await snapshot_role(good) == "moderator"
        # As an operator would: from another process, while the server runs.
        code, out, err = await cli(server.config, "token", "revoke", str(row["id"]))
        assert code == 0, err
        code, reason, _ = await closed_with(bad, timeout=3)
        assert (code, reason) == (1008, "API token revoked")
        qid = await ask(http, server, "Can my dad call the ward on 617-555-0143?")
        assert (await receives_question(good, qid))["findings"]


async def test_logging_out_everywhere_closes_every_socket_of_that_user_at_once(tmp_path, http):
    # No periodic check within this test: only logout itself may close the sockets.
    server = await start_server(write_config(tmp_path, server={"websocket_recheck_seconds": 600}))
    jars = [aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(3)]
    phone, laptop, bob = jars
    try:
        token = await login(phone, server)
        await login(laptop, server)
        await login(bob, server, "bob")
        async with (
            moderator_socket(server, cookie=session_cookie(phone)) as ws_phone,
            moderator_socket(server, cookie=session_cookie(laptop)) as ws_laptop,
            moderator_socket(server, cookie=session_cookie(bob)) as ws_bob,
        ):
            for ws in (ws_phone, ws_laptop, ws_bob):
                assert await snapshot_role(ws) == "moderator"
            async with phone.post(
                f"{server.url}/logout",
                data={"csrf": token, "everywhere": "1"},
                allow_redirects=False,
            ) as resp:
                assert resp.status == 303
            qid = await ask(http, server, "Is my mum in room 412 still on the ward?")
            for ws in (ws_phone, ws_laptop):
                code, reason, seen = await closed_with(ws, timeout=0.5)
                assert (code, reason) == (1008, "logged out")
                # Nothing of the question asked after the logout reached it.
                assert not [m for m in seen if m.get("type") == "question"], seen
            assert (await receives_question(ws_bob, qid))["text"].startswith("Is my mum")
    finally:
        for jar in jars:
            await jar.close()
        await server.stop()


async def test_plain_logout_closes_only_this_sessions_socket(tmp_path, http):
    server = await start_server(write_config(tmp_path, server={"websocket_recheck_seconds": 600}))
    phone = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    laptop = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        token = await login(phone, server)
        await login(laptop, server)
        async with (
            moderator_socket(server, cookie=session_cookie(phone)) as ws_phone,
            moderator_socket(server, cookie=session_cookie(laptop)) as ws_laptop,
        ):
            await snapshot_role(ws_phone)
            await snapshot_role(ws_laptop)
            async with phone.post(
                f"{server.url}/logout", data={"csrf": token}, allow_redirects=False
            ) as resp:
                assert resp.status == 303
            assert (await closed_with(ws_phone, timeout=0.5))[:2] == (1008, "logged out")
            qid = await ask(http, server, "Still streaming to the laptop?")
            await receives_question(ws_laptop, qid)
    finally:
        await phone.close()
        await laptop.close()
        await server.stop()


async def test_a_password_change_closes_the_users_sockets_within_the_check(tmp_path, http):
    server = await start_server(write_config(tmp_path, server={"websocket_recheck_seconds": 1}))
    phone = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        await login(phone, server)
        async with moderator_socket(server, cookie=session_cookie(phone)) as ws:
            await snapshot_role(ws)
            await auth.set_password(server.db, "alice", "a-new-password-456")
            code, reason, _ = await closed_with(ws, timeout=3)
            assert (code, reason) == (1008, "logged out")
    finally:
        await phone.close()
        await server.stop()

