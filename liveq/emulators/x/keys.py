"""``web.AppKey``s shared by the emulator's API and control routes."""

from __future__ import annotations

import asyncio

from aiohttp import web

from liveq.emulators.x.auth import Authenticator
from liveq.emulators.x.state import EmulatorState

STATE_KEY = web.AppKey("x_emulator_state", EmulatorState)
AUTH_KEY = web.AppKey("x_emulator_auth", Authenticator)
#: Set on shutdown so hanging requests end instead of holding up cleanup.
CLOSING_KEY = web.AppKey("x_emulator_closing", asyncio.Event)
