"""The database on PostgreSQL (asyncpg): the same interface as the sqlite one in db.py.

Writes keep sqlite's model, so every store module's read-then-write job stays
correct unchanged: jobs are group-committed, a batch in one transaction, and every
write transaction first takes one transaction-level advisory lock. So writers are
serialised across every process and host on the database, as sqlite's ``BEGIN
IMMEDIATE`` serialises them in one file: a compare-and-set (a question's version),
a sequence number (``max(seq) + 1``) and the audit hash chain (each row holds the
previous row's hash) read what the last committed writer left, and no other writer
can come between the read and the write. Reads run concurrently on a pool.

A job is given a :class:`PgConnection`, which offers what the jobs use of
aiosqlite's connection (``execute`` with a cursor, ``execute_fetchall``,
``executemany``) over SQL written for sqlite, translated by
:mod:`liveq.storage.dialect`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import zlib
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg

from liveq.storage import migrations
from liveq.storage.dialect import redact_url, to_postgres
from liveq.storage.group_commit import WriteQueue

T = TypeVar("T")
Job = Callable[[Any], Awaitable[T]]

POOL_SIZE = 8


class PgCursor:
    """What ``await conn.execute(...)`` gives a job: rowcount, lastrowid, the rows."""

    __slots__ = ("_rows", "rowcount", "lastrowid")

    def __init__(self, rows: list[asyncpg.Record], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> asyncpg.Record | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchall(self) -> list[asyncpg.Record]:
        rows, self._rows = self._rows, []
        return rows


def _status_count(status: str) -> int:
    # "UPDATE 3", "DELETE 0", "INSERT 0 1": the last word is the row count.
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


class PgConnection:
    """An asyncpg connection behind the part of aiosqlite's interface the jobs use."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.raw = conn

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> PgCursor:
        stmt = to_postgres(sql)
        if stmt.skip:
            return PgCursor([], 0, None)
        if stmt.returns_rows:
            rows = list(await self.raw.fetch(stmt.sql, *parameters))
            lastrowid = rows[0]["id"] if stmt.returns_id and rows else None
            return PgCursor([] if stmt.returns_id else rows, len(rows), lastrowid)
        status = await self.raw.execute(stmt.sql, *parameters)
        return PgCursor([], _status_count(status), None)

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] = ()) -> list[Any]:
        return list(await self.raw.fetch(to_postgres(sql).sql, *parameters))

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> PgCursor:
        stmt = to_postgres(sql)
        text = stmt.sql.removesuffix(" RETURNING id") if stmt.returns_id else stmt.sql
        batch = [tuple(r) for r in rows]
        await self.raw.executemany(text, batch)
        return PgCursor([], len(batch), None)


class PgDatabase:
    """The store's PostgreSQL pool and its single writer task (per process)."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = None  # not a file: callers that need one (compact) check dialect
        self._pool: asyncpg.Pool | None = None
        self._writes: WriteQueue[Job[Any]] = WriteQueue(self._commit_batch)
        self._write_lock = 0

    def __repr__(self) -> str:
        return f"PgDatabase({redact_url(self.url)!r})"

    @property
    def label(self) -> str:
        return redact_url(self.url)

    async def open(self) -> None:
        self._pool = await asyncpg.create_pool(self.url, min_size=1, max_size=POOL_SIZE)
        try:
            async with self._pool.acquire() as conn:
                await migrations.apply_postgres(conn)
                # One lock per schema: several liveq databases may share one server.
                schema = await conn.fetchval("SELECT current_database() || '.' || current_schema()")
                self._write_lock = zlib.crc32(f"liveq-write:{schema}".encode())
        except BaseException:
            await self.close()
            raise
        self._writes.start()

    async def close(self) -> None:
        """Finish queued writes, then close the pool."""
        await self._writes.stop()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def __aenter__(self) -> PgDatabase:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- writes ---------------------------------------------------------------

    async def write(self, job: Job[T]) -> T:
        """Run `job` in the next group-committed transaction; return once committed."""
        return await self._writes.submit(job)

    async def _commit_batch(self, jobs: list[Job[Any]]) -> list[tuple[bool, Any]]:
        """Run the jobs in one transaction under the write lock; (ok, result or error) each."""
        assert self._pool is not None
        outcomes: list[tuple[bool, Any] | None] = [None] * len(jobs)
        todo = list(range(len(jobs)))
        async with self._pool.acquire() as raw:
            conn = PgConnection(raw)
            while todo:
                tx = raw.transaction()
                await tx.start()
                try:
                    await raw.execute("SELECT pg_advisory_xact_lock($1)", self._write_lock)
                    results: list[tuple[int, Any]] = []
                    failed: tuple[int, BaseException] | None = None
                    for i in todo:
                        try:
                            results.append((i, await jobs[i](conn)))
                        except Exception as exc:
                            failed = (i, exc)
                            break
                except BaseException:
                    await _rollback(tx)
                    raise
                if failed is None:
                    await tx.commit()
                    for i, result in results:
                        outcomes[i] = (True, result)
                    break
                # A job failed part-way: undo the whole batch, fail that one job, and run
                # the others again in a fresh transaction (jobs read before they write).
                await tx.rollback()
                index, exc = failed
                outcomes[index] = (False, exc)
                todo.remove(index)
        return [o if o is not None else (False, RuntimeError("job not run")) for o in outcomes]

    # -- reads ----------------------------------------------------------------

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[asyncpg.Record]:
        assert self._pool is not None, "database is not open"
        return list(await self._pool.fetch(to_postgres(sql).sql, *params))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> asyncpg.Record | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def backup(self, target: Path) -> None:
        """A consistent copy with pg_dump (custom format: restore with pg_restore)."""
        await asyncio.to_thread(dump, self.url, target)


async def _rollback(tx: asyncpg.transaction.Transaction) -> None:
    try:
        await tx.rollback()
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        pass  # the connection is gone: the server has rolled back already


def dump(url: str, target: Path) -> None:
    """pg_dump the database at `url` to `target` (one snapshot, custom format)."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise RuntimeError(
            "pg_dump is not installed here: install PostgreSQL's client tools (Debian: "
            f"postgresql-client) or run `pg_dump --format=custom {redact_url(url)}` "
            "where they are."
        )
    partial = target.with_name(target.name + ".partial")
    # The password goes in the environment, not on the command line (which `ps` shows).
    parts = urlsplit(url)
    env = dict(os.environ)
    dbname = url
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        dbname = urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", "@")))
    shown = redact_url(url)
    result = subprocess.run(  # noqa: S603 - the URL comes from the operator's config
        [pg_dump, "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={dbname}"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"pg_dump failed: {result.stderr.strip().replace(url, shown)}")
    partial.replace(target)
