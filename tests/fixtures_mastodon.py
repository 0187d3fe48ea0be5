"""Fixtures for the local Mastodon emulator: Mastodon.py, unmodified, talks to it over HTTPS.

``mastodon_emulator`` serves a fresh :class:`MastodonState` on 127.0.0.1 and a
random port, with the session's emulator CA; ``mastodon_section`` is the
[mastodon] config of a liveq pointed at it (the token goes in the environment,
as in production: use the ``mastodon_token`` fixture).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from liveq.emulators.mastodon.server import RunningMastodon, serve_mastodon
from liveq.emulators.mastodon.state import Fault, MastodonState
from liveq.networks.mastodon.settings import TOKEN_ENV


@pytest.fixture
def mastodon_state() -> MastodonState:
    return MastodonState()


@pytest.fixture
async def mastodon_emulator(
    mastodon_state: MastodonState, x_emulator_ca, tmp_path_factory
) -> AsyncIterator[RunningMastodon]:
    ca_file = tmp_path_factory.mktemp("mastodon-emulator") / "ca.pem"
    running = await serve_mastodon(
        "127.0.0.1", 0, mastodon_state, ca=x_emulator_ca, ca_file=ca_file
    )
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture
def mastodon_token(mastodon_emulator: RunningMastodon, monkeypatch) -> str:
    monkeypatch.setenv(TOKEN_ENV, mastodon_emulator.state.token)
    return mastodon_emulator.state.token


def mastodon_section(emulator: RunningMastodon, **overrides) -> dict:
    section = {
        "enabled": True,
        "instance_url": emulator.base_url,
        "ca_file": str(emulator.ca_file),
        "timeout_seconds": 2,
        "outbox_interval_seconds": 0.05,
        "poll_interval_seconds": 0.1,
    }
    section.update(overrides)
    return section


def fail_next(state: MastodonState, kind: str, endpoint: str = "POST /api/v1/statuses", **kw):
    state.faults.append(Fault(endpoint=endpoint, kind=kind, **kw))
