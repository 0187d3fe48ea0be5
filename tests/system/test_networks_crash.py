"""SIGKILL `liveq serve` while it posts to X, Mastodon and Bluesky at once: after a
restart every post exists exactly once, in order, on each network (X: looked up before
the retry; Mastodon: the same Idempotency-Key sent again; Bluesky: the stored record
key looked up with getRecord)."""

import asyncio
import signal

import aiohttp

from liveq.emulators.x.state import FaultKind
from liveq.networks.bluesky.settings import PASSWORD_ENV
from liveq.networks.mastodon.settings import TOKEN_ENV
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.storage.db import Database
from tests.fixtures_bluesky import bluesky_section, fail_next_bluesky
from tests.fixtures_mastodon import fail_next, mastodon_section
from tests.fixtures_server import write_config, x_section
from tests.ports import free_port
from tests.system.test_outbox_crash import ask_and_answer, start_subprocess


async def start(config_path, port, token, password):
    env = {TOKEN_ENV: token, PASSWORD_ENV: password}
    return await start_subprocess(config_path, port, env)


async def until(check, timeout=20.0):
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


async def test_sigkill_mid_post_on_every_network(
    tmp_path, x_emulator, x_state, mastodon_emulator, bluesky_emulator
):
    mastodon = mastodon_emulator.state
    bluesky = bluesky_emulator.state
    config = write_config(
        tmp_path,
        x=x_section(x_emulator, outbox_interval_seconds=0.05, timeout_seconds=2),
        mastodon=mastodon_section(mastodon_emulator, timeout_seconds=30),
        bluesky=bluesky_section(bluesky_emulator, timeout_seconds=30),
        limits={"questions_per_minute": 0},
    )
    async with Database(config.database_target) as db:
        await store.create_event(
            db, "grand-rounds", "Grand Rounds", kind="webinar", hashtag="GR26", moderation="post"
        )
        token = await auth.create_api_token(db, "moderator", label="deck")
    headers = {"Authorization": f"Bearer {token}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    x_state.hang_seconds = 60
    mastodon.slow_seconds = 60  # the third status is made; its answer never comes in time
    bluesky.slow_seconds = 60  # the same for the third Bluesky post
    secrets = (mastodon.token, bluesky.app_password)
    proc = await start(config.path, port, *secrets)
    try:
        async with aiohttp.ClientSession() as http:
            for n in range(6):
                await ask_and_answer(http, base, headers, n)
                if n == 1:
                    await until(lambda: len(x_state.posts_by()) >= 2)
                    await until(lambda: len(mastodon.own_thread()) >= 2)
                    await until(lambda: len(bluesky.own_thread()) >= 2)
                    x_state.fail_next("POST /2/tweets", FaultKind.COMMIT_THEN_HANG)
                    fail_next(mastodon, "slow")
                    fail_next_bluesky(bluesky, "slow")
            await until(lambda: len(x_state.posts_by()) >= 3)
            await until(lambda: len(mastodon.own_thread()) >= 3)
            await until(lambda: len(bluesky.own_thread()) >= 3)
        # Every network has the third post; liveq waits for the answers. Kill it.
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert len(x_state.posts_by()) == 3
        assert len(mastodon.own_thread()) == 3
        assert len(bluesky.own_thread()) == 3

        proc = await start(config.path, port, *secrets)
        await until(lambda: len(x_state.posts_by()) >= 6)
        await until(lambda: len(mastodon.own_thread()) >= 6)
        await until(lambda: len(bluesky.own_thread()) >= 6)
        await asyncio.sleep(0.5)  # anything doubled would show up by now
    finally:
        proc.kill()
        proc.wait(timeout=10)

    expected = [f"Q{n + 1} from a viewer: Question {n}?" for n in range(6)]
    posts = x_state.posts_by()
    assert [p.text.split("\n")[0] for p in posts] == expected
    statuses = mastodon.own_thread()
    assert [s.text.split("\n")[0] for s in statuses] == expected
    assert statuses[0].in_reply_to_id is None
    for before, after in zip(statuses, statuses[1:], strict=False):
        assert after.in_reply_to_id == before.id
    async with Database(config.database_target) as db:
        rows = await db.fetchall(
            "SELECT state, post_id, attempts FROM network_posts WHERE network = 'mastodon'"
            " ORDER BY seq"
        )
    assert [r["state"] for r in rows] == ["posted"] * 6
    assert [r["post_id"] for r in rows] == [s.id for s in statuses]
    assert rows[2]["attempts"] == 2  # sent again after the restart, with the same key
    records = bluesky.own_thread()
    assert [r.value["text"].split("\n")[0] for r in records] == expected
    for before, after in zip(records, records[1:], strict=False):
        assert after.value["reply"]["parent"]["uri"] == before.uri
        assert after.value["reply"]["root"]["uri"] == records[0].uri
    async with Database(config.database_target) as db:
        rows = await db.fetchall(
            "SELECT state, post_id, attempts FROM network_posts WHERE network = 'bluesky'"
            " ORDER BY seq"
        )
    assert [r["state"] for r in rows] == ["posted"] * 6
    assert [r["post_id"] for r in rows] == [r.uri for r in records]
    assert rows[2]["attempts"] == 2  # looked up (getRecord) after the restart, found
