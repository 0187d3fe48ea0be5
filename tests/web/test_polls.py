"""Polls over real HTTP and websockets (issue 16): prepared in draft, opened and closed
by a moderator, one answer per browser, counts coalesced, results hidden until shown,
word-cloud answers screened."""

import asyncio
import json

import aiohttp
import pytest
import websockets

from liveq.storage import store
from tests.fixtures_server import bearer, form_csrf, login, start_server, write_config

# Both store engines: the polls' SQL is written once for sqlite and PostgreSQL.
pytestmark = pytest.mark.engines("sqlite", "postgresql")

FORM = "/e/grand-rounds"
API = "/api/v1/events/grand-rounds/polls"


def browser() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def create(http, server, **body) -> dict:
    body = {"kind": "choice", "question": "Which knee?", "options": ["Left", "Right"], **body}
    async with http.post(f"{server.url}{API}", json=body, headers=bearer(server)) as resp:
        assert resp.status == 201, await resp.text()
        return (await resp.json())["poll"]


async def act(http, server, poll_id, action, expect=200) -> dict:
    async with http.post(f"{server.url}{API}/{poll_id}/{action}", headers=bearer(server)) as r:
        data = await r.json()
        assert r.status == expect, data
        return data


async def answer(session, server, poll_id, value, token=None, lang=None):
    """One browser answering: its page first (the pass and the CSRF token), then the answer."""
    if token is None:
        token = await form_csrf(session, f"{server.url}{FORM}")
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    if lang:
        headers["Accept-Language"] = lang
    async with session.post(
        f"{server.url}{FORM}/polls/{poll_id}/answer", json={"value": value}, headers=headers
    ) as resp:
        return resp.status, await resp.json()


async def recv_until(ws, predicate, timeout=5.0):
    async with asyncio.timeout(timeout):
        while True:
            msg = json.loads(await ws.recv())
            if predicate(msg):
                return msg


async def test_draft_is_edited_and_deleted_then_locked_once_opened(server, http):
    poll = await create(http, server)
    assert poll["status"] == "draft" and poll["options"] == ["Left", "Right"]
    body = {"kind": "rating", "question": "How clear was the talk?", "scale": 5}
    async with http.patch(
        f"{server.url}{API}/{poll['id']}", json=body, headers=bearer(server)
    ) as resp:
        assert resp.status == 200
        edited = (await resp.json())["poll"]
    assert edited["kind"] == "rating" and edited["scale"] == 5 and edited["options"] == []
    doomed = await create(http, server, question="Delete me?")
    async with http.delete(f"{server.url}{API}/{doomed['id']}", headers=bearer(server)) as resp:
        assert resp.status == 200
    async with http.get(f"{server.url}{API}", headers=bearer(server)) as resp:
        assert [p["id"] for p in (await resp.json())["polls"]] == [poll["id"]]
    await act(http, server, poll["id"], "open")
    async with http.patch(
        f"{server.url}{API}/{poll['id']}", json=body, headers=bearer(server)
    ) as resp:
        assert resp.status == 409
        assert "can no longer be changed" in (await resp.json())["error"]
    async with http.delete(f"{server.url}{API}/{poll['id']}", headers=bearer(server)) as resp:
        assert resp.status == 409
    actions = [r["action"] for r in await store.audit_rows(server.db, server.event)]
    assert actions == ["poll_create", "poll_edit", "poll_create", "poll_delete", "poll_open"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"kind": "choice", "question": "One?", "options": ["Only"]}, "needs 2 to 10 options"),
        ({"kind": "choice", "question": "Same?", "options": ["Yes", "yes"]}, "are the same"),
        ({"kind": "rating", "question": "Rate", "scale": 50}, "scale"),
        ({"kind": "quiz", "question": "Hm?"}, "kind is one of"),
        ({"kind": "cloud", "question": ""}, "empty"),
        ({"kind": "choice", "question": "Q", "options": "Yes,No"}, "as a list"),
    ],
)
async def test_bad_drafts_get_a_sentence(server, http, body, says):
    async with http.post(f"{server.url}{API}", json=body, headers=bearer(server)) as resp:
        assert resp.status == 400
        assert says in (await resp.json())["error"]


async def test_moderator_actions_need_a_moderator_and_the_page_token(server, http):
    async with http.post(f"{server.url}{API}", json={"kind": "cloud", "question": "Q"}) as resp:
        assert resp.status == 401
    await login(http, server)
    async with http.post(
        f"{server.url}{API}",
        json={"kind": "cloud", "question": "Q"},
        headers={"Accept": "application/json"},
    ) as resp:
        assert resp.status == 403  # a session without the page's CSRF token
        assert "security token" in (await resp.json())["error"]


async def test_one_answer_per_browser_and_the_vote_rules(server, http):
    poll = await create(http, server)
    async with browser() as early:
        status, data = await answer(early, server, poll["id"], 0)
    assert status == 404 and "no such poll" in data["error"]  # still a draft
    await act(http, server, poll["id"], "open")
    async with browser() as phone:
        token = await form_csrf(phone, f"{server.url}{FORM}")
        assert await answer(phone, server, poll["id"], 1, token) == (
            200,
            {"poll": poll["id"], "counted": True, "repeat": False},
        )
        status, data = await answer(phone, server, poll["id"], 0, token)
        assert status == 200 and data["repeat"] and not data["counted"]
        status, data = await answer(phone, server, poll["id"], 7, token)
        assert status == 400 and data["error"] == "Choose one of the poll's options."
        status, data = await answer(phone, server, poll["id"], 0, "not-the-token")
        assert status == 403 and "reload it to answer" in data["error"]
    async with browser() as other:
        status, data = await answer(other, server, poll["id"], 0)
        assert status == 200 and data["counted"]
    # A made-up pass never counts.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as forger:
        async with forger.post(
            f"{server.url}{FORM}/polls/{poll['id']}/answer",
            json={"value": 0},
            headers={"Accept": "application/json", "Cookie": "liveq_voter=made.up"},
        ) as resp:
            assert resp.status == 403
    async with http.get(f"{server.url}{API}", headers=bearer(server)) as resp:
        counted = (await resp.json())["polls"][0]
    assert counted["counts"] == {"0": 1, "1": 1} and counted["answers"] == 2
    await act(http, server, poll["id"], "close")
    async with browser() as late:
        status, data = await answer(late, server, poll["id"], 0)
    assert status == 409 and "not open" in data["error"]


async def test_refusals_come_in_the_pages_language(server, http):
    poll = await create(http, server, kind="rating", question="¿Qué tal?", options=[], scale=5)
    await act(http, server, poll["id"], "open")
    async with browser() as phone:
        status, data = await answer(phone, server, poll["id"], 9, lang="es")
    assert status == 400 and data["error"] == "Elija una valoración del 1 al 5."


async def test_opening_a_poll_closes_the_open_one(server, http):
    first = await create(http, server)
    second = await create(http, server, kind="cloud", question="One word for today?", options=[])
    await act(http, server, first["id"], "open")
    data = await act(http, server, second["id"], "open")
    assert data["poll"]["status"] == "open"
    assert [(p["id"], p["status"]) for p in data["changed"]] == [(first["id"], "closed")]
    await act(http, server, first["id"], "close", expect=409)


async def test_word_cloud_answers_are_screened_and_folded(server, http):
    poll = await create(http, server, kind="cloud", question="One word for today?", options=[])
    await act(http, server, poll["id"], "open")
    for value in ("Hope", " hope ", "Call 617-555-0143", "Relief"):
        async with browser() as phone:
            status, _ = await answer(phone, server, poll["id"], value)
            assert status == 200
    async with browser() as phone:
        status, data = await answer(phone, server, poll["id"], "x" * 41)
    assert status == 400 and "41 characters" in data["error"]
    async with http.get(f"{server.url}{API}", headers=bearer(server)) as resp:
        cloud = (await resp.json())["polls"][0]
    assert cloud["counts"] == {"hope": 2, "relief": 1}
    assert cloud["answers"] == 4 and cloud["held"] == 1
    async with http.get(f"{server.url}{API}/{poll['id']}/held", headers=bearer(server)) as resp:
        held = (await resp.json())["held"]
    assert [h["value"] for h in held] == ["Call 617-555-0143"]
    assert held[0]["findings"][0]["kind"] == "phone"


async def test_a_held_word_cloud_answer_is_counted_once_a_moderator_gives_a_reason(
    server, http
):
    poll = await create(http, server, kind="cloud", question="One word for today?", options=[])
    await act(http, server, poll["id"], "open")
    for value in ("Hope", "Will Baker"):  # a word that reads like a name to screening
        async with browser() as phone:
            status, _ = await answer(phone, server, poll["id"], value)
            assert status == 200
    url = f"{server.url}{API}/{poll['id']}/held"
    async with http.get(url, headers=bearer(server)) as resp:
        [held] = (await resp.json())["held"]
    assert held["value"] == "Will Baker"
    release = f"{url}/{held['id']}/release"
    for body, error in (
        ({}, "a reason is required"),
        ({"reason": "   "}, "a reason is required"),
        ({"reason": "x" * 301}, "at most 300 characters"),
    ):
        async with http.post(release, json=body, headers=bearer(server)) as resp:
            assert resp.status == 400 and error in await resp.text()
    async with http.post(release, json={"reason": "x"}) as resp:  # no credentials
        assert resp.status == 401
    async with websockets.connect(
        f"{server.ws_url}/ws/grand-rounds", additional_headers=bearer(server)
    ) as ws:
        reason = "The town's football team, not a patient"
        async with http.post(release, json={"reason": reason}, headers=bearer(server)) as resp:
            assert resp.status == 200, await resp.text()
            released = (await resp.json())["poll"]
        assert released["counts"] == {"hope": 1, "will baker": 1} and released["held"] == 0
        pushed = await recv_until(
            ws, lambda m: m.get("type") == "poll" and m["poll"]["id"] == poll["id"]
            and m["poll"]["held"] == 0
        )
        assert pushed["poll"]["counts"] == {"hope": 1, "will baker": 1}
    async with http.post(release, json={"reason": reason}, headers=bearer(server)) as resp:
        assert resp.status == 404  # counted once: it is no longer held
    async with http.get(url, headers=bearer(server)) as resp:
        assert (await resp.json())["held"] == []
    [row] = [r for r in await store.audit_rows(server.db, server.event)
             if r["action"] == "poll_release"]
    assert reason in str(row["after"]) and "Will Baker" not in json.dumps(dict(row))


async def test_results_hidden_until_shown_and_coalesced(tmp_path, http):
    config = write_config(tmp_path, limits={"vote_frame_seconds": 0.5})
    server = await start_server(config)
    try:
        poll = await create(http, server)
        key = server.event.overlay_key
        async with (
            websockets.connect(
                f"{server.ws_url}/ws/grand-rounds?key={key}", compression=None
            ) as overlay,
            websockets.connect(
                f"{server.ws_url}/ws/grand-rounds",
                additional_headers=bearer(server),
                compression=None,
            ) as console,
        ):
            snap = json.loads(await overlay.recv())
            assert snap["polls"] == []  # drafts are the moderators' own
            mod_snap = json.loads(await console.recv())
            assert [p["id"] for p in mod_snap["polls"]] == [poll["id"]]
            await act(http, server, poll["id"], "open")
            opened = await recv_until(overlay, lambda m: m["type"] == "poll")
            assert opened["poll"]["status"] == "open" and "counts" not in opened["poll"]
            phones = [browser() for _ in range(30)]
            try:
                results = await asyncio.gather(
                    *(answer(p, server, poll["id"], i % 2) for i, p in enumerate(phones))
                )
            finally:
                for p in phones:
                    await p.close()
            assert all(status == 200 for status, _ in results)
            # The console's counts arrive coalesced: far fewer frames than answers.
            frames, latest = 0, {}
            async with asyncio.timeout(5):
                while latest != {"0": 15, "1": 15}:
                    msg = json.loads(await console.recv())
                    if msg["type"] == "poll_counts":
                        frames += 1
                        latest.update(msg["polls"][str(poll["id"])])
            assert frames < 15
            await act(http, server, poll["id"], "show")
            shown = await recv_until(overlay, lambda m: m["type"] in ("poll", "poll_counts"))
            # The overlay heard nothing of the counts until now.
            assert shown["type"] == "poll" and shown["poll"]["counts"] == {"0": 15, "1": 15}
            async with browser() as late:
                assert (await answer(late, server, poll["id"], 1))[0] == 200
            more = await recv_until(overlay, lambda m: m["type"] == "poll_counts")
            assert more["polls"] == {str(poll["id"]): {"1": 16}}
    finally:
        await server.stop()


async def test_polls_in_the_export_and_the_report(server, http):
    from liveq.after import export

    poll = await create(http, server, options=["Left", "=Right"])
    cloud = await create(http, server, kind="cloud", question="One word?", options=[])
    await act(http, server, poll["id"], "open")
    for value in (0, 1, 1):
        async with browser() as phone:
            assert (await answer(phone, server, poll["id"], value))[0] == 200
    await act(http, server, cloud["id"], "open")
    for value in ("calm", "Calm", "617-555-0143"):
        async with browser() as phone:
            assert (await answer(phone, server, cloud["id"], value))[0] == 200
    data = await export.load(server.db, server.event)
    doc = json.loads(export.to_json(data, str))
    first, second = doc["polls"]
    assert first["results"] == [{"answer": "Left", "count": 1}, {"answer": "=Right", "count": 2}]
    assert first["status"] == "closed" and first["opened_by"] == "token:deck"
    assert second["results"] == [{"answer": "calm", "count": 2}]
    assert (second["answers"], second["held"]) == (3, 1)
    # Held answers stay out of the export too. Look for the number's tail: "617"
    # alone also turns up in a timestamp's milliseconds.
    assert "555-0143" not in json.dumps(doc["polls"])
    rows = export.polls_csv(data).splitlines()
    assert rows[0] == "poll_id,kind,question,status,answer,count,answers,held"
    assert rows[2].endswith(",'=Right,2,3,0")  # a formula is neutralised
    async with http.get(f"{server.url}/mod/grand-rounds/report", headers=bearer(server)) as resp:
        assert resp.status == 200
        html = await resp.text()
    assert f'data-poll="{poll["id"]}"' in html and "held back by screening" in html


async def test_shown_results_keep_flowing_after_a_restart(server, http):
    """A process that starts after the results were shown learns it from the answer itself."""
    poll = await create(http, server, hide_results=False)
    await act(http, server, poll["id"], "open")
    await server.stop()
    await server.start()
    async with websockets.connect(
        f"{server.ws_url}/ws/grand-rounds?key={server.event.overlay_key}", compression=None
    ) as overlay:
        snap = json.loads(await overlay.recv())
        assert snap["polls"][0]["results_visible"] and snap["polls"][0]["counts"] == {}
        async with browser() as phone:
            assert (await answer(phone, server, poll["id"], 1))[0] == 200
        counted = await recv_until(overlay, lambda m: m["type"] == "poll_counts")
        assert counted["polls"] == {str(poll["id"]): {"1": 1}}


async def test_a_purge_removes_who_answered_and_the_held_words_but_keeps_the_counts(server, http):
    from liveq.after import purge

    cloud = await create(http, server, kind="cloud", question="One word?", options=[])
    await act(http, server, cloud["id"], "open")
    for value in ("calm", "Call 617-555-0143"):
        async with browser() as phone:
            assert (await answer(phone, server, cloud["id"], value))[0] == 200
    counts = await purge.purge_event(server.db, server.event, "admin")
    assert counts.poll_answers == 2
    assert "poll answers" in "\n".join(counts.lines())
    rows = await server.db.fetchall("SELECT voter, value FROM poll_answers")
    assert rows == []
    async with http.get(f"{server.url}{API}", headers=bearer(server)) as resp:
        assert (await resp.json())["polls"][0]["counts"] == {"calm": 1}


async def test_malformed_answers_get_a_sentence(server, http):
    poll = await create(http, server, kind="rating", question="How clear?", options=[], scale=5)
    await act(http, server, poll["id"], "open")
    async with browser() as phone:
        token = await form_csrf(phone, f"{server.url}{FORM}")
        headers = {"X-CSRF-Token": token, "Accept": "application/json"}
        url = f"{server.url}{FORM}/polls/{poll['id']}/answer"
        async with phone.post(url, data="value=3", headers=headers) as resp:
            assert resp.status == 415
            assert "Send your answer as JSON" in (await resp.json())["error"]
        async with phone.post(url, json=[3], headers=headers) as resp:
            assert resp.status == 400
        for body in ({}, {"value": True}, {"value": "3.5"}, {"value": 0}):
            async with phone.post(url, json=body, headers=headers) as resp:
                assert resp.status == 400, body
                assert (await resp.json())["error"] == "Choose a rating from 1 to 5."
        async with phone.post(
            f"{server.url}{FORM}/polls/99/answer", json={"value": 1}, headers=headers
        ) as resp:
            assert resp.status == 404
            assert (await resp.json())["error"] == "There is no such poll open here."
        async with phone.post(
            f"{server.url}{FORM}/polls/x/answer", json={"value": 1}, headers=headers
        ) as resp:
            assert resp.status == 404
