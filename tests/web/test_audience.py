"""The audience form and JSON endpoint on a real server, including hostile input."""

import asyncio

import pytest

from liveq.storage.db import Database
from tests.fixtures_server import form_csrf, start_server, write_config

# Both store engines (tests/fixtures_database.py).
pytestmark = pytest.mark.engines("sqlite", "postgresql")


async def _count(server) -> int:
    row = await server.db.fetchone("SELECT count(*) FROM questions")
    return row[0]


async def test_form_post_redirects_to_thanks_and_stores(server, http):
    url = f"{server.url}/e/grand-rounds"
    token = await form_csrf(http, url)
    async with http.post(
        f"{url}/questions",
        data={
            "csrf": token,
            "text": "How long is recovery after a knee replacement?",
            "name": "Ann",
        },
        allow_redirects=False,
    ) as resp:
        assert resp.status == 303
        location = resp.headers["Location"]
    assert location.startswith("/e/grand-rounds/thanks?q=")
    async with http.get(server.url + location) as resp:
        page = await resp.text()
    assert "Thank you" in page and "waiting for a moderator" in page
    row = await server.db.fetchone("SELECT text, author, status, source FROM questions")
    assert tuple(row) == ("How long is recovery after a knee replacement?", "Ann", "pending", "web")


async def test_json_post_returns_201_with_id_and_status(server, http):
    async with http.post(
        f"{server.url}/e/grand-rounds/questions", json={"text": "Is physio needed?"}
    ) as resp:
        assert resp.status == 201
        body = await resp.json()
    assert body["status"] == "pending" and isinstance(body["id"], int)


async def test_unknown_event_is_a_clear_404(server, http):
    async with http.get(f"{server.url}/e/nope") as resp:
        assert resp.status == 404
        assert "no event at this address" in await resp.text()
    async with http.post(f"{server.url}/e/nope/questions", json={"text": "hi"}) as resp:
        assert resp.status == 404
        assert "no event" in (await resp.json())["error"]


async def test_hostile_inputs_get_clear_4xx_and_lose_nothing(server, http):
    url = f"{server.url}/e/grand-rounds/questions"
    async with http.post(url, json={"text": "A good question to keep"}) as resp:
        assert resp.status == 201
        kept = (await resp.json())["id"]

    cases = [
        ({"json": {"text": ""}}, 400, "empty"),
        ({"json": {"text": "   \n  "}}, 400, "empty"),
        ({"json": {"text": "a" * 10_000}}, 400, "10,000 characters long; the limit is 500"),
        ({"json": {"text": "hello\x00\x07world"}}, 400, "control characters"),
        ({"json": {"text": 42}}, 400, "must be text"),
        ({"json": ["text"]}, 400, "JSON object"),
        ({"json": {"text": "ok", "name": "n" * 500}}, 400, "name is 500 characters"),
        (
            {"data": b'{"text": "broken', "headers": {"Content-Type": "application/json"}},
            400,
            "not valid JSON",
        ),
        (
            {"data": b"\xff\xfe\xfa", "headers": {"Content-Type": "application/json"}},
            400,
            "",
        ),
        ({"data": b"x" * 1_000_000, "headers": {"Content-Type": "application/json"}}, 413, "limit"),
        (
            {
                "data": b"text=hi",
                "headers": {"Content-Type": "text/plain", "Accept": "application/json"},
            },
            415,
            "form",
        ),
    ]
    for kwargs, status, words in cases:
        async with http.post(url, **kwargs) as resp:
            assert resp.status == status, (kwargs.get("json"), await resp.text())
            body = await resp.json()
            assert words in body["error"]
            assert body["error"].endswith((".", "?")) or "limit" in body["error"]

    # Huge unicode is measured in characters, not bytes: 400 emoji is fine, 501 is not.
    async with http.post(url, json={"text": "🦴" * 400}) as resp:
        assert resp.status == 201
    async with http.post(url, json={"text": "漢" * 501}) as resp:
        assert resp.status == 400

    async with http.get(f"{server.url}/healthz") as resp:
        assert (await resp.json())["status"] == "ok"
    row = await server.db.fetchone("SELECT text FROM questions WHERE id = ?", (kept,))
    assert row["text"] == "A good question to keep"
    assert await _count(server) == 2


async def test_form_errors_render_in_the_page_and_keep_the_text(server, http):
    url = f"{server.url}/e/grand-rounds"
    token = await form_csrf(http, url)
    async with http.post(
        f"{url}/questions", data={"csrf": token, "text": "x" * 600, "name": "Bo"}
    ) as resp:
        assert resp.status == 400
        page = await resp.text()
    assert "600 characters long; the limit is 500" in page
    assert "x" * 600 in page  # the text comes back so nothing typed is lost
    assert 'value="Bo"' in page


async def test_wrong_or_missing_csrf_is_refused(server, http):
    url = f"{server.url}/e/grand-rounds"
    await form_csrf(http, url)
    for token in ("forged", ""):
        async with http.post(f"{url}/questions", data={"csrf": token, "text": "hi"}) as resp:
            assert resp.status == 403
            assert "form has expired" in await resp.text()
    assert await _count(server) == 0


async def test_flood_from_one_ip_is_limited_with_retry_after(server, http):
    url = f"{server.url}/e/grand-rounds/questions"
    statuses = []
    for i in range(12):
        async with http.post(url, json={"text": f"flood {i}"}) as resp:
            statuses.append(resp.status)
            if resp.status == 429:
                assert int(resp.headers["Retry-After"]) >= 1
                assert "wait" in (await resp.json())["error"]
    burst = server.config.limits.question_burst
    assert statuses[:burst] == [201] * burst
    assert statuses.count(429) >= 12 - burst - 1
    # Every question that got a 201 is stored.
    assert await _count(server) == statuses.count(201)


async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(tmp_path, http):
    config = write_config(
        tmp_path, server={"trusted_proxies": ["127.0.0.1"]}, limits={"question_burst": 1}
    )
    server = await start_server(config)
    try:
        url = f"{server.url}/e/grand-rounds/questions"
        # Two different clients behind the proxy each get their own allowance.
        for client in ("203.0.113.5", "203.0.113.6"):
            headers = {"X-Forwarded-For": client}
            async with http.post(url, json={"text": f"from {client}"}, headers=headers) as resp:
                assert resp.status == 201
        async with http.post(
            url, json={"text": "again"}, headers={"X-Forwarded-For": "203.0.113.5"}
        ) as resp:
            assert resp.status == 429
        rows = await server.db.fetchall("SELECT client_ip FROM questions ORDER BY id")
        assert [r[0] for r in rows] == ["203.0.113.5", "203.0.113.6"]
    finally:
        await server.stop()


async def test_untrusted_peer_cannot_spoof_forwarded_for(server, http):
    url = f"{server.url}/e/grand-rounds/questions"
    for i in range(server.config.limits.question_burst):
        headers = {"X-Forwarded-For": f"198.51.100.{i}"}
        async with http.post(url, json={"text": f"q{i}"}, headers=headers) as resp:
            assert resp.status == 201
    async with http.post(
        url, json={"text": "one more"}, headers={"X-Forwarded-For": "198.51.100.99"}
    ) as resp:
        assert resp.status == 429
    rows = await server.db.fetchall("SELECT DISTINCT client_ip FROM questions")
    assert [r[0] for r in rows] == ["127.0.0.1"]


async def test_post_moderation_shows_questions_at_once(server, http):
    async with http.patch(
        f"{server.url}/api/v1/events/grand-rounds",
        json={"moderation": "post"},
        headers={"Authorization": f"Bearer {server.tokens['moderator']}"},
    ) as resp:
        assert resp.status == 200
    async with http.post(
        f"{server.url}/e/grand-rounds/questions", json={"text": "Shown at once?"}
    ) as resp:
        assert (await resp.json())["status"] == "approved"


async def test_closed_event_refuses_politely(server, http):
    async with http.patch(
        f"{server.url}/api/v1/events/grand-rounds",
        json={"accepting": False},
        headers={"Authorization": f"Bearer {server.tokens['moderator']}"},
    ) as resp:
        assert resp.status == 200
    async with http.post(f"{server.url}/e/grand-rounds/questions", json={"text": "hi"}) as resp:
        assert resp.status == 409
        assert "not taking questions" in (await resp.json())["error"]


async def test_concurrent_submissions_are_all_durable(tmp_path, http):
    config = write_config(tmp_path, limits={"questions_per_minute": 0})
    server = await start_server(config)
    try:
        url = f"{server.url}/e/grand-rounds/questions"

        async def send(i):
            async with http.post(url, json={"text": f"question number {i}"}) as resp:
                return resp.status, (await resp.json())["id"]

        results = await asyncio.gather(*(send(i) for i in range(200)))
        assert all(status == 201 for status, _ in results)
        ids = {qid for _, qid in results}
        assert len(ids) == 200
    finally:
        await server.stop()
    # Read the store afresh, with the server gone: everything acknowledged is there.
    async with Database(config.database_target) as db:
        stored = {r[0] for r in await db.fetchall("SELECT id FROM questions")}
    assert stored == ids
