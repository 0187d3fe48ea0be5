"""Helpers shared by the liveq benchmarks (scripts/bench_*.py).

Servers under test run as child processes (a real `liveq serve`, or a bare
baseline server from this file), so the load generator never shares a process
or an event loop with the server it measures. Every child is started in its own
process group and stopped by its pid when the benchmark ends, however it ends.

Run directly, this file serves the baselines:
    python scripts/bench_common.py bare-http PORT   # aiohttp handler answering 201, no work
    python scripts/bench_common.py broadcast PORT   # websockets server with broadcast()
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET = "bench-secret-" + "x" * 40


# -- numbers ----------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def r(value: float, digits: int = 2) -> float:
    return round(float(value), digits)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table, right-aligned numbers."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        pairs = enumerate(zip(row, widths, strict=True))
        parts = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs]
        lines.append("  ".join(parts))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def machine() -> dict:
    """What the figures were measured on."""
    mem = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "cpus": os.cpu_count(),
        "mem": mem,
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
    }


# -- processes ----------------------------------------------------------------------


def raise_nofile(wanted: int = 65_536) -> int:
    """Raise this process's open-file limit (children inherit it); return the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    """Resident set size of a process in KiB (VmRSS in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/PID/stat utime + stime)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as uptime prints them."""
    return ", ".join(Path("/proc/loadavg").read_text().split()[:3])


class Child:
    """A server in a child process, stopped by its own pid (never by name)."""

    def __init__(self, name: str, argv: list[str], port: int, log: Path) -> None:
        self.name = name
        self.port = port
        self.log = log
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            argv, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str = "/healthz", timeout: float = 20.0) -> None:
        """Poll until the server answers on `path` (any HTTP status counts as up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=1):  # noqa: S310
                    return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start within {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 20) -> str:
        self._log_file.flush()
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGINT (aiohttp shuts down cleanly, the db writer drains), then SIGKILL."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log_file.close()
        return self.proc.returncode


@contextlib.contextmanager
def children() -> Iterator[list[Child]]:
    """Collects Child servers and stops every one of them on the way out."""
    started: list[Child] = []
    try:
        yield started
    finally:
        for child in reversed(started):
            child.stop()


@contextlib.contextmanager
def workdir(keep: bool = False) -> Iterator[Path]:
    if keep:
        yield Path(tempfile.mkdtemp(prefix="liveq-bench-"))
        return
    with tempfile.TemporaryDirectory(prefix="liveq-bench-") as d:
        yield Path(d)


# -- liveq ----------------------------------------------------------------------------


def write_config(directory: Path, port: int, **sections: dict) -> Path:
    """A liveq.toml for one benchmark: loopback, its own database, given overrides."""
    from liveq.config import dump_toml

    merged: dict[str, dict] = {
        "server": {
            "secret": SECRET,
            "host": "127.0.0.1",
            "port": port,
            "public_url": f"http://127.0.0.1:{port}",
        },
        "database": {"path": "liveq.db"},
    }
    for name, values in sections.items():
        merged.setdefault(name, {}).update(values)
    path = directory / "liveq.toml"
    path.write_text(dump_toml(merged), encoding="utf-8")
    return path


async def setup_event(
    config_path: Path, slug: str, *, moderation: str = "pre", token: bool = True
) -> tuple[object, str]:
    """Create the event and (unless token=False) a moderator API token in the database."""
    from liveq.config import load_config
    from liveq.storage import accounts as auth
    from liveq.storage import store
    from liveq.storage.db import Database

    config = load_config(config_path)
    async with Database(config.database_target) as db:
        event = await store.create_event(
            db, slug, "Benchmark grand rounds", kind="webinar", hashtag="", moderation=moderation
        )
        secret = await auth.create_api_token(db, "moderator", label="bench") if token else ""
    return event, secret


def start_liveq(config_path: Path, port: int, log_dir: Path) -> Child:
    argv = [sys.executable, "-m", "liveq", "serve", "--config", str(config_path)]
    argv += ["--port", str(port)]
    child = Child("liveq", argv, port, log_dir / "liveq.log")
    child.wait_ready("/healthz")
    return child


def cluster_sections(workers: int) -> dict:
    """[cluster] for N > 1 workers: the bench's Redis, a namespace of this cell's own."""
    if workers <= 1:
        return {}
    url = os.environ.get("LIVEQ_BENCH_REDIS_URL", "redis://127.0.0.1:6379")
    return {"cluster": {"redis_url": url, "namespace": f"bench-{secrets.token_hex(6)}"}}


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a supervisor's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        if int(text[text.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def start_workers(config: Path, port: int, workers: int, log_dir: Path, token: str) -> Child:
    """`liveq serve --workers N`, returned once every worker answers /healthz."""
    argv = [sys.executable, "-m", "liveq", "serve", "--config", str(config)]
    argv += ["--port", str(port), "--workers", str(workers)]
    child = Child("liveq", argv, port, log_dir / "liveq.log")
    child.wait_ready("/healthz", timeout=60)
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while len(seen) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(seen)} of {workers} workers answered:\n{child.tail()}")
        request = urllib.request.Request(
            f"{child.url}/healthz", headers={"Authorization": f"Bearer {token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as resp:  # noqa: S310
                seen.add(json.loads(resp.read())["pid"])
        except OSError:
            time.sleep(0.05)
    return child


def start_baseline(kind: str, port: int, log_dir: Path) -> Child:
    argv = [sys.executable, str(HERE / "bench_common.py"), kind, str(port)]
    child = Child(kind, argv, port, log_dir / f"{kind}.log")
    child.wait_ready("/healthz")
    return child


# -- baselines (run in their own process) -------------------------------------------------


def serve_bare_http(port: int) -> None:
    """The ingest baseline: the same route answered 201 by a handler that does nothing."""
    from aiohttp import web

    async def created(request: web.Request) -> web.Response:
        return web.Response(status=201)

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/e/{slug}/questions", created)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def serve_broadcast(port: int) -> None:
    """The fan-out baseline: a minimal websockets server; GET /broadcast calls broadcast()."""
    from websockets.asyncio.server import broadcast, serve
    from websockets.datastructures import Headers
    from websockets.http11 import Response

    server = None
    message = ""

    def process_request(connection, request):
        nonlocal message
        if request.path == "/healthz":
            return Response(200, "OK", Headers([("Content-Length", "2")]), b"ok")
        if request.path.startswith("/broadcast"):
            # /broadcast?MESSAGE (the text arrives URL-quoted)
            from urllib.parse import unquote

            message = unquote(request.path.partition("?")[2])
            broadcast(server.connections, message)
            return Response(200, "OK", Headers([("Content-Length", "2")]), b"ok")
        return None

    async def handler(ws):
        await ws.send('{"type":"snapshot","questions":[]}')
        await ws.wait_closed()

    async def main() -> None:
        nonlocal server
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        loop.add_signal_handler(signal.SIGINT, stop.set_result, None)
        loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
        async with serve(
            handler,
            "127.0.0.1",
            port,
            compression=None,
            process_request=process_request,
            ping_interval=None,
            max_size=4096,
            backlog=1024,
        ) as srv:
            server = srv
            await stop

    asyncio.run(main())


if __name__ == "__main__":
    raise_nofile()
    kind, port_arg = sys.argv[1], int(sys.argv[2])
    {"bare-http": serve_bare_http, "broadcast": serve_broadcast}[kind](port_arg)
