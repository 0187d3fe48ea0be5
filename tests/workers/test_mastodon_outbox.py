"""The live thread on Mastodon: Mastodon.py unmodified against the local emulator.

Every answer becomes its chained statuses, in order, exactly once, whatever the
instance does (429 with a reset, 503, a status committed and the connection
dropped); the instance's own character limit decides the split; X and Mastodon
each get their own thread, and one network's refusal holds only its thread.
"""

import pytest

from liveq.tweettext.mastodon import mastodon_length
from tests.fixtures_mastodon import fail_next, mastodon_section
from tests.fixtures_networks import network_threads, thread_settled
from tests.fixtures_server import bearer, start_server, write_config, x_section
from tests.waiting import eventually
from tests.web.test_moderation_api import act
from tests.workers.test_outbox import answer, assert_one_thread, settled


async def threads(http, server):
    return await network_threads(http, server)


async def mastodon_settled(http, server, count):
    return await thread_settled(http, server, "mastodon", count)


def assert_one_status_thread(state, posts):
    """Every post exactly once, in order, each replying to the one before."""
    own = state.own_thread()
    assert [s.text for s in own] == [p["text"] for p in posts]
    assert [s.id for s in own] == [p["post_id"] for p in posts]
    assert own[0].in_reply_to_id is None
    for before, after in zip(own, own[1:], strict=False):
        assert after.in_reply_to_id == before.id


@pytest.fixture
async def mastodon_server(tmp_path, mastodon_emulator, mastodon_token):
    config = write_config(
        tmp_path,
        mastodon=mastodon_section(mastodon_emulator, signature="Dr. Rivera"),
        limits={"questions_per_minute": 0},
    )
    live = await start_server(config)
    yield live
    await live.stop()


async def test_ten_answers_are_ten_chained_statuses(mastodon_server, http, mastodon_state):
    for n in range(10):
        await answer(http, mastodon_server, f"Question {n}?", f"Answer {n}.", asker=f"P{n}")
    posts = await mastodon_settled(http, mastodon_server, 10)
    assert [p["state"] for p in posts] == ["posted"] * 10
    assert posts[0]["text"] == "Q1 from P0: Question 0?\nA: Answer 0. — Dr. Rivera #GR26"
    assert posts[9]["text"].startswith("Q10 from P9: Question 9?")
    assert_one_status_thread(mastodon_state, posts)
    assert posts[0]["url"] == f"{mastodon_state_url(mastodon_server)}/@liveq/{posts[0]['post_id']}"
    assert {s.visibility for s in mastodon_state.own_thread()} == {"public"}


def mastodon_state_url(server):
    return server.config.raw["mastodon"]["instance_url"]


async def test_the_instance_limit_decides_the_split(
    tmp_path, mastodon_emulator, mastodon_token, http
):
    mastodon_emulator.state.max_characters = 120  # a small instance, read from /api/v2/instance
    config = write_config(
        tmp_path,
        mastodon=mastodon_section(mastodon_emulator, visibility="unlisted"),
        limits={"questions_per_minute": 0},
    )
    server = await start_server(config)
    try:
        link = "https://www.example.org/" + "a" * 80  # counts as 23
        long = f"See {link} and " + " ".join(f"word{i}" for i in range(40))
        await answer(http, server, "Long one?", long)
        second = await answer(http, server, "Short one?", "Yes.")

        async def both():
            posts = await mastodon_settled(http, server, 3)
            return posts if second in {p["question_id"] for p in posts} else None

        posts = await eventually(both, timeout=20)
    finally:
        await server.stop()
    assert len(posts) > 2
    assert [p["state"] for p in posts] == ["posted"] * len(posts)
    assert posts[0]["text"].startswith("1/")
    assert link in posts[0]["text"]  # a link is never cut
    assert all(mastodon_length(p["text"]) <= 120 for p in posts)
    assert posts[-1]["text"].startswith("Q2 from")
    assert_one_status_thread(mastodon_emulator.state, posts)
    assert {s.visibility for s in mastodon_emulator.state.own_thread()} == {"unlisted"}


@pytest.mark.parametrize("kind", ["rate_limit", "server_error", "commit_then_drop", "slow"])
async def test_each_fault_leaves_every_status_once_in_order(
    kind, mastodon_server, http, mastodon_state
):
    mastodon_state.slow_seconds = 3.0  # longer than the client's 2 s timeout
    await answer(http, mastodon_server, "First?", "One.")
    await mastodon_settled(http, mastodon_server, 1)
    fail_next(mastodon_state, kind, remaining=2, reset_after=1.0)
    for n in range(2, 5):
        await answer(http, mastodon_server, f"Question {n}?", f"Answer {n}.")
    posts = await mastodon_settled(http, mastodon_server, 4)
    assert [p["state"] for p in posts] == ["posted"] * 4
    assert_one_status_thread(mastodon_state, posts)
    assert len(mastodon_state.own_thread()) == 4
    assert posts[1]["attempts"] >= 2  # the fault was met and retried, not skipped


async def test_mastodon_refusal_holds_only_its_own_thread(
    tmp_path, mastodon_emulator, mastodon_token, x_emulator, x_state, http
):
    config = write_config(
        tmp_path,
        x=x_section(x_emulator, outbox_interval_seconds=0.05),
        mastodon=mastodon_section(mastodon_emulator),
        limits={"questions_per_minute": 0},
    )
    server = await start_server(config)
    try:
        fail_next(mastodon_emulator.state, "forbidden", remaining=1000)  # Mastodon refuses
        await answer(http, server, "First?", "One.")
        await answer(http, server, "Second?", "Two.")
        items = await settled(http, server, 2)
        assert [i["state"] for i in items] == ["posted", "posted"]
        assert_one_thread(x_state, items)

        async def held():
            # The worker queues answers on its own passes, so the first can fail
            # before the second is queued: wait for both.
            posts = (await threads(http, server))["mastodon"]
            return posts if len(posts) == 2 and posts[0]["state"] == "failed" else None

        posts = await eventually(held)
        assert posts[0]["error"] == "Mastodon refused: This action is not allowed"
        assert [p["state"] for p in posts] == ["failed", "queued"]  # in order: it waits
        # A person fixes the instance and retries: the thread goes on, in order.
        mastodon_emulator.state.faults.clear()
        async with http.post(
            f"{server.url}/api/v1/events/grand-rounds/networks/mastodon/{posts[0]['id']}/retry",
            headers=bearer(server),
        ) as resp:
            assert resp.status == 200, await resp.text()
        posts = await mastodon_settled(http, server, 2)
        assert [p["state"] for p in posts] == ["posted", "posted"]
        assert_one_status_thread(mastodon_emulator.state, posts)
    finally:
        await server.stop()


async def test_retry_of_a_posted_status_is_a_409_sentence(mastodon_server, http):
    await answer(http, mastodon_server, "Q?", "A.")
    posts = await mastodon_settled(http, mastodon_server, 1)
    async with http.post(
        f"{mastodon_server.url}/api/v1/events/grand-rounds/networks/mastodon/"
        f"{posts[0]['id']}/retry",
        headers=bearer(mastodon_server),
    ) as resp:
        assert resp.status == 409
        assert "nothing to retry" in await resp.text()


async def test_report_and_export_give_figures_per_network(mastodon_server, http, mastodon_state):
    from liveq.after import export, report

    server = mastodon_server
    asker = mastodon_state.account_named("nurse_kim")
    for n in range(2):
        mastodon_state.add_status(asker, f"Toot {n}? #GR26", tags=("gr26",))

    async def tooted():
        rows = await server.db.fetchall(
            "SELECT id FROM questions WHERE source = 'mastodon' ORDER BY id"
        )
        return rows if len(rows) == 2 else None

    toots = await eventually(tooted)
    for row in toots:
        for action, body in (("approve", {}), ("on_air", {}), ("answer", {"answer": "Yes."})):
            await act(http, server, row["id"], action, body)
    await answer(http, server, "From the form?", "Also yes.")
    await mastodon_settled(http, server, 3)
    data = await export.load(server.db, server.event)
    figures = export.network_figures(data)
    assert figures["mastodon"] == {
        "questions_in": 2,
        "participants": 1,
        "posts_out": 3,
        "posts_not_out": 0,
    }
    assert figures["x"]["posts_out"] == 0
    doc = export.to_json(data, lambda tweet_id: f"https://x.com/i/status/{tweet_id}")
    assert '"networks"' in doc and '"network_posts"' in doc
    html = await report.build(server.db, server.event, lambda t: f"https://x.com/i/status/{t}")
    assert '<tr data-network="mastodon"><td>Mastodon (hashtag)</td><td class="n">2</td>' in html


async def test_an_instance_that_cannot_say_its_limit_holds_the_thread_then_it_goes(
    mastodon_server, http, mastodon_state, caplog
):
    for path in ("/api/v2/instance", "/api/v2/instance/"):  # Mastodon.py asks with the slash
        fail_next(mastodon_state, "server_error", f"GET {path}", remaining=3)
    await answer(http, mastodon_server, "Q?", "A.")
    posts = await mastodon_settled(http, mastodon_server, 1)
    assert [p["state"] for p in posts] == ["posted"]
    assert len(mastodon_state.own_thread()) == 1
    said = [r for r in caplog.records if "mastodon outbox" in r.getMessage()]
    assert said and all(r.exc_info is None for r in said)  # a sentence, not a traceback
    assert "Mastodon did not answer" in said[0].getMessage()
