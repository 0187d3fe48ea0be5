"""The background workers as app resources: one cleanup_ctx each.

The workers themselves (``liveq.workers``) know nothing of aiohttp's app; this
module hands them what they need from it and cancels and awaits them on
shutdown. In a cluster ([cluster] redis_url) each job that must run once
(pollers, outboxes, the photo checker) runs under a lease: every process is
ready to run it, the one holding the lease does (``liveq.cluster.lease``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from liveq.cluster.lease import LeasedJob
from liveq.storage.fences import Fence
from liveq.web.keys import (
    BLUESKY_SETTINGS,
    CLUSTER,
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


def _once(
    app: web.Application, name: str, job: Callable[[Fence | None], Awaitable[None]]
) -> tuple[asyncio.Task[None], LeasedJob | None]:
    """Run `job` here (one process: no fence), or under the lease `name` (a cluster:
    the job gets its holder's fence)."""
    node = app.get(CLUSTER)
    if node is None:
        return asyncio.create_task(job(None), name=f"liveq-{name}"), None  # type: ignore[arg-type]
    lease = node.leased(name, job)
    return asyncio.create_task(lease.run(), name=f"liveq-lease-{name}"), lease


def _started(start: Callable[[Fence | None], None], close: Callable[[], Awaitable[None]]):
    """A job of the start()/close() kind as one coroutine that runs until cancelled;
    start() gets the holder's fence."""

    async def job(fence: Fence | None) -> None:
        start(fence)
        try:
            await asyncio.Event().wait()
        finally:
            await close()

    return job


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _finished(task: asyncio.Task[None], seconds: float) -> bool:
    """Let `task` end by itself within `seconds`; cancel it (and wait) if it does not.
    False when it had to be cancelled."""
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        await _cancel(task)
    return bool(done)


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
    if CLUSTER not in app:
        sup.start()
        try:
            yield
        finally:
            await sup.close()
        return
    task, _ = _once(app, "x-pollers", _started(sup.start, sup.close))
    try:
        yield
    finally:
        await _cancel(task)


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
    task, lease = _once(app, "x-outbox", outbox.run)
    yield
    # Stop between posts: the post in hand gets X's answer (within the request
    # timeout) and is recorded. Only if X does not answer in time is the request
    # cancelled; its row stays 'posting' and the next start looks on X first.
    if lease is not None:
        lease.stop()
    outbox.stop()
    if not await _finished(task, settings.timeout_seconds + 1):
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
        from liveq.networks.mastodon.client import MastodonClient  # only when enabled

        clients.append((MastodonClient(mastodon, app[CONFIG].path.parent), mastodon))
    bluesky = app[BLUESKY_SETTINGS]
    if bluesky.enabled:
        # atproto takes about 3 s to import: every start without Bluesky skips it.
        from liveq.networks.bluesky.client import BlueskyClient

        clients.append((BlueskyClient(bluesky, app[CONFIG].path.parent), bluesky))
    tasks = []
    leases: list[LeasedJob] = []
    readers: list[asyncio.Task[None]] = []
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
        task, lease = _once(app, f"{client.name}-outbox", outbox.run)
        tasks.append(task)
        leases.extend([lease] if lease is not None else [])
        reader = NetworkHashtag(
            db=app[DB],
            hub=app[HUB],
            client=client,
            screen=app[SCREEN],
            max_chars=app[CONFIG].limits.max_question_chars,
            interval=settings.poll_interval_seconds,
        )
        app[NETWORK_HASHTAGS][client.name] = reader
        if CLUSTER in app:
            task, _ = _once(app, f"{client.name}-hashtag", _started(reader.start, reader.close))
            readers.append(task)
        else:
            reader.start()
    yield
    for task in readers:
        await _cancel(task)
    if CLUSTER not in app:
        for reader in app[NETWORK_HASHTAGS].values():
            await reader.close()
    for lease in leases:
        lease.stop()
    for outbox in app[NETWORK_OUTBOXES].values():
        outbox.stop()
    for (_, settings), task in zip(clients, tasks, strict=True):
        if not await _finished(task, settings.timeout_seconds + 1):
            log.warning("outbox: a network did not answer in time; checked at next start")
    for client, _ in clients:
        await client.close()
async def photo_checker_ctx(app: web.Application) -> AsyncIterator[None]:
    """Clean and check procedure photos in a thread pool while the app runs."""
    checker = PhotoChecker(app[DB], app[HUB], rules=app[SCREEN].rules)
    app[PHOTO_CHECKER] = checker
    # Uploads are cleaned on the process that takes them; the queue of photos to
    # check is worked by one.
    task, lease = _once(app, "photo-check", lambda fence: checker.run())
    yield
    if lease is not None:
        lease.stop()
    await checker.close()
    await _cancel(task)
