"""The live thread: answered questions posted to X in order, exactly once, whatever X does.

tweepy runs unmodified against the local X API emulator over HTTPS.
"""

import asyncio
import json
import time

import pytest
import websockets

from liveq.emulators.x.state import FaultKind
from liveq.tweettext.text import weighted_length
from liveq.tweettext.thread import REPLY
from tests.fixtures_server import bearer, start_server, write_config, x_section
from tests.screening.evasion import STYLES, text_cases
from tests.waiting import eventually
from tests.web.test_moderation_api import act, ask

POST = "POST /2/tweets"


async def answer(http, server, text, reply="", asker=""):
    qid = await ask(http, server, text, name=asker) if asker else await ask(http, server, text)
    await act(http, server, qid, "approve")
    await act(http, server, qid, "on_air")
    await act(http, server, qid, "answer", {"answer": reply})
    return qid


async def outbox(http, server):
    async with http.get(
        f"{server.url}/api/v1/events/grand-rounds/outbox", headers=bearer(server)
    ) as resp:
        assert resp.status == 200
        return (await resp.json())["items"]


async def settled(http, server, count):
    """Wait until `count` outbox items exist and none is queued or posting."""

    async def check():
        items = await outbox(http, server)
        if len(items) >= count and all(i["state"] not in ("queued", "posting") for i in items):
            return items
        return None

    return await eventually(check, timeout=20)


def account_posts(x_state):
    return [t for t in x_state.posts_by() if not t.injected]


def assert_one_thread(x_state, items):
    """Every post exactly once, in order, each replying to the one before."""
    posts = account_posts(x_state)
    assert [p.text for p in posts] == [i["text"] for i in items]
    assert len({p.text for p in posts}) == len(posts)
    for before, after in zip(posts, posts[1:], strict=False):
        assert after.in_reply_to_tweet_id == before.id
    assert [i["tweet_id"] for i in items] == [p.id for p in posts]


@pytest.fixture
async def fast_x_server(tmp_path, x_emulator):
    config = write_config(
        tmp_path,
        x=x_section(
            x_emulator,
            outbox_interval_seconds=0.05,
            timeout_seconds=1,
            signature="Dr. Rivera",
            disclaimer="General information, not medical advice.",
        ),
        limits={"questions_per_minute": 0},
    )
    live = await start_server(config)
    yield live
    await live.stop()


async def test_ten_answered_questions_make_one_thread_in_order(fast_x_server, http, x_state):
    server = fast_x_server
    for n in range(10):
        await answer(http, server, f"Question number {n}?", f"Answer number {n}.", asker=f"P{n}")
    items = await settled(http, server, 10)
    assert [i["state"] for i in items] == ["posted"] * 10
    assert items[0]["text"] == (
        "Q1 from P0: Question number 0?\nA: Answer number 0. — Dr. Rivera #GR26\n"
        "General information, not medical advice."
    )
    assert items[9]["text"].startswith("Q10 from P9: Question number 9?")
    assert_one_thread(x_state, items)
    assert (
        items[0]["url"] == f"https://x.com/{x_state.account.username}/status/{items[0]['tweet_id']}"
    )


async def test_a_long_answer_is_split_into_numbered_parts(fast_x_server, http, x_state):
    long_answer = " ".join(f"Sentence {i} about rehabilitation after surgery." for i in range(20))
    first = await answer(http, fast_x_server, "Tell me everything about rehab?", long_answer)
    second = await answer(http, fast_x_server, "And one short one?", "Yes.")

    async def both_posted():
        items = await outbox(http, fast_x_server)
        done = {i["question_id"] for i in items if i["state"] == "posted"}
        return (
            items
            if {first, second} <= done and all(i["state"] == "posted" for i in items)
            else None
        )

    items = await eventually(both_posted)
    answer_parts = [i for i in items if i["question_id"] == first]
    assert len(answer_parts) >= 2
    assert all(weighted_length(i["text"]) <= 280 for i in items)
    assert answer_parts[0]["text"].startswith(f"1/{len(answer_parts)} ")
    assert items[-1]["text"].startswith("Q2 from a viewer: And one short one?")
    assert_one_thread(x_state, items)


async def test_rate_limit_waits_for_the_reset_and_loses_nothing(fast_x_server, http, x_state):
    x_state.fail_next(POST, FaultKind.RATE_LIMIT, count=1, reset_after=2)
    started = time.monotonic()
    await answer(http, fast_x_server, "First?", "One.")
    await answer(http, fast_x_server, "Second?", "Two.")
    items = await settled(http, fast_x_server, 2)
    assert time.monotonic() - started >= 1.0  # it waited for X's reset
    assert [i["state"] for i in items] == ["posted", "posted"]
    assert_one_thread(x_state, items)


async def test_server_errors_back_off_and_retry(fast_x_server, http, x_state):
    x_state.fail_next(POST, FaultKind.SERVICE_UNAVAILABLE, count=2)
    x_state.fail_next(POST, FaultKind.SERVER_ERROR, count=1)
    for n in range(3):
        await answer(http, fast_x_server, f"Q {n}?", f"A {n}.")
    items = await settled(http, fast_x_server, 3)
    assert [i["state"] for i in items] == ["posted"] * 3
    assert items[0]["attempts"] >= 2
    assert_one_thread(x_state, items)


@pytest.mark.parametrize("kind", [FaultKind.COMMIT_THEN_HANG, FaultKind.COMMIT_THEN_DROP])
async def test_a_post_committed_without_an_answer_is_found_not_doubled(
    fast_x_server, http, x_state, kind
):
    x_state.hang_seconds = 5
    await answer(http, fast_x_server, "Before?", "Fine.")
    await settled(http, fast_x_server, 1)
    x_state.fail_next(POST, kind, count=1)
    await answer(http, fast_x_server, "Lost answer?", "Not lost.")
    await answer(http, fast_x_server, "After?", "Also fine.")
    items = await settled(http, fast_x_server, 3)
    assert [i["state"] for i in items] == ["posted"] * 3
    assert items[1]["attempts"] == 1  # found on X, not sent again
    assert_one_thread(x_state, items)


async def test_duplicate_content_refusal_records_the_existing_post(
    fast_x_server, http, x_state, x_client
):
    await answer(http, fast_x_server, "One?", "Yes.")
    first = (await settled(http, fast_x_server, 1))[0]
    # Someone posts, from the account, the words our next post will have.
    expected = (
        "Q2 from a viewer: Two?\nA: No. — Dr. Rivera #GR26\n"
        "General information, not medical advice."
    )
    resp = await x_client.api.create_tweet(
        text=expected, in_reply_to_tweet_id=first["tweet_id"], user_auth=True
    )
    await answer(http, fast_x_server, "Two?", "No.")
    items = await settled(http, fast_x_server, 2)
    assert items[1]["state"] == "posted"
    assert items[1]["tweet_id"] == str(resp.data["id"])
    assert_one_thread(x_state, items)


async def test_refused_replies_fall_back_to_quote_posts_and_say_so(fast_x_server, http, x_state):
    await answer(http, fast_x_server, "One?", "Yes.")
    await settled(http, fast_x_server, 1)
    x_state.reply_policy = True
    x_state.self_replies_exempt = False
    await answer(http, fast_x_server, "Two?", "Still yes.")
    await answer(http, fast_x_server, "Three?", "Quoted.")
    items = await settled(http, fast_x_server, 3)
    assert [i["state"] for i in items] == ["posted"] * 3
    assert [i["mode"] for i in items] == [REPLY, "quote", "quote"]
    posts = account_posts(x_state)
    assert posts[1].quote_tweet_id == posts[0].id and posts[1].in_reply_to_tweet_id is None
    assert posts[2].quote_tweet_id == posts[1].id
    # The switch is on the record, with the sentence the console shows.
    rows = await fast_x_server.db.fetchall("SELECT detail FROM audit WHERE detail LIKE '%quote%'")
    assert any("continues as quote posts" in r[0] for r in rows)


async def test_answers_with_patient_details_are_held_until_overridden(fast_x_server, http, x_state):
    await answer(http, fast_x_server, "Can I call you?", "Call 555-201-3344 any time.")
    items = await settled(http, fast_x_server, 1)
    assert items[0]["state"] == "held"
    assert items[0]["findings"][0]["kind"] == "phone"
    await answer(http, fast_x_server, "Next?", "Blocked behind the held one.")
    await asyncio.sleep(0.3)
    assert account_posts(x_state) == []  # nothing jumps the queue
    url = f"{fast_x_server.url}/api/v1/events/grand-rounds/outbox/{items[0]['id']}"
    async with http.post(f"{url}/override", json={}, headers=bearer(fast_x_server)) as resp:
        assert resp.status == 400  # a reason is required
    async with http.post(
        f"{url}/edit",
        json={"text": "Q1 from a viewer: Can I call you? A: Call the hospital switchboard."},
        headers=bearer(fast_x_server),
    ) as resp:
        assert resp.status == 200
        assert (await resp.json())["item"]["state"] == "queued"
    items = await settled(http, fast_x_server, 2)
    assert [i["state"] for i in items] == ["posted", "posted"]
    assert "555" not in account_posts(x_state)[0].text
    audit = await fast_x_server.db.fetchall("SELECT action FROM audit WHERE action LIKE 'post_%'")
    assert "post_edit" in {r[0] for r in audit} or "post_queued" in {r[0] for r in audit}


async def test_answers_with_hidden_identifiers_are_held_not_posted(fast_x_server, http, x_state):
    # Every kind in an answer, written with invisible characters and with look-alikes
    # ("６１７–５５５–０１４３"): each post is held with the finding over the whole
    # identifier as it stands in the post, and nothing reaches X.
    sent = []
    for c in text_cases():
        for style in ("zero-width", "look-alike"):
            o = STYLES[style](c)
            qid = await answer(http, fast_x_server, f"Question {len(sent)}?", o.text)
            sent.append((qid, c, o))
    items = await settled(http, fast_x_server, len(sent))
    by_question = {i["question_id"]: i for i in items}
    problems = []
    for qid, c, o in sent:
        item = by_question[qid]
        at = item["text"].find(o.shown)  # the answer is stored without invisible characters
        spans = [(f["kind"], f["start"] - at, f["end"] - at) for f in item["findings"]]
        if at < 0 or item["state"] != "held" or (c.kind, *o.shown_span) not in spans:
            problems.append(f"{c.kind} {item['state']} {item['text']!r} {spans}")
    assert problems == []
    assert account_posts(x_state) == []


async def test_composed_posts_with_hidden_identifiers_are_held(fast_x_server, http, x_state):
    held = await compose(http, fast_x_server, "Questions? Write to jenny​.morales＠gmail．com")
    assert held[0]["state"] == "held"
    (f,) = held[0]["findings"]
    assert f["kind"] == "email"
    assert held[0]["text"][f["start"] : f["end"]] == "jenny.morales＠gmail．com"
    await asyncio.sleep(0.2)
    assert account_posts(x_state) == []


async def compose(http, server, text):
    async with http.post(
        f"{server.url}/api/v1/events/grand-rounds/outbox",
        json={"text": text},
        headers=bearer(server),
    ) as resp:
        assert resp.status == 201, await resp.text()
        return (await resp.json())["items"]


async def outbox_act(http, server, item_id, action, body=None, status=200):
    async with http.post(
        f"{server.url}/api/v1/events/grand-rounds/outbox/{item_id}/{action}",
        json=body or {},
        headers=bearer(server),
    ) as resp:
        data = await resp.json()
        assert resp.status == status, data
        return data


async def item_state(http, server, item_id, state):
    async def check():
        items = {i["id"]: i for i in await outbox(http, server)}
        return items[item_id] if items[item_id]["state"] == state else None

    return await eventually(check, timeout=15)


async def test_failed_post_blocks_the_thread_until_edited(fast_x_server, http, x_state):
    server = fast_x_server
    await compose(http, server, "Welcome to the live Q&A! #GR26")
    await compose(http, server, "Our surgeon is starting now. #GR26")
    # The same words again: X refuses a duplicate of an older post. That post is
    # earlier in the thread, not an attempt of this one, so a person must decide.
    dup = (await compose(http, server, "Welcome to the live Q&A! #GR26"))[0]
    later = (await compose(http, server, "Questions welcome. #GR26"))[0]
    failed = await item_state(http, server, dup["id"], "failed")
    assert "duplicate" in failed["error"]
    await asyncio.sleep(0.3)
    assert len(account_posts(x_state)) == 2  # the later post waits its turn
    assert (await item_state(http, server, later["id"], "queued"))["state"] == "queued"
    await outbox_act(http, server, later["id"], "retry", status=409)  # only failed posts

    await outbox_act(http, server, dup["id"], "edit", {"text": "Welcome back, everyone. #GR26"})
    items = await settled(http, server, 4)
    assert [i["state"] for i in items] == ["posted"] * 4
    assert [p.text for p in account_posts(x_state)][2:] == [
        "Welcome back, everyone. #GR26",
        "Questions welcome. #GR26",
    ]
    assert_one_thread(x_state, items)


async def test_retry_after_x_refused_the_keys(fast_x_server, http, x_state):
    server = fast_x_server
    real = x_state.access_token_secret
    x_state.access_token_secret = "revoked-" + real  # X now refuses our signature: 401
    item = (await compose(http, server, "Posting while our keys are broken. #GR26"))[0]
    failed = await item_state(http, server, item["id"], "failed")
    assert "refused" in failed["error"]
    assert account_posts(x_state) == []
    x_state.access_token_secret = real  # the comms lead fixes the app's keys
    await outbox_act(http, server, item["id"], "retry")
    posted = await item_state(http, server, item["id"], "posted")
    assert [p.text for p in account_posts(x_state)] == [posted["text"]]


async def test_skipped_post_is_never_sent_and_the_thread_goes_on(fast_x_server, http, x_state):
    server = fast_x_server
    held = (await compose(http, server, "Call Jane at 555-201-3344 #GR26"))[0]
    assert held["state"] == "held"
    await compose(http, server, "After the skipped one. #GR26")
    await outbox_act(http, server, held["id"], "skip")
    items = await settled(http, server, 2)
    assert [i["state"] for i in items] == ["skipped", "posted"]
    assert [p.text for p in account_posts(x_state)] == ["After the skipped one. #GR26"]
    await outbox_act(http, server, held["id"], "retry", status=409)


async def test_moderator_websocket_streams_the_thread(fast_x_server, http):
    server = fast_x_server
    async with websockets.connect(
        f"{server.ws_url}/ws/grand-rounds", additional_headers=bearer(server)
    ) as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"
        # Then the rest of a moderator's state (the presenter's timer and messages...),
        # the thread among it.
        first = [json.loads(await ws.recv()) for _ in range(2)]
        assert {"type": "outbox_snapshot", "items": []} in first
        await answer(http, server, "Streamed?", "Yes.")
        async with asyncio.timeout(5):
            while True:
                msg = json.loads(await ws.recv())
                if msg["type"] == "outbox" and msg["item"]["state"] == "posted":
                    break
        assert msg["item"]["url"].endswith(msg["item"]["tweet_id"])


async def test_replies_and_quotes_refused_fall_back_to_numbered_posts(fast_x_server, http, x_state):
    await answer(http, fast_x_server, "One?", "Yes.")
    await settled(http, fast_x_server, 1)
    x_state.reply_policy = True
    x_state.quote_policy = True
    await answer(http, fast_x_server, "Two?", "Two.")
    await answer(http, fast_x_server, "Three?", "Three.")
    items = await settled(http, fast_x_server, 3)
    assert [i["state"] for i in items] == ["posted"] * 3
    assert [i["mode"] for i in items] == [REPLY, "standalone", "standalone"]
    posts = account_posts(x_state)
    assert [p.text.split("\n")[0] for p in posts] == [
        "Q1 from a viewer: One?",
        "2/ Q2 from a viewer: Two?",
        "3/ Q3 from a viewer: Three?",
    ]
    assert all(p.in_reply_to_tweet_id is None and p.quote_tweet_id is None for p in posts[1:])


async def test_shutdown_finishes_the_post_in_hand_then_stops(tmp_path, x_emulator, x_state, http):
    config = write_config(
        tmp_path,
        x=x_section(x_emulator, outbox_interval_seconds=0.05, timeout_seconds=5),
        limits={"questions_per_minute": 0},
    )
    server = await start_server(config)
    x_state.hang_seconds = 1.0
    x_state.fail_next(POST, FaultKind.SLOW)
    await answer(http, server, "Slow one?", "X is slow today.")
    await answer(http, server, "Next one?", "Waits for the next start.")

    async def in_flight():
        items = await outbox(http, server)
        return items if items and items[0]["state"] == "posting" else None

    await eventually(in_flight)
    await server.stop()  # while X is still thinking about the first post
    # The first post got X's answer and was recorded; the second was not started.
    rows = await _rows(config)
    assert [r["state"] for r in rows] == ["posted", "queued"]
    assert rows[0]["tweet_id"] == account_posts(x_state)[0].id
    assert len(account_posts(x_state)) == 1


async def _rows(config):
    from liveq.storage.db import Database

    async with Database(config.database_target) as db:
        return await db.fetchall("SELECT state, tweet_id FROM outbox ORDER BY seq")


async def test_answering_wakes_the_outbox_and_a_restart_finds_what_was_missed(
    tmp_path, x_emulator, x_state, http
):
    """The outbox polls only every 60 s here: the answer itself must wake it. An
    answer given while the outbox was away is found from the questions table."""
    config = write_config(
        tmp_path,
        x=x_section(x_emulator, outbox_interval_seconds=60, timeout_seconds=1),
        limits={"questions_per_minute": 0},
    )
    server = await start_server(config)
    try:
        await answer(http, server, "Does answering wake the outbox?", "Yes.")
        items = await eventually(lambda: _posted(http, server, 1), timeout=5)
        assert items[0]["text"].startswith("Q1")
        # Answered in the database while no outbox runs (as if it crashed between
        # the answer's commit and queueing its post): the next start posts it.
        qid = await answer(http, server, "And after a restart?", "Also yes.")
        await settled(http, server, 2)
        await server.stop()
        from tests.fixtures_database import RawConnection

        db = RawConnection(server.config.database_target)  # sqlite or PostgreSQL
        db.execute("DELETE FROM outbox WHERE question_id = ?", (qid,))
        db.close()
        await server.start()
        items = await eventually(lambda: _posted(http, server, 2), timeout=5)
        assert [i["question_id"] for i in items][-1] == qid
    finally:
        await server.stop()


async def _posted(http, server, count):
    items = await outbox(http, server)
    posted = [i for i in items if i["state"] == "posted"]
    return posted if len(posted) >= count else None
