"""The X pollers under a fence: a holder whose token is older than the newest one
recorded for "x-pollers" reads nothing into the store and moves no cursor; the
newest holder goes on from the cursor as it was.

In-process: the app's own pollers are closed and the test plays the holders over
the same database, client and hub, as two processes' pollers would in a cluster.
"""

from __future__ import annotations

from pathlib import Path

from liveq.emulators.x.server import RunningEmulator
from liveq.storage import fences
from liveq.storage.fences import Fence
from liveq.web.keys import CONFIG, DB, HUB, SCREEN, X_CLIENT, X_SETTINGS
from liveq.web.workers import pollers_of
from liveq.workers.x_hashtag import XPollers
from tests.workers.test_x_hashtag import (
    PlannedFaults,
    eventually,
    liveq_x,
    searches,
    source_row,
    wait_questions,
    x_questions,
)


def other_pollers(app) -> XPollers:
    return XPollers(
        db=app[DB],
        hub=app[HUB],
        client=app[X_CLIENT],
        settings=app[X_SETTINGS],
        screen=app[SCREEN],
        max_chars=app[CONFIG].limits.max_question_chars,
    )


async def test_a_stale_poller_holder_records_nothing_and_the_newest_goes_on(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    first = x_state.inject_tweet("#GR26 How long is rehab?", author_username="amy")
    async with liveq_x(tmp_path, x_emulator) as server:
        app = server.app
        await pollers_of(app).close()  # this process's own pollers: the test plays the holders
        db = app[DB]

        holder = other_pollers(app)
        holder.start(Fence("x-pollers", 5))
        try:
            await wait_questions(server, 1)

            async def cursor_moved() -> bool:
                # The poll stores its questions first and moves since_id after them.
                return (await source_row(server)).since_id == first.id

            await eventually(cursor_moved, timeout=5)
            await fences.claim(db, Fence("x-pollers", 6))  # another process's pollers started
            before = await source_row(server)
            x_state.inject_tweet("#GR26 Can I drive after surgery?", author_username="bob")

            async def fenced_out() -> bool:
                return holder.fenced

            await eventually(fenced_out, timeout=5)
            after = await source_row(server)
            assert (after.since_id, after.reads_used) == (before.since_id, before.reads_used)
            assert len(await x_questions(server)) == 1  # the new post was not read in here
            count = searches(x_state)
            await holder.reconcile()
            assert not [t for _, t in holder.tasks.values() if not t.done()]
        finally:
            await holder.close()
        assert searches(x_state) == count  # nothing polled after it was fenced out

        stale = other_pollers(app)
        stale.start(Fence("x-pollers", 5))  # an old holder starting late: refused at once
        try:
            await eventually(lambda: _done(stale), timeout=5)
            assert searches(x_state) == count
        finally:
            await stale.close()

        newest = other_pollers(app)
        newest.start(Fence("x-pollers", 6))
        try:
            qs = await wait_questions(server, 2, timeout=5)
            texts = sorted(q.text for q in qs)
            assert texts == ["Can I drive after surgery?", "How long is rehab?"]
            row = await source_row(server)
            assert int(row.since_id) > int(first.id) and row.reads_used == before.reads_used + 1
            assert await fences.newest(db, "x-pollers") == 6
        finally:
            await newest.close()


async def _done(sup: XPollers) -> bool:
    return sup._main is not None and sup._main.done()
