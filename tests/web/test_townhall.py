"""Town hall scale on a real server: votes travel coalesced, control frames never
wait behind them, and a join storm shares one snapshot.

Voters behave as browsers do: each has its own cookie jar, loads the audience page
for its voter cookie and CSRF token, and votes with the token in a header.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket

import aiohttp
import pytest
import websockets

from liveq.web.keys import HUB, SNAPSHOTS
from tests.fixtures_server import bearer, start_server, write_config
from tests.web.test_moderation_api import act, ask

SLUG = "grand-rounds"
_DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')


class Voter:
    """One person in the audience: their own cookies and CSRF token."""

    def __init__(self, server) -> None:
        self.server = server
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.token = ""

    async def open_page(self) -> None:
        async with self.http.get(f"{self.server.url}/e/{SLUG}") as resp:
            assert resp.status == 200
            self.token = _DATA_CSRF.search(await resp.text()).group(1)

    async def vote(self, qid: int) -> int:
        async with self.http.post(
            f"{self.server.url}/e/{SLUG}/questions/{qid}/vote",
            headers={"X-CSRF-Token": self.token, "Accept": "application/json"},
        ) as resp:
            assert resp.status == 200, await resp.text()
            return (await resp.json())["votes"]

    async def close(self) -> None:
        await self.http.close()


@contextlib.asynccontextmanager
async def audience(server, n: int):
    """n voters who have opened the audience page; their sessions closed however it ends."""
    voters = [Voter(server) for _ in range(n)]
    try:
        await asyncio.gather(*(v.open_page() for v in voters))
        yield voters
    finally:
        await asyncio.gather(*(v.close() for v in voters))


class Watcher:
    """A websocket client that keeps the state the pages keep: votes and on-air."""

    def __init__(self) -> None:
        self.votes: dict[int, int] = {}
        self.on_air: int | None = None
        self.frames: list[dict] = []

    def apply(self, m: dict) -> None:
        self.frames.append(m)
        if m["type"] == "snapshot":
            self.votes = {q["id"]: q["votes"] for q in m["questions"]}
            self.on_air = next((q["id"] for q in m["questions"] if q["status"] == "on_air"), None)
        elif m["type"] == "question":
            q = m["question"]
            self.votes[q["id"]] = q["votes"]
            if q["status"] == "on_air":
                self.on_air = q["id"]
            elif self.on_air == q["id"]:
                self.on_air = None
        elif m["type"] == "votes":
            for qid, n in m["counts"].items():
                self.votes[int(qid)] = n

    def kinds(self, kind: str) -> int:
        return sum(1 for m in self.frames if m["type"] == kind)


async def watch(url: str, watcher: Watcher, ready: asyncio.Event, **kwargs) -> None:
    async with websockets.connect(url, **kwargs) as ws:
        ready.set()
        async for raw in ws:
            watcher.apply(json.loads(raw))


async def db_votes(http, server) -> dict[int, int]:
    async with http.get(
        f"{server.url}/api/v1/events/{SLUG}/questions", headers=bearer(server)
    ) as resp:
        return {q["id"]: q["votes"] for q in (await resp.json())["questions"]}


async def approved_questions(http, server, n: int) -> list[int]:
    ids = []
    for i in range(n):
        qid = await ask(http, server, f"Town hall question number {i}: what about parking?")
        await act(http, server, qid, "approve")
        ids.append(qid)
    return ids


@pytest.fixture
async def townhall(tmp_path):
    config = write_config(
        tmp_path,
        # Every voter here comes from 127.0.0.1: no per-address vote ceiling in the test.
        limits={
            "questions_per_minute": 0,
            "votes_per_minute": 0,
            "vote_frame_seconds": 0.2,
            "moderator_vote_frame_seconds": 0.05,
        },
    )
    server = await start_server(config)
    yield server
    await server.stop()


async def test_vote_counts_converge_on_every_client_in_few_small_frames(townhall, http):
    server = townhall
    ids = await approved_questions(http, server, 5)
    base = f"{server.ws_url}/ws/{SLUG}"
    watchers = [Watcher() for _ in range(12)]
    urls = [base] * 10 + [f"{base}?key={server.event.overlay_key}", base]
    extra = [{}] * 11 + [{"additional_headers": bearer(server)}]  # the last is a moderator
    readies = [asyncio.Event() for _ in watchers]
    tasks = [
        asyncio.create_task(watch(u, w, r, **kw))
        for u, w, r, kw in zip(urls, watchers, readies, extra, strict=True)
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 5)
        async with audience(server, 60) as voters:
            # Every voter votes for three questions; half of them twice (counts once).
            await asyncio.gather(
                *(v.vote(ids[(n + k) % 5]) for n, v in enumerate(voters) for k in range(3))
            )
            await asyncio.gather(*(v.vote(ids[n % 5]) for n, v in enumerate(voters[:30])))
        expected = await db_votes(http, server)
        assert sum(expected.values()) == 180
        async with asyncio.timeout(5):
            while any(w.votes != expected for w in watchers):
                await asyncio.sleep(0.05)
        for w in watchers:
            # No whole question per vote: the counts came as coalesced frames.
            assert w.kinds("question") == 0
            assert 1 <= w.kinds("votes") <= 40
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_client_that_fell_behind_gets_the_on_air_question_not_a_backlog(
    townhall, http
):
    server = townhall
    ids = await approved_questions(http, server, 5)
    # A phone that stops reading: a tiny receive buffer, and the client library
    # stops reading its socket when one frame waits unread.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    slow = await websockets.connect(
        f"{server.ws_url}/ws/{SLUG}", sock=sock, max_queue=1, max_size=2**20
    )
    try:
        first = json.loads(await slow.recv())
        assert first["type"] == "snapshot"
        hub = server.app[HUB]
        # Large frames fill the kernel's buffers, so the hub sees this client behind.
        for _ in range(60):
            hub.publish(server.event.id, None, {"type": "noise", "pad": "x" * 60_000})
        await asyncio.sleep(0.2)
        async with audience(server, 40) as voters:
            for round_ in range(5):  # a storm over about a second: many vote frames' worth
                votes = (v.vote(ids[(n + round_) % 5]) for n, v in enumerate(voters))
                await asyncio.gather(*votes)
                await asyncio.sleep(0.25)
        await act(http, server, ids[2], "on_air")
        expected = await db_votes(http, server)
        await asyncio.sleep(0.5)  # a few vote ticks while the client is still behind

        state = Watcher()
        state.apply(first)
        async with asyncio.timeout(20):
            while state.on_air != ids[2] or state.votes != expected:
                state.apply(json.loads(await slow.recv()))
        assert state.kinds("noise") == 60
        # Counts merged while it was behind: no backlog of one frame per vote or tick.
        assert state.kinds("votes") <= 3, state.kinds("votes")
        assert state.kinds("question") == 1  # the on-air change itself
        assert slow.close_code is None  # still connected: not dropped as too slow
    finally:
        await slow.close()


async def test_a_join_storm_reads_the_snapshot_once(townhall, http):
    server = townhall
    ids = await approved_questions(http, server, 3)
    snapshots = server.app[SNAPSHOTS]
    before = snapshots.built

    async def join() -> dict:
        async with websockets.connect(f"{server.ws_url}/ws/{SLUG}") as ws:
            return json.loads(await ws.recv())

    first = await asyncio.gather(*(join() for _ in range(150)))
    assert all(sorted(q["id"] for q in s["questions"]) == ids for s in first)
    assert snapshots.built - before <= 2  # one per change of the event, not one per join
    # A change makes the next joiner read afresh, and see the change.
    await act(http, server, ids[0], "on_air")
    after = await join()
    assert next(q for q in after["questions"] if q["id"] == ids[0])["status"] == "on_air"


async def test_changes_to_a_large_audience_arrive_in_order_through_slices(townhall, http):
    """Deliveries to many clients go in slices with the event loop free between them;
    every client still gets every change, in order, and a later small change waits
    for the large one before it."""
    server = townhall
    server.app[HUB].fanout_slice = 2  # 9 clients: five slices per change
    ids = await approved_questions(http, server, 3)
    watchers = [Watcher() for _ in range(9)]
    readies = [asyncio.Event() for _ in watchers]
    tasks = [
        asyncio.create_task(watch(f"{server.ws_url}/ws/{SLUG}", w, r))
        for w, r in zip(watchers, readies, strict=True)
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 5)
        for qid in (ids[0], ids[1], ids[2], ids[0]):
            await act(http, server, qid, "on_air")
        async with audience(server, 4) as voters:
            await asyncio.gather(*(v.vote(ids[1]) for v in voters))
        async with asyncio.timeout(5):
            while any(w.on_air != ids[0] or w.votes.get(ids[1]) != 4 for w in watchers):
                await asyncio.sleep(0.05)
        for w in watchers:
            on_air = [
                m["question"]["id"]
                for m in w.frames
                if m["type"] == "question" and m["question"]["status"] == "on_air"
            ]
            assert on_air == [ids[0], ids[1], ids[2], ids[0]]
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
