"""The background workers as app resources: one cleanup_ctx each.

The workers themselves (``liveq.workers``) know nothing of aiohttp's app; this
module hands them what they need from it and cancels and awaits them on
shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from liveq.networks.bluesky.client import BlueskyClient
from liveq.networks.mastodon.client import MastodonClient
from liveq.web.keys import (
    BLUESKY_SETTINGS,
    CONFIG,
    DB,
    HUB,
    MASTODON_SETTINGS,
    NETWORK_HASHTAGS,
    NETWORK_OUTBOXES,
    OUTBOX,
    PHOTO_CHECKER,
    SCREEN,
    SOCKET_CREDENTIALS,
    X_CLIENT,
    X_POLLERS,
    X_SETTINGS,
)
from liveq.web.socket_credentials import SocketCredentials
from liveq.workers.network_hashtag import NetworkHashtag
from liveq.workers.network_outbox import NetworkOutbox
from liveq.workers.outbox import Outbox
from liveq.workers.photo_check import PhotoChecker
from liveq.workers.x_hashtag import XPollers

log = logging.getLogger(__name__)


async def x_pollers_ctx(app: web.Application) -> AsyncIterator[None]:
    """The hashtag supervisor while X is enabled; every task cancelled and awaited
    on shutdown. Goes after ``x_client_ctx`` (it uses the client)."""
    client = app[X_CLIENT]
    if client is None:
        yield
        return
    sup = XPollers(
        db=app[DB],
        hub=app[HUB],
        client=client,
        settings=app[X_SETTINGS],
        screen=app[SCREEN],
        max_chars=app[CONFIG].limits.max_question_chars,
    )
    app[X_POLLERS] = sup
    sup.start()
    try:
        yield
    finally:
        await sup.close()


def pollers_of(app: web.Application) -> XPollers | None:
    return app.get(X_POLLERS)


async def outbox_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the outbox worker while the app runs (only when X is enabled)."""
    client = app[X_CLIENT]
    if client is None:
        yield
        return
    settings = app[X_SETTINGS]
    outbox = Outbox(
        app[DB],
        app[HUB],
        client,
        settings,
        app[SCREEN],
        interval=settings.outbox_interval_seconds,
    )
    app[OUTBOX] = outbox
    task = asyncio.create_task(outbox.run(), name="liveq-outbox")
    yield
    # Stop between posts: the post in hand gets X's answer (within the request
    # timeout) and is recorded. Only if X does not answer in time is the request
    # cancelled; its row stays 'posting' and the next start looks on X first.
    outbox.stop()
    try:
        await asyncio.wait_for(task, timeout=settings.timeout_seconds + 1)
    except TimeoutError:
        log.warning("outbox: X did not answer in time; the post will be checked at next start")


async def socket_credentials_ctx(app: web.Application) -> AsyncIterator[None]:
    """Moderators' sockets end with their session or token; looked at again every
    ``server.websocket_recheck_seconds``. Goes after ``hub_ctx`` and ``database_ctx``."""
    registry = app[SOCKET_CREDENTIALS] = SocketCredentials(app[HUB])
    task = asyncio.create_task(
        registry.run(app[DB], app[CONFIG].server.websocket_recheck_seconds),
        name="liveq-socket-credentials",
    )
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def networks_ctx(app: web.Application) -> AsyncIterator[None]:
    """Each enabled network other than X: its outbox and its hashtag reader.

    Stopped like the X outbox: between posts, the post in hand recorded."""
    app[NETWORK_OUTBOXES], app[NETWORK_HASHTAGS] = {}, {}
    clients = []
    mastodon = app[MASTODON_SETTINGS]
    if mastodon.enabled:
        clients.append((MastodonClient(mastodon, app[CONFIG].path.parent), mastodon))
    bluesky = app[BLUESKY_SETTINGS]
    if bluesky.enabled:
        clients.append((BlueskyClient(bluesky, app[CONFIG].path.parent), bluesky))
    tasks = []
    for client, settings in clients:
        outbox = NetworkOutbox(
            app[DB],
            app[HUB],
            client,
            settings,
            client.split,
            interval=settings.outbox_interval_seconds,
        )
        app[NETWORK_OUTBOXES][client.name] = outbox
        tasks.append(asyncio.create_task(outbox.run(), name=f"liveq-{client.name}-outbox"))
        reader = NetworkHashtag(
            db=app[DB],
            hub=app[HUB],
            client=client,
            screen=app[SCREEN],
            max_chars=app[CONFIG].limits.max_question_chars,
            interval=settings.poll_interval_seconds,
        )
        app[NETWORK_HASHTAGS][client.name] = reader
        reader.start()
    yield
    for reader in app[NETWORK_HASHTAGS].values():
        await reader.close()
    for outbox in app[NETWORK_OUTBOXES].values():
        outbox.stop()
    for (_, settings), task in zip(clients, tasks, strict=True):
        try:
            await asyncio.wait_for(task, timeout=settings.timeout_seconds + 1)
        except TimeoutError:
            log.warning("outbox: a network did not answer in time; checked at next start")
    for client, _ in clients:
        await client.close()
async def photo_checker_ctx(app: web.Application) -> AsyncIterator[None]:
    """Clean and check procedure photos in a thread pool while the app runs."""
    checker = PhotoChecker(app[DB], app[HUB], rules=app[SCREEN].rules)
    app[PHOTO_CHECKER] = checker
    task = asyncio.create_task(checker.run(), name="liveq-photo-check")
    yield
    await checker.close()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
