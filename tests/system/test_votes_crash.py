"""SIGKILL `liveq serve` in a vote storm: every acknowledged vote survives, and after
the restart each person's vote on a question still counts exactly once."""

import asyncio
import signal
import sqlite3
from types import SimpleNamespace

import aiohttp

from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.storage.db import Database
from tests.fixtures_server import write_config
from tests.ports import free_port
from tests.system.test_outbox_crash import start_subprocess
from tests.web.test_townhall import Voter

VOTERS = 60


async def test_votes_are_exact_across_a_sigkill(tmp_path):
    config = write_config(tmp_path, limits={"questions_per_minute": 0, "votes_per_minute": 0})
    async with Database(config.database_target) as db:
        await store.create_event(
            db, "grand-rounds", "Grand Rounds", kind="webinar", hashtag="", moderation="post"
        )
        await auth.create_api_token(db, "moderator")
    port = free_port()
    base = SimpleNamespace(url=f"http://127.0.0.1:{port}")
    proc = await start_subprocess(config.path, port)
    voters = [Voter(base) for _ in range(VOTERS)]
    acked: set[tuple[int, int]] = set()
    try:
        async with aiohttp.ClientSession() as http:
            ids = []
            for n in range(5):
                async with http.post(
                    f"{base.url}/e/grand-rounds/questions", json={"text": f"Question {n}?"}
                ) as resp:
                    assert (await resp.json())["status"] == "approved"
                    ids.append((await resp.json())["id"])
        await asyncio.gather(*(v.open_page() for v in voters))

        async def storm(n: int, voter: Voter) -> None:
            for k in range(len(ids)):
                qid = ids[(n + k) % len(ids)]
                try:
                    await voter.vote(qid)
                except (aiohttp.ClientError, TimeoutError):
                    return  # the server died under us: no answer, no promise
                acked.add((n, qid))

        tasks = [asyncio.create_task(storm(n, v)) for n, v in enumerate(voters)]
        async with asyncio.timeout(20):
            while len(acked) < 100:
                await asyncio.sleep(0.005)
        proc.send_signal(signal.SIGKILL)  # mid-storm: votes are in flight
        await asyncio.to_thread(proc.wait, 10)
        async with asyncio.timeout(10):
            await asyncio.gather(*tasks)
        assert len(acked) < VOTERS * len(ids), "the storm should have been cut off by the kill"

        conn = sqlite3.connect(config.database_path)
        try:
            counted = dict(conn.execute("SELECT id, votes FROM questions").fetchall())
            rows = dict(
                conn.execute("SELECT question_id, count(*) FROM votes GROUP BY question_id")
            )
        finally:
            conn.close()
        for qid in ids:
            acknowledged = sum(1 for _, q in acked if q == qid)
            assert acknowledged <= counted[qid] == rows.get(qid, 0), qid

        # Restart; everyone votes on everything again (same cookies): once each.
        proc = await start_subprocess(config.path, port)
        await asyncio.gather(*(v.vote(qid) for v in voters for qid in ids))
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base.url}/e/grand-rounds") as resp:
                assert resp.status == 200
    finally:
        proc.kill()
        await asyncio.to_thread(proc.wait, 10)
        await asyncio.gather(*(v.close() for v in voters))

    conn = sqlite3.connect(config.database_path)
    try:
        final = dict(conn.execute("SELECT id, votes FROM questions").fetchall())
    finally:
        conn.close()
    assert [final[qid] for qid in ids] == [VOTERS] * len(ids)
