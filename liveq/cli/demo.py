"""`liveq demo`: a rehearsal with everything local and a simulated audience.

It writes a throwaway config and database, starts the local X API emulator
and the server, creates the event `demo` with the hashtag #liveqdemo, and
sends questions the way a real audience does, by the web form and by tweets:
a steady trickle, awkward ones (markup, emoji, very long, personal details).
Answered questions go out as a thread on the emulated X account.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import signal
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

from liveq.config import Config, load_config, render_example
from liveq.emulators.x.server import RunningEmulator, serve_emulator
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.web.app import create_app

AUDIENCE_QUESTIONS = [
    ("Maria", "How soon after a knee replacement can I drive?"),
    ("", "Is robotic surgery safer than the traditional kind?"),
    ("Sam", "What does physiotherapy look like in the first two weeks?"),
    ("Priya", "How long does the implant last?"),
    ("", "how long does the implant last??"),
    ("Tom", "Can you explain what the surgeon is doing right now? 🦴"),
    ("", "<script>alert('hi')</script> Is this live?"),
    ("Ana", "¿Hay información en español sobre la recuperación?"),
    ("", "My mother Jane Doe had this done in room 412 on 3/14, call me at 555-201-3344"),
    ("Chris", "What are the signs of an infection after surgery?"),
    ("Lee", "Do I need to stop blood thinners before the operation?"),
    ("", "膝の手術後、どのくらいで歩けますか？"),
    ("Jo", "Is there a miracle cure so I can skip surgery?"),
    ("Dev", "What is the typical hospital stay?"),
    (
        "Pat",
        "I have a long story: "
        + "after years of pain and many appointments, " * 6
        + "is it worth it?",
    ),
]


TWEETS = [
    ("nurse_kim", "Kim RN", "#liveqdemo what is the infection rate for knee replacements?"),
    ("runner_dave", "Dave", "Will I be able to run again after this? #liveqdemo"),
    ("healthwatch", "Health Watch", "#liveqdemo How do you manage pain after surgery?"),
    ("ortho_fan", "Ortho Fan", "#liveqdemo is the surgeon using a robot? 🤖"),
    ("grandma_rose", "Rose", "My hip was done in 2019, is knee recovery similar? #liveqdemo"),
]


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


async def prepare(
    directory: Path, port: int, emulator: RunningEmulator | None = None
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
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    from liveq.storage.db import Database

    password = auth.generate_password()
    async with Database(config.database_path) as db:
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


async def simulated_audience(
    base_url: str,
    *,
    pace: float = 4.0,
    rng: random.Random | None = None,
    emulator: RunningEmulator | None = None,
) -> None:
    """Post questions through the public JSON endpoint, and tweets, until cancelled."""
    rng = rng or random.Random()
    url = f"{base_url}/e/demo/questions"
    async with aiohttp.ClientSession() as session:
        for i in range(10_000):
            if emulator is not None and i % 3 == 2:
                handle, display, tweet = TWEETS[(i // 3) % len(TWEETS)]
                emulator.state.inject_tweet(tweet, author_username=handle, author_name=display)
                await asyncio.sleep(rng.expovariate(1 / pace))
                continue
            name, text = AUDIENCE_QUESTIONS[i % len(AUDIENCE_QUESTIONS)]
            body = {"text": text, "name": name}
            person = {"X-Forwarded-For": f"198.51.100.{i % 250 + 1}"}  # TEST-NET-2
            with contextlib.suppress(aiohttp.ClientError):
                async with session.post(url, json=body, headers=person) as resp:
                    await resp.read()
            # After the first round, people mostly repeat what was asked: slow down.
            first_round = i < len(AUDIENCE_QUESTIONS) + len(TWEETS)
            await asyncio.sleep(rng.expovariate(1 / (pace if first_round else pace * 4)))


@contextlib.asynccontextmanager
async def running_demo(
    directory: Path, port: int, pace: float, *, with_x: bool = True
) -> AsyncIterator[DemoSetup]:
    emulator = None
    if with_x:
        emulator = await serve_emulator("127.0.0.1", 0, ca_file=directory / "x-emulator-ca.pem")
    setup = await prepare(directory, port, emulator)
    app = create_app(setup.config)
    runner = web.AppRunner(app, shutdown_timeout=3)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    audience = asyncio.create_task(
        simulated_audience(setup.config.server.public_url, pace=pace, emulator=emulator),
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

A simulated audience asks every few seconds, by the form and by tweeting
#liveqdemo to the local X emulator. Mark a question answered (key n) and the
answer goes out in the live thread, shown under "Live thread on X".
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
