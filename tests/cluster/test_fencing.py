"""The outbox's holder frozen (SIGSTOP) mid-post: a survivor takes over and posts;
the frozen one, resumed (SIGCONT), is fenced out and posts nothing."""

import asyncio
import os
import signal
import time

import aiohttp
import pytest

from liveq.emulators.x.state import FaultKind
from liveq.storage import fences
from liveq.storage.db import Database
from tests.cluster.conftest import ask
from tests.cluster.test_failover import answer, posts_reach
from tests.fixtures_server import x_section

LEASE = 2.0  # seconds: make_cluster's lease_seconds
TIMEOUT = 2  # seconds: the X request timeout


@pytest.mark.engines("sqlite", "postgresql")
async def test_a_frozen_outbox_holder_resumed_after_a_takeover_posts_nothing(
    cluster_factory, x_emulator, x_state, db_engine
):
    cluster = await cluster_factory(
        2, x=x_section(x_emulator, outbox_interval_seconds=0.05, timeout_seconds=TIMEOUT)
    )
    headers = cluster.headers
    async with aiohttp.ClientSession() as http:
        holder = await cluster.holder(http, "x-outbox")
        [survivor] = [p for p in cluster.processes if p is not holder]
        first_token = (await cluster.health(http, holder))["leases"]["x-outbox"]
        qid = await ask(http, survivor.url, "Question 0?")
        await answer(http, survivor.url, headers, qid, 0)
        await posts_reach(x_state, 1)
        # The next post's request reaches X, which neither posts it nor answers:
        # the holder is frozen while that post is in its hands.
        hang = x_state.fail_next("POST /2/tweets", FaultKind.HANG)
        qid = await ask(http, survivor.url, "Question 1?")
        await answer(http, survivor.url, headers, qid, 1)
        async with asyncio.timeout(10):
            while hang in x_state.faults:
                await asyncio.sleep(0.02)
        os.kill(holder.proc.pid, signal.SIGSTOP)
        frozen_at = time.monotonic()
        try:
            # The survivor takes the lease, looks on X for the post in flight, posts it.
            await posts_reach(x_state, 2, timeout=15)
            took_over = time.monotonic() - frozen_at
            qid = await ask(http, survivor.url, "Question 2?")
            await answer(http, survivor.url, headers, qid, 2)
            await posts_reach(x_state, 3)
            new_token = (await cluster.health(http, survivor))["leases"]["x-outbox"]
            # Frozen past its request's timeout and its lease: both overdue when it wakes.
            await asyncio.sleep(max(0.0, TIMEOUT + 0.5 - (time.monotonic() - frozen_at)))
        finally:
            os.kill(holder.proc.pid, signal.SIGCONT)
        await asyncio.sleep(LEASE + TIMEOUT)  # it wakes, its request times out, it tries
        health = await cluster.health(http, holder)  # alive, answering, not holding the job
        assert "x-outbox" not in health["leases"]
        assert (await cluster.health(http, survivor))["leases"]["x-outbox"] == new_token
        # The resumed process takes questions; the survivor posts their answers.
        qid = await ask(http, holder.url, "Question 3?")
        await answer(http, holder.url, headers, qid, 3)
        await posts_reach(x_state, 4)
        await asyncio.sleep(1.0)  # anything doubled would show up by now

    posts = x_state.posts_by()
    assert [p.text.split("\n")[0] for p in posts] == [
        f"Q{n + 1} from a viewer: Question {n}?" for n in range(4)
    ]
    for before, after in zip(posts, posts[1:], strict=False):
        assert after.in_reply_to_tweet_id == before.id
    async with Database(cluster.config.database_target) as db:
        rows = await db.fetchall("SELECT state, tweet_id, attempts FROM outbox ORDER BY seq")
        newest = await fences.newest(db, "x-outbox")
    assert [r["state"] for r in rows] == ["posted"] * 4
    assert [r["tweet_id"] for r in rows] == [p.id for p in posts]
    assert rows[1]["attempts"] == 2  # the frozen holder's attempt never reached X's thread
    assert new_token > first_token
    assert newest == new_token  # the survivor's token shut the frozen one out
    assert took_over < 2 * LEASE + 3
