"""`liveq db copy`: move an sqlite history onto an empty PostgreSQL database, verified.

The sqlite file is first brought to the newest schema (its own migrations), then
every table is copied in one PostgreSQL transaction, ids included, and the
identity counters are moved past them. The copy is verified after the commit: the
same number of rows in every table, and every event's audit hash chain intact on
PostgreSQL with the same head hash as on sqlite.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from liveq.storage import audit
from liveq.storage.db import Database
from liveq.storage.dialect import ID_TABLES, redact_url

# In an order that respects the foreign keys; outbox.script_post_id (which points
# at procedure_posts, which points back at outbox) is filled in after both.
TABLES = (
    "users",
    "sessions",
    "account_links",
    "events",
    "event_logos",
    "api_tokens",
    "questions",
    "votes",
    "x_sources",
    "outbox",
    "procedures",
    "procedure_posts",
    "media_files",
    "procedure_photos",
    "procedure_consents",
    "outbox_pauses",
    "network_posts",
    "network_sources",
    "presenter_timers",
    "backstage_messages",
    "polls",
    "poll_answers",
    "poll_tallies",
    "audit_keys",
    "audit",
)


class CopyError(ValueError):
    """The copy cannot go on; the message says why (cli.main prints it)."""


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)
    chains: dict[int, str] = field(default_factory=dict)  # event id -> head hash, verified

    def lines(self) -> list[str]:
        out = [f"  {table}: {n} rows" for table, n in self.rows.items() if n]
        out.append(f"  audit chains verified on both sides: {len(self.chains)} events")
        return out


async def _heads(db: Database) -> dict[int, str]:
    """Every event's verified audit head; CopyError if a chain is broken."""
    heads = {}
    for row in await db.fetchall("SELECT id FROM events ORDER BY id"):
        verdict = await audit.verify_event(db, row["id"])
        if not verdict.ok:
            raise CopyError(f"event {row['id']}: {verdict.describe()}")
        heads[row["id"]] = verdict.head_hash or ""
    return heads


async def copy_to_postgres(source: Path, url: str) -> CopyReport:
    """Copy the sqlite file `source` into the empty PostgreSQL database at `url`."""
    if not await asyncio.to_thread(source.exists):
        raise CopyError(f"{source}: no such database")
    async with Database(source) as src_db:  # brings the file to the newest schema
        before = await _heads(src_db)
    async with Database(url):  # creates PostgreSQL's schema
        pass
    uri = (await asyncio.to_thread(source.resolve)).as_uri()
    src = sqlite3.connect(uri + "?mode=ro", uri=True)
    dst = await asyncpg.connect(url)
    report = CopyReport()
    try:
        for table in TABLES:
            if await dst.fetchval(f"SELECT count(*) FROM {table}"):  # noqa: S608 (our names)
                raise CopyError(
                    f"{redact_url(url)} already has rows in {table}: copy into an empty database"
                )
        async with dst.transaction():
            for table in TABLES:
                report.rows[table] = await _copy_table(src, dst, table)
            rows = src.execute(
                "SELECT id, script_post_id FROM outbox WHERE script_post_id IS NOT NULL"
            )
            await dst.executemany(
                "UPDATE outbox SET script_post_id = $2 WHERE id = $1", [tuple(r) for r in rows]
            )
            for table in sorted(ID_TABLES - {"audit"}):  # audit ids are chosen by liveq
                await dst.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                    f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
        for table in TABLES:
            (expected,) = src.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            got = await dst.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
            if got != expected:
                raise CopyError(f"{table}: {expected} rows in sqlite but {got} on PostgreSQL")
    finally:
        src.close()
        await dst.close()
    async with Database(url) as pg_db:
        after = await _heads(pg_db)
    if after != before:
        differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        raise CopyError(f"the audit chains differ after the copy for events {differ}")
    report.chains = after
    return report


async def _copy_table(src: sqlite3.Connection, dst: asyncpg.Connection, table: str) -> int:
    types = {
        r["column_name"]: r["data_type"]
        for r in await dst.fetch(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = $1 AND table_schema = current_schema()",
            table,
        )
    }
    columns = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
    missing = set(columns) - set(types)
    if missing:
        raise CopyError(f"{table}: PostgreSQL has no column {sorted(missing)}")
    convert = [_converter(types[c], c if table == "outbox" else "") for c in columns]
    records = [
        tuple(fn(v) for fn, v in zip(convert, row, strict=True))
        for row in src.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
    ]
    if records:
        await dst.copy_records_to_table(table, records=records, columns=columns)
    return len(records)


def _converter(pg_type: str, outbox_column: str):
    """sqlite stores what it is given; PostgreSQL wants each column's own type."""
    if outbox_column == "script_post_id":
        return lambda _v: None  # set after procedure_posts exist
    if pg_type == "text":
        return lambda v: v if v is None or isinstance(v, str) else str(v)
    if pg_type == "double precision":
        return lambda v: None if v is None else float(v)
    if pg_type == "bigint":
        return lambda v: None if v is None else int(v)
    if pg_type == "bytea":
        return lambda v: None if v is None else bytes(v)
    return lambda v: v
