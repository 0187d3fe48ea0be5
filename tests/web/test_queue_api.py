"""Queue tools over the JSON API: search, labels, notes, export, the presenter's timer
and backstage messages. Real server, real HTTP and websockets; auth and CSRF on each."""

import asyncio
import csv
import io
import json

import pytest
import websockets

from liveq.storage import accounts as auth
from liveq.storage import store
from tests.fixtures_server import bearer, login
from tests.web.test_moderation_api import act, ask
from tests.web.test_realtime import moderator_ws, recv_until

EVENT = "/api/v1/events/grand-rounds"


async def call(http, server, method, path, body=None, headers=None, status=200):
    async with http.request(
        method,
        f"{server.url}{EVENT}{path}",
        json=body,
        headers=headers if headers is not None else bearer(server),
    ) as resp:
        text = await resp.text()
        assert resp.status == status, text
        return json.loads(text) if resp.content_type == "application/json" else text


# -- auth and CSRF on every new endpoint ---------------------------------------------

WRITES = [
    ("PUT", "/questions/{qid}/labels", {"labels": ["vaccines"]}),
    ("PUT", "/questions/{qid}/note", {"note": "asked before"}),
    ("PUT", "/presenter/timer", {"action": "set", "seconds": 60}),
    ("POST", "/presenter/messages", {"text": "Wrap up"}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_writes_need_a_moderator_and_csrf(server, http, method, path, body):
    qid = await ask(http, server)
    path = path.format(qid=qid)
    # Nobody: 401 with a sentence.
    data = await call(http, server, method, path, body, headers={}, status=401)
    assert "API token" in data["error"]
    # A presenter's token may not moderate.
    presenter = await auth.create_api_token(server.db, "presenter")
    headers = {"Authorization": f"Bearer {presenter}"}
    data = await call(http, server, method, path, body, headers=headers, status=403)
    assert "may not moderate" in data["error"]
    # A logged-in moderator without the page's CSRF token: refused.
    token = await login(http, server)
    data = await call(http, server, method, path, body, headers={}, status=403)
    assert "security token" in data["error"]
    # With it: done.
    ok = 201 if method == "POST" else 200
    await call(http, server, method, path, body, headers={"X-CSRF-Token": token}, status=ok)


async def test_reads_need_a_moderator(server, http):
    for path in ("/questions?q=x", "/export?format=csv"):
        await call(http, server, "GET", path, headers={}, status=401)
        presenter = await auth.create_api_token(server.db, "presenter")
        headers = {"Authorization": f"Bearer {presenter}"}
        await call(http, server, "GET", path, headers=headers, status=403)


# -- search ------------------------------------------------------------------------------


async def test_search_by_text_name_handle_source_kind_starred_and_label(server, http):
    knee = await ask(http, server, "How long is knee rehab?", name="Maria Lopez")
    hip = await ask(http, server, "Is hip surgery painful?", name="Sam")
    phone = await ask(http, server, "Call me at 617-555-0100 about my knee")
    tweet = await store.insert_question(
        server.db,
        server.event,
        store.NewQuestion(text="Any news on vaccines?", author="@nurse_jo", source="x"),
        store.Status.PENDING,
    )
    await act(http, server, hip, "star")
    await call(http, server, "PUT", f"/questions/{hip}/labels", {"labels": ["Dr Lee"]})

    async def ids(query):
        data = await call(http, server, "GET", f"/questions?{query}")
        return sorted(q["id"] for q in data["questions"])

    assert await ids("q=KNEE") == sorted([knee, phone])
    assert await ids("q=maria") == [knee]
    assert await ids("q=@nurse_jo") == [tweet.id]
    assert await ids("q=nurse_jo") == [tweet.id]
    assert await ids("source=x") == [tweet.id]
    assert await ids("source=web&q=knee") == sorted([knee, phone])
    assert await ids("kind=phone") == [phone]
    assert await ids("starred=true") == [hip]
    assert await ids("label=dr%20lee") == [hip]
    assert await ids("q=dr%20lee") == [hip]  # a label is searched too
    assert await ids("q=nothing-like-this") == []


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("source=myspace", "Unknown source"),
        ("kind=shoe_size", "Unknown finding kind"),
        ("starred=maybe", "starred should be true or false"),
    ],
)
async def test_bad_search_is_a_400_with_a_sentence(server, http, query, says):
    data = await call(http, server, "GET", f"/questions?{query}", status=400)
    assert says in data["error"]


# -- labels and notes -------------------------------------------------------------------


async def test_labels_are_cleaned_audited_broadcast_and_public(server, http):
    qid = await ask(http, server, "Public soon?")
    await act(http, server, qid, "approve")
    key = server.event.overlay_key
    async with (
        moderator_ws(server) as mod,
        websockets.connect(f"{server.ws_url}/ws/grand-rounds?key={key}") as overlay,
    ):
        await recv_until(mod, lambda m: m["type"] == "snapshot")
        await recv_until(overlay, lambda m: m["type"] == "snapshot")
        data = await call(
            http, server, "PUT", f"/questions/{qid}/labels",
            {"labels": ["  Dr   Lee ", "vaccines", "dr lee"]},
        )
        assert data["question"]["labels"] == ["Dr Lee", "vaccines"]
        msg = await recv_until(mod, lambda m: m["type"] == "question")
        assert msg["question"]["labels"] == ["Dr Lee", "vaccines"]
        msg = await recv_until(overlay, lambda m: m["type"] == "question")
        assert msg["question"]["labels"] == ["Dr Lee", "vaccines"]
    rows = [r for r in await store.audit_rows(server.db, server.event) if r["action"] == "label"]
    assert rows[-1]["after"] == {"labels": ["Dr Lee", "vaccines"]}
    assert rows[-1]["before"] == {"labels": []}
    cleared = await call(http, server, "PUT", f"/questions/{qid}/labels", {"labels": []})
    assert cleared["question"]["labels"] == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "Send the labels"),
        ({"labels": "vaccines"}, "labels should be a list"),
        ({"labels": [""]}, "label is empty"),
        ({"labels": ["x" * 41]}, "the limit is 40"),
        ({"labels": [f"l{i}" for i in range(11)]}, "at most 10 labels"),
        ({"labels": ["ok"], "version": 99}, "Someone else changed question"),
    ],
)
async def test_bad_labels_are_refused_with_a_sentence(server, http, body, says):
    qid = await ask(http, server)
    status = 409 if "version" in body else 400
    data = await call(http, server, "PUT", f"/questions/{qid}/labels", body, status=status)
    assert says in data["error"]


async def test_labels_on_a_missing_question_are_a_404(server, http):
    data = await call(http, server, "PUT", "/questions/999/labels", {"labels": []}, status=404)
    assert "no question 999" in data["error"]
    data = await call(http, server, "PUT", "/questions/abc/note", {"note": ""}, status=404)
    assert "no such question" in data["error"]


async def test_a_note_reaches_moderators_only(server, http):
    qid = await ask(http, server, "Shown to all")
    await act(http, server, qid, "approve")
    key = server.event.overlay_key
    async with (
        moderator_ws(server) as mod,
        websockets.connect(f"{server.ws_url}/ws/grand-rounds?key={key}") as overlay,
        websockets.connect(f"{server.ws_url}/ws/grand-rounds") as audience,
    ):
        for ws in (mod, overlay, audience):
            await recv_until(ws, lambda m: m["type"] == "snapshot")
        data = await call(
            http, server, "PUT", f"/questions/{qid}/note", {"note": "Secret: caller is staff"}
        )
        assert data["question"]["note"] == "Secret: caller is staff"
        msg = await recv_until(mod, lambda m: m["type"] == "question")
        assert msg["question"]["note"] == "Secret: caller is staff"
        for ws in (overlay, audience):
            raw = await asyncio.wait_for(ws.recv(), 1)
            assert json.loads(raw)["type"] == "question"
            assert "Secret" not in raw and "note" not in json.loads(raw)["question"]
        # A fresh public snapshot has no note either.
    async with websockets.connect(f"{server.ws_url}/ws/grand-rounds") as audience:
        raw = await audience.recv()
        assert "Secret" not in raw
    rows = [r for r in await store.audit_rows(server.db, server.event) if r["action"] == "note"]
    assert rows[-1]["after"] == {"moderator_note": "Secret: caller is staff"}
    too_long = await call(
        http, server, "PUT", f"/questions/{qid}/note", {"note": "n" * 1001}, status=400
    )
    assert "the limit is 1,000" in too_long["error"]
    missing = await call(http, server, "PUT", f"/questions/{qid}/note", {}, status=400)
    assert "Send the note" in missing["error"]


# -- export ---------------------------------------------------------------------------------


async def test_export_is_the_same_as_liveq_export(server, http):
    from liveq.after import export

    qid = await ask(http, server, "=SUM(A1) exported?", name="Ana")
    await act(http, server, qid, "approve")
    data = await export.load(server.db, server.event)
    csv_text = await call(http, server, "GET", "/export?format=csv")
    assert csv_text == export.questions_csv(data)
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert rows[0]["text"] == "'=SUM(A1) exported?"  # formula neutralised, as the CLI does
    posts = await call(http, server, "GET", "/export?format=csv&what=posts")
    assert posts.startswith("number,")
    whole = await call(http, server, "GET", "/export?format=json")
    assert [q["id"] for q in whole["questions"]] == [qid]
    assert whole["audit_head"]["intact"] is True
    async with http.get(
        f"{server.url}{EVENT}/export?format=csv", headers=bearer(server)
    ) as resp:
        assert resp.headers["Content-Disposition"] == (
            'attachment; filename="grand-rounds.questions.csv"'
        )


@pytest.mark.parametrize(
    ("query", "says"),
    [("format=xml", 'format should be "json" or "csv"'), ("what=votes", "what should be")],
)
async def test_bad_export_is_a_400(server, http, query, says):
    data = await call(http, server, "GET", f"/export?{query}", status=400)
    assert says in data["error"]


# -- presenter: timer and backstage messages ------------------------------------------------


async def test_timer_state_lives_on_the_server(server, http):
    data = await call(http, server, "PUT", "/presenter/timer", {"action": "set", "seconds": 300})
    assert data["timer"]["remaining"] == 300 and data["timer"]["running"] is False
    data = await call(http, server, "PUT", "/presenter/timer", {"action": "start"})
    assert data["timer"]["running"] is True and data["timer"]["started_at"] is not None
    await asyncio.sleep(0.3)
    data = await call(http, server, "PUT", "/presenter/timer", {"action": "pause"})
    assert data["timer"]["running"] is False
    assert 299 < data["timer"]["remaining"] <= 299.8
    data = await call(http, server, "PUT", "/presenter/timer", {"action": "reset"})
    assert data["timer"]["remaining"] == 300
    actions = [r["action"] for r in await store.audit_rows(server.db, server.event)]
    assert actions[-4:] == ["timer_set", "timer_start", "timer_pause", "timer_reset"]


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"action": "explode"}, 400, "action should be one of"),
        ({"action": "set"}, 400, "Say how long"),
        ({"action": "set", "seconds": "ten"}, 400, "seconds should be a number"),
        ({"action": "set", "seconds": 0}, 400, "from 1 second to 24 hours"),
        ({"action": "set", "seconds": 90000}, 400, "from 1 second to 24 hours"),
        ({"action": "start"}, 409, "Set the timer's length"),
        ({"action": "pause"}, 409, "not running"),
    ],
)
async def test_bad_timer_moves_are_refused_with_a_sentence(server, http, body, status, says):
    data = await call(http, server, "PUT", "/presenter/timer", body, status=status)
    assert says in data["error"]


async def test_backstage_and_timer_reach_the_presenter_view_only(server, http):
    key = server.event.overlay_key
    base = f"{server.ws_url}/ws/grand-rounds?key={key}"
    async with (
        websockets.connect(f"{base}&view=presenter") as presenter,
        websockets.connect(base) as program,
        websockets.connect(f"{server.ws_url}/ws/grand-rounds") as audience,
        moderator_ws(server) as mod,
    ):
        for ws in (presenter, mod):
            await recv_until(ws, lambda m: m["type"] == "snapshot")
            first = await recv_until(ws, lambda m: m["type"] == "presenter")
            assert first["messages"] == [] and first["timer"]["running"] is False
        for ws in (program, audience):
            await recv_until(ws, lambda m: m["type"] == "snapshot")
        sent = await call(http, server, "POST", "/presenter/messages", {"text": "Two more"},
                          status=201)
        assert sent["message"]["text"] == "Two more"
        await call(http, server, "PUT", "/presenter/timer", {"action": "set", "seconds": 60})
        for ws in (presenter, mod):
            msg = await recv_until(ws, lambda m: m["type"] == "backstage")
            assert msg["message"]["text"] == "Two more"
            msg = await recv_until(ws, lambda m: m["type"] == "timer")
            assert msg["timer"]["duration"] == 60
        # A question change after both: the program overlay and the audience get it,
        # and nothing backstage came before it.
        qid = await ask(http, server)
        await act(http, server, qid, "approve")
        for ws in (program, audience):
            seen = []
            while not seen or seen[-1]["type"] != "question":
                seen.append(json.loads(await asyncio.wait_for(ws.recv(), 2)))
            assert {m["type"] for m in seen} <= {"question", "question_removed"}, seen
    # A presenter view opened later finds both in its first messages.
    async with websockets.connect(f"{base}&view=presenter") as presenter:
        state = await recv_until(presenter, lambda m: m["type"] == "presenter")
        assert [m["text"] for m in state["messages"]] == ["Two more"]
        assert state["timer"]["duration"] == 60


@pytest.mark.parametrize(
    ("body", "says"),
    [({}, "message is empty"), ({"text": "x" * 201}, "the limit is 200"),
     ({"text": 5}, "must be text")],
)
async def test_bad_backstage_message_is_a_400(server, http, body, says):
    data = await call(http, server, "POST", "/presenter/messages", body, status=400)
    assert says in data["error"]
