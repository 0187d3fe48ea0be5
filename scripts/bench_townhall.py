"""Town hall benchmark: thousands watching, hundreds voting, a question sent on air mid-storm.

Usage: python scripts/bench_townhall.py [--quick] [--sockets 1000,5000] [--rates 20,150]
                                        [--voters 300,1500] [--seconds 40] [--workers 1,2]
                                        [--poll]

--poll (issue 16): the storm is a poll instead of votes. A multiple-choice poll of four
options is opened, with its results shown (so every audience socket gets the coalesced
poll counts, the costlier case), and each voter answers it once, as the audience page's
script does: `POST /e/{event}/polls/{id}/answer` with `{"value": n}`, its cookies and
token. One answer per person, so the voters default to R x --seconds. In the tables a
"vote" is then an answer; counted: the poll's counts, db rows: poll_answers. Without the
flag the run is the vote run, unchanged.

With --workers, every cell is run once per worker count: 1 is a plain `liveq serve`; N > 1
is `liveq serve --workers N` (N processes on the port, SO_REUSEPORT spreading the sockets
and voters over them) with [cluster] redis_url set to LIVEQ_BENCH_REDIS_URL (default
redis://127.0.0.1:6379, a namespace of its own per cell). Its CPU is the workers' summed.

One cell per (N sockets, R votes/s) pair; each cell gets a fresh `liveq serve` (its own
temp config and database, everything else at liveq's defaults, which are `liveq init`'s) and
a fresh baseline (bench_common's `broadcast` server: websockets.broadcast(), compression
off), both child processes.

1. The event has 30 questions, each sent through the audience form's JSON route from its own
   loopback address (one person each) and approved through the API with a bearer token.
   One goes on air before anyone watches, to warm the path.
2. Join: client processes (bench_fanout's raw asyncio websocket clients, which timestamp a
   frame when its bytes arrive; CLOCK_MONOTONIC is shared by every process) open N audience
   sockets on `/ws/{event}` (no credentials: the public view), each from its own loopback
   address (127.1.x.y: one phone each), 50 handshakes in flight per client process; then N
   sockets to the baseline from the same addresses. The join time runs from the parent's
   command until the last socket has its snapshot (liveq) or greeting (baseline).
   The servers join in alternating order from cell to cell.
3. Voters: V voters, each with its own source address (127.0.x.y: Linux routes 127/8 to lo,
   so liveq's per-IP limits see V people), load the audience page `GET /e/{event}` as a
   browser does: the `liveq_csrf` and `liveq_voter` cookies from Set-Cookie, the token from
   `data-csrf`. A vote is what the page's script sends: `POST /e/{event}/questions/{id}/vote`
   with the cookies, `X-CSRF-Token`, `Origin`, `Accept` and `Content-Type: application/json`,
   no body. A voter
   keeps its connection alive and, like a browser, opens up to 6 when votes are still out.
   The voters are taken to be among the N watchers; they open no sockets of their own.
4. At rest: --trials on-air messages per server, servers alternated: the parent notes
   time.monotonic() and POSTs `/api/v1/events/{event}/questions/{id}/on_air` (liveq) or asks
   the baseline to broadcast a message of the same shape and size; each socket records
   when the message arrived. The baseline's sockets are then closed.
5. Storm: R votes/s for --seconds, open loop (vote k is due at start + k/R; its latency
   counts from then, so a stalled server cannot hide its queue), voter k mod V, each voter on
   distinct questions. --storm-trials on-air calls spread over the storm, each measured as at
   rest. Then up to --drain seconds for the votes still out; any left count as "no answer".
6. Read back, once the server is idle again (votes the voters gave up on may still be
   queued in it: the parent waits up to --settle seconds for two quiet seconds): the
   questions' vote counts through the API; after the server stopped (SIGINT, a clean
   shutdown) the questions' counts and the rows of the votes table in its database.

Figures per cell: join time; on-air p50/p99 over every (socket, trial) pair at rest and
during the storm (a socket still open that did not get the message within --wait seconds
counts as later than that: the percentile then reads ">W s"); the moderator's on_air call
(p50/p99 over the calls: with few calls p99 is the slowest); vote p50/p99 over every vote
(one never answered counts as later than all); sockets dropped (closed by the server, up to
the read-back), with the close codes the clients got and the server's own "dropping a
websocket client" warnings counted in its log; frames and bytes per socket per second
during the storm; votes sent, answered 2xx, refused (by status), no answer, counted; the
server's CPU seconds (/proc/PID/stat utime + stime) from the storm's start until it went
idle, how long it stayed busy after the voters stopped waiting, CPU per second of storm and
per vote counted; the load generators' CPU per second of storm (near 1.0: a client process
was saturated and its timestamps run late); the load average before and after. Ratios:
liveq join / baseline join, liveq at-rest p99 / baseline p99, storm p99 / at-rest p99. The
issue's targets (issue 17) are printed beside the biggest cell's figures (5,000 x 150/s by
default), not asserted. The last line is one JSON object.

Configuration: liveq's defaults, as a town hall would run it from `liveq init`; nothing is
turned off. In particular: limits.votes_per_minute (60 per address, per browser in later
versions) is untouched: each voter casts one vote per V/R seconds (10-15 s);
limits.questions_per_minute (6, burst 3) is untouched: each of the 30 questions comes from
its own address; limits.ws_queue_size (256 messages) is untouched: it decides when a slow
socket is dropped, which is measured; api_requests_per_minute (600 per token) is
untouched: a cell makes about 45 calls; screening is on; moderation is "pre". Later
versions' limits stay at their defaults too: per-address ceilings
(votes_per_minute_per_address, questions_per_minute_per_address) and
websockets_per_address see one person per address here, as on mobile data; a room behind
one hospital NAT would raise them, which this benchmark does not need. The only process
setting is the open-file limit, raised to the hard limit (bench_common.raise_nofile), which
a deployment for thousands of sockets needs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import sqlite3
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import (  # noqa: E402
    child_pids,
    children,
    cluster_sections,
    cpu_seconds,
    free_port,
    loadavg,
    machine,
    percentile,
    r,
    raise_nofile,
    setup_event,
    start_baseline,
    start_liveq,
    start_workers,
    table,
    workdir,
    write_config,
)
from bench_fanout import Clients, Group, WsClient, baseline_message, connect_many, split  # noqa: E402
from bench_ingest import HttpConn  # noqa: E402

SLUG = "townhall"
QUESTIONS = (
    "Will the new parking garage on the east campus open before winter?",
    "When will the night-shift differential increase take effect?",
    "How will the electronic health record upgrade change the way we chart?",
    "Are there plans to expand the childcare centre for staff?",
    "What is being done about nurse staffing ratios on the medical floors?",
    "Will remote work remain an option for billing and coding teams?",
    "How are the savings from the supply chain project being reinvested?",
    "When does open enrolment for benefits start this year?",
    "What is the timeline for the emergency department renovation?",
    "Will tuition reimbursement cover certificate programmes as well as degrees?",
    "How is the health system addressing workplace violence against staff?",
    "Are we hiring more interpreters for the outpatient clinics?",
    "What support is there for teams dealing with burnout after the winter surge?",
    "Will the cafeteria extend its hours for the night shift?",
    "How will the merger with the community hospital affect our jobs?",
    "When will the new badge access system be installed in the towers?",
    "Is there a plan to shorten the wait for MRI appointments?",
    "How can frontline employees suggest ideas for the strategic plan?",
    "What is the policy on annual raises given this year's budget?",
    "Will the shuttle between the two campuses run more often?",
    "How are patient satisfaction scores used in department goals?",
    "Are there plans for more electric vehicle chargers in the staff lots?",
    "What training will we get before the new infusion pumps arrive?",
    "How is the hospital preparing for the next respiratory virus season?",
    "Can part-time employees join the retirement matching programme?",
    "What happens to the old west wing once the new tower opens?",
    "Will there be more quiet rooms for breaks on each floor?",
    "How do we report unsafe staffing as it happens?",
    "When will the number of travel nurse contracts come down?",
    "What is leadership doing to improve communication between departments?",
)
MAX_CONNS_PER_VOTER = 6  # what a browser opens to one host
PAGE_CONCURRENCY = 50
TARGET_STORM_RATIO = 1.5
TARGET_VOTE_P99_MS = 100.0
TARGET_MODERATOR_P99_MS = 100.0
TARGET_JOIN_RATIO = 2.0
INF = math.inf


def voter_addr(i: int) -> str:
    """Voter i's own loopback address: 127.0.1.1, 127.0.1.2, ... (250 per /24)."""
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def asker_addr(i: int) -> str:
    return f"127.0.250.{1 + i}"


def audience_addr(i: int) -> str:
    """Audience socket i's own address: 127.1.0.1, 127.1.0.2, ... (one phone each)."""
    return f"127.1.{i // 250}.{1 + i % 250}"


# -- HTTP from a given source address ---------------------------------------------------------


async def open_conn(addr: str, port: int, keep: bool = False) -> HttpConn:
    """A keep-alive connection to 127.0.0.1:port from `addr` (10 s to connect)."""
    loop = asyncio.get_running_loop()
    _, conn = await asyncio.wait_for(
        loop.create_connection(
            lambda: HttpConn(keep=keep), "127.0.0.1", port, local_addr=(addr, 0)
        ),
        10,
    )
    return conn


def set_cookies(head: bytes) -> dict[str, str]:
    cookies = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "set-cookie":
            key, _, rest = value.strip().partition("=")
            cookies[key] = rest.split(";", 1)[0]
    return cookies


# -- the audience sockets (client processes) -------------------------------------------------


class CountingClient(WsClient):
    """bench_fanout's client, also counting the frames and bytes it receives."""

    def __init__(self, group: Group, host: str, path: str) -> None:
        super().__init__(group, host, path)
        self.frames = 0
        self.nbytes = 0
        self.close_code = 0  # the code of the server's close frame, if it sent one

    def data_received(self, data: bytes) -> None:
        self.nbytes += len(data)
        super().data_received(data)

    def on_text(self, payload: bytes, now: float) -> None:
        self.frames += 1
        super().on_text(payload, now)

    def on_close(self, payload: bytes) -> None:
        self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005


async def collect(group: Group, seconds: float) -> tuple[list[float], int, int]:
    """Arrival times; sockets still open without the message; sockets closed without it.

    Waits up to `seconds` for every socket still open to have the message."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(c.got is not None or c.transport is None for c in group.clients):
            break
        await asyncio.sleep(0.05)
    times = [c.got for c in group.clients if c.got is not None]
    waiting = sum(1 for c in group.clients if c.got is None and c.transport is not None)
    closed = sum(1 for c in group.clients if c.got is None and c.transport is None)
    group.matches = []
    return times, waiting, closed


def tally(group: Group) -> tuple[int, int, int]:
    """Frames and bytes received by the group's sockets so far, and sockets the server closed."""
    frames = sum(c.frames for c in group.clients)
    return frames, sum(c.nbytes for c in group.clients), group.lost


async def audience_main(conn) -> None:
    """Obey the parent's commands, sent over a multiprocessing pipe."""
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue = asyncio.Queue()
    loop.add_reader(conn.fileno(), lambda: inbox.put_nowait(conn.recv()))
    groups: dict[str, Group] = {}
    snaps: list[tuple] = []

    def snap(group: Group, pids: list[int]) -> None:
        snaps.append((time.monotonic(), *tally(group), [cpu_seconds(pid) for pid in pids]))

    while True:
        cmd, *args = await inbox.get()
        if cmd == "connect":
            name, port, path, first, n = args
            group = groups[name] = Group()
            sources = [audience_addr(first + i) for i in range(n)]
            ok, failed = await connect_many(group, port, path, n, CountingClient, sources)
            conn.send(("connected", ok, failed, time.monotonic()))
        elif cmd == "arm":
            name, matches = args
            group = groups[name]
            group.matches = matches
            for c in group.clients:
                c.got = None
            conn.send(("armed",))
        elif cmd == "collect":
            name, timeout = args
            conn.send(("times", *await collect(groups[name], timeout)))
        elif cmd == "count":
            conn.send(("count", *tally(groups[args[0]])))
        elif cmd == "closes":
            # Why the server closed sockets: close code -> sockets (0: no close frame).
            codes: dict[int, int] = {}
            for c in groups[args[0]].clients:
                if c.transport is None:
                    codes[c.close_code] = codes.get(c.close_code, 0) + 1
            conn.send(("closes", codes))
        elif cmd == "snap_at":
            # Tallies (and CPU of the given pids) at given monotonic times, taken by this
            # loop's clock (asyncio's loop.time() is time.monotonic()) while the parent is
            # busy elsewhere: the storm window is exact whatever the on-air trials take.
            name, times, pids = args
            snaps.clear()
            for t in times:
                loop.call_at(t, snap, groups[name], pids)
            conn.send(("snap_at",))
        elif cmd == "snaps":
            conn.send(("snaps", list(snaps)))
        elif cmd in ("close", "stop"):
            names = [args[0]] if cmd == "close" else list(groups)
            for name in names:
                for c in groups.pop(name, Group()).clients:
                    if c.transport is not None:
                        c.transport.close()
            await asyncio.sleep(0.2)
            conn.send((cmd,))
            if cmd == "stop":
                return


def audience_process(conn) -> None:
    raise_nofile()
    asyncio.run(audience_main(conn))


# -- the voters (one client process) ------------------------------------------------------------


class Voter:
    """One person: its own address, its page's cookies and token, up to 6 connections."""

    def __init__(self, i: int) -> None:
        self.addr = voter_addr(i)
        self.request = b""
        self.poll = False
        self.idle: list[HttpConn] = []
        self.open = 0
        self.freed = asyncio.Event()

    async def load_page(self, port: int, slug: str, poll_id: int | None = None) -> float:
        """GET the audience page as a browser does; return its latency in ms."""
        conn = await open_conn(self.addr, port, keep=True)
        self.open += 1
        started = time.monotonic()
        status = await asyncio.wait_for(
            conn.request(
                f"GET /e/{slug} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Accept: text/html\r\n\r\n".encode()
            ),
            30,
        )
        took = (time.monotonic() - started) * 1000
        cookies = set_cookies(conn.head)
        token = re.search(rb'data-csrf="([^"]+)"', conn.body)
        if status != 200 or token is None or not {"liveq_csrf", "liveq_voter"} <= set(cookies):
            raise RuntimeError(f"the audience page gave {status}, cookies {sorted(cookies)}")
        conn.keep = False
        self.idle.append(conn)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if poll_id is not None:
            # What poll_answer.js sends; {value} is one digit, so the length is fixed.
            body = '{"value":{value}}'
            self.poll = True
            self.request = (
                f"POST /e/{slug}/polls/{poll_id}/answer HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Origin: http://127.0.0.1:{port}\r\nX-CSRF-Token: {token.group(1).decode()}\r\n"
                "Accept: application/json\r\nContent-Type: application/json\r\n"
                f"Cookie: {cookie}\r\nContent-Length: {len(body) - len('{value}') + 1}\r\n\r\n"
                + body
            ).encode()
            return took
        self.request = (
            f"POST /e/{slug}/questions/{{qid}}/vote HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Origin: http://127.0.0.1:{port}\r\nX-CSRF-Token: {token.group(1).decode()}\r\n"
            "Accept: application/json\r\nContent-Type: application/json\r\n"
            f"Cookie: {cookie}\r\nContent-Length: 0\r\n\r\n"
        ).encode()
        return took

    async def take(self, port: int) -> HttpConn:
        while True:
            while self.idle:
                conn = self.idle.pop()
                if conn.transport is not None:
                    return conn
                self.open -= 1
            if self.open < MAX_CONNS_PER_VOTER:
                self.open += 1
                try:
                    return await open_conn(self.addr, port)
                except BaseException:
                    self.open -= 1
                    raise
            self.freed.clear()
            await self.freed.wait()

    def give_back(self, conn: HttpConn, usable: bool) -> None:
        if usable and conn.transport is not None:
            self.idle.append(conn)
        else:
            if conn.transport is not None:
                conn.transport.close()
            self.open -= 1
        self.freed.set()


async def storm(
    voters: list[Voter],
    port: int,
    qids: list[int],
    start: float,
    rate: float,
    seconds: float,
    drain: float,
) -> dict:
    """R votes/s for `seconds`, open loop; wait up to `drain` more for the answers."""
    clock = time.monotonic
    hard_deadline = start + seconds + drain
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    out = {"sent": 0, "no_answer": 0, "errors": 0, "late_ms": 0.0, "last_answer": start}

    async def one(voter: Voter, qid: int, due: float) -> None:
        conn, usable = None, False
        try:
            remaining = max(0.01, hard_deadline - clock())
            conn = await asyncio.wait_for(voter.take(port), remaining)
            if voter.poll:
                data = voter.request.replace(b"{value}", str(qid % 4).encode())
            else:
                data = voter.request.replace(b"{qid}", str(qid).encode())
            status = await asyncio.wait_for(conn.request(data), max(0.01, hard_deadline - clock()))
            usable = True
        except TimeoutError:
            out["no_answer"] += 1
            return
        except (OSError, ConnectionError):
            out["errors"] += 1
            return
        finally:
            if conn is not None:
                voter.give_back(conn, usable)
        now = clock()
        latencies.append((now - due) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
        out["last_answer"] = max(out["last_answer"], now)

    tasks = set()
    total = int(rate * seconds)
    for k in range(total):
        due = start + k / rate
        wait = due - clock()
        if wait > 0:
            await asyncio.sleep(wait)
        else:
            out["late_ms"] = max(out["late_ms"], -wait * 1000)
        v, j = k % len(voters), k // len(voters)
        qid = qids[(v + j) % len(qids)]  # voter v's j-th vote: a question it has not voted on
        if voters[v].poll:
            qid = k  # a poll: voter v answers once, option k mod 4
        out["sent"] += 1
        task = asyncio.create_task(one(voters[v], qid, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=max(0.1, hard_deadline - clock() + 5))
    out["no_answer"] += len(tasks)  # still out past the deadline: bounded, counted
    for task in list(tasks):
        task.cancel()
    out["latencies"] = latencies
    out["statuses"] = statuses
    out["last_answer_s"] = out.pop("last_answer") - (start + seconds)
    return out


async def load_pages(
    voters: list[Voter], port: int, slug: str, poll_id: int | None = None
) -> tuple[list[float], int]:
    sem = asyncio.Semaphore(PAGE_CONCURRENCY)
    took: list[float] = []
    failed = 0

    async def one(voter: Voter) -> None:
        nonlocal failed
        async with sem:
            try:
                took.append(await voter.load_page(port, slug, poll_id))
            except (OSError, ConnectionError, TimeoutError, RuntimeError):
                failed += 1

    await asyncio.gather(*(one(v) for v in voters))
    return took, failed


def close_voters(voters: list[Voter]) -> None:
    for voter in voters:
        for conn in voter.idle:
            if conn.transport is not None:
                conn.transport.close()


async def voter_main(conn) -> None:
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue = asyncio.Queue()
    loop.add_reader(conn.fileno(), lambda: inbox.put_nowait(conn.recv()))
    voters: list[Voter] = []
    while True:
        cmd, *args = await inbox.get()
        if cmd == "pages":
            port, slug, count, poll_id = args
            close_voters(voters)
            voters = [Voter(i) for i in range(count)]
            took, failed = await load_pages(voters, port, slug, poll_id)
            voters = [v for v in voters if v.request]
            conn.send(("pages", took, failed))
        elif cmd == "storm":
            port, qids, start, rate, seconds, drain = args
            conn.send(("storm", await storm(voters, port, qids, start, rate, seconds, drain)))
        elif cmd == "stop":
            close_voters(voters)
            await asyncio.sleep(0.2)
            conn.send(("stop",))
            return


def voter_process(conn) -> None:
    raise_nofile()
    asyncio.run(voter_main(conn))


# -- the parent ---------------------------------------------------------------------------------


def pct(values: list[float], missing: int, p: float) -> float:
    """Percentile where `missing` values are known only to be later than all: INF if it lands
    among them."""
    if not values and not missing:
        return 0.0
    return percentile(list(values) + [INF] * missing, p)


def fmt_ms(value: float, wait: float | None = None) -> str:
    """A latency for a table: ms, or how long we waited ('unanswered' for votes)."""
    if value == INF:
        return f">{wait:.0f} s" if wait else "unanswered"
    return f"{value:,.1f}"


def say_ms(value: float, wait: float | None = None) -> str:
    return fmt_ms(value, wait) if value == INF else f"{value:,.1f} ms"


async def settle(cpu, limit: float) -> float:
    """Wait (at most `limit` s) until the server (`cpu()`: its CPU seconds so far) has used
    < 0.1 CPU s in each of 2 seconds; return how long it stayed busy."""
    started = time.monotonic()
    last, quiet = cpu(), 0
    while time.monotonic() - started < limit and quiet < 2:
        await asyncio.sleep(1.0)
        now = cpu()
        quiet = quiet + 1 if now - last < 0.1 else 0
        last = now
    return max(0.0, time.monotonic() - started - quiet)


def jnum(value: float, digits: int = 2) -> float | None:
    """A number for the JSON line: null for 'later than we waited'."""
    return None if value == INF else r(value, digits)


async def seed(port: int, api: str, session, auth: dict) -> list[int]:
    """30 questions, each from its own address through the form's JSON route; approved."""
    qids = []
    for i, text in enumerate(QUESTIONS):
        conn = await open_conn(asker_addr(i), port, keep=True)
        body = json.dumps({"text": text, "name": ""}).encode()
        status = await asyncio.wait_for(
            conn.request(
                f"POST /e/{SLUG}/questions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/json\r\nAccept: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            ),
            30,
        )
        conn.transport.close()
        if status != 201:
            raise RuntimeError(f"question {i} was refused: {status} {conn.body[:200]!r}")
        qid = json.loads(conn.body)["id"]
        async with session.post(f"{api}/{qid}/approve", headers=auth) as resp:
            if resp.status != 200:
                raise RuntimeError(f"approving {qid}: {resp.status} {await resp.text()}")
        qids.append(qid)
    return qids


class Cell:
    """One (N, R, V) run against a fresh liveq and a fresh baseline."""

    def __init__(
        self, args, index: int, n: int, rate: float, voters: int, dirs: Path, workers: int = 1
    ) -> None:
        self.args = args
        self.index = index
        self.n = n
        self.rate = rate
        self.voters = voters
        self.workers = workers
        self.dir = dirs / f"cell{index}-n{n}-r{rate:g}-w{workers}"
        self.dir.mkdir()
        self.fig: dict = {"sockets": n, "rate": rate, "voters": voters, "workers": workers}
        self.server_pids: list[int] = []

    def server_cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.server_pids)

    async def run(self, audience: Clients, voter: Clients) -> dict:
        import aiohttp

        args, fig = self.args, self.fig
        fig["load_before"] = loadavg()
        with children() as started:
            port, base_port = free_port(), free_port()
            config = write_config(self.dir, port, **cluster_sections(self.workers))
            _, token = await setup_event(config, SLUG)
            if self.workers > 1:
                liveq = start_workers(config, port, self.workers, self.dir, token)
                self.server_pids = child_pids(liveq.pid)
            else:
                liveq = start_liveq(config, port, self.dir)
                self.server_pids = [liveq.pid]
            started.append(liveq)
            base = start_baseline("broadcast", base_port, self.dir)
            started.append(base)
            self.liveq, self.base = liveq, base
            self.auth = {"Authorization": f"Bearer {token}"}
            self.api = f"{liveq.url}/api/v1/events/{SLUG}/questions"
            timeout = aiohttp.ClientTimeout(total=args.wait)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                self.session = session
                qids = await seed(port, self.api, session, self.auth)
                self.qids = qids
                self.next_q = 0
                await self.on_air_call()  # warm the path before anyone watches
                self.poll_id = await self.open_poll() if args.poll else None
                self.join(audience, port, base_port)
                await asyncio.sleep(1.0)
                pages = ("pages", port, SLUG, self.voters, self.poll_id)
                took, failed = voter.all(pages, 600)[0][1:]
                fig["page_p50_ms"], fig["page_p99_ms"] = pct(took, 0, 50), pct(took, 0, 99)
                fig["page_failed"] = failed
                await self.at_rest(audience)
                audience.all(("close", "baseline"), 60)
                await asyncio.sleep(1.0)
                await self.storm(audience, voter, qids)
                fig["counted_api"], fig["server_sockets_after"] = await self.read_back()
            audience.all(("close", "liveq"), 60)
        fig["exit_code"] = liveq.proc.returncode
        log = liveq.log.read_text(errors="replace")
        fig["server_logged_slow_drops"] = log.count("dropping a websocket client")
        fig["counted_db"], fig["vote_rows_db"] = self.counted_db(config)
        fig["cpu_ms_per_vote"] = fig["storm_cpu_s"] * 1000 / max(1, fig["counted_db"])
        fig["load_after"] = loadavg()
        return fig

    # -- steps

    async def open_poll(self) -> int:
        """--poll: a four-option poll, opened, its results shown to everyone watching."""
        polls = f"{self.liveq.url}/api/v1/events/{SLUG}/polls"
        body = {
            "kind": "choice",
            "question": "Which topic should the next town hall cover?",
            "options": ["Staffing", "Parking", "Benefits", "The new tower"],
            "hide_results": False,
        }
        async with self.session.post(polls, json=body, headers=self.auth) as resp:
            if resp.status != 201:
                raise RuntimeError(f"creating the poll: {resp.status} {await resp.text()}")
            poll_id = (await resp.json())["poll"]["id"]
        async with self.session.post(f"{polls}/{poll_id}/open", headers=self.auth) as resp:
            if resp.status != 200:
                raise RuntimeError(f"opening the poll: {resp.status} {await resp.text()}")
        return poll_id

    def join(self, audience: Clients, port: int, base_port: int) -> None:
        order = [("liveq", port, f"/ws/{SLUG}"), ("baseline", base_port, "/")]
        if self.index % 2:
            order.reverse()
        for name, p, path in order:
            cpu = self.server_cpu if name == "liveq" else lambda: cpu_seconds(self.base.pid)
            cpu0 = cpu()
            t0 = time.monotonic()
            parts = split(self.n, self.args.procs)
            firsts = [sum(parts[:i]) for i in range(len(parts))]
            cmds = [
                ("connect", name, p, path, first, k) for first, k in zip(firsts, parts, strict=True)
            ]
            answers = audience.ask(cmds, 900)
            self.fig[f"{name}_join_s"] = max(a[3] for a in answers) - t0
            self.fig[f"{name}_join_failed"] = sum(a[2] for a in answers)
            self.fig[f"{name}_join_cpu_s"] = cpu() - cpu0
            print(
                f"  {name}: {sum(a[1] for a in answers):,} sockets joined in "
                f"{self.fig[f'{name}_join_s']:.1f} s ({self.fig[f'{name}_join_failed']} failed)",
                file=sys.stderr,
            )

    def next_qid(self) -> int:
        # Never the one on air now: consecutive picks differ.
        qid = self.qids[self.next_q % len(self.qids)]
        self.next_q += 1
        return qid

    async def on_air_call(self, qid: int | None = None) -> float:
        """POST on_air; the call's latency in ms (INF if it did not answer within --wait)."""
        qid = qid if qid is not None else self.next_qid()
        t0 = time.monotonic()
        try:
            async with self.session.post(f"{self.api}/{qid}/on_air", headers=self.auth) as resp:
                await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"on_air {qid}: {resp.status}")
        except TimeoutError:
            return INF
        return (time.monotonic() - t0) * 1000

    async def trial(self, audience: Clients, name: str, t: int) -> dict:
        """One on-air message to every socket of `name`; per-socket latencies in ms."""
        if name == "liveq":
            qid = self.next_qid()
            matches = [b'"id":%d,' % qid, b'"status":"on_air"']
        else:
            marker = f"b{self.index}-{t}"
            matches = [f'"trial":"{marker}"'.encode()]
        audience.all(("arm", name, matches), 30)
        t0 = time.monotonic()
        call = 0.0
        if name == "liveq":
            call = await self.on_air_call(qid)
        else:
            message = urllib.parse.quote(baseline_message(marker, t, QUESTIONS[0]), safe="")
            async with self.session.get(f"{self.base.url}/broadcast?{message}") as resp:
                await resp.read()
        answers = audience.all(("collect", name, self.args.wait), self.args.wait + 60)
        return {
            "lat": [(x - t0) * 1000 for a in answers for x in a[1]],
            "waiting": sum(a[2] for a in answers),
            "closed": sum(a[3] for a in answers),
            "call": call,
        }

    async def at_rest(self, audience: Clients) -> None:
        runs: dict[str, list[dict]] = {"liveq": [], "baseline": []}
        for t in range(self.args.trials):
            for name in ("liveq", "baseline") if t % 2 == 0 else ("baseline", "liveq"):
                runs[name].append(await self.trial(audience, name, t))
                await asyncio.sleep(self.args.pause)
        for name, key in (("liveq", "rest"), ("baseline", "baseline")):
            self.summarize(key, runs[name])

    def summarize(self, key: str, runs: list[dict]) -> None:
        lat = [x for run in runs for x in run["lat"]]
        waiting = sum(run["waiting"] for run in runs)
        fig = self.fig
        fig[f"{key}_p50_ms"] = pct(lat, waiting, 50)
        fig[f"{key}_p99_ms"] = pct(lat, waiting, 99)
        fig[f"{key}_max_ms"] = INF if waiting else max(lat, default=0.0)
        fig[f"{key}_missed"] = waiting
        fig[f"{key}_trials"] = len(runs)
        calls = [run["call"] for run in runs]
        fig[f"{key}_call_p50_ms"] = pct(calls, 0, 50)
        fig[f"{key}_call_p99_ms"] = pct(calls, 0, 99)

    async def storm(self, audience: Clients, voter: Clients, qids: list[int]) -> None:
        args, fig = self.args, self.fig
        start = time.monotonic() + 1.0
        end = start + args.seconds
        cmd = ("storm", self.liveq.port, qids, start, self.rate, args.seconds, args.drain)
        voter.pipes[0].send(cmd)
        # The first client process also notes the CPU of the server and the load generators.
        k = len(self.server_pids)
        pids = self.server_pids + [p.pid for p in audience.procs] + [voter.procs[0].pid]
        cmds = [
            ("snap_at", "liveq", [start, end], pids if i == 0 else [])
            for i in range(len(audience.pipes))
        ]
        audience.ask(cmds, 30)
        runs = []
        for i in range(args.storm_trials):
            due = start + args.seconds * (i + 1) / (args.storm_trials + 1)
            if time.monotonic() >= end:
                break  # a slow trial used up the storm: fewer trials, said in the output
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            runs.append(await self.trial(audience, "liveq", i))
        await asyncio.sleep(max(0.0, end - time.monotonic()) + 0.5)
        if not voter.pipes[0].poll(args.drain + 60):
            raise RuntimeError("the voter process did not report")
        votes = voter.pipes[0].recv()[1]
        # Votes the voters gave up on may still be queued in the server: let it finish
        # (bounded) before reading counts, and count that time and its CPU too.
        fig["busy_after_s"] = await settle(self.server_cpu, args.settle)
        cpu_end = self.server_cpu()
        final = audience.all(("count", "liveq"), 120)
        codes: dict[int, int] = {}
        for answer in audience.all(("closes", "liveq"), 60):
            for code, count in answer[1].items():
                codes[code] = codes.get(code, 0) + count
        fig["dropped_by_code"] = codes
        snaps = [a[1] for a in audience.all(("snaps",), 30)]
        if any(len(s) != 2 for s in snaps):
            raise RuntimeError("a client process missed its storm snapshots")
        self.summarize("storm", runs)
        before, after = [s[0] for s in snaps], [s[1] for s in snaps]
        window = max(a[0] for a in after) - min(b[0] for b in before)
        n = self.n or 1
        pairs = list(zip(after, before, strict=True))
        fig["frames_per_socket_s"] = sum(a[1] - b[1] for a, b in pairs) / (n * window)
        fig["bytes_per_socket_s"] = sum(a[2] - b[2] for a, b in pairs) / (n * window)
        fig["dropped"] = sum(a[3] for a in final)
        fig["dropped_in_window"] = sum(a[3] for a in after)
        fig["dropped_before_storm"] = sum(a[3] for a in before)
        fig["storm_window_s"] = window
        load = [(b - a) / window for a, b in zip(before[0][4], after[0][4], strict=True)]
        fig["storm_cpu_window_s"] = sum(load[:k]) * window
        fig["storm_cpu_s"] = cpu_end - sum(before[0][4][:k])
        fig["server_cpu_per_s"] = sum(load[:k])
        fig["audience_proc_cpu_per_s"] = max(load[k:-1])
        fig["voter_proc_cpu_per_s"] = load[-1]
        lat = votes["latencies"]
        ok = sum(c for s, c in votes["statuses"].items() if 200 <= s < 300)
        fig.update(
            votes_sent=votes["sent"],
            votes_ok=ok,
            votes_refused={s: c for s, c in votes["statuses"].items() if not 200 <= s < 300},
            votes_no_answer=votes["no_answer"],
            votes_errors=votes["errors"],
            vote_p50_ms=pct(lat, votes["no_answer"], 50),
            vote_p99_ms=pct(lat, votes["no_answer"], 99),
            vote_max_ms=INF if votes["no_answer"] else max(lat, default=0.0),
            votes_late_ms=votes["late_ms"],
            votes_last_answer_s=votes["last_answer_s"],
        )
        print(
            f"  storm: {ok:,}/{votes['sent']:,} votes ok, vote p99 "
            f"{say_ms(fig['vote_p99_ms'])}, on-air p99 "
            f"{say_ms(fig['storm_p99_ms'], args.wait)} over {len(runs)} calls, "
            f"{fig['dropped']:,} sockets dropped, server busy {fig['busy_after_s']:.0f} s after",
            file=sys.stderr,
        )

    async def read_back(self) -> tuple[int | None, int | None]:
        """The questions' votes through the API, and the sockets the server holds."""
        try:
            if self.poll_id is not None:
                polls = f"{self.liveq.url}/api/v1/events/{SLUG}/polls"
                async with self.session.get(polls, headers=self.auth) as resp:
                    found = (await resp.json())["polls"]
                async with self.session.get(f"{self.liveq.url}/healthz", headers=self.auth) as r:
                    sockets = (await r.json()).get("websockets")
                return sum(sum(p["counts"].values()) for p in found), sockets
            async with self.session.get(self.api, headers=self.auth) as resp:
                questions = (await resp.json())["questions"]
            # Later versions show the details to moderators only: send the token.
            async with self.session.get(f"{self.liveq.url}/healthz", headers=self.auth) as resp:
                sockets = (await resp.json()).get("websockets")
        except TimeoutError:
            return None, None  # the database count after shutdown still says
        return sum(q["votes"] for q in questions if q["id"] in self.qids), sockets

    def counted_db(self, config: Path) -> tuple[int, int]:
        db = sqlite3.connect(config.parent / "liveq.db")
        try:
            if self.poll_id is not None:
                counted = db.execute("SELECT coalesce(sum(n), 0) FROM poll_tallies").fetchone()[0]
                rows = db.execute("SELECT count(*) FROM poll_answers").fetchone()[0]
                return counted, rows
            counted = db.execute("SELECT coalesce(sum(votes), 0) FROM questions").fetchone()[0]
            rows = db.execute("SELECT count(*) FROM votes").fetchone()[0]
        finally:
            db.close()
        return counted, rows


# -- output -------------------------------------------------------------------------------------


def why_closed(codes: dict) -> str:
    """'1013: 5,000' (1013: liveq's 'too slow, resync'); 'none: 12' for no close frame."""
    parts = [f"{code or 'none'}: {n:,}" for code, n in sorted(codes.items())]
    return ", ".join(parts) or "-"


def cell_name(f: dict) -> str:
    workers = f.get("workers", 1)
    on = f", {workers} workers" if workers > 1 else ""
    return f"{f['sockets']:,} x {f['rate']:g}/s ({f['voters']:,} voters{on})"


def report(cells: list[dict], args, m: dict) -> dict:
    w = args.wait
    print()
    if args.poll:
        print("POLL RUN (--poll): each 'vote' below is one answer to the open poll, whose")
        print("results every socket is shown; counted: the poll's counts; db rows: poll_answers")
    print(
        f"Town hall: N audience sockets, V voters at R votes/s for {args.seconds:g} s, on air "
        f"mid-storm; {m['cpus']} CPUs, Python {m['python']}, {m['date']}"
    )
    rows = []
    for f in cells:
        rows.append(
            [
                cell_name(f),
                f"{f['liveq_join_s']:.1f}",
                f"{f['baseline_join_s']:.1f}",
                f"{f['liveq_join_s'] / f['baseline_join_s']:.2f}",
                fmt_ms(f["baseline_p99_ms"], w),
                fmt_ms(f["rest_p50_ms"], w),
                fmt_ms(f["rest_p99_ms"], w),
                fmt_ms(f["storm_p50_ms"], w),
                fmt_ms(f["storm_p99_ms"], w),
                f"{f['storm_missed']:,}",
            ]
        )
    print(
        table(
            [
                "cell",
                "join s",
                "ws join s",
                "ratio",
                "ws on-air p99",
                "rest p50",
                "rest p99",
                "storm p50",
                "storm p99",
                "missed",
            ],
            rows,
        )
    )
    print("(on-air latencies in ms, from the on_air call to each socket; missed: sockets still")
    print(f" open that had not received it after {w:g} s, counted as later than that)")
    print()
    rows = []
    for f in cells:
        refused = ", ".join(f"{s}: {c}" for s, c in sorted(f["votes_refused"].items())) or "-"
        rows.append(
            [
                cell_name(f),
                fmt_ms(f["vote_p50_ms"]),
                fmt_ms(f["vote_p99_ms"]),
                fmt_ms(f["rest_call_p99_ms"], w),
                fmt_ms(f["storm_call_p50_ms"], w),
                fmt_ms(f["storm_call_p99_ms"], w),
                f["storm_trials"],
                f["votes_sent"],
                f["votes_ok"],
                refused,
                f["votes_no_answer"] + f["votes_errors"],
                "?" if f["counted_api"] is None else f["counted_api"],
                f["vote_rows_db"],
            ]
        )
    print(
        table(
            [
                "cell",
                "vote p50",
                "vote p99",
                "mod rest p99",
                "mod storm p50",
                "mod storm p99",
                "calls",
                "sent",
                "2xx",
                "refused",
                "no answer",
                "counted",
                "db rows",
            ],
            rows,
        )
    )
    print("(ms; mod: the moderator's on_air API call; counted: the questions' votes read back")
    print(" through the API; db rows: the votes table after a clean shutdown)")
    print()
    rows = []
    for f in cells:
        rows.append(
            [
                cell_name(f),
                f["dropped"],
                why_closed(f["dropped_by_code"]),
                f["server_logged_slow_drops"],
                f"{f['frames_per_socket_s']:.2f}",
                f"{f['bytes_per_socket_s']:,.0f}",
                f"{f['storm_cpu_s']:.1f}",
                f"{f['server_cpu_per_s']:.2f}",
                f"{f['cpu_ms_per_vote']:.1f}",
                f"{f['audience_proc_cpu_per_s']:.2f}",
                f"{f['voter_proc_cpu_per_s']:.2f}",
                f"{f['votes_last_answer_s']:.1f}",
                f"{f['busy_after_s']:.0f}",
                f["load_before"],
                f["load_after"],
            ]
        )
    print(
        table(
            [
                "cell",
                "dropped",
                "close codes",
                "logged slow",
                "frames/sock/s",
                "bytes/sock/s",
                "server CPU s",
                "CPU/s",
                "CPU ms/vote",
                "client CPU/s",
                "voter CPU/s",
                "last vote +s",
                "busy +s",
                "load before",
                "load after",
            ],
            rows,
        )
    )
    print("(server CPU s: from the storm's start until the server went idle after it; CPU/s:")
    print(" per second of the storm window; client CPU/s: the busiest audience client process;")
    print(" last vote +s: the last vote answered, seconds after the storm ended; busy +s: how")
    print(" long the server stayed busy after the voters stopped waiting (--settle bounds it);")
    print(" CPU ms/vote: server CPU s over the votes counted, on-air calls included; close codes:")
    print(" what the dropped sockets received, 1013 = liveq's 'too slow, resync', none = no close")
    print(" frame; logged slow: the server's 'dropping a websocket client that fell N messages")
    print(" behind' warnings (a dropped client's close frame can wait behind the data it has")
    print(" not read and never arrive); dropped but not logged: closed another way, e.g. by")
    print(" aiohttp's heartbeat when a pong waited too long in a busy event loop)")
    print()
    main_cell = max(cells, key=lambda f: (f["sockets"], f["rate"]))
    targets(main_cell, w)
    return main_cell


def targets(f: dict, w: float) -> None:
    def verdict(ok: bool) -> str:
        return "OK" if ok else "MISSED"

    rest, storm = f["rest_p99_ms"], f["storm_p99_ms"]
    ratio = storm / rest if rest and storm != INF else INF
    join_ratio = f["liveq_join_s"] / f["baseline_join_s"]
    counted = f["counted_api"] == f["votes_ok"] == f["vote_rows_db"] == f["counted_db"]
    counted_once = counted and not f["votes_no_answer"]
    times = f"{ratio:.2f}x" if ratio != INF else f"over {w * 1000 / rest:.0f}x" if rest else "?"
    api = "not read (server busy)" if f["counted_api"] is None else f"{f['counted_api']:,}"
    print(f"Targets (issue 17) at {cell_name(f)}:")
    lines = [
        (
            f"on-air p99 in the storm {say_ms(storm, w)} = {times} at rest ({say_ms(rest, w)})",
            f"<= {TARGET_STORM_RATIO}x",
            ratio <= TARGET_STORM_RATIO,
        ),
        (
            f"vote p99 {say_ms(f['vote_p99_ms'])}",
            f"< {TARGET_VOTE_P99_MS:g} ms",
            f["vote_p99_ms"] < TARGET_VOTE_P99_MS,
        ),
        (
            f"moderator on_air p99 in the storm {say_ms(f['storm_call_p99_ms'], w)}",
            f"< {TARGET_MODERATOR_P99_MS:g} ms",
            f["storm_call_p99_ms"] < TARGET_MODERATOR_P99_MS,
        ),
        (f"sockets dropped {f['dropped']:,}", "0", f["dropped"] == 0),
        (
            f"votes: {f['votes_sent']:,} sent, {f['votes_ok']:,} answered 2xx, "
            f"{f['votes_no_answer']:,} no answer; counted {api} (API), "
            f"{f['counted_db']:,} (database), {f['vote_rows_db']:,} vote rows",
            "each counted once",
            counted_once,
        ),
        (
            f"{f['sockets']:,} joins {f['liveq_join_s']:.1f} s = {join_ratio:.2f}x websockets "
            f"({f['baseline_join_s']:.1f} s)",
            f"<= {TARGET_JOIN_RATIO:g}x",
            join_ratio <= TARGET_JOIN_RATIO,
        ),
    ]
    for text, target, ok in lines:
        print(f"  {text} (target {target}) {verdict(ok)}")


def jsonable(f: dict) -> dict:
    out = {}
    for key, value in f.items():
        if isinstance(value, float):
            out[key] = jnum(value, 3 if key.endswith("_per_socket_s") else 2)
        elif isinstance(value, dict):
            out[key] = {str(k): v for k, v in value.items()}
        else:
            out[key] = value
    return out


# -- main ----------------------------------------------------------------------------------------


def numbers(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


async def run(args) -> list[dict]:
    cells = []
    audience = Clients(args.procs, target=audience_process)
    voter = Clients(1, target=voter_process)
    try:
        with workdir(args.keep) as tmp:
            if args.keep:
                print(f"  keeping {tmp}", file=sys.stderr)
            index = 0
            for workers in args.workers:
                for n in args.sockets:
                    for rate, voters in zip(args.rates, args.voters, strict=True):
                        print(
                            f"cell {index}: {n:,} sockets, {voters:,} voters, {rate:g} votes/s, "
                            f"{workers} worker(s)",
                            file=sys.stderr,
                        )
                        cell = Cell(args, index, n, rate, voters, tmp, workers)
                        cells.append(await cell.run(audience, voter))
                        index += 1
    finally:
        audience.close()
        voter.close()
    return cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 300 sockets, 60 voters, 20 votes/s, about 30 s",
    )
    parser.add_argument("--sockets", help="comma-separated N (default 1000,5000)")
    parser.add_argument("--rates", help="comma-separated votes/s (default 20,150)")
    parser.add_argument("--voters", help="voters for each rate (default 300,1500)")
    parser.add_argument("--seconds", type=float, help="length of the vote storm (default 40)")
    parser.add_argument("--trials", type=int, help="on-air messages at rest per server (7)")
    parser.add_argument("--storm-trials", type=int, help="on-air calls during the storm (5)")
    parser.add_argument(
        "--wait",
        type=float,
        default=30.0,
        help="seconds to wait for an on-air message or call (30)",
    )
    parser.add_argument(
        "--drain",
        type=float,
        default=60.0,
        help="seconds to wait for votes still out after the storm (60)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=180.0,
        help="seconds to let the server finish its backlog before reading counts (180)",
    )
    parser.add_argument(
        "--workers", help="comma-separated liveq worker counts, each a run of every cell (1)"
    )
    parser.add_argument("--procs", type=int, default=2, help="audience client processes")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between trials")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (db, logs)")
    parser.add_argument(
        "--poll",
        action="store_true",
        help="the storm answers an open poll (one answer per voter) instead of voting",
    )
    args = parser.parse_args()
    q = args.quick
    args.sockets = [int(x) for x in numbers(args.sockets or ("300" if q else "1000,5000"))]
    args.rates = numbers(args.rates or ("20" if q else "20,150"))
    args.workers = [int(x) for x in numbers(args.workers or "1")]
    args.seconds = args.seconds or (12.0 if q else 40.0)
    default_voters = "60" if q else "300,1500"
    if args.poll:
        # One answer per person: as many voters as answers.
        default_voters = ",".join(str(math.ceil(r * args.seconds)) for r in args.rates)
    args.voters = [int(x) for x in numbers(args.voters or default_voters)]
    if len(args.voters) == 1:
        args.voters *= len(args.rates)
    if len(args.voters) != len(args.rates):
        parser.error("give one --voters figure, or one for each rate")
    args.trials = args.trials or (5 if q else 7)
    args.storm_trials = args.storm_trials or (3 if q else 5)
    for rate, voters in zip(args.rates, args.voters, strict=True):
        if rate * args.seconds >= voters * len(QUESTIONS):
            parser.error(f"{voters} voters cannot cast {rate * args.seconds:.0f} distinct votes")
        if args.poll and rate * args.seconds > voters:
            parser.error(f"{voters} voters cannot give {rate * args.seconds:.0f} poll answers")
        if voters > 249 * 250:
            parser.error("at most 62,250 voters (one loopback address each)")
    if max(args.sockets) > 256 * 250:
        parser.error("at most 64,000 sockets (one loopback address each)")
    limit = raise_nofile()
    need = max(args.sockets) + max(args.voters) * 2 + 1024
    if limit < need:
        print(f"open-file limit {limit} is too low: this run needs about {need}", file=sys.stderr)
        return 2

    cells = asyncio.run(run(args))
    m = machine()
    main_cell = report(cells, args, m)
    result = {
        "bench": "townhall-poll" if args.poll else "townhall",
        "seconds": args.seconds,
        "wait_s": args.wait,
        **{k: v for k, v in jsonable(main_cell).items()},
        "cells": [jsonable(f) for f in cells],
        "machine": m,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
