"""What the Mastodon and Bluesky fixtures share (plain helpers, not fixtures).

Each emulator is served over HTTPS with the session's CA on a random port; a
liveq config section points at it with the test's short timeouts and intervals;
a fault is armed on an endpoint for its next requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from liveq.emulators.common import Fault, RunningEmulator


@asynccontextmanager
async def serving(
    serve, state, ca, tmp_path_factory: pytest.TempPathFactory, name: str
) -> AsyncIterator[RunningEmulator]:
    ca_file = tmp_path_factory.mktemp(f"{name}-emulator") / "ca.pem"
    running = await serve("127.0.0.1", 0, state, ca=ca, ca_file=ca_file)
    try:
        yield running
    finally:
        await running.close()


def section(emulator: RunningEmulator, **fields) -> dict:
    """A [mastodon] or [bluesky] table for a liveq pointed at `emulator`."""
    return {
        "enabled": True,
        "ca_file": str(emulator.ca_file),
        "timeout_seconds": 2,
        "outbox_interval_seconds": 0.05,
        "poll_interval_seconds": 0.1,
        **fields,
    }


def arm(state, endpoint: str, kind: str, **kw) -> Fault:
    """Make the emulator fail the next request(s) to `endpoint` with `kind`."""
    fault = Fault(endpoint=endpoint, kind=kind, **kw)
    state.faults.append(fault)
    return fault


async def network_threads(http, server, slug: str = "grand-rounds") -> dict[str, list[dict]]:
    """The console's view of the event's threads on Mastodon and Bluesky, by network."""
    async with http.get(
        f"{server.url}/api/v1/events/{slug}/networks",
        headers={"Authorization": f"Bearer {server.tokens['moderator']}"},
    ) as resp:
        assert resp.status == 200
        return (await resp.json())["networks"]


async def thread_settled(
    http, server, network: str, count: int, slug: str = "grand-rounds", timeout: float = 20
) -> list[dict]:
    """The network's thread once it has `count` posts and none is queued or in flight."""

    async def check():
        posts = (await network_threads(http, server, slug))[network]
        done = len(posts) >= count and all(p["state"] not in ("queued", "posting") for p in posts)
        return posts if done else None

    async with asyncio.timeout(timeout):
        while not (posts := await check()):
            await asyncio.sleep(0.05)
        return posts
