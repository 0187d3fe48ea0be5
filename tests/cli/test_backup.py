"""`liveq backup FILE` copies the database consistently while the server takes questions."""

import asyncio
import hashlib
import sqlite3
import sys

import aiohttp
import pytest

from tests.fixtures_server import start_server, write_config


def stamped(n: int) -> str:
    """A question text that carries its own checksum, so a torn row would show."""
    body = f"Question {n} about recovery after knee surgery"
    return f"{body} #{hashlib.sha256(body.encode()).hexdigest()[:12]}"


def whole(text: str) -> bool:
    body, _, digest = text.rpartition(" #")
    return hashlib.sha256(body.encode()).hexdigest()[:12] == digest


# The sqlite file's online backup; PostgreSQL's (pg_dump) is in tests/storage.
@pytest.mark.engines("sqlite")
async def test_backup_while_questions_flow_in(tmp_path):
    server = await start_server(write_config(tmp_path, limits={"questions_per_minute": 0}))
    acked: list[int] = []
    stop = asyncio.Event()

    async def asker(worker: int, http: aiohttp.ClientSession) -> None:
        n = worker * 100_000
        while not stop.is_set():
            n += 1
            async with http.post(
                f"{server.url}/e/grand-rounds/questions", json={"text": stamped(n)}
            ) as resp:
                assert resp.status == 201, await resp.text()
                acked.append((await resp.json())["id"])

    target = tmp_path / "backups" / "copy.db"
    target.parent.mkdir()
    try:
        async with aiohttp.ClientSession() as http:
            askers = [asyncio.create_task(asker(w, http)) for w in range(8)]
            while len(acked) < 100:
                await asyncio.sleep(0.01)
            before = set(acked)
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "liveq", "backup", str(target),
                "--config", str(server.config.path),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, err = await asyncio.wait_for(proc.communicate(), 30)
            during = len(acked) - len(before)
            stop.set()
            await asyncio.gather(*askers)
        assert proc.returncode == 0, err.decode()
        assert "integrity ok" in out.decode()
        assert during > 0, "no question arrived while the backup ran"
        final = {r[0] for r in await server.db.fetchall("SELECT id FROM questions")}
    finally:
        await server.stop()

    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = copy.execute("SELECT id, text FROM questions").fetchall()
        events = copy.execute("SELECT slug FROM events").fetchall()
    finally:
        copy.close()
    ids = {r[0] for r in rows}
    assert events == [("grand-rounds",)]
    assert before <= ids, "a question answered 201 before the backup is missing"
    # One snapshot: exactly the questions committed up to some moment, every one whole.
    assert ids == {i for i in final if i <= max(ids)}
    assert all(whole(text) for _, text in rows)
    assert len(ids) < len(final)
    assert not list(tmp_path.glob("backups/*.partial"))

    # A second run refuses to overwrite the copy.
    again = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "liveq", "backup", str(target), "--config", str(server.config.path),
        stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    _, err = await asyncio.wait_for(again.communicate(), 30)
    assert again.returncode == 1 and "already exists" in err.decode()
