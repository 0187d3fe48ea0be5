"""The audit trail is append-only and hash-chained; `liveq audit verify` finds the first
broken link when someone with the database file changes, adds or removes a row."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from liveq.storage import audit, migrations, store
from liveq.storage.db import Database
from tests.after.test_export import EVENT, run_cli
from tests.fixtures_database import RawConnection
from tests.fixtures_server import bearer
from tests.web.test_moderation_api import act, ask

# Both store engines: the same attacks, the same findings (tests/fixtures_database.py).
pytestmark = pytest.mark.engines("sqlite", "postgresql")


async def moderate_a_little(server, http) -> list[int]:
    q1 = await ask(http, server, "What is the infection risk after a knee replacement?")
    q2 = await ask(http, server, "How long until I can drive?")
    q3 = await ask(http, server, "How long before I can drive?")
    await act(http, server, q1, "edit", {"text": "What is the infection risk after knee surgery?"})
    await act(http, server, q1, "approve")
    await act(http, server, q2, "approve")
    await act(http, server, q3, "merge", {"into": q2})
    await act(http, server, q1, "on_air")
    await act(http, server, q1, "answer", {"answer": "About 1 in 100."})
    await act(http, server, q2, "decline", {"reason": "Covered earlier"})
    rows = await server.db.fetchall("SELECT id FROM audit ORDER BY id")
    return [r[0] for r in rows]


async def verify(capsys, server, *extra: str) -> tuple[int, str]:
    code, out, err = await run_cli(
        capsys, "audit", "verify", EVENT, "--config", str(server.config.path), *extra
    )
    return code, out + err


def attacker(server) -> RawConnection:
    """Someone with the file (or the database's password): they drop the triggers first."""
    conn = RawConnection(server.config.database_target)
    conn.drop_audit_triggers()
    return conn


async def test_an_untouched_trail_verifies_and_prints_its_head(server, http, capsys):
    ids = await moderate_a_little(server, http)
    assert len(ids) == 8
    code, out = await verify(capsys, server)
    assert code == 0, out
    assert f"OK: {len(ids)} audit rows" in out
    anchor = re.search(r"--anchor (\d+:[0-9a-f]{64})", out).group(1)
    assert anchor.startswith(f"{ids[-1]}:")
    code, out = await verify(capsys, server, "--anchor", anchor)
    assert code == 0, out
    # The API shows the same rows as before: before/after as they were written.
    async with http.get(f"{server.url}/api/v1/events/{EVENT}/audit", headers=bearer(server)) as r:
        rows = (await r.json())["audit"]
    assert rows[0]["after"]["text"] == "What is the infection risk after knee surgery?"


async def test_the_database_refuses_to_change_or_delete_audit_rows(server, http):
    ids = await moderate_a_little(server, http)
    conn = RawConnection(server.config.database_target)
    with pytest.raises(conn.refused, match="append-only"):
        conn.execute("UPDATE audit SET actor = 'mallory' WHERE id = ?", (ids[2],))
    with pytest.raises(conn.refused, match="append-only"):
        conn.execute("UPDATE audit SET hash = ? WHERE id = ?", ("0" * 64, ids[2]))
    with pytest.raises(conn.refused, match="append-only"):
        conn.execute("DELETE FROM audit WHERE id = ?", (ids[-1],))
    conn.close()


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ("UPDATE audit SET actor = 'mallory' WHERE id = {row}", "changed after it was written"),
        ("UPDATE audit SET at = at - 3600 WHERE id = {row}", "changed after it was written"),
        (
            # The last row: no next row to tell a changed field from a changed hash.
            "UPDATE audit SET after = replace(after, 'Covered earlier', 'Rude') WHERE id = {row}",
            "does not match its hash",
        ),
        ("UPDATE audit SET hash = NULL WHERE id = {row}", "has no hash"),
        ("DELETE FROM audit WHERE id = {row}", "removed or inserted"),
    ],
)
async def test_altering_one_row_is_found_with_its_id(server, http, capsys, change, expect):
    ids = await moderate_a_little(server, http)
    decline = ids[-1]  # the decline row, with its reason
    row = decline if "Covered" in change else ids[3]
    conn = attacker(server)
    conn.execute(change.format(row=row))
    conn.close()
    code, out = await verify(capsys, server)
    assert code == 3, out
    # A removed row shows where the chain no longer meets: at the row after it.
    broken = ids[4] if change.startswith("DELETE") else row
    assert f"BROKEN at row {broken}:" in out
    assert expect in out


async def test_a_rehashed_row_breaks_the_next_link_and_a_rewritten_chain_the_anchor(
    server, http, capsys
):
    ids = await moderate_a_little(server, http)
    code, out = await verify(capsys, server)
    anchor = re.search(r"--anchor (\d+:[0-9a-f]{64})", out).group(1)
    event = await store.get_event(server.db, EVENT)
    key = await server.db.fetchone("SELECT key FROM audit_keys WHERE scope = ?", (event.id,))
    conn = attacker(server)
    # A careful attacker recomputes the changed row's hash (the key is in the file too).
    target = dict(conn.execute("SELECT * FROM audit WHERE id = ?", (ids[1],))[0])
    target["actor"] = "mallory"
    digest = audit.row_hash(target, target["prev_hash"], bytes(key[0]))
    conn.execute("UPDATE audit SET actor = 'mallory', hash = ? WHERE id = ?", (digest, ids[1]))
    code, out = await verify(capsys, server)
    assert code == 3 and f"BROKEN at row {ids[2]}:" in out
    assert f"row {ids[1]} was changed and given a new hash" in out

    # ... and one who rewrites every hash after it leaves a chain that holds together,
    # which only a head recorded elsewhere (the report, a printout) gives away.
    prev = digest
    for rid in ids[2:]:
        row = dict(conn.execute("SELECT * FROM audit WHERE id = ?", (rid,))[0])
        digest = audit.row_hash(row, prev, bytes(key[0]))
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, rid))
        prev = digest
    conn.close()
    code, out = await verify(capsys, server)
    assert code == 0, out
    code, out = await verify(capsys, server, "--anchor", anchor)
    assert code == 3 and f"BROKEN at row {ids[-1]}:" in out and "rewritten" in out


async def test_rows_written_around_the_chain_are_sealed_by_the_next_action(server, http, capsys):
    q = await ask(http, server)
    await act(http, server, q, "approve")
    # A row written around the chain (a plain INSERT, as older code or a tool might).
    conn = RawConnection(server.config.database_target)
    conn.execute(
        "INSERT INTO audit (event_id, question_id, actor, action, at, before, after, detail)"
        " VALUES (?, NULL, 'alice', 'x_source_pause', ?, ?, ?, '') RETURNING id",
        (
            server.event.id,
            1_800_000_000.0,
            json.dumps({"paused": False}),
            json.dumps({"paused": True}),
        ),
    )
    conn.close()
    code, out = await verify(capsys, server)
    assert code == 3 and "has no hash" in out
    await act(http, server, q, "star")
    code, out = await verify(capsys, server)
    assert code == 0 and "OK: 3 audit rows" in out, out


@pytest.mark.engines("sqlite")  # sqlite files from before migration 0005
async def test_rows_from_before_the_chain_are_sealed_in_order(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    before = [m for m in migrations.MIGRATIONS if m[0] != "0005_audit_chain"]
    monkeypatch.setattr(migrations, "MIGRATIONS", before)
    async with Database(path) as db:
        event = await store.create_event(
            db, "old", "Old event", kind="webinar", hashtag="", moderation="pre"
        )
        question = await store.insert_question(
            db, event, store.NewQuestion("An old question?"), store.Status.PENDING
        )

    # As liveq wrote audit rows before the chain.
    conn = sqlite3.connect(path)
    for n, action in enumerate(["star", "approve"]):
        conn.execute(
            "INSERT INTO audit (event_id, question_id, actor, action, at, before, after, detail)"
            " VALUES (?, ?, 'alice', ?, ?, ?, ?, '')",
            (event.id, question.id, action, 1_700_000_000.0 + n, json.dumps({"x": n}), None),
        )
    conn.commit()
    conn.close()
    monkeypatch.undo()

    async with Database(path) as db:
        verdict = await audit.verify_event(db, event.id)
        assert not verdict.ok and verdict.broken_id == 1  # not sealed yet
        await store.moderate(db, event, question.id, store.Moderation("approve", "bob"))
        verdict = await audit.verify_event(db, event.id)
        assert verdict.ok and verdict.rows == 3, verdict
        rows = await db.fetchall("SELECT id, prev_hash, hash FROM audit ORDER BY id")
    assert rows[0]["prev_hash"] == audit.GENESIS
    assert [r["prev_hash"] for r in rows[1:]] == [r["hash"] for r in rows[:-1]]
