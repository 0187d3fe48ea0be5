"""Secrets never reach the logs, even at DEBUG: the server secret, passwords,
session and API tokens, the overlay key, and the X keys."""

import asyncio
import logging

from liveq.web.keys import X_SETTINGS
from tests.fixtures_server import ADMIN_PASSWORD, MOD_PASSWORD, SECRET, bearer, login
from tests.workers.test_outbox import answer, settled


async def test_a_full_session_logs_no_secret(x_server, x_state, http, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, tweepy and oauthlib included
    server = x_server
    csrf = await login(http, server, "alice")
    await login(http, server, "admin")
    x_state.inject_tweet("#GR26 does this log anything?", author_username="someone")
    qid = await answer(http, server, "Logged?", "Not the secrets.")
    await settled(http, server, 1)
    async with http.post(
        f"{server.url}/api/v1/events/grand-rounds/questions/{qid}/star",
        json={},
        headers={"X-CSRF-Token": csrf},
    ) as resp:
        assert resp.status in (200, 409)
    async with http.get(
        f"{server.url}/overlay/grand-rounds?key={server.event.overlay_key}"
    ) as resp:
        assert resp.status == 200
    async with http.get(f"{server.url}/api/v1/events/nope/questions", headers=bearer(server)):
        pass
    await asyncio.sleep(0.5)  # let the poller run at least once

    settings = server.app[X_SETTINGS]
    session_cookie = next(c.value for c in http.cookie_jar if c.key == "liveq_session")
    secrets = {
        "server secret": SECRET,
        "admin password": ADMIN_PASSWORD,
        "moderator password": MOD_PASSWORD,
        "moderator token": server.tokens["moderator"],
        "admin token": server.tokens["admin"],
        "session cookie": session_cookie,
        "overlay key": server.event.overlay_key,
        "X consumer secret": settings.consumer_secret,
        "X access token secret": settings.access_token_secret,
        "X bearer token": settings.bearer_token,
        "X access token": settings.access_token,
    }
    logged = caplog.text
    assert len(caplog.records) > 0
    leaked = [name for name, value in secrets.items() if value and value in logged]
    assert leaked == []
