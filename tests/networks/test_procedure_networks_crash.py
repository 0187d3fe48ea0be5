"""SIGKILL `liveq serve` while a procedure's post is on its way to X, Mastodon and
Bluesky at once: after a restart the script is on each network exactly once, in
order, chained (X looked up before the retry; Mastodon: the same Idempotency-Key;
Bluesky: the stored record key found with getRecord)."""

from __future__ import annotations

import asyncio
import signal
from types import SimpleNamespace

import aiohttp

from liveq.emulators.x.state import FaultKind
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.storage.db import Database
from tests.fixtures_bluesky import bluesky_section, fail_next_bluesky
from tests.fixtures_mastodon import fail_next, mastodon_section
from tests.fixtures_server import write_config, x_section
from tests.networks.test_procedure_networks import (
    assert_bluesky_chain,
    assert_mastodon_chain,
    bluesky_texts,
    mastodon_texts,
    x_texts,
)
from tests.ports import free_port
from tests.system.test_networks_crash import start, until
from tests.web.test_procedure import SLUG, TAG, assert_chain, call, ready_and_live


async def test_sigkill_mid_procedure_post_on_every_network(
    tmp_path, x_emulator, x_state, mastodon_emulator, bluesky_emulator
):
    mastodon, bluesky = mastodon_emulator.state, bluesky_emulator.state
    config = write_config(
        tmp_path,
        x=x_section(x_emulator, outbox_interval_seconds=0.05, timeout_seconds=2),
        mastodon=mastodon_section(mastodon_emulator, timeout_seconds=30),
        bluesky=bluesky_section(bluesky_emulator, timeout_seconds=30),
        limits={"questions_per_minute": 0},
    )
    async with Database(config.database_target) as db:
        await store.create_event(
            db, SLUG, "Knee, live", kind="procedure", hashtag=TAG, moderation="pre"
        )
        await auth.create_user(db, "carol", "approver-password-123", "approver")
        tokens = {
            "moderator": await auth.create_api_token(db, "moderator", label="deck"),
            "approver": await auth.create_api_token(db, "approver", label="carol"),
        }
    port = free_port()
    server = SimpleNamespace(url=f"http://127.0.0.1:{port}", tokens=tokens)
    x_state.hang_seconds = 60
    mastodon.slow_seconds = 60  # the third status is made; its answer never comes in time
    bluesky.slow_seconds = 60
    secrets = (mastodon.token, bluesky.app_password)
    proc = await start(config.path, port, *secrets)
    try:
        async with aiohttp.ClientSession() as http:
            await ready_and_live(http, server, 5)
            for _ in range(2):
                await call(http, server, "/next", status=201)
            await until(lambda: len(x_texts(x_state)) >= 2)
            await until(lambda: len(mastodon.own_thread()) >= 2)
            await until(lambda: len(bluesky.own_thread()) >= 2)
            x_state.fail_next("POST /2/tweets", FaultKind.COMMIT_THEN_HANG)
            fail_next(mastodon, "slow")
            fail_next_bluesky(bluesky, "slow")
            await call(http, server, "/next", status=201)
            await until(lambda: len(x_texts(x_state)) >= 3)
            await until(lambda: len(mastodon.own_thread()) >= 3)
            await until(lambda: len(bluesky.own_thread()) >= 3)
        # Every network has the third post; liveq waits for the answers. Kill it.
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc = await start(config.path, port, *secrets)
        async with aiohttp.ClientSession() as http:
            for _ in range(2):
                await call(http, server, "/next", status=201)
        await until(lambda: len(x_texts(x_state)) >= 5)
        await until(lambda: len(mastodon.own_thread()) >= 5)
        await until(lambda: len(bluesky.own_thread()) >= 5)
        await asyncio.sleep(0.5)  # anything doubled would show up by now
    finally:
        proc.kill()
        proc.wait(timeout=10)

    expected = [f"{n}/ Scripted post {n}. #{TAG}" for n in range(1, 6)]
    assert x_texts(x_state) == expected
    assert mastodon_texts(mastodon) == expected
    assert bluesky_texts(bluesky) == expected
    assert_chain(x_state)
    assert_mastodon_chain(mastodon)
    assert_bluesky_chain(bluesky)
    async with Database(config.database_target) as db:
        rows = await db.fetchall(
            "SELECT network, state, attempts FROM network_posts ORDER BY network, seq"
        )
    for network in ("bluesky", "mastodon"):
        mine = [r for r in rows if r["network"] == network]
        assert [r["state"] for r in mine] == ["posted"] * 5
        assert mine[2]["attempts"] == 2  # sent again (or looked up) after the restart
