"""SIGKILL the server while the outbox is posting: on restart no post is missing or doubled."""

import asyncio
import os
import signal
import subprocess
import sys

import aiohttp

from liveq.emulators.x.state import FaultKind
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.storage.db import Database
from tests.fixtures_server import write_config, x_section
from tests.ports import free_port


async def start_subprocess(config_path, port, extra_env=None):
    """`liveq serve` as a child, without the suite's LIVEQ_* settings (plus extra_env)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEQ_")}
    env.update(extra_env or {})
    log = config_path.parent / "server.log"
    with open(log, "ab") as err:
        proc = subprocess.Popen(  # noqa: ASYNC220 - a child we SIGKILL on purpose
            [sys.executable, "-m", "liveq", "serve", "--config", str(config_path)]
            + ["--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            if proc.poll() is not None:  # it could not start (a port in use, say): say why
                break
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    if resp.status == 200:
                        return proc
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    proc.kill()
    raise AssertionError(f"server did not start: {log.read_text()}")


async def ask_and_answer(http, base: str, headers: dict, n: int) -> int:
    """Question n through the form's JSON endpoint, sent on air and answered via the API."""
    async with http.post(f"{base}/e/grand-rounds/questions", json={"text": f"Question {n}?"}) as r:
        qid = (await r.json())["id"]
    for action, body in (("on_air", {}), ("answer", {"answer": f"Answer {n}."})):
        async with http.post(
            f"{base}/api/v1/events/grand-rounds/questions/{qid}/{action}",
            json=body,
            headers=headers,
        ) as resp:
            assert resp.status == 200, await resp.text()
    return qid


async def test_sigkill_mid_post_loses_nothing_and_doubles_nothing(tmp_path, x_emulator, x_state):
    config = write_config(
        tmp_path,
        x=x_section(x_emulator, outbox_interval_seconds=0.05, timeout_seconds=2),
        limits={"questions_per_minute": 0},
    )
    async with Database(config.database_target) as db:
        event = await store.create_event(
            db, "grand-rounds", "Grand Rounds", kind="webinar", hashtag="GR26", moderation="post"
        )
        token = await auth.create_api_token(db, "moderator", label="deck")
    headers = {"Authorization": f"Bearer {token}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The third post reaches X, and then the answer never comes back.
    x_state.hang_seconds = 60
    posts_before_fault = 2
    proc = await start_subprocess(config.path, port)
    try:
        async with aiohttp.ClientSession() as http:
            for n in range(6):
                await ask_and_answer(http, base, headers, n)
                if n == posts_before_fault - 1:
                    # Arm the fault once the first two are out.
                    async with asyncio.timeout(10):
                        while len(x_state.posts_by()) < posts_before_fault:
                            await asyncio.sleep(0.02)
                    x_state.fail_next("POST /2/tweets", FaultKind.COMMIT_THEN_HANG)
            async with asyncio.timeout(10):
                while len(x_state.posts_by()) < posts_before_fault + 1:
                    await asyncio.sleep(0.02)
        # The third post is on X; liveq is waiting for X's answer. Kill it now.
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert len(x_state.posts_by()) == 3

        proc = await start_subprocess(config.path, port)
        async with asyncio.timeout(20):
            while len(x_state.posts_by()) < 6:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # anything doubled would show up by now
    finally:
        proc.kill()
        proc.wait(timeout=10)

    posts = x_state.posts_by()
    assert [p.text.split("\n")[0] for p in posts] == [
        f"Q{n + 1} from a viewer: Question {n}?" for n in range(6)
    ]
    for before, after in zip(posts, posts[1:], strict=False):
        assert after.in_reply_to_tweet_id == before.id
    async with Database(config.database_target) as db:
        rows = await db.fetchall("SELECT state, tweet_id, attempts FROM outbox ORDER BY seq")
    assert [r["state"] for r in rows] == ["posted"] * 6
    assert [r["tweet_id"] for r in rows] == [p.id for p in posts]
    assert rows[2]["attempts"] == 1  # found on X after the restart, not sent again
    del event
