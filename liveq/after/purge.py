"""`liveq purge`: remove an event's personal data; keep its counts and its audit skeleton.

Removed: question texts (current and original), answers, decline reasons, the
reasons written on screening findings, names and X handles, links to the
askers' posts and their ids, network addresses, voters' ids (the vote rows; each
question keeps its count), the thread's post texts and errors, a procedure's
script texts, photos (their image data and alt text) and consent notes, and every
personal value in the audit trail (replaced by its digest, so the chain still
verifies; see liveq.storage.audit), then the event's audit key. Kept: the event, each
question's source, status, times, votes and merges, the posts' states, X ids and
links, and every audit row's who, what and when.

The database file must not keep the texts either: the purge runs with
``secure_delete`` on (freed space is overwritten), then the WAL is checkpointed
and truncated and the file is rebuilt with VACUUM (:func:`compact`).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

import aiosqlite

from liveq.after import report_figures
from liveq.domain.events import Event
from liveq.storage import audit
from liveq.storage.db import Database
from liveq.storage.dialect import is_postgres_url


class PurgeError(ValueError):
    """The purge cannot go on; the message says why."""


@dataclass(frozen=True)
class Counts:
    """What a purge removes (or removed)."""

    question_texts: int
    original_texts: int
    answers: int
    decline_reasons: int
    names_and_handles: int
    network_addresses: int
    links_to_askers_posts: int
    votes: int
    post_texts: int
    audit_rows: int
    # Procedure events (liveq.procedure): the script, its photos, the consent notes.
    script_texts: int = 0
    photos: int = 0
    photo_descriptions: int = 0
    consent_notes: int = 0
    # Polls: who answered and the words typed (the counts stay).
    poll_answers: int = 0

    def lines(self) -> list[str]:
        labels = {
            "question_texts": "question texts",
            "original_texts": "original texts of edited questions",
            "answers": "answers",
            "decline_reasons": "decline reasons",
            "names_and_handles": "names and X handles",
            "network_addresses": "network addresses",
            "links_to_askers_posts": "links to askers' posts on X",
            "votes": "voters' ids (the votes still count)",
            "post_texts": "thread post texts (their X ids and links are kept)",
            "audit_rows": "audit rows' personal values (replaced by their digests)",
            "script_texts": "procedure script texts",
            "photos": "photos (image data)",
            "photo_descriptions": "photo descriptions (alt text)",
            "consent_notes": "consent checklist notes",
            "poll_answers": "poll answers: voters' ids and typed words (the counts stay)",
        }
        procedure = (
            "script_texts", "photos", "photo_descriptions", "consent_notes", "poll_answers"
        )
        return [f"{n:>6}  {labels[k]}" for k, n in asdict(self).items() if n or k not in procedure]

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


_COUNT_QUESTIONS = """
SELECT count(*) FILTER (WHERE text != ''),
       count(*) FILTER (WHERE original_text IS NOT NULL AND original_text != ''),
       count(*) FILTER (WHERE answer != ''),
       count(*) FILTER (WHERE decline_reason != ''),
       count(*) FILTER (WHERE author != ''),
       count(*) FILTER (WHERE client_ip != ''),
       count(*) FILTER (WHERE source_id IS NOT NULL OR source_url != '')
FROM questions WHERE event_id = ?
"""


_COUNT_PROCEDURE = """
SELECT (SELECT count(*) FROM procedure_posts WHERE event_id = ? AND text != ''),
       (SELECT count(*) FROM media_files WHERE event_id = ? AND length(data) > 0),
       (SELECT count(*) FROM procedure_photos WHERE alt_text != '' AND post_id IN
           (SELECT id FROM procedure_posts WHERE event_id = ?)),
       (SELECT count(*) FROM procedure_consents WHERE event_id = ? AND note != '')
"""


async def _counts(conn: aiosqlite.Connection, event: Event, audit_rows: int) -> Counts:
    q = list(await conn.execute_fetchall(_COUNT_QUESTIONS, (event.id,)))[0]
    votes = list(
        await conn.execute_fetchall(
            "SELECT count(*) FROM votes WHERE question_id IN"
            " (SELECT id FROM questions WHERE event_id = ?)",
            (event.id,),
        )
    )[0][0]
    posts = list(
        await conn.execute_fetchall(
            "SELECT count(*) FROM outbox WHERE event_id = ? AND (text != '' OR sent_text != '')",
            (event.id,),
        )
    )[0][0]
    procedure = list(await conn.execute_fetchall(_COUNT_PROCEDURE, (event.id,) * 4))[0]
    poll_answers = list(
        await conn.execute_fetchall(
            "SELECT count(*) FROM poll_answers WHERE poll_id IN"
            " (SELECT id FROM polls WHERE event_id = ?)",
            (event.id,),
        )
    )[0][0]
    return Counts(*q, votes, posts, audit_rows, *procedure, poll_answers)  # type: ignore[arg-type]


def _audit_changes(rows: list, key: bytes | None) -> list[tuple[int, dict]]:
    changes = []
    for row in rows:
        try:
            changed = audit.purged_columns(row, key)
        except audit.KeyMissing:
            raise PurgeError(
                f"audit row {row['id']} holds personal values but the event's audit key is "
                "missing, so they cannot be replaced by their digests without breaking the "
                "chain. Run `liveq audit verify` and look into it before purging."
            ) from None
        if changed:
            changes.append((row["id"], changed))
    return changes


def _strip_findings(findings_json: str) -> str:
    """Findings keep their kind, span and who overrode them; the written reasons go."""
    findings = json.loads(findings_json)
    for f in findings:
        if isinstance(f, dict):
            if "reason" in f:
                f["reason"] = ""
            if isinstance(f.get("override"), dict):
                f["override"]["reason"] = ""
    return json.dumps(findings)


async def preview(db: Database, event: Event) -> Counts:
    """What a purge of this event would remove, without removing anything."""

    async def job(conn: aiosqlite.Connection) -> Counts:
        rows = await conn.execute_fetchall(
            "SELECT * FROM audit WHERE event_id = ? ORDER BY id", (event.id,)
        )
        key = await audit.event_key(conn, event.id, create=False)
        return await _counts(conn, event, len(_audit_changes(list(rows), key)))

    return await db.write(job)


async def purge_event(db: Database, event: Event, actor: str) -> Counts:
    """Remove the event's personal data in one transaction; record a `purge` audit row."""

    async def job(conn: aiosqlite.Connection) -> Counts:
        # Freed space is overwritten with zeros rather than left in the file.
        await conn.execute("PRAGMA secure_delete = ON")
        questions = [
            dict(r)
            for r in await conn.execute_fetchall(
                "SELECT id, source, author, client_ip, findings FROM questions WHERE event_id = ?",
                (event.id,),
            )
        ]
        people, unnamed = report_figures.participants(questions)
        # Rows written around the chain get their hash before their values change.
        await audit.seal_pending(conn, event.id)
        rows = list(
            await conn.execute_fetchall(
                "SELECT * FROM audit WHERE event_id = ? ORDER BY id", (event.id,)
            )
        )
        key = await audit.event_key(conn, event.id, create=False)
        changes = _audit_changes(rows, key)
        counts = await _counts(conn, event, len(changes))
        await conn.execute("INSERT INTO audit_purging (scope) VALUES (?)", (event.id,))
        for row_id, changed in changes:
            assignments = ", ".join(f"{column} = ?" for column in changed)
            await conn.execute(
                f"UPDATE audit SET {assignments} WHERE id = ?",  # noqa: S608 - fixed names
                (*changed.values(), row_id),
            )
        await conn.execute("DELETE FROM audit_purging WHERE scope = ?", (event.id,))
        # Without the key, the digests left in the trail cannot be matched to guessed texts.
        await conn.execute("DELETE FROM audit_keys WHERE scope = ?", (event.id,))
        for q in questions:
            await conn.execute(
                "UPDATE questions SET text = '', original_text = CASE WHEN original_text IS NULL"
                " THEN NULL ELSE '' END, author = '', client_ip = '', source_id = NULL,"
                " source_url = '', answer = '', decline_reason = '', moderator_note = '',"
                " asker = '', findings = ? WHERE id = ?",
                (_strip_findings(q["findings"]), q["id"]),
            )
        await conn.execute(
            "DELETE FROM votes WHERE question_id IN (SELECT id FROM questions WHERE event_id = ?)",
            (event.id,),
        )
        posts = await conn.execute_fetchall(
            "SELECT id, findings FROM outbox WHERE event_id = ?", (event.id,)
        )
        for p in posts:
            await conn.execute(
                "UPDATE outbox SET text = '', sent_text = '', error = '', findings = ?"
                " WHERE id = ?",
                (_strip_findings(p["findings"]), p["id"]),
            )
        # The threads on Mastodon (and other networks): the same words as on X.
        await conn.execute(
            "UPDATE network_posts SET text = '', error = '' WHERE event_id = ?", (event.id,)
        )
        # A procedure's script, photos (they may show the patient) and consent notes.
        # A photo's findings hold the text read in it (a name on a wristband).
        await conn.execute(
            "UPDATE procedure_photos SET alt_text = '', findings = '[]' WHERE post_id IN"
            " (SELECT id FROM procedure_posts WHERE event_id = ?)",
            (event.id,),
        )
        await conn.execute("UPDATE procedure_posts SET text = '' WHERE event_id = ?", (event.id,))
        await conn.execute("UPDATE media_files SET data = ? WHERE event_id = ?", (b"", event.id))
        await conn.execute(
            "UPDATE procedure_consents SET note = '' WHERE event_id = ?", (event.id,)
        )
        # A word-cloud answer held back by screening may name a patient; every answer
        # names a browser. The poll's counts (poll_tallies) stay, as votes still count.
        await conn.execute(
            "DELETE FROM poll_answers WHERE poll_id IN (SELECT id FROM polls WHERE event_id = ?)",
            (event.id,),
        )
        # A purged event takes no more questions.
        await conn.execute("UPDATE events SET accepting = 0 WHERE id = ?", (event.id,))
        await audit.append(
            conn,
            event.id,
            None,
            actor,
            "purge",
            None,
            {
                "removed": asdict(counts),
                "questions": len(questions),
                "participants": people,
                "unnamed_web_addresses": unnamed,
            },
        )
        return counts

    return await db.write(job)


# The tables whose purged rows held texts: VACUUM FULL rewrites them on PostgreSQL.
_PURGED_TABLES = (
    "questions",
    "votes",
    "outbox",
    "network_posts",
    "procedure_posts",
    "procedure_photos",
    "media_files",
    "procedure_consents",
    "audit",
)


def compact(target: Path | str) -> bool:
    """Rebuild the database so no removed text is left in it or in its WAL.

    Returns False when another process held the WAL open (stop `liveq serve` and run
    the purge again: it removes nothing more, and compacts). On PostgreSQL the purged
    tables are rewritten (VACUUM FULL), which drops every old row version; the
    server's own WAL and archives age out on the server's schedule (docs/storage.md).
    """
    if is_postgres_url(target):
        asyncio.run(_vacuum_postgres(str(target)))
        return True
    path = Path(target)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # VACUUM writes a fresh copy of every live page; in WAL mode it goes through the
        # WAL, so checkpoint again and truncate the WAL to nothing.
        conn.execute("VACUUM")
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    finally:
        conn.close()
    return busy == 0


async def _vacuum_postgres(url: str) -> None:
    import asyncpg  # only for PostgreSQL

    conn = await asyncpg.connect(url)
    try:
        # VACUUM cannot run in a transaction; FULL writes each table anew.
        await conn.execute(f"VACUUM FULL {', '.join(_PURGED_TABLES)}")
    finally:
        await conn.close()
