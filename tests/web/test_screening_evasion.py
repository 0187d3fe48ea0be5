"""Through the real audience form: identifiers written with invisible and look-alike
characters, in the question and in the asker's name, are held on a post-moderation
event, block approval with a 409 that names them, and are redacted whole.

The cases and the ways of writing them are in tests/screening/evasion.py: every kind
screening reports on characters, each written three ways (zero-width characters
between all characters, look-alikes for every character, a seeded mix).
"""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import websockets

from liveq.screening import PLACEHOLDERS
from liveq.screening.review import KIND_LABELS
from tests.fixtures_server import bearer, form_csrf, start_server, write_config
from tests.screening.evasion import STYLES, digits_in, name_cases, text_cases
from tests.web.test_moderation_api import act
from tests.web.test_screening_integration import get_question, set_moderation, submit

CLEAN = "How long is the stay after a hip replacement?"


@pytest.fixture
async def post_server(tmp_path):
    """Post-moderation (shown at once unless screening holds), no rate or flood limits."""
    config = write_config(
        tmp_path,
        limits={"questions_per_minute": 0},
        screening={"flood_per_author": 0, "flood_per_ip": 0},
    )
    live = await start_server(config)
    await set_moderation(live, "post")
    yield live
    await live.stop()


async def send_form(http, server, token, text, name):
    """POST the audience form as a browser does; the question's id from the redirect."""
    async with http.post(
        f"{server.url}/e/grand-rounds/questions",
        data={"csrf": token, "text": text, "name": name},
        allow_redirects=False,
    ) as resp:
        assert resp.status == 303, await resp.text()
        return int(parse_qs(urlsplit(resp.headers["Location"]).query)["q"][0])


async def public_view(server):
    """What the audience page and the overlay are sent: the public snapshot, as JSON."""
    async with websockets.connect(f"{server.ws_url}/ws/grand-rounds") as ws:
        snap = json.loads(await ws.recv())
    assert snap["type"] == "snapshot" and snap["role"] == "public"
    return json.dumps(snap["questions"], ensure_ascii=False)


async def run_cases(http, server, field):
    """Send every case, every style; return a list of what went wrong."""
    token = await form_csrf(http, f"{server.url}/e/grand-rounds")
    cases = text_cases() if field == "text" else name_cases()
    problems = []
    for c in cases:
        for style, write in STYLES.items():
            o = write(c)
            text, name = (o.text, "Maria") if field == "text" else (CLEAN, o.text)
            where = f"{c.kind} ({style}) {o.text!r}"
            qid = await send_form(http, server, token, text, name)
            q = await get_question(http, server, qid)
            stored = q["text"] if field == "text" else q["author"]
            if stored != o.shown:
                problems.append(f"{where}: stored as {stored!r}, expected {o.shown!r}")
                continue
            spans = [
                (f["start"], f["end"])
                for f in q["findings"]
                if f["kind"] == c.kind and f.get("field", "text") == field
            ]
            if q["status"] != "pending" or o.shown_span not in spans:
                problems.append(f"{where}: {q['status']}, findings {q['findings']}")
                continue
            refused = await act(http, server, qid, "approve", status=409)
            label = KIND_LABELS[c.kind] + (" in the name" if field == "name" else "")
            if label not in refused["error"]:
                problems.append(f"{where}: 409 does not say {label!r}: {refused['error']}")
            after = (await act(http, server, qid, "redact"))["question"]
            s, e = o.shown_span
            expected = o.shown[:s] + PLACEHOLDERS[c.kind] + o.shown[e:]
            redacted = after["text"] if field == "text" else after["author"]
            if redacted != expected or (digits_in(c.plain) and digits_in(redacted)):
                problems.append(f"{where}: redacted to {redacted!r}, expected {expected!r}")
                continue
            approved = await act(http, server, qid, "approve")
            assert approved["question"]["status"] == "approved"
    return problems


async def test_every_kind_in_the_text_is_held_refused_and_redacted_whole(post_server, http):
    assert await run_cases(http, post_server, "text") == []


async def test_every_kind_in_the_name_is_held_refused_and_redacted_whole(post_server, http):
    assert await run_cases(http, post_server, "name") == []


async def test_the_issues_zero_width_example_is_held_not_shown(post_server, http):
    text = "Can you call my dad back at 617\u200b-555\u200b-0143, she is in ro\u200bom 412"
    held = await submit(http, post_server, text)
    assert held["status"] == "pending"  # the plain text is held; so is this one
    q = await get_question(http, post_server, held["id"])
    # Stored and shown without the invisible characters.
    assert q["text"] == "Can you call my dad back at 617-555-0143, she is in room 412"
    assert [(f["kind"], q["text"][f["start"] : f["end"]]) for f in q["findings"]] == [
        ("phone", "617-555-0143"),
        ("room_number", "412"),
    ]
    refused = await act(http, post_server, held["id"], "approve", status=409)
    assert "a phone number (“617-555-0143”)" in refused["error"]
    assert "617-555-0143" not in await public_view(post_server)


async def test_the_issues_name_example_is_held_and_the_name_redacted(post_server, http):
    held = await submit(http, post_server, CLEAN, name="shithead 617 555 0143")
    assert held["status"] == "pending"
    qid = held["id"]
    q = await get_question(http, post_server, qid)
    assert [(f["kind"], f["field"], f["start"], f["end"]) for f in q["findings"]] == [
        ("profanity", "name", 0, 8),
        ("phone", "name", 9, 21),
    ]
    assert held["id"] not in [q["id"] for q in json.loads(await public_view(post_server))]
    refused = await act(http, post_server, qid, "approve", status=409)
    assert "cannot be approved yet" in refused["error"]
    assert "profanity in the name (“shithead”)" in refused["error"]
    assert "a phone number in the name (“617 555 0143”)" in refused["error"]
    # Redact just the phone number in the name (a span of the name), override the rest.
    after = await act(
        http, post_server, qid, "redact", {"spans": [{"start": 9, "end": 21, "field": "name"}]}
    )
    assert after["question"]["author"] == "shithead [phone removed]"
    assert after["question"]["text"] == CLEAN
    refused = await act(http, post_server, qid, "approve", status=409)
    assert "profanity in the name (“shithead”)" in refused["error"]
    await act(http, post_server, qid, "redact", {"field": "name"})
    q = (await act(http, post_server, qid, "approve"))["question"]
    assert q["author"] == "[profanity removed] [phone removed]" and q["findings"] == []
    public = json.loads(await public_view(post_server))
    assert [(p["id"], p["author"]) for p in public] == [(qid, q["author"])]
    async with http.get(
        f"{post_server.url}/api/v1/events/grand-rounds/audit", headers=bearer(post_server)
    ) as resp:
        rows = [r for r in (await resp.json())["audit"] if r["question_id"] == qid]
    redactions = [r for r in rows if r["action"] == "redact"]
    assert [r["detail"] for r in redactions] == ["name: phone", "name: profanity"]
    assert redactions[0]["before"]["author"] == "shithead 617 555 0143"


async def test_a_name_finding_can_be_overridden_with_a_reason(post_server, http):
    qid = (await submit(http, post_server, "Is 617-555-0143 your number?", name="Dr. Room 412"))[
        "id"
    ]
    bad = await act(http, post_server, qid, "override", {"reason": "x", "field": "age"}, status=400)
    assert "field" in bad["error"]
    q = (await act(
        http, post_server, qid, "override", {"reason": "our ward's name", "field": "name"}
    ))["question"]
    by_field = {f.get("field", "text"): f for f in q["findings"]}
    assert by_field["name"]["override"]["reason"] == "our ward's name"
    assert "override" not in by_field["text"]  # the text's phone number still blocks
    refused = await act(http, post_server, qid, "approve", status=409)
    assert "phone number (“617-555-0143”)" in refused["error"]
