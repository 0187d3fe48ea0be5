"""Named forward-only migrations on a real sqlite file."""

import sqlite3

import aiosqlite
import pytest

from liveq.storage import migrations
from liveq.storage.db import Database


async def test_fresh_database_gets_every_migration_once(tmp_path):
    path = tmp_path / "liveq.db"
    async with Database(path):
        pass
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY rowid")]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert names == [name for name, _ in migrations.MIGRATIONS]
    assert {"events", "questions", "votes", "audit", "users", "sessions", "api_tokens"} <= tables
    assert mode == "wal"
    # Opening again applies nothing new.
    async with aiosqlite.connect(path) as conn2:
        assert await migrations.apply(conn2) == []


async def test_unknown_migration_from_a_newer_version_refuses(tmp_path):
    path = tmp_path / "liveq.db"
    async with Database(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO migrations VALUES ('9999_from_the_future', 0)")
    conn.commit()
    conn.close()
    with pytest.raises(RuntimeError, match="does not know"):
        async with Database(path):
            pass


async def test_a_failing_migration_leaves_no_trace(tmp_path, monkeypatch):
    path = tmp_path / "liveq.db"
    broken = [*migrations.MIGRATIONS, ("9000_broken", "CREATE TABLE x (a); CREATE TABLE x (a)")]
    monkeypatch.setattr(migrations, "MIGRATIONS", broken)
    with pytest.raises(sqlite3.OperationalError):
        async with Database(path):
            pass
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM migrations")]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert "9000_broken" not in names
    assert "x" not in tables
