"""The store on both engines: migrations, compare-and-set and the audit chain with
several writers, and on PostgreSQL: the append-only trail, `liveq db copy`,
`liveq backup` and `liveq purge`."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess

import asyncpg
import pytest

from liveq.domain.questions import Status
from liveq.errors import Conflict
from liveq.storage import accounts as auth
from liveq.storage import audit, migrations, store
from liveq.storage.db import Database
from liveq.storage.store import Moderation, NewQuestion
from tests.after.test_export import run_cli
from tests.fixtures_database import create_database, drop_database
from tests.fixtures_server import LiveServer, start_server, write_config
from tests.web.test_moderation_api import act, ask

pytestmark = pytest.mark.engines("sqlite", "postgresql")


async def event_with_questions(db, n: int = 3):
    event = await store.create_event(
        db, "rounds", "Grand Rounds", kind="webinar", hashtag="GR", moderation="pre"
    )
    qs = [
        await store.insert_question(db, event, NewQuestion(f"Question {i}?"), Status.PENDING)
        for i in range(n)
    ]
    return event, qs


async def test_a_fresh_database_gets_every_migration_once(db_target, db_engine):
    async with Database(db_target) as db:
        names = [r["name"] for r in await db.fetchall("SELECT name FROM migrations")]
        event, qs = await event_with_questions(db, 1)
        assert (await store.get_question(db, event, qs[0].id)).text == "Question 0?"
    postgres = db_engine == "postgresql"
    expected = migrations.POSTGRES_MIGRATIONS if postgres else migrations.MIGRATIONS
    assert sorted(names) == sorted(name for name, _ in expected)
    async with Database(db_target) as db:  # opening again applies nothing, keeps the rows
        assert len(await db.fetchall("SELECT name FROM migrations")) == len(names)
        assert await store.count_questions(db, event) == 1


async def test_an_event_name_taken_twice_is_refused_and_the_batch_goes_on(db_target):
    async with Database(db_target) as db:
        first = store.create_event(db, "x", "X", kind="webinar", hashtag="", moderation="pre")
        again = store.create_event(db, "x", "X", kind="webinar", hashtag="", moderation="pre")
        other = store.create_event(db, "y", "Y", kind="webinar", hashtag="", moderation="pre")
        results = await asyncio.gather(first, again, other, return_exceptions=True)
        assert isinstance(results[1], store.AlreadyExists)
        assert [e.slug for e in await store.list_events(db)] == ["x", "y"]


async def test_two_writers_race_on_one_question_and_exactly_one_wins(db_target):
    """Two Database objects (as two processes would have) on one store."""
    async with Database(db_target) as one:
        event, qs = await event_with_questions(one, 1)
        q = qs[0]
        async with Database(db_target) as two:
            results = await asyncio.gather(
                store.moderate(one, event, q.id, Moderation("approve", "alice", q.version)),
                store.moderate(two, event, q.id, Moderation("decline", "bob", q.version)),
                return_exceptions=True,
            )
        wins = [r for r in results if not isinstance(r, BaseException)]
        losses = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(losses) == 1, results
        final = await store.get_question(one, event, q.id)
        assert final.version == q.version + 1
        assert final.status in (Status.APPROVED, Status.DECLINED)


async def test_the_audit_chain_stays_one_chain_with_several_writers(db_target):
    async with Database(db_target) as one:
        event, qs = await event_with_questions(one, 12)
        async with Database(db_target) as two, Database(db_target) as three:
            dbs = [one, two, three]
            jobs = [
                store.moderate(dbs[i % 3], event, q.id, Moderation("approve", f"mod{i % 3}"))
                for i, q in enumerate(qs)
            ]
            jobs += [store.vote(dbs[i % 3], event, qs[0].id, f"v{i}") for i in range(9)]
            results = await asyncio.gather(*jobs[:12])
            assert all(r[0].status is Status.APPROVED for r in results)
            counts = await asyncio.gather(*jobs[12:])
        assert max(counts) == 9
        assert (await store.get_question(one, event, qs[0].id)).votes == 9
        verdict = await audit.verify_event(one, event.id)
        assert verdict.ok, verdict.describe()
        assert verdict.rows == 12


@pytest.mark.engines("postgresql")
async def test_the_audit_trail_refuses_changes_on_postgresql(db_target):
    async with Database(db_target) as db:
        event, qs = await event_with_questions(db, 1)
        await store.moderate(db, event, qs[0].id, Moderation("approve", "alice"))
    conn = await asyncpg.connect(db_target)
    try:
        for sql in (
            "UPDATE audit SET actor = 'mallory'",
            "DELETE FROM audit",
            "TRUNCATE audit",
        ):
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await conn.execute(sql)
        assert await conn.fetchval("SELECT count(*) FROM audit") == 1
    finally:
        await conn.close()


@pytest.mark.engines("postgresql")
async def test_db_copy_moves_an_sqlite_history_and_verifies_it(tmp_path, db_target, capsys, http):
    server = await start_server(write_config(tmp_path, database={"path": "liveq.db"}))
    try:
        ids = [await ask(http, server, "Will question 0 be answered?")]
        for i in range(1, 4):
            new = NewQuestion(f"Will question {i} be answered?", author="Ann", client_ip="10.0.0.9")
            stored = await store.insert_question(server.db, server.event, new, Status.PENDING)
            ids.append(stored.id)
        await act(http, server, ids[0], "approve")
        await act(http, server, ids[1], "edit", {"text": "Edited: will it be answered?"})
        await act(http, server, ids[2], "merge", {"into": ids[1]})
        await store.vote(server.db, server.event, ids[0], "voter-1")
        token = await auth.create_api_token(server.db, "moderator", label="deck")
    finally:
        await server.stop()
    config = str(server.config.path)
    code, out, err = await run_cli(capsys, "db", "copy", "--to", db_target, "--config", config)
    assert code == 0, out + err
    assert "questions: 4 rows" in out and "audit chains verified on both sides: 1" in out
    # The same history, served from PostgreSQL: questions, votes, tokens, a new write.
    (tmp_path / "pg").mkdir()
    pg = LiveServer(write_config(tmp_path / "pg", database={"url": db_target}))
    await pg.start()
    try:
        old = await store.get_event(pg.db, "grand-rounds")
        questions = await store.list_questions(pg.db, old)
        assert [q.id for q in questions] == ids
        assert questions[1].text == "Edited: will it be answered?"
        assert questions[0].votes == 1
        assert (await auth.token_identity(pg.db, token)).role == "moderator"
        qid = await ask(http, pg, "After the move?")  # ids go on past the copied ones
        assert qid > max(ids)
        assert (await audit.verify_event(pg.db, old.id)).ok
    finally:
        await pg.stop()
    # A second copy into the now-used database is refused.
    code, out, err = await run_cli(capsys, "db", "copy", "--to", db_target, "--config", config)
    assert code == 1 and "already has rows" in out + err


@pytest.mark.engines("postgresql")
async def test_backup_uses_pg_dump_and_restores(tmp_path, db_target, capsys, http):
    config = write_config(tmp_path, database={"url": db_target})
    server = await start_server(config)
    try:
        qid = await ask(http, server, "Is the backup complete?")
    finally:
        await server.stop()
    target = tmp_path / "liveq.dump"
    code, out, err = await run_cli(capsys, "backup", str(target), "--config", str(config.path))
    assert code == 0, out + err
    assert "pg_restore" in out
    fresh = create_database()
    try:
        restore = subprocess.run(  # noqa: S603
            [shutil.which("pg_restore"), "--no-owner", f"--dbname={fresh}", str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert restore.returncode == 0, restore.stderr
        async with Database(fresh) as db:
            event = await store.get_event(db, "grand-rounds")
            assert (await store.get_question(db, event, qid)).text == "Is the backup complete?"
            assert (await audit.verify_event(db, event.id)).ok
    finally:
        drop_database(fresh)


@pytest.mark.engines("postgresql")
async def test_purge_on_postgresql_leaves_no_text_in_a_dump(tmp_path, db_target, capsys, http):
    config = write_config(tmp_path, database={"url": db_target})
    server = await start_server(config)
    secret = "Does Dr Zebediah Quill still use the old implant?"
    try:
        qid = await ask(http, server, secret)
        await act(http, server, qid, "approve")
    finally:
        await server.stop()
    code, out, err = await run_cli(
        capsys, "purge", "grand-rounds", "--yes", "--config", str(config.path)
    )
    assert code == 0, out + err
    assert "VACUUM FULL" in out and "chain intact" in out
    dump = subprocess.run(  # noqa: S603
        [shutil.which("pg_dump"), "--data-only", f"--dbname={db_target}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Zebediah" not in dump
    assert "grand-rounds" in dump  # the event itself is kept


@pytest.mark.engines("postgresql")
async def test_postgresql_has_every_table_and_column_sqlite_has(tmp_path, db_target):
    """A migration added for sqlite without its PostgreSQL twin shows up here."""
    async with Database(tmp_path / "liveq.db"), Database(db_target):
        pass
    conn = sqlite3.connect(tmp_path / "liveq.db")
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    sqlite_columns = {(t, r[1]) for t in tables for r in conn.execute(f"PRAGMA table_info({t})")}
    conn.close()
    pg = await asyncpg.connect(db_target)
    try:
        rows = await pg.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        )
    finally:
        await pg.close()
    assert sqlite_columns == {(r["table_name"], r["column_name"]) for r in rows}
