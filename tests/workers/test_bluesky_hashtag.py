"""The Bluesky hashtag source: a real liveq reading app.bsky.feed.searchPosts (tag,
sort=latest, cursor) through the atproto SDK, unmodified, over HTTPS. Each post
becomes one question, once, across restarts; our own posts are left out; 429 and
500 are waited out."""

from __future__ import annotations

import pytest

from liveq.storage import network_sources
from tests.fixtures_bluesky import bluesky_section, fail_next_bluesky
from tests.fixtures_server import start_server, write_config
from tests.waiting import eventually
from tests.workers.test_mastodon_hashtag import questions, wait_questions

SEARCH = "app.bsky.feed.searchPosts"


async def polls(server):
    return (await network_sources.get(server.db, server.event.id, "bluesky")).polls


async def more(server, n):
    return await polls(server) >= n


@pytest.fixture
async def bluesky_reader(tmp_path, bluesky_emulator, bluesky_password):
    config = write_config(
        tmp_path,
        bluesky=bluesky_section(bluesky_emulator),
        events={"moderation": "post"},
        limits={"questions_per_minute": 0},
    )
    server = await start_server(config)
    yield server
    await server.stop()


async def test_hashtag_posts_become_questions_once_with_handle_and_link(
    bluesky_reader, bluesky_state
):
    asked = [
        bluesky_state.audience_post(f"nurse{i}.bsky.social", f"Q {i}? #GR26") for i in range(3)
    ]
    bluesky_state.audience_post(bluesky_state.handle, "Our own post #GR26")
    bluesky_state.add(
        bluesky_state.did,
        bluesky_state.handle,
        "3aaaaaaaaaaa2",
        {
            "$type": "app.bsky.feed.post",
            "text": "Also ours #GR26",
            "createdAt": "2026-01-01T00:00:00Z",
            "facets": [
                {
                    "index": {"byteStart": 10, "byteEnd": 15},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "GR26"}],
                }
            ],
        },
    )
    await wait_questions(bluesky_reader, 3)
    start = await polls(bluesky_reader)
    await eventually(lambda: more(bluesky_reader, start + 3))
    rows = await questions(bluesky_reader)
    assert [r["source_id"] for r in rows] == [r.uri for r in asked]
    assert rows[0]["source"] == "bluesky"
    assert rows[0]["author"] == "@nurse0.bsky.social"
    assert rows[0]["text"] == "Q 0?"
    rkey = asked[0].uri.rsplit("/", 1)[1]
    assert rows[0]["source_url"] == f"https://bsky.app/profile/nurse0.bsky.social/post/{rkey}"


async def test_across_a_restart_each_post_is_stored_once(bluesky_reader, bluesky_state):
    before = [bluesky_state.audience_post("amy.bsky.social", f"B {i}? #GR26") for i in range(3)]
    await wait_questions(bluesky_reader, 3)
    await bluesky_reader.stop()
    after = [bluesky_state.audience_post("ben.bsky.social", f"A {i}? #GR26") for i in range(105)]
    await bluesky_reader.start()
    await wait_questions(bluesky_reader, 108)  # 105 new: two pages (cursor)
    start = await polls(bluesky_reader)
    await eventually(lambda: more(bluesky_reader, start + 3))
    rows = await questions(bluesky_reader)
    assert [r["source_id"] for r in rows] == [r.uri for r in before + after]
    row = await network_sources.get(bluesky_reader.db, bluesky_reader.event.id, "bluesky")
    assert row.reads == 108  # after the restart only the new posts were read


@pytest.mark.parametrize("kind", ["rate_limit", "server_error"])
async def test_429_and_500_are_waited_out(kind, bluesky_reader, bluesky_state):
    await eventually(lambda: more(bluesky_reader, 1))
    fail_next_bluesky(bluesky_state, kind, SEARCH, remaining=2, reset_after=1.0)
    asked = [bluesky_state.audience_post("cy.bsky.social", f"D {i}? #GR26") for i in range(2)]
    rows = await wait_questions(bluesky_reader, 2)
    assert [r["source_id"] for r in rows] == [r.uri for r in asked]
    assert not bluesky_state.faults
