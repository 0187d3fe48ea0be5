"""The database: one writer with group commit, one reader, both aiosqlite.

Every write is a job (an async function given the writer connection). One task
runs queued jobs together in a single ``BEGIN IMMEDIATE`` transaction and one
commit, then answers each job: a caller is told "done" only once its rows are
durable. Batching the commit is what lets ingest keep up with a flood of
questions with ``synchronous=FULL``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from liveq import migrations

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[aiosqlite.Connection], Awaitable[T]]

MAX_BATCH = 512


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves.
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    await conn.execute("PRAGMA busy_timeout = 5000")
    await conn.execute("PRAGMA foreign_keys = ON")
    return conn


class Database:
    """The store's connections and its single writer task."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[tuple[Job[Any], asyncio.Future[Any]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await _connect(self.path)
            await self._writer.execute("PRAGMA journal_mode = WAL")
            # FULL: a question we answered 2xx for survives a power cut, not only a crash.
            await self._writer.execute("PRAGMA synchronous = FULL")
            await migrations.apply(self._writer)
            self._reader = await _connect(self.path)
            await self._reader.execute("PRAGMA query_only = ON")
        except BaseException:
            await self.close()  # an open connection's thread would keep the process alive
            raise
        self._task = asyncio.create_task(self._run(), name="liveq-db-writer")

    async def close(self) -> None:
        """Finish queued writes, then close both connections."""
        if self._task is not None:
            await self._queue.join()
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- writes ---------------------------------------------------------------

    async def write(self, job: Job[T]) -> T:
        """Run `job` in the next group-committed transaction; return once durable."""
        if self._task is None:
            raise RuntimeError("database is not open")
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((job, fut))
        return await fut

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self._queue.get_nowait())
            try:
                await self._commit_batch(batch)
            except Exception as exc:  # the commit itself failed (disk full, I/O error)
                log.exception("database write failed")
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit_batch(self, batch: list[tuple[Job[Any], asyncio.Future[Any]]]) -> None:
        conn = self._writer
        assert conn is not None
        pending = [(job, fut) for job, fut in batch if not fut.done()]
        while pending:
            await conn.execute("BEGIN IMMEDIATE")
            results: list[tuple[asyncio.Future[Any], Any]] = []
            failed: tuple[int, BaseException] | None = None
            for i, (job, fut) in enumerate(pending):
                try:
                    results.append((fut, await job(conn)))
                except Exception as exc:
                    failed = (i, exc)
                    break
            if failed is None:
                await conn.execute("COMMIT")
                for fut, result in results:
                    if not fut.done():
                        fut.set_result(result)
                return
            # A job failed part-way: undo the whole batch, fail that one job, and run
            # the others again in a fresh transaction (jobs read before they write).
            await conn.execute("ROLLBACK")
            index, exc = failed
            fut = pending[index][1]
            if not fut.done():
                fut.set_exception(exc)
            pending = pending[:index] + pending[index + 1 :]

    # -- reads ----------------------------------------------------------------

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        assert self._reader is not None, "database is not open"
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def backup(self, target: Path) -> None:
        """A consistent copy of the live database (SQLite's online backup)."""
        assert self._reader is not None
        dest = await aiosqlite.connect(target)
        try:
            await self._reader.backup(dest)
        finally:
            await dest.close()
