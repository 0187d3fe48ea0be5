"""liveq purge: after it, the database file holds none of the event's texts or personal
data; counts, times, X ids and a verifiable audit trail remain."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from liveq.screening.photos.clean import CleanPhoto
from liveq.storage import procedure, store
from tests.after.test_export import EVENT, build_event, run_cli, serving

# These read the sqlite file's bytes; the purge on PostgreSQL (a dump holds no text
# after it) is tests/storage/test_store_engines.py's.
pytestmark = pytest.mark.engines("sqlite")


@pytest.fixture
async def after_server(tmp_path, x_emulator, x_state):
    async with serving(tmp_path, x_emulator, x_state) as live:
        yield live


def file_bytes(db_path: Path) -> bytes:
    """The database file and whatever WAL is next to it."""
    data = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def forms(text: str) -> list[bytes]:
    """How a text can sit in the file: as typed, and JSON-escaped inside audit rows."""
    return list(dict.fromkeys([text.encode(), json.dumps(text)[1:-1].encode()]))


def leftovers(db_path: Path, secrets: list[str]) -> list[str]:
    data = file_bytes(db_path)
    return [s for s in secrets if any(f in data for f in forms(s))]


def snapshot(db_path: Path) -> dict:
    conn = sqlite3.connect(db_path)
    try:
        return {
            "questions": conn.execute(
                "SELECT id, source, status, votes, merged_into, created_at FROM questions"
                " ORDER BY id"
            ).fetchall(),
            "posts": conn.execute(
                "SELECT seq, state, tweet_id, reply_to, posted_at FROM outbox ORDER BY seq"
            ).fetchall(),
            "audit": conn.execute(
                "SELECT id, actor, action, at, question_id, hash FROM audit ORDER BY id"
            ).fetchall(),
            "voters": [r[0] for r in conn.execute("SELECT voter FROM votes")],
        }
    finally:
        conn.close()


async def test_purge_leaves_no_text_behind_and_keeps_counts_and_the_chain(
    after_server, http, x_state, capsys, monkeypatch
):
    built = await build_event(after_server, http, x_state)
    db_path = after_server.config.database_path
    config = str(after_server.config.path)
    before = snapshot(db_path)
    secrets = [
        *(built.texts[k] for k in built.texts),
        *built.answers.values(),
        *(p["text"] for p in built.posts),
        "Jane Doe",
        "Maria",
        "Sam",
        "kneefan",
        "runner_jo",
        "pat_q",
        "Not a question for the panel",
        "A surgery date, not identifying",
        *before["voters"],
    ]
    assert len(before["voters"]) == 3
    # The search works: before the purge every one of them is in the file.
    assert leftovers(db_path, secrets) == secrets

    # Not confirmed: nothing happens.
    monkeypatch.setattr("builtins.input", lambda prompt: "grand rounds")
    code, out, _ = await run_cli(capsys, "purge", EVENT, "--config", config)
    assert code == 1 and "Not purged" in out
    assert snapshot(db_path) == before

    # Confirmed by typing the event's name, with the server stopped.
    await after_server.stop()
    monkeypatch.setattr("builtins.input", lambda prompt: EVENT)
    code, out, _ = await run_cli(capsys, "purge", EVENT, "--config", config, "--by", "carol")
    assert code == 0, out
    removed = dict(
        (label.strip(), int(n)) for n, label in re.findall(r"^\s+(\d+)  (.+)$", out, re.M)
    )
    assert removed["question texts"] == 10
    assert removed["original texts of edited questions"] == 2  # W1 edited, W3 redacted
    assert removed["answers"] == 4
    assert removed["decline reasons"] == 2
    assert removed["names and X handles"] == 8  # 4 handles, Maria twice, Tom, Sam
    assert removed["network addresses"] == 6  # every web question
    assert removed["links to askers' posts on X"] == 4
    assert removed["voters' ids (the votes still count)"] == 3
    assert removed["thread post texts (their X ids and links are kept)"] == 5
    assert removed["audit rows' personal values (replaced by their digests)"] > 10
    assert "Audit trail: OK" in out and "rebuilt (VACUUM)" in out

    wal = db_path.with_name(db_path.name + "-wal")
    print(
        "DBG",
        leftovers(db_path, secrets),
        wal.exists() and wal.stat().st_size,
        secrets[0].encode() in db_path.read_bytes(),
    )
    assert leftovers(db_path, secrets) == []
    assert not db_path.with_name(db_path.name + "-wal").exists() or (
        db_path.with_name(db_path.name + "-wal").stat().st_size == 0
    )

    after = snapshot(db_path)
    assert after["questions"] == before["questions"]  # counts, votes, merges, times
    assert after["posts"] == before["posts"]  # X ids and the reply chain
    assert after["audit"][:-1] == before["audit"]  # every row, its hash unchanged
    assert after["audit"][-1][1:3] == ("carol", "purge")
    assert after["voters"] == []

    code, out, _ = await run_cli(capsys, "audit", "verify", EVENT, "--config", config)
    assert code == 0 and "OK" in out, out

    # The report still tells the story, without the words.
    report = Path(config).with_name("after.html")
    code, _, _ = await run_cli(capsys, "report", EVENT, "-o", str(report), "--config", config)
    assert code == 0
    html = report.read_text(encoding="utf-8")
    assert 'id="purged"' in html and "(text removed by the purge)" in html
    assert re.search(r'id="fig-participants">7<', html)
    assert re.search(r'id="fig-total">10<', html)
    assert "Intact." in html and "Jane Doe" not in html and "Maria" not in html

    # Again: nothing left to remove, and it says so.
    code, out, _ = await run_cli(capsys, "purge", EVENT, "--yes", "--config", config)
    assert code == 0 and "Audit trail: OK" in out
    assert all(int(n) == 0 for n in re.findall(r"^\s+(\d+)  ", out, re.M))


async def test_purge_of_a_procedure_removes_its_script_photos_and_consent_notes(
    server, capsys, monkeypatch
):
    db = server.db
    event = await store.create_event(
        db,
        "knee-live",
        "Knee replacement, live",
        kind="procedure",
        hashtag="KneeLive",
        moderation="pre",
    )
    # Stored as a cleaned photo is (the marker stands for the picture's pixels).
    photo = CleanPhoto(b"\x89PNG\r\n\x1a\n" + b"PATIENT-KNEE-PHOTO-BYTES" * 20, "image/png", 8, 8)
    post = await procedure.add_post(db, event, "alice", "script", "Dr. Lee makes the first cut.")
    await procedure.add_photo(
        db, event, "alice", post, photo, "The surgeon's gloved hands over the knee"
    )
    # Its check read a name in it: the finding keeps that text until the purge.
    [item] = await procedure.photos_to_check(db)
    read = {"kind": "name", "box": [1, 1, 5, 5], "reason": "a name", "text": "WHITFIELD, ALAN",
            "source": "text"}
    assert await procedure.finish_check(db, item, [read])
    await procedure.add_consent(db, event, "alice", "Patient consent form signed")
    consent = (await procedure.load(db, event)).consents[0].id
    await procedure.set_consent(db, event, "bob", consent, True, "Signed by Mr Alan Whitfield")
    secrets = [
        "Dr. Lee makes the first cut.",
        "The surgeon's gloved hands over the knee",
        "PATIENT-KNEE-PHOTO-BYTES",
        "Mr Alan Whitfield",
        "WHITFIELD, ALAN",
    ]
    db_path = server.config.database_path
    await server.stop()
    assert leftovers(db_path, secrets) == secrets
    code, out, _ = await run_cli(
        capsys, "purge", "knee-live", "--yes", "--config", str(server.config.path)
    )
    assert code == 0, out
    assert re.search(r"^\s+1  procedure script texts$", out, re.M)
    assert re.search(r"^\s+1  photos \(image data\)$", out, re.M)
    assert re.search(r"^\s+1  consent checklist notes$", out, re.M)
    assert "Audit trail: OK" in out
    assert leftovers(db_path, secrets) == []
