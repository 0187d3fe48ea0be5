"""SIGTERM drains `liveq serve`: in-flight requests finish, websockets get 1001, the outbox
stops without doubling a post, and an overlay reconnects and resyncs after the restart."""

import asyncio
import json
import signal

import aiohttp
import argon2
import websockets
from playwright.async_api import expect
from websockets.exceptions import ConnectionClosed

from liveq.emulators.x.state import FaultKind
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.storage.db import Database
from tests.fixtures_server import MOD_PASSWORD, form_csrf, write_config, x_section
from tests.ports import free_port
from tests.system.test_outbox_crash import ask_and_answer, start_subprocess


async def _setup(config) -> tuple[str, str]:
    async with Database(config.database_target) as db:
        event = await store.create_event(
            db, "grand-rounds", "Grand Rounds", kind="webinar", hashtag="GR26", moderation="post"
        )
        token = await auth.create_api_token(db, "moderator", label="deck")
        await auth.create_user(db, "alice", MOD_PASSWORD, "moderator")
        # The suite hashes at test cost; these logins must be slow (production cost,
        # ~100 ms each) to be caught in flight by SIGTERM.
        slow = argon2.PasswordHasher().hash(MOD_PASSWORD)

        async def production_cost(conn):
            sql = "UPDATE users SET password_hash = ? WHERE username = 'alice'"
            await conn.execute(sql, (slow,))

        await db.write(production_cost)
    return token, event.overlay_key


async def _slow_logins(base: str, n: int) -> tuple[aiohttp.ClientSession, list[asyncio.Task]]:
    """Start n logins at once: each verifies argon2 in a thread (~100 ms), so they are slow."""
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    token = await form_csrf(http, f"{base}/login")

    async def one() -> int:
        async with http.post(
            f"{base}/login",
            data={"csrf": token, "username": "alice", "password": MOD_PASSWORD},
            allow_redirects=False,
        ) as resp:
            return resp.status

    tasks = [asyncio.create_task(one()) for _ in range(n)]
    await asyncio.sleep(0.05)  # sent and being handled, none finished yet
    return http, tasks


async def test_sigterm_drains_requests_websockets_and_the_outbox(tmp_path, x_emulator, x_state):
    config = write_config(
        tmp_path,
        x=x_section(x_emulator, outbox_interval_seconds=0.5),
        limits={"questions_per_minute": 0},
    )
    token, key = await _setup(config)
    headers = {"Authorization": f"Bearer {token}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The first post reaches X and its answer never comes: SIGTERM finds it in flight.
    x_state.hang_seconds = 60
    x_state.fail_next("POST /2/tweets", FaultKind.COMMIT_THEN_HANG)
    proc = await start_subprocess(config.path, port)
    try:
        async with aiohttp.ClientSession() as http:
            for n in range(8):
                await ask_and_answer(http, base, headers, n)
            async with asyncio.timeout(10):
                while len(x_state.posts_by()) < 1:
                    await asyncio.sleep(0.02)
        overlay = await websockets.connect(f"ws://127.0.0.1:{port}/ws/grand-rounds?key={key}")
        assert json.loads(await overlay.recv())["type"] == "snapshot"
        http, logins = await _slow_logins(base, 8)
        assert not any(t.done() for t in logins)

        proc.send_signal(signal.SIGTERM)
        with_code = None
        try:
            async with asyncio.timeout(5):
                while True:
                    await overlay.recv()
        except ConnectionClosed as closed:
            with_code = closed.rcvd.code if closed.rcvd else None
        assert with_code == 1001  # GOING_AWAY: overlays reconnect
        # The requests in flight when SIGTERM came still complete.
        async with asyncio.timeout(10):
            statuses = await asyncio.gather(*logins)
        await http.close()
        assert statuses == [303] * 8
        # Exits promptly (not after X's 60 s hang), the post in flight left 'posting'.
        assert await asyncio.to_thread(proc.wait, 15) == 0
        assert len(x_state.posts_by()) == 1

        proc = await start_subprocess(config.path, port)
        async with asyncio.timeout(20):
            while len(x_state.posts_by()) < 8:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # a doubled post would show by now
    finally:
        proc.kill()
        await asyncio.to_thread(proc.wait, 10)

    posts = x_state.posts_by()
    assert [p.text.split("\n")[0] for p in posts] == [
        f"Q{n + 1} from a viewer: Question {n}?" for n in range(8)
    ]
    for before, after in zip(posts, posts[1:], strict=False):
        assert after.in_reply_to_tweet_id == before.id
    async with Database(config.database_target) as db:
        rows = await db.fetchall("SELECT state, tweet_id, attempts FROM outbox ORDER BY seq")
        sessions = await db.fetchone("SELECT count(*) FROM sessions")
    assert [r["state"] for r in rows] == ["posted"] * 8
    assert [r["tweet_id"] for r in rows] == [p.id for p in posts]
    assert rows[0]["attempts"] == 1  # found on X after the restart, not sent again
    assert sessions[0] == 8  # every login that was answered 303 has its session


async def test_overlay_reconnects_and_resyncs_after_sigterm_and_restart(tmp_path, browser):
    config = write_config(tmp_path, limits={"questions_per_minute": 0})
    token, key = await _setup(config)
    headers = {"Authorization": f"Bearer {token}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    async def ask_on_air(http, text):
        async with http.post(f"{base}/e/grand-rounds/questions", json={"text": text}) as resp:
            qid = (await resp.json())["id"]
        async with http.post(
            f"{base}/api/v1/events/grand-rounds/questions/{qid}/on_air", json={}, headers=headers
        ) as resp:
            assert resp.status == 200, await resp.text()

    proc = await start_subprocess(config.path, port)
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(f"{base}/overlay/grand-rounds?key={key}")
        await expect(page.locator("#overlay")).to_have_attribute("data-connection", "live")
        async with aiohttp.ClientSession() as http:
            await ask_on_air(http, "Before the restart")
            await expect(page.locator("#onair-text")).to_have_text("Before the restart")
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(proc.wait, 15) == 0
            await expect(page.locator("#overlay")).to_have_attribute("data-connection", "down")
            proc = await start_subprocess(config.path, port)
            await expect(page.locator("#overlay")).to_have_attribute(
                "data-connection", "live", timeout=8000
            )
            after = "Is walking allowed on the first day?"
            await ask_on_air(http, after)
            await expect(page.locator("#onair-text")).to_have_text(after)
    finally:
        await context.close()
        proc.kill()
        await asyncio.to_thread(proc.wait, 10)
