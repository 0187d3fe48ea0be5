"""Group commit: write jobs queued by many callers, committed by one task in batches.

Both databases (sqlite in ``db``, PostgreSQL in ``pg``) write this way; they differ only in
how one batch is committed, which each passes in as ``commit``. A caller is answered once
its batch has committed: with its job's result, its job's own error, or the commit's error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

J = TypeVar("J")
MAX_BATCH = 512
# What `commit` gives back for each job of its batch, in order: (True, result) or
# (False, the exception the job raised).
Outcome = tuple[bool, Any]


class WriteQueue(Generic[J]):
    """The queue of write jobs and the one task that commits them."""

    def __init__(self, commit: Callable[[list[J]], Awaitable[list[Outcome]]]) -> None:
        self._commit = commit
        self._queue: asyncio.Queue[tuple[J, asyncio.Future[Any]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="liveq-db-writer")

    async def submit(self, job: J) -> Any:
        """Queue `job`; return its result once its batch has committed."""
        if self._task is None:
            raise RuntimeError("database is not open")
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((job, fut))
        return await fut

    async def stop(self) -> None:
        """Commit what is queued, then end the task."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self._task = None

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self._queue.get_nowait())
            try:
                # A caller that gave up (cancelled) has nothing to write.
                pending = [(job, fut) for job, fut in batch if not fut.done()]
                outcomes = await self._commit([j for j, _ in pending])
                for (_, fut), (ok, value) in zip(pending, outcomes, strict=True):
                    if fut.done():
                        continue
                    if ok:
                        fut.set_result(value)
                    else:
                        fut.set_exception(value)
            except Exception as exc:  # the commit itself failed (disk full, server gone)
                log.exception("database write failed")
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
            finally:
                for _ in batch:
                    self._queue.task_done()
