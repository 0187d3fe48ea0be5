"""The database: one writer with group commit, one reader.

Every write is a job (an async function given the writer connection). One task
collects queued jobs and hands the whole batch to the writer's own thread, which
runs them in a single ``BEGIN IMMEDIATE`` transaction and one commit; then each
job's caller is answered: a caller is told "done" only once its rows are
durable. Batching the commit is what lets ingest keep up with a flood of
questions with ``synchronous=FULL``.

A batch costs one hop between the event loop and the writer thread, however
many jobs and statements it holds. (Awaiting each statement through aiosqlite
cost one hop, so one turn of a busy event loop, per statement: under load the
writer spent its time waiting for the loop, and ingest ran at a fifth of a bare
handler's rate.) So a job may await only its connection (``execute``,
``execute_fetchall``, ``executemany``); awaiting anything else is a bug and fails
the job. Reads go through a separate aiosqlite connection.

``Database("postgresql://...")`` opens the same interface on PostgreSQL instead
(:mod:`liveq.storage.pg`); ``Database(path)`` is sqlite, the default.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from liveq.storage import migrations
from liveq.storage.dialect import is_postgres_url
from liveq.storage.group_commit import WriteQueue

T = TypeVar("T")
# Jobs are typed against aiosqlite's connection; they are given a WriterConnection,
# which offers the same awaitable execute / execute_fetchall / executemany.
Job = Callable[[aiosqlite.Connection], Awaitable[T]]


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves.
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    await conn.execute("PRAGMA busy_timeout = 5000")
    await conn.execute("PRAGMA foreign_keys = ON")
    return conn


class WriterCursor:
    """What ``await conn.execute(...)`` gives a job: rowcount, lastrowid, the rows."""

    __slots__ = ("_cursor", "rowcount", "lastrowid")

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        self.lastrowid = cursor.lastrowid

    async def fetchone(self) -> sqlite3.Row | None:
        return self._cursor.fetchone()

    async def fetchall(self) -> list[sqlite3.Row]:
        return self._cursor.fetchall()


class WriterConnection:
    """The writer's sqlite3 connection behind aiosqlite's awaitable interface.

    Its methods never suspend: they run on the writer thread, inside the batch.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.raw = conn

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> WriterCursor:
        return WriterCursor(self.raw.execute(sql, tuple(parameters)))

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return self.raw.execute(sql, tuple(parameters)).fetchall()

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> WriterCursor:
        return WriterCursor(self.raw.executemany(sql, rows))


def _drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends to its end, here and now."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("a database job awaited something other than its connection")


class Database:
    """The store's connections and its single writer (a task and a thread)."""

    dialect = "sqlite"

    def __new__(cls, target: Path | str) -> Any:
        # One name for both engines, so every caller opens what the config names.
        if is_postgres_url(target):
            from liveq.storage.pg import PgDatabase  # asyncpg is loaded only when used

            return PgDatabase(str(target))
        return super().__new__(cls)

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._writer: WriterConnection | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._reader: aiosqlite.Connection | None = None
        self._writes: WriteQueue[Job[Any]] = WriteQueue(self._commit_in_thread)

    @property
    def label(self) -> str:
        """What to call this database in messages."""
        return str(self.path)

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="liveq-db-writer")
        try:
            self._writer = await self._in_thread(self._open_writer)
            self._reader = await _connect(self.path)
            await self._reader.execute("PRAGMA query_only = ON")
        except BaseException:
            await self.close()  # an open connection's thread would keep the process alive
            raise
        self._writes.start()

    def _open_writer(self) -> WriterConnection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a question we answered 2xx for survives a power cut, not only a crash.
            conn.execute("PRAGMA synchronous = FULL")
            writer = WriterConnection(conn)
            _drive(migrations.apply(writer))  # type: ignore[arg-type]
        except BaseException:
            conn.close()
            raise
        return writer

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        assert self._thread is not None
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    async def close(self) -> None:
        """Finish queued writes, then close both connections."""
        await self._writes.stop()
        if self._reader is not None:
            await self._reader.close()
        if self._writer is not None:
            await self._in_thread(self._writer.raw.close)
        if self._thread is not None:
            self._thread.shutdown(wait=True)
        self._reader = self._writer = self._thread = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- writes ---------------------------------------------------------------

    async def write(self, job: Job[T]) -> T:
        """Run `job` in the next group-committed transaction; return once durable."""
        return await self._writes.submit(job)

    async def _commit_in_thread(self, jobs: list[Job[Any]]) -> list[tuple[bool, Any]]:
        # One hop to the writer thread per batch, however many jobs it holds.
        return await self._in_thread(self._commit_batch, jobs)

    def _commit_batch(self, jobs: list[Job[Any]]) -> list[tuple[bool, Any]]:
        """On the writer thread: run the jobs in one transaction; (ok, result or error) each."""
        writer = self._writer
        assert writer is not None
        conn = writer.raw
        outcomes: list[tuple[bool, Any] | None] = [None] * len(jobs)
        todo = list(range(len(jobs)))
        try:
            while todo:
                conn.execute("BEGIN IMMEDIATE")
                results: list[tuple[int, Any]] = []
                failed: tuple[int, BaseException] | None = None
                for i in todo:
                    try:
                        results.append((i, _drive(jobs[i](writer))))  # type: ignore[arg-type]
                    except Exception as exc:
                        failed = (i, exc)
                        break
                if failed is None:
                    conn.execute("COMMIT")
                    for i, result in results:
                        outcomes[i] = (True, result)
                    break
                # A job failed part-way: undo the whole batch, fail that one job, and run
                # the others again in a fresh transaction (jobs read before they write).
                conn.execute("ROLLBACK")
                index, exc = failed
                outcomes[index] = (False, exc)
                todo.remove(index)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return [o if o is not None else (False, RuntimeError("job not run")) for o in outcomes]

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
