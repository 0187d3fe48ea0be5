"""Ingest benchmark: audience questions POSTed to one liveq server, against a bare handler.

Usage: python scripts/bench_ingest.py [--quick] [--workers N] [--postgres URL]

With --workers N (N > 1) a fourth server takes part: `liveq serve --workers N` as
configured by default, with [cluster] redis_url (LIVEQ_BENCH_REDIS_URL, default
redis://127.0.0.1:6379): the same load spread by SO_REUSEPORT over N processes sharing one
sqlite file and Redis. Its throughput is printed beside one worker's.

With --postgres URL (e.g. postgresql://postgres@127.0.0.1/postgres) the liveq servers
store in fresh PostgreSQL databases created on that server (and dropped after) instead
of sqlite files (docs/storage.md has both).

Servers, each in its own process with its own temp config and database, question rate
limit off: `liveq serve` as configured by default (screening on), `liveq serve` with
screening's text checks and flood meters off (to show what screening costs), and a
bare aiohttp server whose handler answers 201 without doing anything. One
load-generator process (a raw asyncio HTTP/1.1 keep-alive client, far cheaper per
request than any of the servers) drives them all with the same requests: half JSON,
half form-encoded with the CSRF cookie and token from GET /e/{slug}; the texts are
the screening corpus's real questions, numbered so none repeats.

Two kinds of phase, alternated between the servers, repeated for medians:
  fixed  - open loop at --rate requests/s (default 1,000); latency counts from each
           request's scheduled time, so a stalled server cannot hide its queue;
  sat    - closed loop, --connections clients sending back to back: the saturation
           throughput.
Each liveq phase asks in a fresh event. Afterwards the liveq servers are stopped and
every question they answered 201/303 for must be in their database. The ratio is
liveq throughput / bare throughput at saturation. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import re
import sqlite3
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import (  # noqa: E402
    children,
    cluster_sections,
    free_port,
    machine,
    median,
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

SLUG = "bench"
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "screening_corpus.jsonl"
FALLBACK_TEXTS = [
    "How long is recovery after a knee replacement for someone over 70?",
    "Is the RSV vaccine safe for people over 60 with heart failure?",
    "How often should women over 40 get a mammogram?",
    "Can I drive two weeks after cataract surgery?",
]
ACCEPTED = (201, 303)  # JSON -> 201, form -> 303 to the thank-you page
TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0


# -- the load generator (runs in its own process) ------------------------------------------


@dataclass
class Plan:
    port: int
    mode: str  # "fixed" or "sat"
    seconds: float
    connections: int
    rate: float = 0.0
    cookie: str = ""
    csrf: str = ""
    seq_start: int = 0
    slug: str = SLUG
    texts: tuple[str, ...] = tuple(FALLBACK_TEXTS)


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    sent: int = 0
    late_ms: float = 0.0  # how far the open-loop scheduler fell behind, at worst


class HttpConn(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time.

    With keep=True the last response's head and body stay in .head and .body."""

    def __init__(self, keep: bool = False) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.keep = keep
        self.head = self.body = b""

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection closed"))
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buf += data
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buf[:end]).lower()
        length = 0
        i = head.find(b"\r\ncontent-length:")
        if i >= 0:
            j = head.find(b"\r\n", i + 2)
            length = int(head[i + 17 : j if j > 0 else None])
        total = end + 4 + length
        if len(self.buf) < total:
            return
        status = int(self.buf[9:12])
        if self.keep:
            self.head, self.body = bytes(self.buf[:end]), bytes(self.buf[end + 4 : total])
        del self.buf[:total]
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(status)

    async def request(self, data: bytes) -> int:
        if self.transport is None:
            raise ConnectionError("not connected")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self.waiter


def build_request(plan: Plan, n: int) -> bytes:
    # Real audience questions (the screening corpus), numbered so no two are identical.
    text = f"{plan.texts[n % len(plan.texts)]} ({n})"
    host = f"Host: 127.0.0.1:{plan.port}\r\n"
    if n % 2 == 0:
        body = json.dumps({"text": text, "name": "Bench"}).encode()
        head = (
            f"POST /e/{plan.slug}/questions HTTP/1.1\r\n{host}"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
        )
    else:
        from urllib.parse import urlencode

        body = urlencode({"csrf": plan.csrf, "text": text, "name": "Bench"}).encode()
        head = (
            f"POST /e/{plan.slug}/questions HTTP/1.1\r\n{host}"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Cookie: liveq_csrf={plan.cookie}\r\n"
        )
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


async def run_plan(plan: Plan) -> Outcome:
    loop = asyncio.get_running_loop()
    out = Outcome()
    conns: list[HttpConn] = []
    for _ in range(plan.connections):
        _, proto = await loop.create_connection(HttpConn, "127.0.0.1", plan.port)
        conns.append(proto)
    clock = time.monotonic
    seq = plan.seq_start

    def record(status: int, started: float) -> None:
        out.latencies_ms.append((clock() - started) * 1000)
        out.statuses[status] = out.statuses.get(status, 0) + 1

    async def one(conn: HttpConn, data: bytes, started: float) -> None:
        try:
            status = await asyncio.wait_for(conn.request(data), 10)
        except (TimeoutError, ConnectionError):
            out.errors += 1
            return
        record(status, started)

    start = clock()
    deadline = start + plan.seconds
    if plan.mode == "sat":

        async def worker(conn: HttpConn) -> None:
            nonlocal seq
            while clock() < deadline:
                seq += 1
                out.sent += 1
                await one(conn, build_request(plan, seq), clock())
                if conn.transport is None:
                    return

        await asyncio.gather(*(worker(c) for c in conns))
    else:
        idle: asyncio.Queue[HttpConn] = asyncio.Queue()
        for c in conns:
            idle.put_nowait(c)
        tasks = set()

        async def scheduled(conn: HttpConn, data: bytes, due: float) -> None:
            await one(conn, data, due)
            if conn.transport is not None:
                idle.put_nowait(conn)

        total = int(plan.rate * plan.seconds)
        for i in range(total):
            due = start + i / plan.rate
            wait = due - clock()
            if wait > 0:
                await asyncio.sleep(wait)
            else:
                out.late_ms = max(out.late_ms, -wait * 1000)
            if clock() > deadline + 10:  # bounded even if the server stalls
                break
            conn = await idle.get()
            seq += 1
            out.sent += 1
            t = asyncio.create_task(scheduled(conn, build_request(plan, seq), due))
            tasks.add(t)
            t.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=15)
    out.seconds = clock() - start
    for c in conns:
        if c.transport is not None:
            c.transport.close()
    return out


def client_process(plan: Plan, results) -> None:
    raise_nofile()
    results.put(asyncio.run(run_plan(plan)))


def drive(plan: Plan) -> Outcome:
    """Run one phase in a fresh client process and bring back its figures."""
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    proc = ctx.Process(target=client_process, args=(plan, results), daemon=True)
    proc.start()
    try:
        out = results.get(timeout=plan.seconds + 60)
    finally:
        proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
    return out


# -- the benchmark -------------------------------------------------------------------------


def load_texts() -> tuple[str, ...]:
    """Questions people typed (the screening corpus), or a few built-in ones without it."""
    texts = []
    if CORPUS.exists():
        for line in CORPUS.read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"] if line.strip() else ""
            if 10 <= len(text) <= 400 and text.isprintable():
                texts.append(text)
    return tuple(texts or FALLBACK_TEXTS)


async def setup_events(config: Path, count: int) -> str:
    """The form's event, then one fresh event per measured liveq phase; a moderator token."""
    _, token = await setup_event(config, SLUG)
    for i in range(count):
        await setup_event(config, f"{SLUG}-{i}", token=False)
    return token


def csrf_for(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(f"{url}/e/{SLUG}", timeout=5) as resp:  # noqa: S310
        cookies = resp.headers.get_all("Set-Cookie") or []
        page = resp.read().decode()
    cookie = next(c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("liveq_csrf="))
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token, "no CSRF field in the audience form"
    return cookie, token.group(1)


def summary(out: Outcome) -> dict:
    accepted = sum(n for s, n in out.statuses.items() if s in ACCEPTED)
    lat = out.latencies_ms
    return {
        "accepted": accepted,
        "other": {s: n for s, n in out.statuses.items() if s not in ACCEPTED},
        "errors": out.errors,
        "rps": accepted / out.seconds if out.seconds else 0.0,
        "p50": percentile(lat, 50),
        "p99": percentile(lat, 99),
        "max": max(lat, default=0.0),
        "late": out.late_ms,
    }


# Screening's per-text checks and flood meters off (its duplicate index cannot be).
SCREENING_OFF = {
    "check_phi": False,
    "check_profanity": False,
    "flood_per_author": 0,
    "flood_per_ip": 0,
}
LABELS = {
    "liveq": "liveq",
    "liveq-noscreen": "liveq, screening off",
    "liveq-workers": "liveq, N workers",
    "bare": "bare aiohttp",
}


def pg_database(admin_url: str, name: str, made: list[str]) -> str:
    """A fresh PostgreSQL database for one server (dropped by `dropped`); its URL."""
    from urllib.parse import urlsplit

    import asyncpg

    db = f"liveq_bench_{name.replace('-', '_')}_{time.time_ns()}"

    async def create() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f'CREATE DATABASE "{db}"')
        finally:
            await conn.close()

    asyncio.run(create())
    url = urlsplit(admin_url)._replace(path=f"/{db}").geturl()
    made.append(url)
    return url


async def pg_count(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT count(*) FROM questions")
    finally:
        await conn.close()


@contextlib.contextmanager
def dropped(made: list[str]):
    """Drop the benchmark's PostgreSQL databases at the end, however it ends."""
    try:
        yield
    finally:
        for url in made:
            from urllib.parse import urlsplit

            import asyncpg

            parts = urlsplit(url)

            async def drop(parts=parts) -> None:
                conn = await asyncpg.connect(parts._replace(path="/postgres").geturl())
                try:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{parts.path[1:]}" WITH (FORCE)')
                finally:
                    await conn.close()

            asyncio.run(drop())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (under a minute)")
    parser.add_argument("--rate", type=float, default=1000.0, help="fixed offered load, req/s")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, help="length of each phase")
    parser.add_argument("--rounds", type=int, help="repetitions of each phase (medians)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (db, logs)")
    parser.add_argument(
        "--workers", type=int, default=1, help="also measure `liveq serve --workers N` (N > 1)"
    )
    parser.add_argument(
        "--postgres", metavar="URL", help="store in fresh databases on this PostgreSQL server"
    )
    args = parser.parse_args()
    if args.workers > 1:
        LABELS["liveq-workers"] = f"liveq, {args.workers} workers"
    seconds = args.seconds or (4.0 if args.quick else 12.0)
    rounds = args.rounds or (1 if args.quick else 3)
    raise_nofile()
    texts = load_texts()

    made: list[str] = []
    with workdir(args.keep) as tmp, children() as started, dropped(made):
        servers: dict[str, dict] = {}
        kinds = [("liveq", None), ("liveq-noscreen", SCREENING_OFF)]
        if args.workers > 1:
            kinds.append(("liveq-workers", None))
        for name, screening in kinds:
            port = free_port()
            home = tmp / name
            home.mkdir()
            sections: dict[str, dict] = {
                "limits": {"questions_per_minute": 0, "votes_per_minute": 0},
                "events": {"moderation": "pre"},
            }
            if screening:
                sections["screening"] = screening
            if args.postgres:
                sections["database"] = {"url": pg_database(args.postgres, name, made)}
            workers = args.workers if name == "liveq-workers" else 1
            config = write_config(home, port, **sections, **cluster_sections(workers))
            # Each phase asks in an event of its own, so an event holds at most one
            # phase's questions (screening's duplicate index grows with its event).
            api_token = asyncio.run(setup_events(config, 2 * rounds + 1))
            if workers > 1:
                child = start_workers(config, port, workers, home, api_token)
            else:
                child = start_liveq(config, port, home)
            started.append(child)
            servers[name] = {"port": port, "child": child, "home": home, "events": 0}
            servers[name]["accepted"] = 0
        bare = start_baseline("bare-http", free_port(), tmp)
        started.append(bare)
        servers["bare"] = {"port": bare.port, "child": bare, "events": None, "accepted": 0}
        cookie, token = csrf_for(servers["liveq"]["child"].url)
        pids = ", ".join(f"{n} {s['child'].pid}" for n, s in servers.items())
        print(
            f"ingest: servers {pids}; {rounds} round(s) of {seconds:.0f} s phases, "
            f"{args.connections} connections",
            file=sys.stderr,
        )

        seq = 0
        results: dict[tuple[str, str], list[dict]] = {}

        def phase(name: str, mode: str, secs: float) -> dict:
            nonlocal seq
            server = servers[name]
            slug = SLUG
            if server["events"] is not None:
                slug = f"{SLUG}-{server['events']}"
                server["events"] += 1
            plan = Plan(
                server["port"], mode, secs, args.connections, args.rate, cookie, token, seq,
                slug, texts,
            )  # fmt: skip
            out = drive(plan)
            seq += out.sent + 1
            s = summary(out)
            server["accepted"] += s["accepted"]
            print(
                f"  {name:14} {mode:5} {s['rps']:8,.0f}/s p50 {s['p50']:7.2f} ms "
                f"p99 {s['p99']:7.2f} ms max {s['max']:7.2f} ms other {s['other']} "
                f"errors {s['errors']}",
                file=sys.stderr,
            )
            return s

        # Warm every server (imports, templates, sqlite caches) before measuring.
        for name in servers:
            phase(name, "sat", 1.0)
        for _ in range(rounds):
            for mode in ("fixed", "sat"):
                for name in servers:
                    results.setdefault((name, mode), []).append(phase(name, mode, seconds))

        durability = {}
        for name in [n for n in servers if n.startswith("liveq")]:
            server = servers[name]
            code = server["child"].stop()  # a clean shutdown drains the writer queue first
            if args.postgres:
                stored = asyncio.run(pg_count(made[len(durability)]))
            else:
                with sqlite3.connect(server["home"] / "liveq.db") as db:
                    stored = db.execute("SELECT count(*) FROM questions").fetchone()[0]
            durability[name] = (server["accepted"], stored, code)

    def med(name: str, mode: str, key: str) -> float:
        return median([s[key] for s in results[(name, mode)]])

    rows = []
    for mode in ("fixed", "sat"):
        for name in servers:
            label = f"{args.rate:,.0f}/s offered" if mode == "fixed" else "saturation"
            rows.append(
                [
                    f"{LABELS[name]} ({label})",
                    med(name, mode, "rps"),
                    med(name, mode, "p50"),
                    med(name, mode, "p99"),
                    med(name, mode, "max"),
                    sum(s["errors"] + sum(s["other"].values()) for s in results[(name, mode)]),
                ]
            )
    bare_rps = med("bare", "sat", "rps")
    liveq_rps = med("liveq", "sat", "rps")
    noscreen_rps = med("liveq-noscreen", "sat", "rps")
    ratio = liveq_rps / bare_rps if bare_rps else 0.0
    ratio_noscreen = noscreen_rps / bare_rps if bare_rps else 0.0
    p99_fixed = med("liveq", "fixed", "p99")
    durable = all(accepted == stored for accepted, stored, _ in durability.values())
    m = machine()
    print()
    print(
        f"Ingest: {args.connections} keep-alive connections, half JSON / half form, "
        f"medians of {rounds} round(s) x {seconds:.0f} s; {m['cpus']} CPUs, "
        f"Python {m['python']}, {m['date']}"
    )
    print(table(["server (load)", "accepted/s", "p50 ms", "p99 ms", "max ms", "non-2xx"], rows))
    print()
    print(
        f"ratio liveq/bare at saturation: {ratio:.2f} (target >= {TARGET_RATIO}) "
        f"{'OK' if ratio >= TARGET_RATIO else 'MISSED'}; with screening off: "
        f"{ratio_noscreen:.2f}"
    )
    print(
        f"liveq p99 at {args.rate:,.0f}/s: {p99_fixed:.2f} ms (target < {TARGET_P99_MS:.0f} ms) "
        f"{'OK' if p99_fixed < TARGET_P99_MS else 'MISSED'}; with screening off: "
        f"{med('liveq-noscreen', 'fixed', 'p99'):.2f} ms"
    )
    if args.workers > 1:
        workers_rps = med("liveq-workers", "sat", "rps")
        print(
            f"liveq with {args.workers} workers at saturation: {workers_rps:,.0f}/s = "
            f"{workers_rps / liveq_rps if liveq_rps else 0:.2f}x one worker"
        )
    for name, (accepted, stored, code) in durability.items():
        print(
            f"durability ({LABELS[name]}): {accepted:,} accepted, {stored:,} in the database "
            f"after shutdown (exit code {code}) {'OK' if accepted == stored else 'MISMATCH'}"
        )
    print(
        json.dumps(
            {
                "bench": "ingest",
                "connections": args.connections,
                "rounds": rounds,
                "seconds": seconds,
                "offered_rps": args.rate,
                "fixed_rps": r(med("liveq", "fixed", "rps"), 1),
                "fixed_p50_ms": r(med("liveq", "fixed", "p50")),
                "fixed_p99_ms": r(p99_fixed),
                "fixed_max_ms": r(med("liveq", "fixed", "max")),
                "baseline_fixed_p99_ms": r(med("bare", "fixed", "p99")),
                "saturation_rps": r(liveq_rps, 1),
                "saturation_p50_ms": r(med("liveq", "sat", "p50")),
                "saturation_p99_ms": r(med("liveq", "sat", "p99")),
                "saturation_max_ms": r(med("liveq", "sat", "max")),
                "baseline_rps": r(bare_rps, 1),
                "baseline_p99_ms": r(med("bare", "sat", "p99")),
                "ratio": r(ratio, 3),
                "noscreen_rps": r(noscreen_rps, 1),
                "noscreen_fixed_p99_ms": r(med("liveq-noscreen", "fixed", "p99")),
                "ratio_noscreen": r(ratio_noscreen, 3),
                "accepted": sum(d[0] for d in durability.values()),
                "stored": sum(d[1] for d in durability.values()),
                "durable": durable,
                "workers": args.workers,
                "workers_saturation_rps": r(med("liveq-workers", "sat", "rps"), 1)
                if args.workers > 1
                else None,
                "machine": m,
            }
        )
    )
    return 0 if durable else 1


if __name__ == "__main__":
    sys.exit(main())
