"""A real liveq server on 127.0.0.1 with a real sqlite file or PostgreSQL database."""

from __future__ import annotations

import dataclasses
import re
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from liveq.config import Config, dump_toml, load_config
from liveq.domain.events import Event
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.web.access_log import AccessLogger
from liveq.web.app import create_app
from liveq.web.keys import DB
from tests.fixtures_database import database_for_this_test

SECRET = "test-secret-" + "x" * 40
ADMIN_PASSWORD = "admin-password-123"
MOD_PASSWORD = "moderator-password-123"


def write_config(directory: Path, **sections: dict) -> Config:
    """Write a liveq.toml with the given sections merged over test defaults.

    Without a database section of its own, the store is the test's engine: a sqlite
    file, or a fresh PostgreSQL database (tests/fixtures_database.py).
    """
    url = None if "database" in sections else database_for_this_test(directory)
    merged: dict[str, dict] = {
        "server": {"secret": SECRET},
        "database": {"url": url} if url else {"path": "liveq.db"},
    }
    for name, values in sections.items():
        merged.setdefault(name, {}).update(values)
    path = directory / "liveq.toml"
    path.write_text(dump_toml(merged), encoding="utf-8")
    return load_config(path)


@dataclass
class LiveServer:
    """A liveq app served on a random loopback port; can be stopped and started again."""

    config: Config
    port: int = 0
    app: web.Application | None = None
    runner: web.AppRunner | None = None
    event: Event | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def start(self) -> None:
        sock = None
        if not self.port:
            # Bound first, so public_url (the QR code, the Origin check, the CSP) can
            # name the real port, as `liveq serve` does with its configured one.
            sock = socket.socket()
            # As TCPSite does: a restart on this port must not wait out TIME_WAIT.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
            if "public_url" not in self.config.raw.get("server", {}):
                server = dataclasses.replace(self.config.server, public_url=self.url)
                self.config = dataclasses.replace(self.config, server=server)
        self.app = create_app(self.config)
        # The same access log as `liveq serve`, so tests see what operators would.
        self.runner = web.AppRunner(self.app, shutdown_timeout=2, access_log_class=AccessLogger)
        await self.runner.setup()
        if sock is not None:
            site: web.BaseSite = web.SockSite(self.runner, sock)
        else:
            site = web.TCPSite(self.runner, "127.0.0.1", self.port)
        await site.start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    @property
    def db(self):
        assert self.app is not None
        return self.app[DB]


async def start_server(config: Config, *, slug: str = "grand-rounds") -> LiveServer:
    """A started server with an admin, a moderator ('alice', 'bob'), an event and tokens."""
    server = LiveServer(config)
    await server.start()
    db = server.db
    await auth.create_user(db, "admin", ADMIN_PASSWORD, "admin")
    for name in ("alice", "bob"):
        await auth.create_user(db, name, MOD_PASSWORD, "moderator")
    server.event = await store.create_event(
        db, slug, "Grand Rounds: Knee Surgery Q&A", kind="webinar", hashtag="GR26", moderation="pre"
    )
    server.tokens["moderator"] = await auth.create_api_token(db, "moderator", label="deck")
    server.tokens["admin"] = await auth.create_api_token(db, "admin", label="admin")
    return server


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return write_config(tmp_path)


@pytest.fixture
async def server(config: Config) -> AsyncIterator[LiveServer]:
    live = await start_server(config)
    yield live
    await live.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # unsafe=True keeps cookies for 127.0.0.1 (an IP address) like a browser does.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


def bearer(server: LiveServer, role: str = "moderator") -> dict[str, str]:
    return {"Authorization": f"Bearer {server.tokens[role]}"}


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def form_csrf(http: aiohttp.ClientSession, url: str) -> str:
    """GET a page with a form and return its CSRF token (the cookie lands in the jar)."""
    async with http.get(url) as resp:
        assert resp.status == 200, await resp.text()
        match = _CSRF.search(await resp.text())
    assert match, "no CSRF field in the form"
    return match.group(1)


async def login(http: aiohttp.ClientSession, server: LiveServer, user: str = "alice") -> str:
    """Log in through the real form; return the CSRF token for API calls."""
    token = await form_csrf(http, f"{server.url}/login")
    password = ADMIN_PASSWORD if user == "admin" else MOD_PASSWORD
    async with http.post(
        f"{server.url}/login",
        data={"csrf": token, "username": user, "password": password, "next": "/"},
        allow_redirects=False,
    ) as resp:
        assert resp.status == 303, await resp.text()
    return token


def random_text(n: int = 8) -> str:
    return secrets.token_hex(n)


def x_section(emulator, **overrides) -> dict:
    """The [x] config of a liveq that talks to the test's X emulator."""
    creds = emulator.credentials()
    section = {
        "enabled": True,
        "username": emulator.state.account.username,
        "emulator_port": emulator.port,
        "emulator_ca_file": str(emulator.ca_file),
        "timeout_seconds": 3,
        "consumer_key": creds.consumer_key,
        "consumer_secret": creds.consumer_secret,
        "access_token": creds.access_token,
        "access_token_secret": creds.access_token_secret,
        "bearer_token": creds.bearer_token or "",
    }
    section.update(overrides)
    return section


@pytest.fixture
async def x_server(tmp_path: Path, x_emulator) -> AsyncIterator[LiveServer]:
    """A liveq server with X enabled against the emulator; the event's hashtag is GR26."""
    config = write_config(tmp_path, x=x_section(x_emulator), limits={"questions_per_minute": 0})
    live = await start_server(config)
    yield live
    await live.stop()
