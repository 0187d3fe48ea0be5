"""Fixtures for the local X API emulator and clients that talk to it.

``x_emulator`` serves a fresh :class:`EmulatorState` (``x_state``) over HTTPS on
127.0.0.1 and a random port; ``x_client`` is an :class:`XClient` (tweepy
``AsyncClient`` as ``.api``) pinned to it; ``x_control`` is a plain aiohttp
session for the ``/_emulator/`` endpoints (relative URLs work).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from liveq.emulators.x.server import RunningEmulator, serve_emulator
from liveq.emulators.x.state import EmulatorState
from liveq.networks.tls import EmulatorCA
from liveq.networks.x.client import XClient, create_x_client


@pytest.fixture(scope="session")
def x_emulator_ca() -> EmulatorCA:
    # One CA for the whole run: issuing certificates is the slow part.
    return EmulatorCA()


@pytest.fixture(scope="session")
def x_emulator_ca_file(x_emulator_ca: EmulatorCA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return x_emulator_ca.write_ca_pem(tmp_path_factory.mktemp("x-emulator") / "ca.pem")


@pytest.fixture
def x_state() -> EmulatorState:
    return EmulatorState()


@pytest.fixture
async def x_emulator(
    x_state: EmulatorState, x_emulator_ca: EmulatorCA, x_emulator_ca_file: Path
) -> AsyncIterator[RunningEmulator]:
    running = await serve_emulator(
        "127.0.0.1", 0, x_state, ca=x_emulator_ca, ca_file=x_emulator_ca_file
    )
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture
async def x_client(x_emulator: RunningEmulator) -> AsyncIterator[XClient]:
    async with create_x_client(x_emulator.credentials(), x_emulator.endpoint(timeout=5)) as client:
        yield client


@pytest.fixture
async def x_control(x_emulator: RunningEmulator) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(
        base_url=x_emulator.base_url,
        connector=aiohttp.TCPConnector(ssl=x_emulator.ca.client_ssl_context()),
        timeout=aiohttp.ClientTimeout(total=5),
    ) as session:
        yield session
