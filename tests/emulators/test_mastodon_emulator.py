"""The Mastodon emulator answers as Mastodon does: its error shapes, X-RateLimit-* headers
(the reset in ISO 8601), Idempotency-Key, the character limit, hashtag paging."""

from datetime import datetime

import aiohttp
import pytest

from tests.fixtures_mastodon import fail_next


@pytest.fixture
async def api(mastodon_emulator):
    async with aiohttp.ClientSession(
        base_url=mastodon_emulator.base_url,
        connector=aiohttp.TCPConnector(ssl=mastodon_emulator.ca.client_ssl_context()),
        headers={"Authorization": f"Bearer {mastodon_emulator.state.token}"},
    ) as session:
        yield session


async def test_a_wrong_token_gets_mastodons_401(mastodon_emulator):
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=mastodon_emulator.ca.client_ssl_context())
    ) as http:
        async with http.post(
            f"{mastodon_emulator.base_url}/api/v1/statuses",
            data={"status": "hi"},
            headers={"Authorization": "Bearer nope"},
        ) as resp:
            assert resp.status == 401
            assert await resp.json() == {"error": "The access token is invalid"}
            assert "X-RateLimit-Remaining" in resp.headers


async def test_rate_limit_headers_and_429_with_reset(api, mastodon_state):
    async with api.get("/api/v1/accounts/verify_credentials") as resp:
        assert resp.status == 200
        assert resp.headers["X-RateLimit-Limit"] == "300"
        assert int(resp.headers["X-RateLimit-Remaining"]) == 299
        datetime.fromisoformat(resp.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
    fail_next(mastodon_state, "rate_limit", reset_after=30)
    async with api.post("/api/v1/statuses", data={"status": "hi"}) as resp:
        assert resp.status == 429
        assert await resp.json() == {"error": "Too many requests"}
        assert resp.headers["X-RateLimit-Remaining"] == "0"
        reset = datetime.fromisoformat(resp.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
        assert reset.timestamp() > datetime.now().timestamp() + 20
    assert mastodon_state.own_thread() == []


async def test_idempotency_key_returns_the_first_status(api, mastodon_state):
    key = {"Idempotency-Key": "abc"}
    async with api.post("/api/v1/statuses", data={"status": "once"}, headers=key) as resp:
        first = await resp.json()
    async with api.post("/api/v1/statuses", data={"status": "once"}, headers=key) as resp:
        again = await resp.json()
    assert first["id"] == again["id"]
    assert len(mastodon_state.own_thread()) == 1


async def test_over_the_limit_is_a_422_and_a_link_counts_23(api, mastodon_state):
    mastodon_state.max_characters = 40
    link = "https://example.org/" + "x" * 100
    async with api.post("/api/v1/statuses", data={"status": f"See {link} now"}) as resp:
        assert resp.status == 200  # 4 + 23 + 4 characters
    async with api.post("/api/v1/statuses", data={"status": "y" * 41}) as resp:
        assert resp.status == 422
        assert await resp.json() == {
            "error": "Validation failed: Text character limit of 40 exceeded"
        }
    async with api.get("/api/v2/instance") as resp:
        statuses = (await resp.json())["configuration"]["statuses"]
        assert statuses["max_characters"] == 40
        assert statuses["characters_reserved_per_url"] == 23


async def test_hashtag_timeline_pages_newest_first(api, mastodon_state):
    who = mastodon_state.account_named("amy")
    made = [mastodon_state.add_status(who, f"Q{i} #GR26", tags=("gr26",)) for i in range(5)]
    async with api.get("/api/v1/timelines/tag/GR26", params={"limit": "2"}) as resp:
        page = await resp.json()
        assert [s["id"] for s in page] == [made[4].id, made[3].id]
        assert 'rel="next"' in resp.headers["Link"]
    params = {"limit": "40", "since_id": made[1].id, "max_id": made[4].id}
    async with api.get("/api/v1/timelines/tag/gr26", params=params) as resp:
        assert [s["id"] for s in await resp.json()] == [made[3].id, made[2].id]
    assert page[0]["content"] == "<p>Q4 #GR26</p>"
    assert page[0]["account"]["acct"] == "amy"
