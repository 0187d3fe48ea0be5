"""An event's opening and closing times over real HTTP: set by an admin (and audited),
said on the audience page in its language, enforced on every question sent."""

import time

import aiohttp
import pytest

from tests.fixtures_server import bearer

pytestmark = pytest.mark.engines("sqlite", "postgresql")

SLUG = "grand-rounds"


async def patch(http, server, body, status=200) -> dict:
    async with http.patch(
        f"{server.url}/api/v1/events/{SLUG}", json=body, headers=bearer(server, "admin")
    ) as resp:
        data = await resp.json()
        assert resp.status == status, data
    return data


async def ask(server, text="When can I drive again?") -> tuple[int, dict]:
    async with aiohttp.ClientSession() as audience:
        body = {"text": text, "name": "Ann"}
        async with audience.post(f"{server.url}/e/{SLUG}/questions", json=body) as resp:
            return resp.status, await resp.json()


async def page(server, lang="en") -> str:
    async with aiohttp.ClientSession() as audience:
        headers = {"Accept-Language": lang}
        async with audience.get(f"{server.url}/e/{SLUG}", headers=headers) as resp:
            assert resp.status == 200
            return await resp.text()


async def test_before_opening_the_page_says_when_and_questions_wait(server, http):
    opens = time.time() + 3600
    event = (await patch(http, server, {"opens_at": opens}))["event"]
    assert event["opens_at"] == opens and event["closes_at"] is None
    html = await page(server)
    assert 'id="schedule-note"' in html and "Questions open on " in html
    assert 'class="ask"' not in html  # no form yet
    assert "Las preguntas se abren el " in await page(server, "es")
    status, data = await ask(server)
    assert status == 409 and data["error"].startswith("Questions open on ")
    # Cleared: questions are taken again.
    await patch(http, server, {"opens_at": None})
    status, _ = await ask(server)
    assert status == 201
    rows = await server.db.fetchall("SELECT actor, action FROM audit WHERE action = 'event_update'")
    assert [r["actor"] for r in rows] == ["token:admin", "token:admin"]


async def test_after_closing_the_page_says_it_closed(server, http):
    await patch(http, server, {"opens_at": time.time() - 7200, "closes_at": time.time() - 60})
    html = await page(server, "ar")
    assert "أُغلقت الأسئلة في" in html and 'class="ask"' not in html
    status, data = await ask(server)
    assert status == 409 and data["error"].startswith("Questions closed on ")


async def test_bad_times_are_refused_with_a_sentence(server, http):
    now = time.time()
    for body, words in [
        ({"opens_at": "tomorrow"}, "opens_at should be a time in seconds"),
        ({"closes_at": True}, "closes_at should be a time in seconds"),
        ({"closes_at": -5}, "closes_at should be a time in seconds"),
        ({"opens_at": now + 60, "closes_at": now}, "close after they open"),
    ]:
        data = await patch(http, server, body, status=400)
        assert words in data["error"]
    await patch(http, server, {"closes_at": now + 60})
    # Checked against the time already set, too.
    data = await patch(http, server, {"opens_at": now + 120}, status=400)
    assert "close after they open" in data["error"]


async def test_an_event_can_be_created_with_its_times(server, http):
    opens, closes = time.time() + 60, time.time() + 3600
    body = {"slug": "june-rounds", "title": "June", "opens_at": opens, "closes_at": closes}
    async with http.post(
        f"{server.url}/api/v1/events", json=body, headers=bearer(server, "admin")
    ) as resp:
        data = await resp.json()
        assert resp.status == 201, data
    assert (data["event"]["opens_at"], data["event"]["closes_at"]) == (opens, closes)
    body = {"slug": "bad-rounds", "title": "Bad", "opens_at": closes, "closes_at": opens}
    async with http.post(
        f"{server.url}/api/v1/events", json=body, headers=bearer(server, "admin")
    ) as resp:
        assert resp.status == 400
        assert "close after they open" in (await resp.json())["error"]
