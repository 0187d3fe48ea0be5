"""Audience options per event over real HTTP: a name required or anonymous allowed (the
form says so in the page's language), typed answers shown or not, and each asker seeing
the status of their own questions, never anyone else's."""

import json

import aiohttp
import pytest

from tests.fixtures_server import bearer, form_csrf, start_server, write_config
from tests.web.test_moderation_api import act

EVENT = "/api/v1/events/grand-rounds"


@pytest.fixture
async def server(tmp_path):
    live = await start_server(write_config(tmp_path, limits={"questions_per_minute": 0}))
    yield live
    await live.stop()


async def patch(http, server, body, headers=None, status=200):
    headers = headers if headers is not None else bearer(server)
    async with http.patch(f"{server.url}{EVENT}", json=body, headers=headers) as resp:
        data = await resp.json()
        assert resp.status == status, data
        return data


async def submit(http, server, text, name="", lang=None):
    url = f"{server.url}/e/grand-rounds"
    headers = {"Accept-Language": lang} if lang else {}
    token = await form_csrf(http, url)
    async with http.post(
        f"{url}/questions",
        data={"csrf": token, "text": text, "name": name},
        headers=headers,
        allow_redirects=False,
    ) as resp:
        return resp.status, await resp.text(), resp.headers.get("Location", "")


async def test_options_need_a_moderator_and_booleans(server, http):
    await patch(http, server, {"require_name": True}, headers={}, status=401)
    data = await patch(http, server, {"require_name": "yes"}, status=400)
    assert data["error"] == "require_name should be true or false."
    data = await patch(http, server, {"require_name": True, "show_answers": True})
    assert data["event"]["require_name"] is True and data["event"]["show_answers"] is True
    async with http.get(f"{server.url}{EVENT}/audit", headers=bearer(server)) as resp:
        rows = (await resp.json())["audit"]
    assert rows[-1]["action"] == "event_update"
    assert json.loads(rows[-1]["detail"]) == {"require_name": 1, "show_answers": 1}


async def test_a_required_name_is_enforced_with_a_translated_sentence(server, http):
    status, page, _ = await submit(http, server, "Anonymous is fine?")
    assert status == 303  # anonymous allowed by default
    await patch(http, server, {"require_name": True})
    status, page, _ = await submit(http, server, "Still anonymous?")
    assert status == 400
    assert "this event does not take anonymous questions" in page
    assert "Still anonymous?" in page  # nothing typed is lost
    assert 'autocomplete="name" required' in page
    status, page, _ = await submit(http, server, "¿Sin nombre?", lang="es")
    assert status == 400 and "este evento no acepta preguntas anónimas" in page
    async with http.post(
        f"{server.url}/e/grand-rounds/questions", json={"text": "JSON, no name"}
    ) as resp:
        assert resp.status == 400
        assert "does not take anonymous questions" in (await resp.json())["error"]
    status, _, _ = await submit(http, server, "With a name", name="Ana")
    assert status == 303


async def test_each_asker_sees_only_their_own_questions_and_status(server, http):
    status, _, location = await submit(http, server, "Mine: how long is rehab?", name="Ana")
    assert status == 303
    mine_id = int(location.split("q=")[1].split("&")[0])
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        await submit(other, server, "Someone else's question", name="Bo")
        async with other.get(f"{server.url}/e/grand-rounds/mine") as resp:
            theirs = (await resp.json())["questions"]
        assert [q["text"] for q in theirs] == ["Someone else's question"]
    async with http.get(f"{server.url}/e/grand-rounds/mine") as resp:
        mine = (await resp.json())["questions"]
    assert [(q["id"], q["status"]) for q in mine] == [(mine_id, "pending")]
    assert mine[0]["status_text"] == "It is waiting for a moderator."
    # The form page lists them too, without JavaScript; never the other person's.
    async with http.get(f"{server.url}/e/grand-rounds") as resp:
        page = await resp.text()
    assert "Mine: how long is rehab?" in page and "Someone else" not in page
    # A browser with no id (a fresh one) sees nothing.
    async with aiohttp.ClientSession() as fresh, fresh.get(
        f"{server.url}/e/grand-rounds/mine"
    ) as resp:
        assert (await resp.json())["questions"] == []

    await act(http, server, mine_id, "approve")
    await act(http, server, mine_id, "answer", {"answer": "About six weeks."})
    async with http.get(f"{server.url}/e/grand-rounds/mine") as resp:
        mine = (await resp.json())["questions"]
    assert mine[0]["status"] == "answered" and mine[0]["answer"] == ""  # not shown by default
    await patch(http, server, {"show_answers": True})
    spanish = {"Accept-Language": "es"}
    async with http.get(f"{server.url}/e/grand-rounds/mine", headers=spanish) as r:
        mine = (await r.json())["questions"]
    assert mine[0]["answer"] == "About six weeks."
    assert mine[0]["status_text"] == "Ya ha sido respondida."


async def test_a_declined_question_says_it_will_not_be_shown(server, http):
    _, _, location = await submit(http, server, "Off topic?", name="Ana")
    qid = int(location.split("q=")[1].split("&")[0])
    await act(http, server, qid, "decline", {"reason": "off topic"})
    async with http.get(f"{server.url}/e/grand-rounds/mine") as resp:
        mine = (await resp.json())["questions"]
    assert (mine[0]["status"], mine[0]["status_text"]) == ("not_shown", "It will not be shown.")
    assert "off topic" not in str(mine)  # the reason is for the record, not the asker


async def test_answers_reach_public_sockets_only_when_the_event_shows_them(server, http):
    import asyncio

    import websockets

    from tests.web.test_realtime import recv_until

    first = (await submit(http, server, "Answered before the switch?", name="Ana"))[2]
    first_id = int(first.split("q=")[1].split("&")[0])
    await act(http, server, first_id, "approve")
    url = f"{server.ws_url}/ws/grand-rounds"
    async with websockets.connect(url) as audience:
        snap = await recv_until(audience, lambda m: m["type"] == "snapshot")
        assert "answers" not in snap
        await act(http, server, first_id, "answer", {"answer": "Private until shown."})
        msg = await recv_until(audience, lambda m: m["type"] == "question")
        assert msg["question"]["status"] == "answered"
        assert "Private until shown" not in json.dumps(msg)
        # Switched on: the answers so far arrive at once, and each new one after it.
        await patch(http, server, {"show_answers": True})
        msg = await recv_until(audience, lambda m: m["type"] == "answers")
        assert msg["answers"] == {str(first_id): "Private until shown."}
    async with websockets.connect(url) as audience:
        snap = await recv_until(audience, lambda m: m["type"] == "snapshot")
        assert snap["answers"] == {str(first_id): "Private until shown."}
        assert snap["event"]["show_answers"] is True
        await patch(http, server, {"show_answers": False})
        await recv_until(audience, lambda m: m["type"] == "event")
    async with websockets.connect(url) as audience:
        raw = await asyncio.wait_for(audience.recv(), 2)
        assert json.loads(raw)["type"] == "snapshot" and "Private until shown" not in raw
