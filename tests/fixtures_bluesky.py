"""Fixtures for the local Bluesky emulator: the atproto SDK, unmodified, over HTTPS.

``bluesky_emulator`` serves a fresh :class:`BlueskyState` on 127.0.0.1 and a random
port; ``bluesky_section`` is the [bluesky] config of a liveq pointed at it (the app
password goes in the environment, as in production: the ``bluesky_password`` fixture).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from liveq.emulators.bluesky.server import BlueskyState, Fault, RunningBluesky, serve_bluesky
from liveq.networks.bluesky.settings import PASSWORD_ENV


@pytest.fixture
def bluesky_state() -> BlueskyState:
    return BlueskyState()


@pytest.fixture
async def bluesky_emulator(
    bluesky_state: BlueskyState, x_emulator_ca, tmp_path_factory
) -> AsyncIterator[RunningBluesky]:
    ca_file = tmp_path_factory.mktemp("bluesky-emulator") / "ca.pem"
    running = await serve_bluesky("127.0.0.1", 0, bluesky_state, ca=x_emulator_ca, ca_file=ca_file)
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture
def bluesky_password(bluesky_emulator: RunningBluesky, monkeypatch) -> str:
    monkeypatch.setenv(PASSWORD_ENV, bluesky_emulator.state.app_password)
    return bluesky_emulator.state.app_password


def bluesky_section(emulator: RunningBluesky, **overrides) -> dict:
    section = {
        "enabled": True,
        "handle": emulator.state.handle,
        "service_url": emulator.base_url,
        "ca_file": str(emulator.ca_file),
        "timeout_seconds": 2,
        "outbox_interval_seconds": 0.05,
        "poll_interval_seconds": 0.1,
    }
    section.update(overrides)
    return section


def fail_next_bluesky(
    state: BlueskyState, kind: str, endpoint: str = "com.atproto.repo.createRecord", **kw
):
    state.faults.append(Fault(endpoint=endpoint, kind=kind, **kw))
