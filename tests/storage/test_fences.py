"""Fencing tokens in the store, on both engines: a write with a token older than the
newest one its job has recorded is refused inside its transaction; newer ones go through."""

from __future__ import annotations

import asyncio

import pytest

from liveq.storage import fences, store
from liveq.storage import network_posts as np
from liveq.storage import network_sources as ns
from liveq.storage import outbox as ob
from liveq.storage import x_sources as xs
from liveq.storage.db import Database
from liveq.storage.fences import Fence, Fenced

pytestmark = pytest.mark.engines("sqlite", "postgresql")


async def an_event(db):
    return await store.create_event(
        db, "rounds", "Grand Rounds", kind="webinar", hashtag="GR", moderation="pre"
    )


async def test_an_outbox_write_with_an_older_token_is_refused(db_target):
    async with Database(db_target) as db:
        event = await an_event(db)
        [item] = await ob.enqueue(db, event, [ob.NewPost("First post.", "post", "k1")])
        await fences.claim(db, Fence("x-outbox", 7))  # a newer holder has started
        with pytest.raises(Fenced):
            await ob.update(db, item, fence=Fence("x-outbox", 6), state=ob.POSTING)
        after = await ob.get_item(db, event.id, item.id)
        assert (after.state, after.updated_at) == (ob.QUEUED, item.updated_at)
        assert await fences.newest(db, "x-outbox") == 7
        # The holder itself writes on; a still newer one then shuts it out in turn.
        item = await ob.update(db, item, fence=Fence("x-outbox", 7), state=ob.POSTING)
        assert item.state == ob.POSTING
        item = await ob.update(db, item, fence=Fence("x-outbox", 9), attempts=1)
        with pytest.raises(Fenced):
            await ob.update(db, item, fence=Fence("x-outbox", 7), state=ob.POSTED)
        assert (await ob.get_item(db, event.id, item.id)).state == ob.POSTING
        assert await fences.newest(db, "x-outbox") == 9
        # Each job has its own tokens; writes without a fence (one process) are not checked.
        assert await fences.newest(db, "mastodon-outbox") is None
        assert (await ob.update(db, item, state=ob.POSTED, tweet_id="1")).state == ob.POSTED


async def test_a_network_post_write_with_an_older_token_is_refused(db_target):
    async with Database(db_target) as db:
        event = await an_event(db)
        [post] = await np.enqueue(db, event.id, "mastodon", None, ["Hello."])
        await fences.claim(db, Fence("mastodon-outbox", 3))
        with pytest.raises(Fenced):
            await fences.claim(db, Fence("mastodon-outbox", 2))
        with pytest.raises(Fenced):
            await np.update(db, post, fence=Fence("mastodon-outbox", 2), state=np.POSTING)
        assert (await np.get(db, post.id)).state == np.QUEUED
        post = await np.update(db, post, fence=Fence("mastodon-outbox", 4), state=np.POSTING)
        assert post.state == np.POSTING
        assert await fences.newest(db, "mastodon-outbox") == 4


async def test_a_refused_write_leaves_the_others_in_its_batch_alone(db_target):
    async with Database(db_target) as db:
        event = await an_event(db)
        items = await ob.enqueue(
            db, event, [ob.NewPost(f"Post {n}.", "post", f"k{n}") for n in range(3)]
        )
        await fences.claim(db, Fence("x-outbox", 5))
        # Written together (one group commit where the engine batches them).
        results = await asyncio.gather(
            ob.update(db, items[0], fence=Fence("x-outbox", 5), state=ob.POSTING),
            ob.update(db, items[1], fence=Fence("x-outbox", 4), state=ob.POSTING),
            ob.update(db, items[2], state=ob.SKIPPED),
            return_exceptions=True,
        )
        assert isinstance(results[1], Fenced)
        states = [i.state for i in await ob.list_items(db, event.id)]
        assert states == [ob.POSTING, ob.QUEUED, ob.SKIPPED]


async def test_a_holder_past_its_lease_deadline_is_refused_before_it_writes(db_target):
    async with Database(db_target) as db:
        event = await an_event(db)
        [item] = await ob.enqueue(db, event, [ob.NewPost("First post.", "post", "k1")])
        frozen = Fence("x-outbox", 8, valid=lambda: False)  # its lease ran out meanwhile
        with pytest.raises(Fenced):
            await ob.update(db, item, fence=frozen, state=ob.POSTING)
        with pytest.raises(Fenced):
            frozen.check()
        assert (await ob.get_item(db, event.id, item.id)).state == ob.QUEUED
        assert await fences.newest(db, "x-outbox") is None


async def test_a_stale_hashtag_reader_cannot_move_the_cursor_back(db_target):
    async with Database(db_target) as db:
        event = await an_event(db)
        reader = Fence("mastodon-hashtag", 11)
        await ns.finish_poll(db, event.id, "mastodon", "200", 5, fence=reader)
        await fences.claim(db, Fence("mastodon-hashtag", 12))  # a new reader started
        with pytest.raises(Fenced):
            await ns.finish_poll(db, event.id, "mastodon", "100", 3, fence=reader)
        row = await ns.get(db, event.id, "mastodon")
        assert (row.since_id, row.reads, row.polls) == ("200", 5, 1)


async def test_a_stale_x_poller_cannot_move_the_cursor_back_or_count_reads(db_target):
    async with Database(db_target) as db:
        event = await an_event(db)
        poller = Fence("x-pollers", 21)
        await xs.add_reads(db, event.id, 10, poller)
        await xs.finish_poll(db, event.id, "1900", poller)
        await fences.claim(db, Fence("x-pollers", 22))  # another process's pollers started
        with pytest.raises(Fenced):
            await xs.add_reads(db, event.id, 4, poller)
        with pytest.raises(Fenced):
            await xs.finish_poll(db, event.id, "1500", poller)
        row = await xs.get(db, event.id)
        assert (row.since_id, row.reads_used, row.polls) == ("1900", 10, 1)
        await xs.finish_poll(db, event.id, "2000", Fence("x-pollers", 22))
        assert (await xs.get(db, event.id)).since_id == "2000"
