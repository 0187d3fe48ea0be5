"""`liveq serve --workers N`: N processes on one port, each started again if it dies.

Each worker is an ordinary `liveq serve` with ``LIVEQ_WORKER_ID`` set, which
makes it bind with SO_REUSEPORT: the kernel spreads new connections over the
workers. They share the database and, through Redis ([cluster] redis_url), the
changes, the background jobs' leases and the rate limits. The supervisor only
starts, watches and stops them; it serves nothing itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time

from liveq.config import Config

log = logging.getLogger("liveq.workers")
# A worker that dies sooner than this after starting waits longer before the next start.
QUICK_DEATH_SECONDS = 5.0


async def _prepare_store(config: Config) -> None:
    """Open the database once, so migrations run here and not in N racing workers."""
    from liveq.storage.db import Database

    async with Database(config.database_target):
        pass


class Worker:
    def __init__(self, number: int, argv: list[str]) -> None:
        self.number = number
        self.argv = argv
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.quick_deaths = 0
        self.next_start = 0.0

    def start(self) -> None:
        env = {**os.environ, "LIVEQ_WORKER_ID": str(self.number)}
        self.proc = subprocess.Popen(self.argv, env=env)  # noqa: S603 - our own command
        self.started = time.monotonic()
        log.info("worker %d started (pid %d)", self.number, self.proc.pid)

    def check(self) -> None:
        """Start the worker again if it has died (sooner after a slow death)."""
        now = time.monotonic()
        if self.proc is None:
            if now >= self.next_start:
                self.start()
            return
        code = self.proc.poll()
        if code is None:
            return
        self.quick_deaths = self.quick_deaths + 1 if now - self.started < QUICK_DEATH_SECONDS else 0
        delay = min(30.0, 0.5 * 2**self.quick_deaths) if self.quick_deaths else 0.0
        log.warning(
            "worker %d (pid %d) exited with code %s; starting it again in %.1f s",
            self.number,
            self.proc.pid,
            code,
            delay,
        )
        self.proc = None
        self.next_start = now + delay
        if not delay:
            self.start()

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)


def supervise(config: Config, host: str, port: int, count: int) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(_prepare_store(config))
    argv = [sys.executable, "-m", "liveq", "serve", "--config", str(config.path)]
    argv += ["--host", host, "--port", str(port)]
    workers = [Worker(n, argv) for n in range(1, count + 1)]
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for worker in workers:
        worker.start()
    print(
        f"liveq serving on http://{host}:{port} with {count} workers; links and the QR code "
        f"say {config.server.public_url} (Ctrl-C to stop)",
        flush=True,
    )
    while not stopping:
        for worker in workers:
            worker.check()
        time.sleep(0.2)
    log.info("stopping %d workers", count)
    for worker in workers:
        worker.terminate()
    deadline = time.monotonic() + 15
    for worker in workers:
        if worker.proc is None:
            continue
        try:
            worker.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("worker %d did not stop in time; killing it", worker.number)
            worker.proc.kill()
            worker.proc.wait()
    return 0
