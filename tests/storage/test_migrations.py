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


async def test_signed_posts_migration_fills_in_numbers_and_sign_offs(tmp_path, monkeypatch):
    """0008 on a database with a procedure thread under way: posted rows get the
    number X got; scripted rows the sign-off of their text, and only that."""
    path = tmp_path / "liveq.db"
    upto = [m for m in migrations.MIGRATIONS if m[0] < "0008"]
    monkeypatch.setattr(migrations, "MIGRATIONS", upto)
    async with Database(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO events (id, slug, title, kind, moderation, overlay_key, created_at)"
        " VALUES (1, 'knee', 'Knee', 'procedure', 'pre', 'k', 0)"
    )
    outbox = [  # id, seq, kind, text, state
        (1, 1, "script", "Post one.", "posted"),
        (2, 2, "post", "Call 555-201-3344", "skipped"),
        (3, 3, "script", "⚠️ May be graphic. Post two.", "posted"),
        (4, 4, "script", "Post three, edited in the thread.", "queued"),
    ]
    for row in outbox:
        conn.execute(
            "INSERT INTO outbox (id, event_id, seq, kind, text, idempotency_key, state,"
            " created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, 0, 0)",
            (*row[:3], row[3], f"key{row[0]}", row[4]),
        )
    posts = [  # id, text, warning, version, signed_version, outbox_id
        (1, "Post one.", 0, 1, 1, 1),
        (2, "Post two.", 1, 2, 2, 3),
        (3, "Post three.", 0, 1, 1, 4),
    ]
    for pid, text, warning, version, signed, outbox_id in posts:
        conn.execute(
            "INSERT INTO procedure_posts (id, event_id, role, position, text, warning, version,"
            " signed_version, signed_by, signed_at, outbox_id, created_at, updated_at)"
            " VALUES (?, 1, 'script', ?, ?, ?, ?, ?, 'carol', 5, ?, 0, 0)",
            (pid, pid, text, warning, version, signed, outbox_id),
        )
    conn.commit()
    conn.close()
    monkeypatch.undo()
    async with Database(path):
        pass
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT id, thread_number, script_post_id, signed_version, signed_by FROM outbox"
        " ORDER BY id"
    ).fetchall()
    conn.close()
    assert rows == [
        (1, 1, 1, 1, "carol"),
        (2, None, None, None, ""),
        (3, 2, 2, 2, "carol"),
        (4, None, 3, None, ""),  # its text is not what carol signed
    ]
