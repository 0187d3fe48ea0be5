"""Procedure mode on every network of the event: tweepy, Mastodon.py and atproto,
unmodified, against the three local emulators.

The signed script goes to X, Mastodon and Bluesky, each post exactly once and in
order, as a chained thread on each; photos go as the cleaned version with their
alt text; a post another network cuts differently is shown (and its sign-off
audited) cut that way; an event that leaves a network out gets nothing there.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from liveq.after import export
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.tweettext.bluesky import bluesky_length
from tests.fixtures_bluesky import bluesky_section, fail_next_bluesky
from tests.fixtures_mastodon import fail_next, mastodon_section
from tests.fixtures_networks import network_threads as shared_threads
from tests.fixtures_server import start_server, write_config, x_section
from tests.waiting import eventually
from tests.web.test_procedure import (
    PNG,
    SLUG,
    TAG,
    add_photo,
    all_posted,
    assert_chain,
    call,
    consent_all,
    get_state,
    hdr,
    ready_and_live,
    same_pixels,
    script,
    sign_all,
)


async def procedure_server(tmp_path, x, mastodon, bluesky, networks=()):
    config = write_config(
        tmp_path,
        x=x_section(x, outbox_interval_seconds=0.05, timeout_seconds=2),
        mastodon=mastodon_section(mastodon),
        bluesky=bluesky_section(bluesky),
        limits={"questions_per_minute": 0},
    )
    live = await start_server(config)
    live.event = await store.create_event(
        live.db,
        SLUG,
        "Knee replacement, live",
        kind="procedure",
        hashtag=TAG,
        moderation="pre",
        networks=networks,
    )
    await auth.create_user(live.db, "carol", "approver-password-123", "approver")
    live.tokens["approver"] = await auth.create_api_token(live.db, "approver", label="carol")
    return live


@pytest.fixture
async def three(
    tmp_path, x_emulator, mastodon_emulator, mastodon_token, bluesky_emulator, bluesky_password
):
    live = await procedure_server(tmp_path, x_emulator, mastodon_emulator, bluesky_emulator)
    yield live
    await live.stop()


async def network_threads(http, server):
    return await shared_threads(http, server, SLUG)


async def networks_settled(http, server, count, names=("mastodon", "bluesky")):
    async def check():
        threads = await network_threads(http, server)
        done = all(
            len(threads[n]) >= count and all(p["state"] == "posted" for p in threads[n])
            for n in names
        )
        return threads if done else None

    return await eventually(check, timeout=30)


def mastodon_texts(state):
    return [s.text for s in state.own_thread()]


def assert_mastodon_chain(state):
    own = state.own_thread()
    assert own[0].in_reply_to_id is None
    for before, after in zip(own, own[1:], strict=False):
        assert after.in_reply_to_id == before.id


def bluesky_texts(state):
    return [r.value["text"] for r in state.own_thread()]


def assert_bluesky_chain(state):
    own = state.own_thread()
    assert "reply" not in own[0].value
    for before, after in zip(own, own[1:], strict=False):
        assert after.value["reply"]["parent"]["uri"] == before.uri
        assert after.value["reply"]["root"]["uri"] == own[0].uri


def x_texts(x_state):
    return [t.text for t in x_state.posts_by() if not t.injected]


async def test_the_script_goes_to_all_three_networks_once_in_order_with_photos(
    three, http, x_state, mastodon_emulator, bluesky_emulator
):
    server = three
    st = await script(http, server, 3)
    await add_photo(http, server, st["script"][0]["id"], "The team scrubbing in.")
    await sign_all(http, server)
    await consent_all(http, server)
    await call(http, server, "/live")
    for _ in range(3):
        await call(http, server, "/next", status=201)
    await all_posted(http, server, 3)
    threads = await networks_settled(http, server, 3)

    expected = [f"{n}/ Scripted post {n}. #{TAG}" for n in (1, 2, 3)]
    assert x_texts(x_state) == expected
    assert mastodon_texts(mastodon_emulator.state) == expected
    assert bluesky_texts(bluesky_emulator.state) == expected
    assert_chain(x_state)
    assert_mastodon_chain(mastodon_emulator.state)
    assert_bluesky_chain(bluesky_emulator.state)
    assert [p["outbox_id"] is not None for p in threads["mastodon"]] == [True] * 3

    # The photo: on Mastodon with its description, on Bluesky as a blob with alt text,
    # both the very bytes X got (the cleaned upload), on the first post only.
    x_tweet = [t for t in x_state.posts_by() if not t.injected][0]
    x_bytes = x_state.media_of(x_tweet.id)[0].data
    first = mastodon_emulator.state.own_thread()[0]
    assert [m["description"] for m in first.media] == ["The team scrubbing in."]
    m_bytes, m_type = mastodon_emulator.state.media_files[first.media[0]["id"]]
    assert m_type == "image/png" and m_bytes == x_bytes and same_pixels(m_bytes, PNG)
    assert all(not s.media for s in mastodon_emulator.state.own_thread()[1:])
    embed = bluesky_emulator.state.own_thread()[0].value["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [i["alt"] for i in embed["images"]] == ["The team scrubbing in."]
    b_bytes, b_type = bluesky_emulator.state.blobs[embed["images"][0]["image"]["ref"]["$link"]]
    assert b_type == "image/png" and b_bytes == x_bytes
    assert all("embed" not in r.value for r in bluesky_emulator.state.own_thread()[1:])
    # The report's figures: three posts out on each network.
    figures = export.network_figures(await export.load(server.db, server.event))
    assert {name: f["posts_out"] for name, f in figures.items()} == {
        "x": 3,
        "mastodon": 3,
        "bluesky": 3,
    }


@pytest.mark.parametrize("kind", ["rate_limit", "commit_then_drop"])
async def test_each_post_exactly_once_on_every_network_through_a_fault(
    kind, three, http, x_state, mastodon_emulator, bluesky_emulator
):
    server = three
    await ready_and_live(http, server, 4)
    await call(http, server, "/next", status=201)
    await all_posted(http, server, 1)
    await networks_settled(http, server, 1)
    # The next two posts meet the fault on every network at once.
    x_state.fail_next("POST /2/tweets", kind, 2, reset_after=1.0)
    fail_next(mastodon_emulator.state, kind, remaining=2, reset_after=1.0)
    fail_next_bluesky(bluesky_emulator.state, kind, remaining=2, reset_after=1.0)
    for _ in range(3):
        await call(http, server, "/next", status=201)
    await all_posted(http, server, 4)
    threads = await networks_settled(http, server, 4)

    expected = [f"{n}/ Scripted post {n}. #{TAG}" for n in (1, 2, 3, 4)]
    assert x_texts(x_state) == expected
    assert mastodon_texts(mastodon_emulator.state) == expected
    assert bluesky_texts(bluesky_emulator.state) == expected
    assert_chain(x_state)
    assert_mastodon_chain(mastodon_emulator.state)
    assert_bluesky_chain(bluesky_emulator.state)
    for name in ("mastodon", "bluesky"):
        assert threads[name][1]["attempts"] >= 2  # the fault was met and retried


async def test_pause_sends_the_holding_statement_first_everywhere_and_resume_goes_on(
    three, http, x_state, mastodon_emulator, bluesky_emulator
):
    server = three
    await ready_and_live(http, server, 3)
    await call(http, server, "/next", status=201)
    await all_posted(http, server, 1)
    await networks_settled(http, server, 1)
    await call(http, server, "/pause")
    await call(http, server, "/next", status=201)  # queued behind the pause
    await eventually(lambda: _count_is(x_state, mastodon_emulator, bluesky_emulator, 2))
    await asyncio.sleep(0.5)  # many outbox passes: the queued post stays back everywhere
    holding = f"2/ We are pausing the thread for a moment. #{TAG}"
    for texts in (
        x_texts(x_state),
        mastodon_texts(mastodon_emulator.state),
        bluesky_texts(bluesky_emulator.state),
    ):
        assert texts == [f"1/ Scripted post 1. #{TAG}", holding]
    await call(http, server, "/resume")
    await all_posted(http, server, 3)
    await networks_settled(http, server, 3)
    after = f"3/ Scripted post 2. #{TAG}"
    assert x_texts(x_state)[-1] == after
    assert mastodon_texts(mastodon_emulator.state)[-1] == after
    assert bluesky_texts(bluesky_emulator.state)[-1] == after
    assert_mastodon_chain(mastodon_emulator.state)
    assert_bluesky_chain(bluesky_emulator.state)


async def _count_is(x_state, mastodon, bluesky, n):
    return (
        len(x_texts(x_state)) == n
        and len(mastodon.state.own_thread()) == n
        and len(bluesky.state.own_thread()) == n
    )


async def test_a_post_held_by_screening_reaches_no_network_until_released(
    three, http, x_state, mastodon_emulator, bluesky_emulator
):
    server = three
    await ready_and_live(http, server, 1)
    await call(http, server, "/next", status=201)
    await networks_settled(http, server, 1)
    held = await call(
        http, server, "/compose", {"text": "Call the desk at 555-201-3344"}, status=201
    )
    assert held["item"]["state"] == "held"
    await call(http, server, "/compose", {"text": "The team is closing now."}, status=201)
    # Many passes of every outbox: X waits behind the held post, and so does every
    # other network (neither the held post nor the one after it goes anywhere).
    await asyncio.sleep(1.0)
    assert len(x_texts(x_state)) == 1
    assert len(mastodon_emulator.state.own_thread()) == 1
    assert len(bluesky_emulator.state.own_thread()) == 1
    url = f"{server.url}/api/v1/events/{SLUG}/outbox/{held['item']['id']}/override"
    async with http.post(
        url, json={"reason": "the hospital's public desk line"}, headers=hdr(server)
    ) as resp:
        assert resp.status == 200
    await all_posted(http, server, 3)
    await networks_settled(http, server, 3)
    expected = [
        f"1/ Scripted post 1. #{TAG}",
        f"2/ Call the desk at 555-201-3344 #{TAG}",
        f"3/ The team is closing now. #{TAG}",
    ]
    assert x_texts(x_state) == expected
    assert mastodon_texts(mastodon_emulator.state) == expected
    assert bluesky_texts(bluesky_emulator.state) == expected


async def test_the_approver_sees_each_networks_cut_and_signs_it(
    three, http, bluesky_emulator, mastodon_emulator
):
    server = three
    # X counts a link as 23; Bluesky counts every character: the post is one tweet
    # and two Bluesky posts.
    link = "https://hospital.example.org/" + "knee-replacement-" * 14
    text = "Our surgeons explain each step of the operation on the hospital's page " + link
    await call(http, server, "/posts", {"text": text}, status=201)
    await call(http, server, "/posts", {"role": "holding", "text": "Pausing."}, status=201)
    st = await get_state(http, server)
    post = st["script"][0]
    assert set(post["splits"]) == {"bluesky"}  # X and Mastodon take it in one
    parts = post["splits"]["bluesky"]
    assert len(parts) == 2 and all(bluesky_length(p) <= 300 for p in parts)
    await sign_all(http, server)
    row = await server.db.fetchone(
        "SELECT after FROM audit WHERE action = 'script_post_signed' ORDER BY id LIMIT 1"
    )
    assert json.loads(row["after"])["splits"] == {"bluesky": parts}
    await consent_all(http, server)
    await call(http, server, "/live")
    nxt = await call(http, server, "/next", status=201)
    assert nxt["item"]["state"] == "held"  # screening holds a web address for a person
    url = f"{server.url}/api/v1/events/{SLUG}/outbox/{nxt['item']['id']}/override"
    async with http.post(url, json={"reason": "our own page"}, headers=hdr(server)) as resp:
        assert resp.status == 200
    await all_posted(http, server, 1)
    threads = await networks_settled(http, server, 1)
    assert [p["text"] for p in threads["bluesky"]] == parts
    assert len(threads["mastodon"]) == 1


@pytest.mark.parametrize("networks", [("x", "mastodon"), ("bluesky",)])
async def test_an_event_posts_its_script_to_its_networks_only(
    networks,
    tmp_path,
    http,
    x_emulator,
    x_state,
    mastodon_emulator,
    mastodon_token,
    bluesky_emulator,
    bluesky_password,
):
    server = await procedure_server(
        tmp_path, x_emulator, mastodon_emulator, bluesky_emulator, networks=networks
    )
    others = tuple(n for n in networks if n != "x")
    try:
        await ready_and_live(http, server, 2)
        for _ in range(2):
            await call(http, server, "/next", status=201)
        threads = await networks_settled(http, server, 2, names=others)
        if "x" in networks:
            await all_posted(http, server, 2)
        await asyncio.sleep(0.3)  # many passes of every outbox
        figures = export.network_figures(await export.load(server.db, server.event))
    finally:
        await server.stop()
    assert set(threads) == set(others)  # the console lists the event's networks only
    expected = [f"{n}/ Scripted post {n}. #{TAG}" for n in (1, 2)]
    on = {
        "x": x_texts(x_state),
        "mastodon": mastodon_texts(mastodon_emulator.state),
        "bluesky": bluesky_texts(bluesky_emulator.state),
    }
    assert on == {name: expected if name in networks else [] for name in on}
    assert {name: f["posts_out"] for name, f in figures.items()} == dict.fromkeys(networks, 2)


async def test_an_instance_that_does_not_answer_leaves_its_cut_out_not_the_page(
    three, http, mastodon_emulator
):
    server = three
    mastodon_emulator.state.max_characters = 40  # a tiny instance: Mastodon cuts too
    for path in ("/api/v2/instance", "/api/v2/instance/"):  # Mastodon.py asks with the slash
        fail_next(mastodon_emulator.state, "server_error", f"GET {path}", remaining=100)
    await call(http, server, "/posts", {"text": "A post of some length " * 3}, status=201)
    st = await get_state(http, server)
    assert st["script"][0]["splits"] == {}  # Bluesky takes it in one; Mastodon cannot say
    mastodon_emulator.state.faults.clear()
    st = await get_state(http, server)
    cut = st["script"][0]["splits"]["mastodon"]
    assert len(cut) >= 2 and all(len(p) <= 40 for p in cut)
