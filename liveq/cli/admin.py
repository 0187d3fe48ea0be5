"""Administrative commands: `liveq backup`, `liveq token list|revoke`, `liveq event rotate-key`."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sqlite3
import time
from pathlib import Path

from liveq.cli.main import cli_actor
from liveq.config import load_config
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.storage.db import Database
from liveq.storage.dialect import is_postgres_url, redact_url
from liveq.storage.pg import dump


class AdminError(ValueError):
    """Shown to the user as one line (cli.main prints ValueErrors)."""


def backup_database(source: Path, target: Path) -> int:
    """Copy a live database with SQLite's online backup API; return its page count.

    The copy is made in one step inside one read transaction, so it is a consistent
    snapshot even while the server writes (WAL lets writers go on meanwhile). It is
    written beside the target and renamed into place only after an integrity check.
    """
    if not source.exists():
        raise AdminError(f"{source}: no such database")
    if target.exists():
        raise AdminError(f"{target} already exists; choose a new file name")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True, timeout=10)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # pages=-1: everything in one step, one snapshot
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            (check,) = dst.execute("PRAGMA integrity_check").fetchone()
            (pages,) = dst.execute("PRAGMA page_count").fetchone()
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise AdminError(f"the copy failed its integrity check: {check}")
    partial.replace(target)
    return pages


def cmd_backup(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    target = Path(args.file)
    if config.database.url:
        if target.exists():
            raise AdminError(f"{target} already exists; choose a new file name")
        try:
            dump(config.database.url, target)
        except RuntimeError as exc:
            raise AdminError(str(exc)) from None
        print(
            f"Backed up {config.database_label} to {target} with pg_dump (custom format; "
            f"restore with: pg_restore --dbname=URL {target})"
        )
        return 0
    pages = backup_database(config.database_path, target)
    print(f"Backed up {config.database_path} to {target} ({pages} pages, integrity ok)")
    return 0


def cmd_db_copy(args: argparse.Namespace) -> int:
    from liveq.storage.copy import copy_to_postgres  # asyncpg only for this command

    config = load_config(args.config)
    if not is_postgres_url(args.to):
        raise AdminError("--to should be a postgresql:// URL")
    source = config.database_path
    report = asyncio.run(copy_to_postgres(source, args.to))
    print(f"Copied {source} to {redact_url(args.to)}:")
    print("\n".join(report.lines()))
    print("Row counts match and every audit chain verifies with the same head on both sides.")
    print(f'To serve from it: set [database] url = "{redact_url(args.to)}" in {config.path}')
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    config = load_config(args.config)

    async def run() -> list[dict]:
        async with Database(config.database_target) as db:
            return await auth.list_api_tokens(db)

    tokens = asyncio.run(run())
    if not tokens:
        print("No API tokens: liveq token create --role moderator --event SLUG")
    for t in tokens:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(t["created_at"]))
        state = "revoked" if t["revoked_at"] else "active"
        scope = t["slug"] or "all events"
        print(f"{t['id']}\t{t['role']}\t{scope}\t{t['label'] or '-'}\t{when}\t{state}")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    config = load_config(args.config)

    async def run() -> None:
        async with Database(config.database_target) as db:
            await auth.revoke_api_token(db, args.id, actor=cli_actor())

    asyncio.run(run())
    print(f"API token {args.id} revoked; it stops working at once.")
    return 0


def cmd_event_rotate_key(args: argparse.Namespace) -> int:
    config = load_config(args.config)

    async def run():
        async with Database(config.database_target) as db:
            event = await store.get_event(db, args.slug)
            if event is None:
                raise AdminError(f"there is no event {args.slug!r}")
            return await store.update_event(db, event, "cli", overlay_key=secrets.token_urlsafe(18))

    event = asyncio.run(run())
    base = config.server.public_url.rstrip("/")
    url = f"{base}/overlay/{event.slug}?key={event.overlay_key}"
    print(f"New overlay URL for {event.slug!r}: {url}")
    print("The old URL is refused within seconds; rotate from the console (or")
    print(f"POST /api/v1/events/{event.slug}/overlay-key) to also close open overlays at once.")
    return 0
