"""The Mastodon hashtag source: a real liveq reading the emulator's hashtag timeline
through Mastodon.py, unmodified, over HTTPS. Each post becomes one question, once,
across restarts; boosts and our own posts are left out; 429 and 503 are waited out."""

from __future__ import annotations

import pytest

from liveq.storage import network_sources
from tests.fixtures_mastodon import fail_next, mastodon_section
from tests.fixtures_server import start_server, write_config
from tests.waiting import eventually

TIMELINE = "GET /api/v1/timelines/tag"


def audience(state, username: str, text: str):
    return state.add_status(state.account_named(username), text, tags=("gr26",))


async def questions(server):
    rows = await server.db.fetchall(
        "SELECT source, source_id, source_url, author, text FROM questions"
        " WHERE event_id = ? ORDER BY id",
        (server.event.id,),
    )
    return [dict(r) for r in rows]


async def wait_questions(server, count):
    async def enough():
        rows = await questions(server)
        return rows if len(rows) >= count else None

    return await eventually(enough)


async def polls(server):
    return (await network_sources.get(server.db, server.event.id, "mastodon")).polls


@pytest.fixture
async def mastodon_reader(tmp_path, mastodon_emulator, mastodon_token):
    config = write_config(
        tmp_path,
        mastodon=mastodon_section(mastodon_emulator),
        events={"moderation": "post"},
        limits={"questions_per_minute": 0},
    )
    server = await start_server(config)
    yield server
    await server.stop()


async def test_hashtag_posts_become_questions_once_with_handle_and_link(
    mastodon_reader, mastodon_state
):
    asked = [audience(mastodon_state, f"nurse{i}", f"Question {i}? #GR26") for i in range(3)]
    mastodon_state.add_status(mastodon_state.account_named("bob"), "", reblog_of=asked[0].id)
    mastodon_state.add_status(mastodon_state.account, "Our own post #GR26", tags=("gr26",))
    rows = await wait_questions(mastodon_reader, 3)
    start = await polls(mastodon_reader)
    await eventually(lambda: _more(mastodon_reader, start + 3))
    rows = await questions(mastodon_reader)
    assert [r["source_id"] for r in rows] == [s.id for s in asked]
    assert rows[0]["source"] == "mastodon"
    assert rows[0]["author"] == "@nurse0"
    assert rows[0]["text"] == "Question 0?"
    assert rows[0]["source_url"].endswith(f"/@nurse0/{asked[0].id}")


async def _more(server, n):
    return await polls(server) >= n


async def test_across_a_restart_each_post_is_stored_once(mastodon_reader, mastodon_state):
    before = [audience(mastodon_state, "amy", f"Before {i}? #GR26") for i in range(3)]
    await wait_questions(mastodon_reader, 3)
    await mastodon_reader.stop()
    after = [audience(mastodon_state, "ben", f"After {i}? #GR26") for i in range(45)]
    await mastodon_reader.start()
    await wait_questions(mastodon_reader, 48)  # 45 new: two pages of 40
    start = await polls(mastodon_reader)
    await eventually(lambda: _more(mastodon_reader, start + 3))
    rows = await questions(mastodon_reader)
    assert [r["source_id"] for r in rows] == [s.id for s in before + after]
    row = await network_sources.get(mastodon_reader.db, mastodon_reader.event.id, "mastodon")
    assert row.since_id == after[-1].id
    assert row.reads == 48  # after the restart, only the new posts were read


@pytest.mark.parametrize("kind", ["rate_limit", "server_error"])
async def test_429_and_503_are_waited_out(kind, mastodon_reader, mastodon_state):
    await eventually(lambda: _more(mastodon_reader, 1))
    fail_next(mastodon_state, kind, TIMELINE, remaining=2, reset_after=1.0)
    asked = [audience(mastodon_state, "cy", f"During {i}? #GR26") for i in range(2)]
    rows = await wait_questions(mastodon_reader, 2)
    assert [r["source_id"] for r in rows] == [s.id for s in asked]
    assert not mastodon_state.faults  # both faults were met
