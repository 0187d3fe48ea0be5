"""The live thread on Bluesky: the atproto SDK unmodified against the local emulator.

Every answer becomes its chained posts (``reply {root, parent}``), each within 300
graphemes, with hashtag and link facets at UTF-8 byte offsets, in order, exactly
once whatever the service does (429 with a reset, 500, the record written and the
connection dropped, a late answer): each record's key (a TID) is chosen and stored
before createRecord, and a retry looks it up with getRecord first.
"""

import pytest

from liveq.tweettext.bluesky import bluesky_length
from tests.fixtures_bluesky import bluesky_section, fail_next_bluesky
from tests.fixtures_networks import network_threads, thread_settled
from tests.fixtures_server import start_server, write_config
from tests.workers.test_outbox import answer


async def threads(http, server):
    return await network_threads(http, server)


async def bluesky_settled(http, server, count):
    return await thread_settled(http, server, "bluesky", count)


def assert_one_post_thread(state, posts):
    """Every post exactly once, in order, each replying to the one before, one root."""
    own = state.own_thread()
    assert [r.value["text"] for r in own] == [p["text"] for p in posts]
    assert [r.uri for r in own] == [p["post_id"] for p in posts]
    assert "reply" not in own[0].value
    for before, after in zip(own, own[1:], strict=False):
        assert after.value["reply"]["parent"] == {
            "$type": "com.atproto.repo.strongRef",
            "uri": before.uri,
            "cid": before.cid,
        } or after.value["reply"]["parent"] == {"uri": before.uri, "cid": before.cid}
        assert after.value["reply"]["root"]["uri"] == own[0].uri
    # The record key is the one stored on the row before the request.
    assert [r.uri.rsplit("/", 1)[1] for r in own] == [p["post_id"].rsplit("/", 1)[1] for p in posts]


@pytest.fixture
async def bluesky_server(tmp_path, bluesky_emulator, bluesky_password):
    config = write_config(
        tmp_path,
        bluesky=bluesky_section(bluesky_emulator, signature="Dr. Rivera"),
        limits={"questions_per_minute": 0},
    )
    live = await start_server(config)
    yield live
    await live.stop()


async def test_ten_answers_are_ten_chained_posts(bluesky_server, http, bluesky_state):
    for n in range(10):
        await answer(http, bluesky_server, f"Question {n}?", f"Answer {n}.", asker=f"P{n}")
    posts = await bluesky_settled(http, bluesky_server, 10)
    assert [p["state"] for p in posts] == ["posted"] * 10
    assert posts[0]["text"] == "Q1 from P0: Question 0?\nA: Answer 0. — Dr. Rivera #GR26"
    assert posts[9]["text"].startswith("Q10 from P9: Question 9?")
    assert_one_post_thread(bluesky_state, posts)
    rkey = posts[0]["post_id"].rsplit("/", 1)[1]
    assert posts[0]["url"] == f"https://bsky.app/profile/{bluesky_state.handle}/post/{rkey}"


async def test_long_answers_split_at_300_graphemes_with_facets(bluesky_server, http, bluesky_state):
    link = "https://www.example.org/knee-care"
    long = "Café é 👩‍⚕️ " + " ".join(f"word{i}" for i in range(80)) + f" See {link} #Knee"
    await answer(http, bluesky_server, "Long one?", long)
    posts = await bluesky_settled(http, bluesky_server, 2)
    assert len(posts) >= 2
    assert posts[0]["text"].startswith(f"1/{len(posts)} ")
    assert all(bluesky_length(p["text"]) <= 300 for p in posts)
    assert_one_post_thread(bluesky_state, posts)
    last = bluesky_state.own_thread()[-1].value
    raw = last["text"].encode()
    spans = {
        raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in last["facets"]
    }
    assert spans["#Knee"]["tag"] == "Knee"
    assert spans["#GR26"]["tag"] == "GR26"
    assert spans[link]["uri"] == link


@pytest.mark.parametrize("kind", ["rate_limit", "server_error", "commit_then_drop", "slow"])
async def test_each_fault_leaves_every_post_once_in_order(
    kind, bluesky_server, http, bluesky_state
):
    bluesky_state.slow_seconds = 3.0  # longer than the client's 2 s timeout
    await answer(http, bluesky_server, "First?", "One.")
    await bluesky_settled(http, bluesky_server, 1)
    fail_next_bluesky(bluesky_state, kind, remaining=2, reset_after=1.0)
    for n in range(2, 5):
        await answer(http, bluesky_server, f"Question {n}?", f"Answer {n}.")
    posts = await bluesky_settled(http, bluesky_server, 4)
    assert [p["state"] for p in posts] == ["posted"] * 4
    assert_one_post_thread(bluesky_state, posts)
    assert len(bluesky_state.own_thread()) == 4
    assert posts[1]["attempts"] >= 2
