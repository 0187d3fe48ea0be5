"""Fan-out benchmark: a question goes on air to N audience websockets, against broadcast().

Usage: python scripts/bench_fanout.py [--quick]

A real `liveq serve` and a minimal `websockets` server (its handler sends a greeting;
GET /broadcast calls websockets.broadcast() over every connection, compression off)
run in their own processes. Client processes (raw asyncio websocket clients: they
timestamp a frame when its bytes arrive, so the client adds little to what is
measured) open N connections to each server: to liveq as audience views
(`/ws/{slug}` without credentials, the public projection).

Each trial, for each server in turn: the clients are told which message to watch
for, the parent notes time.monotonic() (CLOCK_MONOTONIC, shared by every process on
Linux) and either POSTs /api/v1/events/{slug}/questions/{id}/on_air with a bearer
token (liveq) or asks the baseline to broadcast a message of the same size; each
client records when that message arrived. Figures are per-client latencies from the
API call; p50/p99/max are taken per trial and the median over trials is quoted.
Server RSS per client: VmRSS after the clients connected minus before, over N; the
event has --approved (100) approved questions besides the trials' ones, so every
audience snapshot carries a realistic queue.
The ratio is liveq p99 / broadcast() p99. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing as mp
import os
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import (  # noqa: E402
    children,
    free_port,
    machine,
    median,
    percentile,
    r,
    raise_nofile,
    rss_kb,
    setup_event,
    start_baseline,
    start_liveq,
    table,
    workdir,
    write_config,
)

SLUG = "bench"
TEXT = "What should I expect in the first two weeks after a total knee replacement?"
TARGET_RATIO = 1.5
TARGET_RSS_KB = 100.0
CONNECT_CONCURRENCY = 50


# -- the clients (each process holds many connections) ---------------------------------------


class WsClient(asyncio.Protocol):
    """A minimal websocket client: handshake, then unmasked server frames; answers pings."""

    def __init__(self, group: Group, host: str, path: str) -> None:
        self.group = group
        self.host = host
        self.path = path
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.open = False
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.got: float | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def connection_lost(self, exc) -> None:
        self.transport = None
        self.group.lost += self.ready.done()
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed during the handshake"))

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self.buf += data
        if not self.open:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.buf.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(ConnectionError(bytes(self.buf[:end]).decode()))
                self.transport.close()
                return
            del self.buf[: end + 4]
            self.open = True
        buf = self.buf
        while len(buf) >= 2:
            opcode, length, start = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if length == 126:
                if len(buf) < 4:
                    return
                length, start = int.from_bytes(buf[2:4], "big"), 4
            elif length == 127:
                if len(buf) < 10:
                    return
                length, start = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < start + length:
                return
            payload = bytes(buf[start : start + length])
            del buf[: start + length]
            if opcode == 0x1:
                self.on_text(payload, now)
            elif opcode == 0x9:  # ping -> pong (client frames are masked)
                mask = os.urandom(4)
                masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + mask + masked)
            elif opcode == 0x8:
                self.on_close(payload)
                self.transport.close()
                return

    def on_close(self, payload: bytes) -> None:
        """The server's close frame (its first two bytes are the close code)."""

    def on_text(self, payload: bytes, now: float) -> None:
        if not self.ready.done():
            self.ready.set_result(None)  # the snapshot (liveq) or greeting (baseline)
            return
        matches = self.group.matches
        if self.got is None and matches and all(m in payload for m in matches):
            self.got = now
            self.group.received += 1
            if self.group.received == len(self.group.clients):
                self.group.done.set()


class Group:
    """This process's connections to one server."""

    def __init__(self) -> None:
        self.clients: list[WsClient] = []
        self.matches: list[bytes] = []
        self.received = 0
        self.lost = 0
        self.done = asyncio.Event()


async def connect_many(
    group: Group,
    port: int,
    path: str,
    n: int,
    factory: type[WsClient] = WsClient,
    sources: list[str] | None = None,
) -> tuple[int, int]:
    """Open n connections; the i-th from sources[i] (a loopback address) when given."""
    loop = asyncio.get_running_loop()
    sem = asyncio.Semaphore(CONNECT_CONCURRENCY)
    failed = 0
    host = f"127.0.0.1:{port}"

    async def one(i: int) -> None:
        nonlocal failed
        local = (sources[i], 0) if sources else None
        async with sem:
            for attempt in range(3):
                try:
                    _, client = await asyncio.wait_for(
                        loop.create_connection(
                            lambda: factory(group, host, path),
                            "127.0.0.1",
                            port,
                            local_addr=local,
                        ),
                        10,
                    )
                    await asyncio.wait_for(client.ready, 30)
                except (OSError, TimeoutError, ConnectionError):
                    await asyncio.sleep(0.1 * (attempt + 1))
                    continue
                group.clients.append(client)
                return
            failed += 1

    await asyncio.gather(*(one(i) for i in range(n)))
    return len(group.clients), failed


async def client_main(conn) -> None:
    """Obey the parent's commands, sent over a multiprocessing pipe."""
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue = asyncio.Queue()
    loop.add_reader(conn.fileno(), lambda: inbox.put_nowait(conn.recv()))
    groups: dict[str, Group] = {}
    while True:
        cmd, *args = await inbox.get()
        if cmd == "connect":
            name, port, path, n = args
            group = groups.setdefault(name, Group())
            started = time.monotonic()
            ok, failed = await connect_many(group, port, path, n)
            conn.send(("connected", ok, failed, time.monotonic() - started))
        elif cmd == "arm":
            name, matches = args
            group = groups[name]
            group.matches = matches
            group.received = 0
            group.done.clear()
            for c in group.clients:
                c.got = None
            conn.send(("armed",))
        elif cmd == "collect":
            name, timeout = args
            group = groups[name]
            if group.clients:
                try:
                    await asyncio.wait_for(group.done.wait(), timeout)
                except TimeoutError:
                    pass
            times = [c.got for c in group.clients if c.got is not None]
            group.matches = []
            conn.send(("times", times, len(group.clients) - len(times), group.lost))
        elif cmd == "stop":
            for group in groups.values():
                for c in group.clients:
                    if c.transport is not None:
                        c.transport.close()
            await asyncio.sleep(0.2)
            conn.send(("stopped",))
            return


def client_process(conn) -> None:
    raise_nofile()
    asyncio.run(client_main(conn))


class Clients:
    """The client processes, driven in lockstep; `target(conn)` runs in each."""

    def __init__(self, procs: int, target=None) -> None:
        target = target or client_process
        ctx = mp.get_context("spawn")
        self.pipes = []
        self.procs = []
        for _ in range(procs):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=target, args=(child,), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)

    def ask(self, cmds: list[tuple], timeout: float) -> list[tuple]:
        for pipe, cmd in zip(self.pipes, cmds, strict=True):
            pipe.send(cmd)
        answers = []
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise RuntimeError(f"a client process did not answer {cmds[0][0]!r} in time")
            answers.append(pipe.recv())
        return answers

    def all(self, cmd: tuple, timeout: float) -> list[tuple]:
        return self.ask([cmd] * len(self.pipes), timeout)

    def close(self) -> None:
        try:
            self.all(("stop",), 10)
        except (RuntimeError, OSError):
            pass
        for proc in self.procs:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(5)


# -- the parent ------------------------------------------------------------------------------


def baseline_message(marker: str, t: int, text: str) -> str:
    """What the baseline broadcasts: liveq's public on-air message, same shape and size,
    tagged with `"trial": marker` for the clients to watch for."""
    return json.dumps(
        {
            "type": "question",
            "question": {
                "id": 900_000 + t,
                "text": f"{text} {t}",
                "status": "on_air",
                "author": "",
                "source": "web",
                "votes": 0,
                "merged_count": 0,
                "created_at": time.time(),
                "version": 3,
                "starred": False,
                "trial": marker,
            },
        },
        separators=(",", ":"),
    )


def split(n: int, parts: int) -> list[int]:
    return [n // parts + (i < n % parts) for i in range(parts)]


async def http(session, method: str, url: str, **kw) -> dict:
    async with session.request(method, url, **kw) as resp:
        body = await resp.text()
        if resp.status >= 300:
            raise RuntimeError(f"{method} {url}: {resp.status} {body[:200]}")
        return json.loads(body) if body.startswith("{") else {}


async def run(args: argparse.Namespace) -> dict:
    import aiohttp

    sizes = [int(s) for s in args.clients.split(",")]
    out: dict = {"sizes": {}}
    with workdir(args.keep) as tmp, children() as started:
        liveq_port, base_port = free_port(), free_port()
        config = write_config(
            tmp,
            liveq_port,
            limits={"questions_per_minute": 0, "api_requests_per_minute": 0},
            events={"moderation": "pre"},
        )
        _, token = await setup_event(config, SLUG)
        liveq = start_liveq(config, liveq_port, tmp)
        started.append(liveq)
        base = start_baseline("broadcast", base_port, tmp)
        started.append(base)
        auth = {"Authorization": f"Bearer {token}"}
        api = f"{liveq.url}/api/v1/events/{SLUG}/questions"
        total_trials = args.trials * len(sizes) + 1
        # The audience snapshot holds the approved questions: an event in progress.
        total_questions = total_trials + args.approved
        async with aiohttp.ClientSession() as session:
            # Questions to put on air, approved before anyone watches.
            qids = []
            for i in range(total_questions):
                q = await http(
                    session, "POST", f"{liveq.url}/e/{SLUG}/questions", json={"text": f"{TEXT} {i}"}
                )
                await http(session, "POST", f"{api}/{q['id']}/approve", headers=auth)
                qids.append(q["id"])
            qids = qids[-total_trials:]  # the rest stay approved, in every snapshot
            # Warm the on-air path once (imports, caches) before measuring.
            await http(session, "POST", f"{api}/{qids.pop()}/on_air", headers=auth)
            rss0 = {"liveq": rss_kb(liveq.pid), "baseline": rss_kb(base.pid)}
            clients = Clients(args.procs)
            try:
                connected = 0
                for n in sizes:
                    more = n - connected
                    for name, port, path in (
                        ("liveq", liveq_port, f"/ws/{SLUG}"),
                        ("baseline", base_port, "/"),
                    ):
                        cmds = [("connect", name, port, path, k) for k in split(more, args.procs)]
                        answers = clients.ask(cmds, 300)
                        ok = sum(a[1] for a in answers)
                        failed = sum(a[2] for a in answers)
                        secs = max(a[3] for a in answers)
                        print(
                            f"  {name}: +{ok:,} connections in {secs:.1f} s ({failed} failed)",
                            file=sys.stderr,
                        )
                        if failed:
                            raise RuntimeError(f"{failed} websocket connections to {name} failed")
                    connected = n
                    await asyncio.sleep(1.0)  # let the servers settle before reading RSS
                    rss = {"liveq": rss_kb(liveq.pid), "baseline": rss_kb(base.pid)}
                    trials: dict[str, list[dict]] = {"liveq": [], "baseline": []}
                    for t in range(args.trials):
                        order = ("liveq", "baseline") if t % 2 == 0 else ("baseline", "liveq")
                        for name in order:
                            if name == "liveq":
                                qid = qids.pop()
                                matches = [b'"id":%d,' % qid, b'"status":"on_air"']
                                trigger = ("POST", f"{api}/{qid}/on_air", {"headers": auth})
                            else:
                                marker = f"b{n}-{t}"
                                message = baseline_message(marker, t, TEXT)
                                matches = [f'"trial":"{marker}"'.encode()]
                                query = urllib.parse.quote(message, safe="")
                                trigger = ("GET", f"{base.url}/broadcast?{query}", {})
                            clients.all(("arm", name, matches), 10)
                            method, url, kw = trigger
                            t0 = time.monotonic()
                            await http(session, method, url, **kw)
                            answers = clients.all(("collect", name, 10.0), 30)
                            lat = [(x - t0) * 1000 for a in answers for x in a[1]]
                            missing = sum(a[2] for a in answers)
                            trials[name].append(
                                {
                                    "p50": percentile(lat, 50),
                                    "p99": percentile(lat, 99),
                                    "max": max(lat, default=0.0),
                                    "missing": missing,
                                }
                            )
                            await asyncio.sleep(args.pause)
                    fig = {}
                    for name in ("liveq", "baseline"):
                        ts = trials[name]
                        fig[name] = {
                            "p50": median([x["p50"] for x in ts]),
                            "p99": median([x["p99"] for x in ts]),
                            "max": median([x["max"] for x in ts]),
                            "worst_max": max(x["max"] for x in ts),
                            "missing": sum(x["missing"] for x in ts),
                            "rss_per_client_kb": (rss[name] - rss0[name]) / n,
                            "rss_mb": rss[name] / 1024,
                        }
                    out["sizes"][n] = fig
                    lq, bl = fig["liveq"], fig["baseline"]
                    print(
                        f"  N={n:,}: liveq p50 {lq['p50']:.1f} p99 {lq['p99']:.1f} ms, "
                        f"broadcast p50 {bl['p50']:.1f} p99 {bl['p99']:.1f} ms",
                        file=sys.stderr,
                    )
            finally:
                clients.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (under a minute)")
    parser.add_argument("--clients", help="comma-separated N (default 1000,5000; quick 1000)")
    parser.add_argument("--trials", type=int, help="on-air messages per N and server")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between trials")
    parser.add_argument(
        "--approved", type=int, default=100, help="approved questions besides the trials' ones"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (db, logs)")
    args = parser.parse_args()
    args.clients = args.clients or ("1000" if args.quick else "1000,5000")
    args.trials = args.trials or (7 if args.quick else 21)
    limit = raise_nofile()
    biggest = max(int(s) for s in args.clients.split(","))
    if limit < biggest + 1024:
        print(f"open-file limit {limit} is too low for {biggest} clients", file=sys.stderr)
        return 2

    out = asyncio.run(run(args))
    m = machine()
    print()
    print(
        f"Fan-out: one on-air message to N audience websockets; medians of {args.trials} "
        f"trials; {args.procs} client processes; {m['cpus']} CPUs, Python {m['python']}, "
        f"{m['date']}"
    )
    rows = []
    for n, fig in out["sizes"].items():
        for name, label in (("liveq", "liveq"), ("baseline", "websockets.broadcast()")):
            f = fig[name]
            rows.append(
                [
                    f"{n:,}",
                    label,
                    f["p50"],
                    f["p99"],
                    f["max"],
                    f["rss_per_client_kb"],
                    f["missing"],
                ]
            )
    print(table(["N", "server", "p50 ms", "p99 ms", "max ms", "RSS KiB/client", "missed"], rows))
    print()
    summary = {}
    for n, fig in out["sizes"].items():
        lq, bl = fig["liveq"], fig["baseline"]
        ratio = lq["p99"] / bl["p99"] if bl["p99"] else 0.0
        summary[n] = ratio
        print(
            f"N={n:,}: ratio liveq/broadcast p99 {ratio:.2f} (target <= {TARGET_RATIO}) "
            f"{'OK' if ratio <= TARGET_RATIO else 'MISSED'}; liveq RSS "
            f"{lq['rss_per_client_kb']:.1f} KiB per client (target < {TARGET_RSS_KB:.0f}) "
            f"{'OK' if lq['rss_per_client_kb'] < TARGET_RSS_KB else 'MISSED'}"
        )
    n = max(out["sizes"])
    lq, bl = out["sizes"][n]["liveq"], out["sizes"][n]["baseline"]
    result = {
        "bench": "fanout",
        "clients": n,
        "trials": args.trials,
        "p50_ms": r(lq["p50"]),
        "p99_ms": r(lq["p99"]),
        "max_ms": r(lq["max"]),
        "baseline_p50_ms": r(bl["p50"]),
        "baseline_p99_ms": r(bl["p99"]),
        "baseline_max_ms": r(bl["max"]),
        "ratio": r(summary[n], 3),
        "rss_per_client_kb": r(lq["rss_per_client_kb"], 1),
        "baseline_rss_per_client_kb": r(bl["rss_per_client_kb"], 1),
        "missed": lq["missing"] + bl["missing"],
        "by_clients": {
            str(k): {
                "p50_ms": r(f["liveq"]["p50"]),
                "p99_ms": r(f["liveq"]["p99"]),
                "baseline_p99_ms": r(f["baseline"]["p99"]),
                "ratio": r(summary[k], 3),
                "rss_per_client_kb": r(f["liveq"]["rss_per_client_kb"], 1),
            }
            for k, f in out["sizes"].items()
        },
        "machine": m,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
