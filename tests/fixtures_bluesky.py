"""Fixtures for the local Bluesky emulator: the atproto SDK, unmodified, over HTTPS.

``bluesky_emulator`` serves a fresh :class:`BlueskyState` on 127.0.0.1 and a random
port; ``bluesky_section`` is the [bluesky] config of a liveq pointed at it (the app
password goes in the environment, as in production: the ``bluesky_password`` fixture).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from liveq.emulators.bluesky.server import BlueskyState, RunningBluesky, serve_bluesky
from liveq.networks.bluesky.settings import PASSWORD_ENV
from tests.fixtures_networks import arm, section, serving


@pytest.fixture
def bluesky_state() -> BlueskyState:
    return BlueskyState()


@pytest.fixture
async def bluesky_emulator(
    bluesky_state: BlueskyState, x_emulator_ca, tmp_path_factory
) -> AsyncIterator[RunningBluesky]:
    async with serving(
        serve_bluesky, bluesky_state, x_emulator_ca, tmp_path_factory, "bluesky"
    ) as running:
        yield running


@pytest.fixture
def bluesky_password(bluesky_emulator: RunningBluesky, monkeypatch) -> str:
    monkeypatch.setenv(PASSWORD_ENV, bluesky_emulator.state.app_password)
    return bluesky_emulator.state.app_password


def bluesky_section(emulator: RunningBluesky, **overrides) -> dict:
    return section(
        emulator,
        handle=emulator.state.handle,
        service_url=emulator.base_url,
        **overrides,
    )


def fail_next_bluesky(
    state: BlueskyState, kind: str, endpoint: str = "com.atproto.repo.createRecord", **kw
):
    return arm(state, endpoint, kind, **kw)
