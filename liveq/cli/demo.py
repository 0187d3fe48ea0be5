"""`liveq demo`: a rehearsal with everything local and a simulated audience.

It writes a throwaway config and database, starts the local X API, Mastodon
and Bluesky emulators and the server, creates the event `demo` with the
hashtag #liveqdemo, and asks, posts and votes the way a real audience does
(see demo_audience.py): a rush, bursts, thinning out; a hundred different
questions, a few awkward ones (markup, emoji, very long, personal details).
Answered questions go out as a thread on each emulated account.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from liveq.cli.demo_audience import simulated_audience
from liveq.config import Config, load_config, render_example
from liveq.emulators.bluesky.server import RunningBluesky, serve_bluesky
from liveq.emulators.mastodon.server import RunningMastodon, serve_mastodon
from liveq.emulators.x.server import RunningEmulator, serve_emulator
from liveq.networks.bluesky.settings import PASSWORD_ENV
from liveq.networks.mastodon.settings import TOKEN_ENV
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.web.app import create_app


@dataclass(frozen=True)
class DemoSetup:
    config: Config
    password: str
    token: str
    overlay_key: str


def _x_section(emulator: RunningEmulator) -> str:
    creds = emulator.credentials()
    return f"""
[x]
# The demo talks to the local X API emulator with its fake keys.
enabled = true
username = "{emulator.state.account.username}"
emulator_port = {emulator.port}
emulator_ca_file = "{emulator.ca_file}"
poll_interval_seconds = 5
read_budget = 500
signature = "Dr. Demo"
disclaimer = "General information, not medical advice."
consumer_key = "{creds.consumer_key}"
consumer_secret = "{creds.consumer_secret}"
access_token = "{creds.access_token}"
access_token_secret = "{creds.access_token_secret}"
bearer_token = "{creds.bearer_token}"
"""


def _mastodon_section(emulator: RunningMastodon) -> str:
    return f"""
[mastodon]
# The demo's local Mastodon emulator; its throwaway token is in {TOKEN_ENV}.
enabled = true
instance_url = "{emulator.base_url}"
ca_file = "{emulator.ca_file}"
poll_interval_seconds = 2
signature = "Dr. Demo"
disclaimer = "General information, not medical advice."
"""


def _bluesky_section(emulator: RunningBluesky) -> str:
    return f"""
[bluesky]
# The demo's local Bluesky emulator; its throwaway app password is in {PASSWORD_ENV}.
enabled = true
handle = "{emulator.state.handle}"
service_url = "{emulator.base_url}"
ca_file = "{emulator.ca_file}"
poll_interval_seconds = 2
signature = "Dr. Demo"
disclaimer = "General information, not medical advice."
"""


async def prepare(
    directory: Path,
    port: int,
    emulator: RunningEmulator | None = None,
    mastodon: RunningMastodon | None = None,
    bluesky: RunningBluesky | None = None,
) -> DemoSetup:
    """Write the demo's config and database, with an admin, a token and the event."""
    path = directory / "liveq.toml"
    text = render_example(secrets.token_urlsafe(32))
    text = (
        text.replace("port = 8080", f"port = {port}", 1)
        # The simulated audience stands behind a pretend proxy on loopback, so each
        # simulated person has an address of their own and the per-IP limit is real.
        .replace("trusted_proxies = []", 'trusted_proxies = ["127.0.0.1"]', 1)
    )
    if emulator is not None:
        text += _x_section(emulator)
    if mastodon is not None:
        text += _mastodon_section(mastodon)
        # The token comes from the environment, as in production: this process's
        # own (the demo's server runs here), and only the emulator's fake token.
        os.environ[TOKEN_ENV] = mastodon.state.token
    if bluesky is not None:
        text += _bluesky_section(bluesky)
        os.environ[PASSWORD_ENV] = bluesky.state.app_password
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    from liveq.storage.db import Database

    password = auth.generate_password()
    async with Database(config.database_target) as db:
        await auth.create_user(db, "admin", password, "admin")
        event = await store.create_event(
            db,
            "demo",
            "Rehearsal: Knee Replacement Q&A",
            kind="webinar",
            hashtag="liveqdemo",
            moderation="pre",
        )
        token = await auth.create_api_token(db, "moderator", label="demo")
    return DemoSetup(config, password, token, event.overlay_key)


@contextlib.asynccontextmanager
async def running_demo(
    directory: Path,
    port: int,
    pace: float,
    *,
    with_x: bool = True,
    with_mastodon: bool = True,
    with_bluesky: bool = True,
) -> AsyncIterator[DemoSetup]:
    emulator = mastodon = bluesky = None
    if with_x:
        emulator = await serve_emulator("127.0.0.1", 0, ca_file=directory / "x-emulator-ca.pem")
    if with_mastodon:
        mastodon = await serve_mastodon(
            "127.0.0.1", 0, ca_file=directory / "mastodon-emulator-ca.pem"
        )
    if with_bluesky:
        bluesky = await serve_bluesky("127.0.0.1", 0, ca_file=directory / "bluesky-emulator-ca.pem")
    setup = await prepare(directory, port, emulator, mastodon, bluesky)
    app = create_app(setup.config)
    runner = web.AppRunner(app, shutdown_timeout=3)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    audience = asyncio.create_task(
        simulated_audience(
            setup.config.server.public_url,
            pace=pace,
            emulator=emulator,
            mastodon=mastodon,
            bluesky=bluesky,
        ),
        name="demo-audience",
    )
    try:
        yield setup
    finally:
        audience.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await audience
        await runner.cleanup()
        if emulator is not None:
            await emulator.close()
        if mastodon is not None:
            await mastodon.close()
            os.environ.pop(TOKEN_ENV, None)
        if bluesky is not None:
            await bluesky.close()
            os.environ.pop(PASSWORD_ENV, None)


def print_welcome(setup: DemoSetup) -> None:
    base = setup.config.server.public_url
    print(
        f"""
liveq demo is running (everything local; Ctrl-C stops it).

  Audience page:   {base}/e/demo
  Moderator:       {base}/mod/demo
                   log in as admin / {setup.password}
  Overlay (OBS):   {base}/overlay/demo?key={setup.overlay_key}
  Presenter view:  {base}/overlay/demo?key={setup.overlay_key}&view=presenter
  API token:       {setup.token}
                   curl -H "Authorization: Bearer {setup.token}" \\
                        {base}/api/v1/events/demo/questions?status=pending

A simulated audience asks by the form and with #liveqdemo on the local X,
Mastodon and Bluesky emulators (a rush at first, in bursts, thinning out;
each of its hundred-odd questions once), and votes for approved questions.
Mark a question answered (key n) and the answer goes out in the live thread
on each network, shown under "Live thread on X", "… on Mastodon" and
"… on Bluesky".
""",
        flush=True,
    )


async def run(port: int, directory: Path | None, pace: float) -> None:
    with contextlib.ExitStack() as stack:
        if directory is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="liveq-demo-")))
        directory.mkdir(parents=True, exist_ok=True)
        async with running_demo(directory, port, pace) as setup:
            print_welcome(setup)
            stop = asyncio.Event()
            # Ctrl-C cancels us; SIGTERM (a service manager, `timeout`) stops as cleanly.
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
            await stop.wait()
