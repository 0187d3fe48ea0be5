"""The X outbox under a fence: a holder whose token is older than the newest one
its job recorded sends nothing and stops; the newest holder posts.

In-process: the app's own outbox is stopped and two more run over the same
database, client and hub, as two processes' outboxes would in a cluster.
"""

import asyncio

from liveq.storage import fences
from liveq.storage import outbox as ob
from liveq.storage.fences import Fence
from liveq.web.keys import DB, HUB, OUTBOX, SCREEN, X_CLIENT, X_SETTINGS
from liveq.workers.outbox import Outbox
from tests.waiting import eventually
from tests.workers.test_outbox import account_posts, answer, fast_x_server

__all__ = ["fast_x_server"]  # the fixture, shared with test_outbox


def another_outbox(app) -> Outbox:
    return Outbox(app[DB], app[HUB], app[X_CLIENT], app[X_SETTINGS], app[SCREEN], interval=0.05)


async def test_a_stale_holder_posts_nothing_and_the_newest_posts(fast_x_server, http, x_state):
    app = fast_x_server.app
    app[OUTBOX].stop()  # this process's own outbox: the test plays the holders
    await asyncio.sleep(0.2)
    await answer(http, fast_x_server, "Is the clinic open on Sunday?", "Yes, 9 to 12.")
    db = app[DB]
    [item] = await ob.list_items(db, fast_x_server.event.id)
    assert item.state == ob.QUEUED

    await fences.claim(db, Fence("x-outbox", 2))  # a newer holder has started
    stale = another_outbox(app)
    async with asyncio.timeout(5):
        await stale.run(Fence("x-outbox", 1))  # returns: fenced out before any write
    assert account_posts(x_state) == []
    assert (await ob.get_item(db, item.event_id, item.id)).state == ob.QUEUED

    newest = another_outbox(app)
    task = asyncio.create_task(newest.run(Fence("x-outbox", 2)))
    try:

        async def posted():
            got = await ob.get_item(db, item.event_id, item.id)
            return got if got.state == ob.POSTED else None

        done = await eventually(posted, timeout=10)
    finally:
        newest.stop()
        await asyncio.wait_for(task, 5)
    assert [p.id for p in account_posts(x_state)] == [done.tweet_id]
