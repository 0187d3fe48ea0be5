"""A process SIGKILLed mid-event, and Redis restarted mid-event: nothing lost, nothing doubled."""

import asyncio
import subprocess
import time

import aiohttp
import pytest

from liveq.emulators.x.state import FaultKind
from liveq.storage.db import Database
from tests.cluster.conftest import SLUG, Socket, ask, redis_server_path
from tests.fixtures_server import x_section
from tests.ports import free_port


async def answer(http, base: str, headers: dict, qid: int, n: int) -> None:
    for action, body in (("on_air", {}), ("answer", {"answer": f"Answer {n}."})):
        async with http.post(
            f"{base}/api/v1/events/{SLUG}/questions/{qid}/{action}", json=body, headers=headers
        ) as resp:
            assert resp.status == 200, await resp.text()


def status(socket, qid: int) -> str | None:
    return socket.questions.get(qid, {}).get("status")


async def posts_reach(x_state, n: int, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while len(x_state.posts_by()) < n:
            await asyncio.sleep(0.02)


@pytest.mark.engines("sqlite", "postgresql")
async def test_sigkill_of_the_outbox_holder_mid_post(
    cluster_factory, x_emulator, x_state, db_engine
):
    cluster = await cluster_factory(
        3, x=x_section(x_emulator, outbox_interval_seconds=0.05, timeout_seconds=2)
    )
    urls = cluster.urls()
    # A console on each process; each goes to the next process if its own dies.
    sockets = [await Socket(urls[n:] + urls[:n], cluster.headers).open() for n in range(len(urls))]
    acked: list[int] = []
    x_state.hang_seconds = 60
    try:
        async with aiohttp.ClientSession() as http:
            holder = await cluster.holder(http, "x-outbox")
            others = [p.url for p in cluster.processes if p is not holder]
            for n in range(3):
                acked.append(await ask(http, urls[n % 3], f"Question {n}?"))
                await answer(http, urls[(n + 1) % 3], cluster.headers, acked[-1], n)
            await posts_reach(x_state, 3)
            # The fourth post reaches X, and X's answer never comes back: kill the holder then.
            x_state.fail_next("POST /2/tweets", FaultKind.COMMIT_THEN_HANG)
            acked.append(await ask(http, others[0], "Question 3?"))
            await answer(http, others[1], cluster.headers, acked[-1], 3)
            await posts_reach(x_state, 4)
            killed_at = time.monotonic()
            cluster.kill(holder)
            cluster.processes.remove(holder)
            for n in (4, 5):
                acked.append(await ask(http, others[n % 2], f"Question {n}?"))
                await answer(http, others[(n + 1) % 2], cluster.headers, acked[-1], n)
            await posts_reach(x_state, 6, timeout=15)
            took_over = time.monotonic() - killed_at
            await asyncio.sleep(0.5)  # anything doubled would show up by now
            for s in sockets:
                await s.wait_for(
                    lambda s: all(status(s, q) == "answered" for q in acked),
                    5.0,
                )
    finally:
        for s in sockets:
            await s.close()

    posts = x_state.posts_by()
    assert [p.text.split("\n")[0] for p in posts] == [
        f"Q{n + 1} from a viewer: Question {n}?" for n in range(6)
    ]
    for before, after in zip(posts, posts[1:], strict=False):
        assert after.in_reply_to_tweet_id == before.id
    async with Database(cluster.config.database_target) as db:
        rows = await db.fetchall("SELECT state, tweet_id, attempts FROM outbox ORDER BY seq")
    assert [r["state"] for r in rows] == ["posted"] * 6
    assert [r["tweet_id"] for r in rows] == [p.id for p in posts]
    assert rows[3]["attempts"] == 1  # found on X by the survivor, not sent again
    assert took_over < 2 * 2 + 3  # within two lease periods, plus the posts themselves
    # The consoles on the killed process came back through another, from a snapshot.
    assert sum(s.snapshots >= 2 for s in sockets) >= 1


async def test_redis_restarted_mid_event(cluster_factory, tmp_path):
    port = free_port()
    argv = [redis_server_path(), "--port", str(port), "--save", "", "--appendonly", "no"]
    argv += ["--dir", str(tmp_path)]
    redis = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    try:
        await _wait_for_port(port)
        cluster = await cluster_factory(2, cluster={"redis_url": f"redis://127.0.0.1:{port}"})
        a, b = cluster.urls()
        sockets = [await Socket([url], cluster.headers).open() for url in (a, b)]
        try:
            async with aiohttp.ClientSession() as http:
                first = await ask(http, a, "Before the outage?")
                for s in sockets:
                    await s.wait_for(lambda s: first in s.questions)
                redis.kill()
                redis.wait(timeout=10)
                # Each process notices and refuses websockets; a balancer sees it in /healthz.
                async with asyncio.timeout(5):
                    while True:
                        healths = [await cluster.health(http, p) for p in cluster.processes]
                        if all(h["bus"] == "unreachable" for h in healths):
                            break
                        await asyncio.sleep(0.1)
                assert all(h["status"] == "unavailable" and h["store"] == "ok" for h in healths)
                # The form still takes questions: the database is the truth.
                during = await ask(http, b, "During the outage?")
                async with asyncio.timeout(5):
                    while not all(s.refused for s in sockets):
                        await asyncio.sleep(0.05)
                redis = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
                await _wait_for_port(port)
                for s in sockets:
                    await s.wait_for(lambda s: s.connected.is_set() and during in s.questions, 10)
                after = await ask(http, a, "After the outage?")
                for s in sockets:
                    await s.wait_for(lambda s: after in s.questions, 3)
        finally:
            for s in sockets:
                await s.close()
        for s in sockets:
            assert {first, during, after} <= set(s.questions)
            assert s.snapshots >= 2  # resynced, not patched
    finally:
        redis.kill()
        redis.wait(timeout=10)


async def _wait_for_port(port: int) -> None:
    async with asyncio.timeout(10):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return
