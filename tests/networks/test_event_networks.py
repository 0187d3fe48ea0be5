"""An event chooses its networks: `liveq event create/edit --networks`, the events
API, and only those networks get its answers and read its hashtag.

The SDKs (tweepy, Mastodon.py, atproto) unmodified against the three emulators.
"""

from __future__ import annotations

import asyncio

import pytest

from liveq.domain.events import check_networks
from liveq.storage import store
from tests.cli.test_cli import liveq
from tests.fixtures_bluesky import bluesky_section
from tests.fixtures_mastodon import mastodon_section
from tests.fixtures_server import bearer, start_server, write_config, x_section
from tests.waiting import eventually
from tests.workers.test_outbox import answer, outbox


def test_networks_are_named_in_one_order_and_unknown_ones_said():
    assert check_networks("mastodon, X,bluesky") == ("x", "bluesky", "mastodon")
    assert check_networks(["bluesky"]) == ("bluesky",)
    assert check_networks("") == ()
    with pytest.raises(ValueError, match="'threads' is not a network liveq posts to"):
        check_networks("x,threads")
    with pytest.raises(ValueError, match="a list of names"):
        check_networks(3)


def test_cli_create_and_edit_an_events_networks(tmp_path):
    assert liveq("init", cwd=tmp_path).returncode == 0
    made = liveq("event", "create", "gr", "--title", "GR", "--networks", "bluesky,x", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "Networks:  x, bluesky" in made.stdout
    bad = liveq("event", "create", "gr2", "--title", "x", "--networks", "x,fb", cwd=tmp_path)
    assert bad.returncode == 1 and "'fb' is not a network" in bad.stderr
    assert "Traceback" not in bad.stderr
    edited = liveq("event", "edit", "gr", "--networks", "mastodon", cwd=tmp_path)
    assert edited.returncode == 0, edited.stderr
    assert "posts to: mastodon" in edited.stdout
    listed = liveq("event", "list", cwd=tmp_path)
    assert "networks: mastodon" in listed.stdout
    back = liveq("event", "edit", "gr", "--networks", "all", cwd=tmp_path)
    assert "every network configured" in back.stdout
    missing = liveq("event", "edit", "nope", "--networks", "x", cwd=tmp_path)
    assert missing.returncode == 1 and "no event 'nope'" in missing.stderr


async def test_events_api_takes_networks_and_refuses_unknown_ones(server, http):
    url = f"{server.url}/api/v1/events"
    body = {"slug": "town", "title": "Town", "networks": ["mastodon", "x"]}
    async with http.post(url, json=body, headers=bearer(server, "admin")) as resp:
        assert resp.status == 201, await resp.text()
        assert (await resp.json())["event"]["networks"] == ["x", "mastodon"]
    bad = {"slug": "town2", "title": "Town", "networks": ["x", "myspace"]}
    async with http.post(url, json=bad, headers=bearer(server, "admin")) as resp:
        assert resp.status == 400
        assert "'myspace' is not a network liveq posts to" in await resp.text()
    async with http.patch(
        f"{url}/town", json={"networks": ["bluesky"]}, headers=bearer(server, "admin")
    ) as resp:
        assert resp.status == 200, await resp.text()
        assert (await resp.json())["event"]["networks"] == ["bluesky"]
    async with http.patch(
        f"{url}/town", json={"networks": "x;bluesky"}, headers=bearer(server, "admin")
    ) as resp:
        assert resp.status == 400
    event = await store.get_event(server.db, "town")
    assert event.networks == ("bluesky",) and event.uses("bluesky") and not event.uses("x")


@pytest.fixture
async def three_webinar(
    tmp_path,
    x_emulator,
    mastodon_emulator,
    mastodon_token,
    bluesky_emulator,
    bluesky_password,
):
    config = write_config(
        tmp_path,
        x=x_section(x_emulator, outbox_interval_seconds=0.05),
        mastodon=mastodon_section(mastodon_emulator),
        bluesky=bluesky_section(bluesky_emulator),
        limits={"questions_per_minute": 0},
    )
    live = await start_server(config)
    yield live
    await live.stop()


async def test_answers_go_only_to_the_events_networks(
    three_webinar, http, x_state, mastodon_emulator, bluesky_emulator
):
    server = three_webinar
    server.event = await store.update_event(server.db, server.event, "test", networks=("bluesky",))
    # An audience toot with the hashtag: Mastodon is not read for this event.
    asker = mastodon_emulator.state.account_named("nurse_kim")
    mastodon_emulator.state.add_status(asker, "Is it safe? #GR26", tags=("gr26",))
    await answer(http, server, "First?", "One.")
    await answer(http, server, "Second?", "Two.")

    async def bluesky_done():
        own = bluesky_emulator.state.own_thread()
        return own if len(own) == 2 else None

    own = await eventually(bluesky_done, timeout=20)
    assert own[1].value["reply"]["parent"]["uri"] == own[0].uri
    await asyncio.sleep(0.5)  # many passes of the other outboxes and readers
    assert await outbox(http, server) == []
    assert [t for t in x_state.posts_by() if not t.injected] == []
    assert mastodon_emulator.state.own_thread() == []
    assert await server.db.fetchall("SELECT id FROM network_posts WHERE network != 'bluesky'") == []
    assert await server.db.fetchall("SELECT id FROM questions WHERE source = 'mastodon'") == []
    async with http.get(
        f"{server.url}/api/v1/events/grand-rounds/networks", headers=bearer(server)
    ) as resp:
        assert set((await resp.json())["networks"]) == {"bluesky"}
