"""`liveq serve --workers N`: N processes on one port, a dead one started again."""

import asyncio
import os
import signal
import subprocess
import sys

import aiohttp
import pytest

from tests.fixtures_server import write_config
from tests.ports import free_port


def serve(config_path, port: int, workers: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEQ_")}
    with open(config_path.parent / "server.log", "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "liveq", "serve", "--config", str(config_path)]
            + ["--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


async def answering(base: str, headers: dict, n: int = 40) -> dict[int, str]:
    """pid -> worker id of the processes that answered n fresh connections."""
    seen: dict[int, str] = {}
    connector = aiohttp.TCPConnector(force_close=True)  # a new connection each time
    async with aiohttp.ClientSession(connector=connector) as http:
        for _ in range(n):
            try:
                async with http.get(f"{base}/healthz", headers=headers) as resp:
                    if resp.status == 200:
                        body = await resp.json()
                        seen[body["pid"]] = body["worker"]
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    return seen


@pytest.mark.engines("sqlite", "postgresql")
async def test_workers_share_one_port_and_a_dead_one_is_started_again(cluster_factory, db_engine):
    cluster = await cluster_factory(0)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve(cluster.config.path, port, 2)
    try:
        async with asyncio.timeout(30):
            while len(seen := await answering(base, cluster.headers, 10)) < 2:
                await asyncio.sleep(0.1)
        assert sorted(seen.values()) == ["1", "2"]
        victim = next(iter(seen))
        os.kill(victim, signal.SIGKILL)
        async with asyncio.timeout(30):
            while True:
                now = await answering(base, cluster.headers, 20)
                if len(now) == 2 and victim not in now:
                    break
                await asyncio.sleep(0.1)
        assert sorted(now.values()) == ["1", "2"]
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(proc.wait, 20)
    assert code == 0
    for pid in now:  # the workers went with their supervisor
        assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read()


async def test_more_than_one_worker_needs_redis(tmp_path):
    config = write_config(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEQ_")}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "liveq", "serve", "--config", str(config.path), "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert "--workers 2 needs [cluster] redis_url" in done.stderr
