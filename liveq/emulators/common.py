"""What the Mastodon and Bluesky emulators share: fault switches, HTTPS serving.

Both are aiohttp apps served over real TLS (a trustme CA) on 127.0.0.1; a test
or the demo flips a fault on an endpoint for its next requests. Each network's
own error shapes and rate-limit headers stay in its server module.
"""

from __future__ import annotations

import tempfile
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from aiohttp import web

from liveq.networks.tls import EmulatorCA

# Faults every emulator knows: 429 with a reset, a 5xx, the work done and the
# connection closed before the answer, the work done and the answer late.
FAULT_KINDS = ("rate_limit", "server_error", "commit_then_drop", "slow")

TRANSPORTS = web.AppKey("emulator_transports", weakref.WeakSet)


@dataclass
class Fault:
    endpoint: str  # as the emulator names it: "POST /api/v1/statuses", an XRPC NSID
    kind: str
    remaining: int = 1
    reset_after: float = 2.0


@dataclass
class RateWindow:
    """A fixed rate-limit window, counted per request (each network words its headers)."""

    rate_limit: int = 300
    rate_window: float = 300.0
    _window_start: float = field(default_factory=time.time)
    _used: int = 0

    def spend(self) -> tuple[int, float]:
        """Count one request in the window; (remaining, reset epoch)."""
        now = time.time()
        if now - self._window_start >= self.rate_window:
            self._window_start, self._used = now, 0
        self._used += 1
        return max(0, self.rate_limit - self._used), self._window_start + self.rate_window


def take_fault(faults: list[Fault], endpoint: str) -> Fault | None:
    """The first fault armed for `endpoint`, used up by one request."""
    for fault in faults:
        if fault.endpoint == endpoint and fault.remaining > 0:
            fault.remaining -= 1
            if fault.remaining == 0:
                faults.remove(fault)
            return fault
    return None


def fault_switch(
    faults_of: Callable[[web.Application], list[Fault]],
    kinds: tuple[str, ...],
    default_endpoint: str,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """``POST /_emulator/faults`` {kind, endpoint, count, reset_after}: arm a fault.

    A 422 names the kinds this emulator knows (no auth: keep it on 127.0.0.1)."""

    async def control_fault(request: web.Request) -> web.Response:
        body = await request.json()
        kind = str(body.get("kind"))
        if kind not in kinds:
            return web.json_response(
                {"error": f"kind should be one of {', '.join(kinds)}"}, status=422
            )
        faults_of(request.app).append(
            Fault(
                endpoint=str(body.get("endpoint") or default_endpoint),
                kind=kind,
                remaining=int(body.get("count") or 1),
                reset_after=float(body.get("reset_after") or 2.0),
            )
        )
        return web.json_response({"ok": True}, status=201)

    return control_fault


def remember_transport(request: web.Request) -> None:
    """Note the connection, so ``close`` can drop it (see RunningEmulator.close)."""
    transports = request.app.get(TRANSPORTS)
    if request.transport is not None and transports is not None:
        transports.add(request.transport)


S = TypeVar("S")


@dataclass
class RunningEmulator(Generic[S]):
    host: str
    port: int
    state: S
    ca: EmulatorCA
    ca_file: Path
    runner: web.AppRunner

    @property
    def base_url(self) -> str:
        return f"https://{self.host}:{self.port}"

    async def close(self) -> None:
        # Clients' pools may hang up without a TLS close_notify; a graceful TLS
        # shutdown of such a connection outlives the runner. We are going away:
        # drop every connection first.
        app = self.runner.app
        if app is not None:
            for transport in list(app[TRANSPORTS]):
                if not transport.is_closing():
                    transport.abort()
        await self.runner.cleanup()


async def serve_https(
    app: web.Application,
    state: S,
    name: str,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    ca: EmulatorCA | None = None,
    ca_file: str | Path | None = None,
) -> RunningEmulator[S]:
    """Serve `app` on host:port (0: a free port) over HTTPS; its CA written to ca_file."""
    ca = ca or EmulatorCA()
    app[TRANSPORTS] = weakref.WeakSet()
    # handler_cancellation: a client that times out cancels its hanging request.
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, ssl_context=ca.server_ssl_context()).start()
    except BaseException:
        await runner.cleanup()
        raise
    actual = runner.addresses[0][1]
    if ca_file is None:
        ca_file = Path(tempfile.gettempdir()) / f"liveq-{name}-emulator-{actual}-ca.pem"
    return RunningEmulator(host, actual, state, ca, ca.write_ca_pem(ca_file), runner)
