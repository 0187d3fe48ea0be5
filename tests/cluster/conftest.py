"""Several real `liveq serve` processes on one sqlite file and a real Redis.

Each process listens on its own port, as hosts behind a load balancer would;
a client that loses its process reconnects to the next one, as a browser
behind the balancer would. Every test has its own Redis key namespace, so
tests never see each other's changes or leases.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from liveq.config import Config
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.storage.db import Database
from tests.fixtures_server import MOD_PASSWORD, write_config
from tests.ports import free_port
from tests.system.test_outbox_crash import start_subprocess

SLUG = "grand-rounds"


@pytest.fixture(autouse=True)
async def _tasks_dumped_when_stalled() -> AsyncIterator[None]:
    """A test still running after WATCHDOG seconds prints every task's stack.

    pytest-timeout shows only where the event loop waits (in select); this
    shows which await each task is stuck on.
    """

    async def watch() -> None:
        await asyncio.sleep(float(os.environ.get("LIVEQ_TEST_WATCHDOG", "200")))
        print("\n--- tasks of a stalled test ---", file=sys.stderr)
        for task in asyncio.all_tasks():
            print(repr(task), file=sys.stderr)
            awaited = task.get_coro()
            while awaited is not None:  # the whole chain of awaits, not only the task's frame
                frame = getattr(awaited, "cr_frame", None)
                if frame is not None:
                    code = frame.f_code
                    print(f"  {code.co_filename}:{frame.f_lineno} {code.co_name}", file=sys.stderr)
                awaited = getattr(awaited, "cr_await", None)
        sys.stderr.flush()

    watchdog = asyncio.create_task(watch())
    yield
    watchdog.cancel()
    await asyncio.gather(watchdog, return_exceptions=True)


@pytest.fixture(scope="session")
def redis_url() -> str:
    return os.environ.get("LIVEQ_TEST_REDIS_URL", "redis://127.0.0.1:6379")


@dataclass
class Process:
    port: int
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    config: Config
    token: str = ""  # a moderator's API token
    processes: list[Process] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def start(self, n: int) -> None:
        # Together: make_cluster has applied the migrations already.
        ports = [free_port() for _ in range(n)]
        procs = await asyncio.gather(*(start_subprocess(self.config.path, p) for p in ports))
        self.processes += [Process(port, proc) for port, proc in zip(ports, procs, strict=True)]

    def urls(self) -> list[str]:
        return [p.url for p in self.processes]

    async def health(self, http: aiohttp.ClientSession, process: Process) -> dict:
        async with http.get(f"{process.url}/healthz", headers=self.headers) as resp:
            return await resp.json()

    async def holder(self, http: aiohttp.ClientSession, lease: str) -> Process:
        """The process holding `lease` (waits until one does)."""
        async with asyncio.timeout(15):
            while True:
                for process in self.processes:
                    if process.proc.poll() is None:
                        with contextlib.suppress(aiohttp.ClientError):
                            if lease in (await self.health(http, process))["leases"]:
                                return process
                await asyncio.sleep(0.1)

    def kill(self, process: Process) -> None:
        process.proc.send_signal(signal.SIGKILL)
        process.proc.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.proc.poll() is None:
                process.proc.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.proc.kill()
                process.proc.wait()


async def make_cluster(tmp_path: Path, redis_url: str, **sections: dict) -> Cluster:
    """A config with [cluster] (a fresh namespace), an event, a moderator and a token."""
    sections.setdefault("limits", {}).setdefault("questions_per_minute", 0)
    cluster_section = {
        "redis_url": redis_url,
        "namespace": f"test-{secrets.token_hex(6)}",
        "lease_seconds": 2,
    }
    cluster_section.update(sections.pop("cluster", {}))
    config = write_config(tmp_path, cluster=cluster_section, **sections)
    async with Database(config.database_target) as db:
        await store.create_event(
            db, SLUG, "Grand Rounds", kind="webinar", hashtag="GR26", moderation="post"
        )
        await auth.create_user(db, "alice", MOD_PASSWORD, "moderator")
        await auth.create_user(db, "bob", MOD_PASSWORD, "moderator")
        token = await auth.create_api_token(db, "moderator", label="deck")
    return Cluster(config, token)


@pytest.fixture
async def cluster_factory(tmp_path, redis_url) -> AsyncIterator:
    made: list[Cluster] = []

    async def factory(n: int, **sections: dict) -> Cluster:
        cluster = await make_cluster(tmp_path, redis_url, **sections)
        made.append(cluster)
        await cluster.start(n)
        return cluster

    yield factory
    for cluster in made:
        cluster.stop_all()


class Socket:
    """A page's live connection: reconnects to the next process when its own goes away.

    Keeps what the pages keep (live.js): the questions by id, the newest version
    winning, replaced by every snapshot.
    """

    def __init__(self, urls: list[str], headers: dict[str, str] | None = None) -> None:
        self.urls = urls
        self.headers = headers or {}
        self.at = 0
        self.http = aiohttp.ClientSession()
        self.questions: dict[int, dict] = {}
        self.messages: list[dict] = []
        self.snapshots = 0
        self.refused = 0  # 503s while reconnecting
        self.connected = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def open(self) -> Socket:
        self._task = asyncio.create_task(self._run())
        async with asyncio.timeout(10):
            await self.connected.wait()
        return self

    async def _run(self) -> None:
        while True:
            ws_url = self.urls[self.at].replace("http://", "ws://") + f"/ws/{SLUG}"
            try:
                async with self.http.ws_connect(ws_url, headers=self.headers) as ws:
                    async for msg in ws:
                        self._apply(json.loads(msg.data))
            except aiohttp.WSServerHandshakeError as exc:
                self.refused += exc.status == 503
            except (aiohttp.ClientError, OSError):
                pass
            self.connected.clear()
            # As live.js after any close; here the balancer sends us to the next process.
            self.at = (self.at + 1) % len(self.urls)
            await asyncio.sleep(0.05)

    def _apply(self, msg: dict) -> None:
        self.messages.append(msg)
        if msg["type"] == "snapshot":
            self.snapshots += 1
            self.questions = {q["id"]: q for q in msg["questions"]}
            self.connected.set()
        elif msg["type"] == "question":
            q = msg["question"]
            old = self.questions.get(q["id"])
            if old is None or old["version"] <= q["version"]:
                self.questions[q["id"]] = q
        elif msg["type"] == "question_removed":
            self.questions.pop(msg["id"], None)
        elif msg["type"] == "votes":
            for qid, n in msg["counts"].items():
                if int(qid) in self.questions:
                    self.questions[int(qid)]["votes"] = n

    async def wait_for(self, predicate, timeout: float = 1.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate(self):
                await asyncio.sleep(0.01)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.http.close()


async def ask(http: aiohttp.ClientSession, base: str, text: str, **headers: str) -> int:
    """Through the form's JSON endpoint; the id once the server has acknowledged it."""
    url = f"{base}/e/{SLUG}/questions"
    async with http.post(url, json={"text": text}, headers=headers) as resp:
        assert resp.status == 201, await resp.text()
        return (await resp.json())["id"]


def redis_server_path() -> str:
    found = shutil.which("redis-server")
    assert found, "redis-server is needed (apt-get install redis-server)"
    return found
