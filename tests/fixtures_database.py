"""The store's engines for the tests: sqlite files and fresh PostgreSQL databases.

A test (or module, with ``pytestmark``) marked ``@pytest.mark.engines("sqlite",
"postgresql")`` runs once per engine: its ``db_engine`` is the engine's name, and
``db_target`` and every config that tests/fixtures_server.py's ``write_config`` writes
without a [database] section of its own follow it. Every PostgreSQL database a test
gets is its own, created from scratch and dropped after the test.

The server is LIVEQ_TEST_POSTGRES_URL (scripts/test starts a throwaway one where the
machine runs none), by default the local server at 127.0.0.1:5432.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from liveq.storage.dialect import to_postgres

POSTGRES_URL = os.environ.get(
    "LIVEQ_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("LIVEQ_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "engines(*names): run the test on each named store engine (db_engine)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("engines")
    if marker is not None and "db_engine" in metafunc.fixturenames:
        metafunc.parametrize("db_engine", marker.args)


def _run(coro_fn, *args):
    """Run an asyncpg coroutine to its end on a loop of its own (from sync fixtures)."""
    result: list = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro_fn(*args)))
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0] if result else None


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database() -> str:
    """A new, empty PostgreSQL database; its URL."""
    name = f"liveq_test_{uuid.uuid4().hex[:16]}"
    _run(_admin, f'CREATE DATABASE "{name}"')
    return with_database(POSTGRES_URL, name)


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    # FORCE: a test that failed may have left a connection open.
    _run(_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_engine() -> str:
    """The store engine of this test run (parametrized by the engines marker).

    Unmarked tests run on sqlite, or on what LIVEQ_TEST_ENGINE names: with
    LIVEQ_TEST_ENGINE=postgresql every server test of the suite runs on PostgreSQL.
    """
    return os.environ.get("LIVEQ_TEST_ENGINE", "sqlite")


# The engine of the test that is running, and the databases it was given (by folder).
_current: dict[str, object] = {"engine": "sqlite", "made": {}}


@pytest.fixture(autouse=True)
def _engine_of_this_test(db_engine: str) -> Iterator[None]:
    made: dict[Path, str] = {}
    _current.update(engine=db_engine, made=made)
    yield
    _current.update(engine="sqlite", made={})
    for url in made.values():
        drop_database(url)


def database_for_this_test(directory: Path) -> str | None:
    """If this test runs on PostgreSQL, the database of the config in `directory`.

    Like the sqlite file there (liveq.db), it is made fresh the first time and the
    same one after: a config rewritten in the same folder names the same database.
    """
    if _current["engine"] != "postgresql":
        return None
    made: dict[Path, str] = _current["made"]  # type: ignore[assignment]
    key = directory.resolve()
    if key not in made:
        made[key] = create_database()
    return made[key]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test, dropped after it."""
    url = create_database()
    yield url
    drop_database(url)


@pytest.fixture
def db_target(db_engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """What Database() opens in this run: an sqlite file or a fresh PostgreSQL database."""
    if db_engine == "postgresql":
        return request.getfixturevalue("postgres_url")
    return tmp_path / "liveq.db"


class RawConnection:
    """Someone with direct access to the database, past liveq: an sqlite3-like handle on
    either engine (autocommit; rows read by index or name, as sqlite3.Row). `refused` is
    the error the engine raises when its triggers refuse a statement."""

    def __init__(self, target: Path | str) -> None:
        self.url = target if isinstance(target, str) else None
        self.refused: type[Exception]
        if self.url is None:
            self._sqlite = sqlite3.connect(target, isolation_level=None)
            self._sqlite.row_factory = sqlite3.Row
            self.refused = sqlite3.IntegrityError
        else:
            self.refused = asyncpg.RaiseError

    def execute(self, sql: str, params: tuple = ()) -> list:
        if self.url is None:
            return self._sqlite.execute(sql, params).fetchall()
        return _run(self._pg_execute, to_postgres(sql).sql, params)

    async def _pg_execute(self, sql: str, params: tuple) -> list:
        conn = await asyncpg.connect(self.url)
        try:
            return list(await conn.fetch(sql, *params))
        finally:
            await conn.close()

    def drop_audit_triggers(self) -> None:
        on = "" if self.url is None else " ON audit"
        for name in ("audit_no_update", "audit_no_delete"):
            self.execute(f"DROP TRIGGER {name}{on}")

    def close(self) -> None:
        if self.url is None:
            self._sqlite.close()
