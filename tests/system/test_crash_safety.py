"""SIGKILL `liveq serve` in the middle of a flood of questions: every 2xx survives."""

import asyncio
import signal
import sqlite3

import aiohttp

from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.storage.db import Database
from tests.fixtures_server import write_config
from tests.ports import free_port
from tests.system.test_outbox_crash import start_subprocess

CLIENTS = 40


async def test_sigkill_mid_flood_loses_no_acknowledged_question(tmp_path):
    config = write_config(tmp_path, limits={"questions_per_minute": 0})
    async with Database(config.database_target) as db:
        await store.create_event(
            db, "grand-rounds", "Grand Rounds", kind="webinar", hashtag="", moderation="pre"
        )
        await auth.create_api_token(db, "moderator")
    port = free_port()
    url = f"http://127.0.0.1:{port}/e/grand-rounds/questions"
    proc = await start_subprocess(config.path, port)
    acked: dict[int, str] = {}
    failures = 0

    async def client(n: int, http: aiohttp.ClientSession) -> None:
        nonlocal failures
        i = 0
        while True:
            i += 1
            text = f"client {n} question {i}"
            try:
                async with http.post(url, json={"text": text}) as resp:
                    if resp.status == 201:
                        acked[(await resp.json())["id"]] = text
                    else:
                        assert resp.status < 500, await resp.text()
            except (TimeoutError, aiohttp.ClientError):
                failures += 1  # the server died under us: no answer, no promise
                return

    try:
        timeout = aiohttp.ClientTimeout(total=5)
        connector = aiohttp.TCPConnector(limit=CLIENTS)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
            tasks = [asyncio.create_task(client(n, http)) for n in range(CLIENTS)]
            async with asyncio.timeout(20):
                while len(acked) < 300:
                    await asyncio.sleep(0.01)
            proc.send_signal(signal.SIGKILL)  # mid-flood: requests are in flight
            await asyncio.to_thread(proc.wait, 10)
            async with asyncio.timeout(10):
                await asyncio.gather(*tasks)
        assert failures > 0, "the flood should have been cut off by the kill"
        # Restart on the same database: it recovers its WAL and serves again.
        proc = await start_subprocess(config.path, port)
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json={"text": "after the restart"}) as resp:
                assert resp.status == 201
    finally:
        proc.kill()
        await asyncio.to_thread(proc.wait, 10)

    conn = sqlite3.connect(config.database_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = dict(conn.execute("SELECT id, text FROM questions").fetchall())
    finally:
        conn.close()
    missing = {i: t for i, t in acked.items() if stored.get(i) != t}
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged questions lost"
