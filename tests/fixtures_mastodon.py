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
from liveq.emulators.mastodon.state import MastodonState
from liveq.networks.mastodon.settings import TOKEN_ENV
from tests.fixtures_networks import arm, section, serving


@pytest.fixture
def mastodon_state() -> MastodonState:
    return MastodonState()


@pytest.fixture
async def mastodon_emulator(
    mastodon_state: MastodonState, x_emulator_ca, tmp_path_factory
) -> AsyncIterator[RunningMastodon]:
    async with serving(
        serve_mastodon, mastodon_state, x_emulator_ca, tmp_path_factory, "mastodon"
    ) as running:
        yield running


@pytest.fixture
def mastodon_token(mastodon_emulator: RunningMastodon, monkeypatch) -> str:
    monkeypatch.setenv(TOKEN_ENV, mastodon_emulator.state.token)
    return mastodon_emulator.state.token


def mastodon_section(emulator: RunningMastodon, **overrides) -> dict:
    return section(emulator, instance_url=emulator.base_url, **overrides)


def fail_next(state: MastodonState, kind: str, endpoint: str = "POST /api/v1/statuses", **kw):
    return arm(state, endpoint, kind, **kw)
