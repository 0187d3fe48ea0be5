"""The X hashtag source: a real liveq polling the X emulator through tweepy, over HTTPS.

No mocks: every test runs tweepy unmodified against the emulator on 127.0.0.1,
steers it (posts, faults, rate limits) through :class:`EmulatorState`, and
looks at what liveq stored, answered and pushed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
import websockets

from liveq.emulators.x.server import RunningEmulator
from liveq.emulators.x.state import SEARCH_RECENT, EmulatorState, FaultKind
from liveq.storage import accounts as auth
from liveq.storage import audit, store
from liveq.storage import x_sources as xs
from liveq.storage.db import Database
from liveq.web.workers import pollers_of
from liveq.workers.x_hashtag import (
    MAX_BACKOFF,
    RateInfo,
    backoff_delay,
    budget_reached,
    next_delay,
    question_text,
    search_query,
)
from tests import waiting
from tests.fixtures_server import LiveServer, write_config, x_section
from tests.screening.evasion import STYLES, text_cases

# -- the emulator, with faults that can be planned for the Nth request ----------------


class PlannedFaults(EmulatorState):
    """An emulator state that can fail the Nth request to an endpoint: enough to
    hit the second page of a poll, which ``fail_next`` (the next request) cannot."""

    def __init__(self) -> None:
        super().__init__()
        self.planned: dict[int, tuple[FaultKind, float]] = {}
        #: When each search arrived: pacing is judged on the emulator's clock, not on
        #: when a busy test process got round to looking.
        self.search_times: list[float] = []

    def take_fault(self, endpoint: str):  # noqa: ANN201 - same as the parent
        if endpoint == SEARCH_RECENT:
            self.search_times.append(time.time())
            plan = self.planned.pop(self.request_counts[endpoint], None)
            if plan is not None:
                self.fail_next(endpoint, plan[0], reset_after=plan[1])
        return super().take_fault(endpoint)


@pytest.fixture
def x_state() -> PlannedFaults:
    state = PlannedFaults()
    # X's real search window (450 per 15 min) would pace a 50 ms poller to 2 s.
    state.set_rate_limit(SEARCH_RECENT, 100_000, 900)
    return state


def searches(state: EmulatorState) -> int:
    return state.request_counts[SEARCH_RECENT]


# -- a liveq with X on, polling fast ---------------------------------------------------


async def start_x_server(server: LiveServer, *, event: bool = True) -> LiveServer:
    await server.start()
    db = server.db
    if event:
        server.event = await store.create_event(
            db, "grand-rounds", "Grand Rounds", kind="webinar", hashtag="GR26", moderation="pre"
        )
        server.tokens["moderator"] = await auth.create_api_token(db, "moderator", label="t")
        server.tokens["admin"] = await auth.create_api_token(db, "admin", label="a")
        # The supervisor would notice the new event within RECHECK_SECONDS anyway.
        pollers_of(server.app).wake()
    return server


@contextlib.asynccontextmanager
async def liveq_x(tmp_path: Path, emulator: RunningEmulator, **x: object) -> AsyncIterator:
    x.setdefault("poll_interval_ms", 50)
    config = write_config(tmp_path, x=x_section(emulator, **x), limits={"questions_per_minute": 0})
    server = await start_x_server(LiveServer(config))
    try:
        yield server
    finally:
        await server.stop()


async def eventually(check: Callable[[], Awaitable[object]], timeout: float = 3.0) -> object:
    """tests.waiting.eventually with a shorter wait: a poll here is 0.1 s apart."""
    return await waiting.eventually(check, timeout)


async def x_questions(server: LiveServer) -> list:
    return [q for q in await store.list_questions(server.db, server.event) if q.source == "x"]


async def wait_questions(server: LiveServer, n: int, timeout: float = 3.0) -> list:
    async def enough() -> list | None:
        qs = await x_questions(server)
        assert len(qs) <= n, [q.text for q in qs]
        return qs if len(qs) == n else None

    enough.__name__ = f"{n} questions from X"
    return await eventually(enough, timeout)


async def stored_ids(server: LiveServer) -> list[str]:
    rows = await server.db.fetchall(
        "SELECT source_id FROM questions WHERE source = 'x' ORDER BY id"
    )
    return [r[0] for r in rows]


async def source_row(server: LiveServer) -> xs.SourceRow:
    return await xs.get(server.db, server.event.id)


async def api(
    server: LiveServer, method: str, path: str, *, token: str | None = "moderator", **kw: object
) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {server.tokens[token]}"} if token else {}
    async with aiohttp.ClientSession() as http:
        async with http.request(method, server.url + path, headers=headers, **kw) as resp:
            return resp.status, await resp.json()


async def source_view(server: LiveServer) -> dict:
    status, body = await api(server, "GET", "/api/v1/events/grand-rounds/x-source")
    assert status == 200, body
    return body["source"]


# -- pure parts ------------------------------------------------------------------------


def test_question_text_is_readable() -> None:
    assert question_text("#GR26 How long is rehab?", "GR26", 500) == "How long is rehab?"
    assert question_text("@liveq_demo @dr_a  Can I\n drive? #gr26", "GR26", 500) == "Can I drive?"
    assert question_text("Is #GR26x the same as #GR26?", "GR26", 500) == "Is #GR26x the same as ?"
    assert question_text("Pain &amp; swelling &lt;2 weeks? #GR26", "GR26", 500) == (
        "Pain & swelling <2 weeks?"
    )
    assert question_text("  #GR26  @someone ", "GR26", 500) == ""
    assert question_text("Ask @dr_a about it #GR26", "GR26", 500) == "Ask @dr_a about it"
    assert question_text("a\u202eb c\x07d #GR26", "GR26", 500) == "ab cd"
    assert question_text("word " * 40, "GR26", 20) == "word word word word…"
    # Invisible characters are gone, except inside emoji sequences.
    assert question_text("Call 617\u200b-555\u2060-0143 #GR26", "GR26", 500) == "Call 617-555-0143"
    assert question_text("Thanks 👩\u200d⚕️! #GR26", "GR26", 500) == "Thanks 👩\u200d⚕️!"


def test_query_excludes_retweets_and_our_own_posts() -> None:
    assert search_query("GR26", "liveq_demo") == "#GR26 -is:retweet -from:liveq_demo"
    assert search_query("GR26") == "#GR26 -is:retweet"


def test_interval_slows_down_as_the_rate_limit_runs_out() -> None:
    now = 1000.0
    assert next_delay(30, None, now) == 30
    plenty = RateInfo(limit=450, remaining=449, reset=now + 900)
    assert next_delay(30, plenty, now) == 30  # 900/449 ≈ 2 s: the base interval rules
    low = RateInfo(limit=450, remaining=10, reset=now + 600)
    assert next_delay(30, low, now) == pytest.approx(60)  # 10 left for 600 s
    assert next_delay(30, low, now, pollers=3) == pytest.approx(180)  # shared by 3 events
    empty = RateInfo(limit=450, remaining=0, reset=now + 120)
    assert next_delay(30, empty, now) == pytest.approx(121)  # the reset, plus a second
    assert next_delay(0.05, RateInfo(450, 0, now - 5), now) == pytest.approx(1.0)
    assert [backoff_delay(1, n) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff_delay(30, 20) == MAX_BACKOFF
    assert not budget_reached(90, 100) and budget_reached(91, 100)


# -- questions arrive ----------------------------------------------------------------------


async def test_hashtag_posts_reach_the_queue_once_each_with_handle_and_link(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    rehab = x_state.inject_tweet(
        "#GR26 How long is rehab after a knee replacement?", author_username="nurse_amy"
    )
    drive = x_state.inject_tweet(
        "@liveq_demo Can I   drive after\nsurgery? #gr26", author_username="BobB"
    )
    x_state.inject_tweet("Unrelated post #Other", author_username="carol")
    x_state.inject_tweet("RT How long is rehab #GR26", author_username="dan", retweet_of=rehab.id)
    # Our own thread post carries the hashtag too: it must not come back as a question.
    x_state.store_tweet(
        text="Q1 from @nurse_amy: rehab? A: 6 weeks #GR26", author_id=x_state.account_id
    )
    x_state.inject_tweet("#GR26 @someone", author_username="empty")  # nothing left to ask

    async with liveq_x(tmp_path, x_emulator) as server:
        qs = await wait_questions(server, 2)
        by_id = {q.source_url.rsplit("/", 1)[1]: q for q in qs}
        assert set(by_id) == {rehab.id, drive.id}
        q = by_id[rehab.id]
        assert q.text == "How long is rehab after a knee replacement?"
        assert q.author == "@nurse_amy" and q.source == "x" and q.status.value == "pending"
        assert q.source_url == f"https://x.com/nurse_amy/status/{rehab.id}"
        assert q.created_at == pytest.approx(rehab.created_at.timestamp(), abs=0.001)
        d = by_id[drive.id]
        assert d.text == "Can I drive after surgery?" and d.author == "@BobB"
        assert d.source_url == f"https://x.com/BobB/status/{drive.id}"

        # More polls read nothing new and store nothing twice.
        polls = (await source_row(server)).polls
        await eventually(lambda: _more_polls(server, polls + 4))
        assert len(await x_questions(server)) == 2
        row = await source_row(server)
        # Read (and paid for): the two questions and the empty one; our own post
        # and the retweet were never returned.
        assert row.reads_used == 3
        newest = max(int(t.id) for t in x_state.tweets.values() if "GR26" in t.text.upper())
        assert row.since_id == str(newest)


async def test_hashtag_posts_with_hidden_identifiers_are_held_with_whole_spans(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    # Every kind, written with zero-width characters and with look-alikes, as a post;
    # and two handles that are not fit to show (a phone number, profanity).
    sent = {}
    for c in text_cases():
        for style in ("zero-width", "look-alike"):
            o = STYLES[style](c)
            tweet = x_state.inject_tweet(f"{o.text} #GR26", author_username="asker")
            sent[tweet.id] = (c.kind, o, "text")
    # "617–555–0188" came in clean in the penetration test.
    tweet = x_state.inject_tweet("Is 617–555–0188 the clinic's number? #GR26", author_username="pt")
    sent[tweet.id] = ("phone", None, "text")
    handles = (("jen6175550143", "phone", (4, 14)), ("shithead", "profanity", (1, 9)))
    for handle, kind, span in handles:
        tweet = x_state.inject_tweet("How long is rehab? #GR26", author_username=handle)
        sent[tweet.id] = (kind, span, "name")

    async with liveq_x(tmp_path, x_emulator) as server:
        qs = await wait_questions(server, len(sent), timeout=10)
    problems = []
    for q in qs:
        kind, o, field = sent[q.source_url.rsplit("/", 1)[1]]
        if field == "name":
            value, span = q.author, o  # a span of "@handle"
        elif o is None:
            value, span = q.text, (3, 15)
        else:
            value, span = q.text, o.shown_span
            if q.text != o.shown:
                problems.append(f"{kind}: stored {q.text!r}, expected {o.shown!r}")
        found = [
            (f["kind"], f["start"], f["end"]) for f in q.findings if f.get("field", "text") == field
        ]
        if (kind, *span) not in found:
            problems.append(f"{kind} in the {field} {value!r}: {found}")
    assert problems == []


async def _more_polls(server: LiveServer, n: int) -> bool:
    return (await source_row(server)).polls >= n


async def test_pagination_reads_every_page_of_one_poll_oldest_first(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    posted = [
        x_state.inject_tweet(f"Question number {i} about the knee #GR26", author_username=f"u{i}")
        for i in range(25)
    ]
    # One poll only (the next is a minute away), ten posts a page.
    async with liveq_x(
        tmp_path, x_emulator, poll_interval_ms=60_000, search_max_results=10
    ) as server:
        await eventually(lambda: _more_polls(server, 1))
        assert searches(x_state) == 3  # pages of 10, 10 and 5
        assert await stored_ids(server) == [t.id for t in posted]  # oldest first
        row = await source_row(server)
        assert row.since_id == posted[-1].id and row.reads_used == 25 and row.polls == 1


# -- restarts ------------------------------------------------------------------------------------


async def test_across_a_restart_each_post_is_stored_once_and_since_id_persists(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    before = [x_state.inject_tweet(f"Before {i} #GR26", author_username="amy") for i in range(3)]
    async with liveq_x(tmp_path, x_emulator) as server:
        await wait_questions(server, 3)
        await server.stop()
        after = [x_state.inject_tweet(f"After {i} #GR26", author_username="ben") for i in range(4)]
        await server.start()
        await wait_questions(server, 7)
        polls = (await source_row(server)).polls
        await eventually(lambda: _more_polls(server, polls + 3))
        ids = await stored_ids(server)
        assert ids == [t.id for t in before + after]
        row = await source_row(server)
        assert row.since_id == after[-1].id
        # The first poll after the restart started at the saved since_id: the three
        # earlier posts were not read (or paid for) again.
        assert row.reads_used == 7


async def test_a_crash_mid_poll_re_reads_rather_than_skips(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    posted = [x_state.inject_tweet(f"Q{i} #GR26", author_username="amy") for i in range(25)]
    x_state.planned[2] = (FaultKind.HANG, 0)  # the second page never answers
    async with liveq_x(tmp_path, x_emulator, search_max_results=10) as server:

        async def second_page_asked() -> bool:
            return searches(x_state) >= 2

        await eventually(second_page_asked)
        await server.stop()  # the server goes away in the middle of the poll
        assert (await _row_after_stop(server)).since_id is None
        await server.start()
        await wait_questions(server, 25)
        await eventually(lambda: _more_polls(server, 1))
        row = await source_row(server)
        assert row.since_id == posted[-1].id
        # Page one was paid for twice: before the crash and again after it.
        assert row.reads_used == 10 + 25
        assert await stored_ids(server) == [t.id for t in posted]


# -- X saying no ------------------------------------------------------------------------


async def test_429_waits_for_the_reset_and_loses_nothing(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    posted = [x_state.inject_tweet(f"Q{i} #GR26", author_username="amy") for i in range(3)]
    x_state.fail_next(SEARCH_RECENT, FaultKind.RATE_LIMIT, reset_after=1.5)
    async with liveq_x(tmp_path, x_emulator) as server:
        await eventually(_first_search(x_state))
        view = await eventually(lambda: _view_if(server, "Rate limited"))
        assert "429" in view["last_error"] and view["polling"] is True
        # The reset is up to ~3 s away; the rest is headroom for a loaded machine.
        await wait_questions(server, 3, timeout=15)
        # No retry before the reset (a 50 ms poller would retry at once):
        # x-rate-limit-reset is whole seconds, at least now + 0.5, plus our 1 s margin.
        first, retry = x_state.search_times[:2]
        assert retry - first >= 1.4
        assert await stored_ids(server) == [t.id for t in posted]
        # The status turns to "Polling" when the next read starts; the error clears
        # when that read succeeds, a moment later.
        view = await eventually(lambda: _view_if_cleared(server, "Polling #GR26"))
        assert view["reads_used"] == 3


def _first_search(state: EmulatorState) -> Callable[[], Awaitable[bool]]:
    async def first_search() -> bool:
        return searches(state) >= 1

    return first_search


async def _view_if(server: LiveServer, text: str) -> dict | None:
    view = await source_view(server)
    return view if text in view["status"] else None


async def _view_if_cleared(server: LiveServer, text: str) -> dict | None:
    view = await _view_if(server, text)
    return view if view is not None and view["last_error"] == "" else None


async def test_errors_on_later_pages_resume_the_same_page(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    posted = [x_state.inject_tweet(f"Q{i} #GR26", author_username="amy") for i in range(25)]
    x_state.planned[2] = (FaultKind.SERVICE_UNAVAILABLE, 0)  # page 2, first try
    x_state.planned[4] = (FaultKind.RATE_LIMIT, 0.2)  # page 3, first try
    async with liveq_x(tmp_path, x_emulator, search_max_results=10) as server:
        await wait_questions(server, 25, timeout=5)
        await eventually(lambda: _more_polls(server, 1))
        assert await stored_ids(server) == [t.id for t in posted]
        row = await source_row(server)
        # Every post read once: after each failure the poll went on from the same page.
        assert row.reads_used == 25 and row.since_id == posted[-1].id
        assert searches(x_state) >= 5


async def test_5xx_burst_is_backed_off(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    x_state.inject_tweet("Still there? #GR26", author_username="amy")
    x_state.fail_next(SEARCH_RECENT, FaultKind.SERVER_ERROR, 2)
    x_state.fail_next(SEARCH_RECENT, FaultKind.SERVICE_UNAVAILABLE, 2)
    async with liveq_x(tmp_path, x_emulator, poll_interval_ms=100) as server:
        await eventually(_first_search(x_state))
        started = time.monotonic()
        view = await eventually(lambda: _view_if(server, "X answered 5"))
        assert "retrying in" in view["last_error"]
        await wait_questions(server, 1, timeout=5)
        # Waits of 0.1, 0.2, 0.4 and 0.8 s (without backoff: 4 × 0.1 s).
        assert time.monotonic() - started >= 1.2
        assert 5 <= searches(x_state) <= 6  # four failures, then the one that worked
        assert (await source_row(server)).reads_used == 1


async def test_a_timeout_is_retried(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    x_state.inject_tweet("Anyone? #GR26", author_username="amy")
    x_state.fail_next(SEARCH_RECENT, FaultKind.HANG)
    async with liveq_x(tmp_path, x_emulator, timeout_seconds=1) as server:
        view = await eventually(lambda: _view_if(server, "did not answer in time"), timeout=3)
        assert view["last_error"].startswith("X did not answer in time")
        await wait_questions(server, 1)
        assert searches(x_state) >= 2
        assert (await source_row(server)).reads_used == 1


async def test_refused_credentials_stop_polling_with_a_clear_error(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    x_state.inject_tweet("Q #GR26", author_username="amy")
    async with liveq_x(tmp_path, x_emulator, bearer_token="not-the-token") as server:
        view = await eventually(lambda: _view_if(server, "Stopped"))
        assert view["polling"] is False
        assert "401" in view["last_error"] and "LIVEQ_X_BEARER_TOKEN" in view["last_error"]
        await asyncio.sleep(0.3)
        assert searches(x_state) == 1  # not retried: retrying cannot fix it
        # Resume tries again (after, say, fixing the token); here it fails again.
        status, body = await api(server, "POST", "/api/v1/events/grand-rounds/x-source/resume")
        assert status == 200, body
        await eventually(lambda: _view_if(server, "Stopped"))
        assert searches(x_state) == 2
        assert await x_questions(server) == []


async def test_the_read_budget_stops_polling_and_says_so(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    posted = [x_state.inject_tweet(f"Q{i} #GR26", author_username="amy") for i in range(40)]
    async with liveq_x(tmp_path, x_emulator, read_budget=25) as server:
        async with moderator_ws(server) as ws:
            await wait_questions(server, 25)
            msg = await recv_until(ws, lambda m: _budget_msg(m))
            source = msg["source"]
            assert source["reads_used"] == 25 and source["read_budget"] == 25
            assert source["spend_usd"] == pytest.approx(25 * 0.005)
            assert source["polling"] is False
        view = await source_view(server)
        assert "Read budget reached" in view["status"] and "$0.12" in view["status"]
        # The 25 newest were read; the poll stopped part-way, so since_id stays put
        # (a bigger budget later would go back for the 15 older posts).
        assert sorted(await stored_ids(server)) == sorted(t.id for t in posted[15:])
        assert view["since_id"] is None
        count = searches(x_state)
        x_state.inject_tweet("One more #GR26", author_username="amy")
        await asyncio.sleep(0.3)
        assert searches(x_state) == count and len(await x_questions(server)) == 25
        assert (await source_row(server)).reads_used == 25


def _budget_msg(m: dict) -> bool:
    return m.get("type") == "x_source" and "Read budget reached" in m["source"]["status"]


# -- websocket, API, console controls --------------------------------------------------------------


def moderator_ws(server: LiveServer):
    return websockets.connect(
        f"{server.ws_url}/ws/grand-rounds",
        additional_headers={"Authorization": f"Bearer {server.tokens['moderator']}"},
        compression=None,
    )


async def recv_until(ws, predicate: Callable[[dict], bool], timeout: float = 3.0) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            msg = json.loads(await ws.recv())
            if predicate(msg):
                return msg


async def test_moderators_get_x_source_events_and_the_public_does_not(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    async with liveq_x(tmp_path, x_emulator) as server:
        async with (
            moderator_ws(server) as mod,
            websockets.connect(f"{server.ws_url}/ws/grand-rounds", compression=None) as public,
        ):
            tweet = x_state.inject_tweet("Is swelling normal? #GR26", author_username="amy")
            msg = await recv_until(
                mod, lambda m: m["type"] == "x_source" and m["source"]["reads_used"] == 1
            )
            source = msg["source"]
            assert source["hashtag"] == "GR26" and source["polling"] is True
            assert source["paused"] is False and source["last_error"] == ""
            assert source["read_budget"] == 2000 and source["spend_usd"] == 0.005
            assert source["last_poll_at"] == pytest.approx(time.time(), abs=5)
            assert source["since_id"] == tweet.id
            heard: list[dict] = []
            with contextlib.suppress(TimeoutError):
                await recv_until(public, lambda m: heard.append(m) and False, timeout=0.3)
            assert heard and heard[0]["type"] == "snapshot"
            assert not [m for m in heard if m["type"] == "x_source"]


async def test_pause_and_resume_through_the_api(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    async with liveq_x(tmp_path, x_emulator) as server:
        base = "/api/v1/events/grand-rounds/x-source"
        status, body = await api(server, "GET", base, token=None)
        assert status == 401, body
        status, body = await api(server, "POST", base + "/pause", token=None)
        assert status == 401, body
        await eventually(lambda: _view_if(server, "Polling #GR26"))

        status, body = await api(server, "POST", base + "/pause")
        assert status == 200, body
        assert body["source"]["paused"] is True and body["source"]["polling"] is False
        assert body["source"]["status"] == "Paused by a moderator."
        count = searches(x_state)
        x_state.inject_tweet("While paused #GR26", author_username="amy")
        await asyncio.sleep(0.3)
        assert searches(x_state) == count and await x_questions(server) == []

        status, body = await api(server, "POST", base + "/resume")
        assert status == 200, body
        assert body["source"]["paused"] is False and body["source"]["polling"] is True
        [q] = await wait_questions(server, 1)
        assert q.text == "While paused"
        actions = [a["action"] for a in await store.audit_rows(server.db, server.event)]
        assert actions[-2:] == ["x_source_pause", "x_source_resume"]
        # Both rows are in the hash chain: the event's trail verifies as it stands.
        assert (await audit.verify_event(server.db, server.event.id)).ok


async def test_paused_survives_a_restart(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    async with liveq_x(tmp_path, x_emulator) as server:
        status, _ = await api(server, "POST", "/api/v1/events/grand-rounds/x-source/pause")
        assert status == 200
        await server.stop()
        count = searches(x_state)
        x_state.inject_tweet("After restart #GR26", author_username="amy")
        await server.start()
        await asyncio.sleep(0.3)
        view = await source_view(server)
        assert view["paused"] is True and view["polling"] is False
        assert searches(x_state) == count


async def test_new_events_and_stopped_events_are_noticed_while_running(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    async with liveq_x(tmp_path, x_emulator) as server:
        status, body = await api(
            server,
            "POST",
            "/api/v1/events",
            token="admin",
            json={"slug": "ortho-live", "title": "Ortho live", "hashtag": "OrthoLive"},
        )
        assert status == 201, body
        ortho = await store.get_event(server.db, "ortho-live")
        x_state.inject_tweet("#OrthoLive What about cartilage?", author_username="cy")

        async def ortho_question() -> list:
            return await store.list_questions(server.db, ortho)

        [q] = await eventually(ortho_question)
        assert q.text == "What about cartilage?" and q.author == "@cy"

        # The first event stops taking questions: its poller stops, and says why.
        status, body = await api(
            server, "PATCH", "/api/v1/events/grand-rounds", json={"accepting": False}
        )
        assert status == 200, body
        view = await eventually(lambda: _view_if(server, "not taking questions"))
        assert view["polling"] is False
        x_state.inject_tweet("Too late? #GR26", author_username="amy")
        await asyncio.sleep(0.3)
        assert await x_questions(server) == []


async def test_x_off_means_no_poller_and_a_plain_answer(server: LiveServer) -> None:
    status, body = await api(server, "GET", "/api/v1/events/grand-rounds/x-source")
    assert status == 200 and body["enabled"] is False and body["source"] is None
    status, body = await api(server, "POST", "/api/v1/events/grand-rounds/x-source/pause")
    assert status == 409 and "not enabled" in body["error"]


async def test_polling_follows_the_rate_limit_headers_without_hitting_429(
    tmp_path: Path, x_emulator: RunningEmulator, x_state: PlannedFaults
) -> None:
    x_state.set_rate_limit(SEARCH_RECENT, 6, 3.0)
    async with liveq_x(tmp_path, x_emulator) as server:
        async with moderator_ws(server) as ws:
            seen: list[dict] = []

            async def listen() -> None:
                with contextlib.suppress(TimeoutError):
                    await recv_until(ws, lambda m: seen.append(m) and False, timeout=2.5)

            listener = asyncio.create_task(listen())
            await eventually(_first_search(x_state))
            await asyncio.sleep(1.0)
            # 6 requests for 3 s: about one every 0.5 s, not one every 50 ms.
            assert searches(x_state) <= 3
            await listener
        views = [m["source"] for m in seen if m["type"] == "x_source"]
        assert len(views) >= 3 and searches(x_state) >= 3
        # Pacing alone kept polling inside X's window: no 429, no waiting for a reset.
        assert all(v["last_error"] == "" and v["state"] != "rate_limited" for v in views)


async def _row_after_stop(server: LiveServer) -> xs.SourceRow:
    """Read x_sources from the file while the server is down."""
    async with Database(server.config.database_target) as db:
        row = await xs.get(db, server.event.id)
        count = await db.fetchone("SELECT count(*) FROM questions WHERE source = 'x'")
        assert count is not None and count[0] == 0
    assert row.reads_used == 10
    return row
