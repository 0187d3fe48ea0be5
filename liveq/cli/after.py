"""After the event: `liveq export`, `liveq report`, `liveq audit verify`, `liveq purge`.

`liveq.cli.main.build_parser` calls :func:`add_after_event_commands`. Errors are raised
as ValueError / NotFound, which `liveq.cli.main.main` prints as one line with exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from liveq.after import export, purge, report
from liveq.cli.main import cli_actor
from liveq.config import Config, load_config
from liveq.domain.events import Event
from liveq.networks.x.settings import XSettings
from liveq.storage import audit, store
from liveq.storage.db import Database

# `liveq audit verify` exits with this when the chain is broken (1: it could not check).
EXIT_BROKEN = 3


def _run(config: Config, slug: str, fn: Callable[[Database, Event], Coroutine[Any, Any, Any]]):
    async def go() -> Any:
        async with Database(config.database_target) as db:
            event = await store.get_event(db, slug)
            if event is None:
                raise store.NotFound(f"there is no event {slug!r} in {config.database_label}")
            return await fn(db, event)

    return asyncio.run(go())


def _post_url(config: Config) -> export.PostUrl:
    # Links to posts need only the account's handle: no X secrets for a report.
    section = config.raw.get("x", {})
    username = section.get("username", "") if isinstance(section, dict) else ""
    return XSettings(username=str(username)).post_url


def _write(path: Path | None, text: str) -> None:
    if path is None:
        sys.stdout.write(text)
        return
    path.write_text(text, encoding="utf-8", newline="")
    print(f"Wrote {path}")


def _paired(path: Path, what: str) -> Path:
    """out.csv -> out.questions.csv / out.posts.csv."""
    return path.with_name(f"{path.stem}.{what}{path.suffix or '.csv'}")


# -- commands -----------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    post_url = _post_url(config)

    async def load(db: Database, event: Event) -> tuple[export.EventData, audit.Verdict]:
        return await export.load(db, event), await audit.verify_event(db, event.id)

    data, verdict = _run(config, args.event, load)
    out = Path(args.output) if args.output else None
    if args.format == "json":
        head = {"row": verdict.head_id, "hash": verdict.head_hash, "intact": verdict.ok}
        _write(out, export.to_json(data, post_url, head))
        return 0
    tables = {
        "questions": lambda: export.questions_csv(data),
        "posts": lambda: export.posts_csv(data, post_url),
        "polls": lambda: export.polls_csv(data),
    }
    if out is None or args.what:
        _write(out, tables[args.what or "questions"]())
        return 0
    for what, table in tables.items():
        _write(_paired(out, what), table())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    post_url = _post_url(config)
    html = _run(config, args.event, lambda db, event: report.build(db, event, post_url))
    _write(Path(args.output) if args.output else None, html)
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    anchor = audit.parse_anchor(args.anchor) if args.anchor else None
    verdict = _run(config, args.event, lambda db, event: audit.verify_event(db, event.id, anchor))
    print(f"{args.event}: {verdict.describe()}")
    return 0 if verdict.ok else EXIT_BROKEN


def cmd_purge(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    event, counts = _run(
        config, args.event, lambda db, event: _with_event(event, purge.preview(db, event))
    )
    print(f"Purge {event.slug!r} ({event.title}) removes:")
    print("\n".join(counts.lines()))
    print(
        "It keeps the counts, times, states, X post ids and links, and the audit trail's "
        "who, what and when. It cannot be undone."
    )
    if not args.yes:
        try:
            typed = input(f"Type the event's name ({event.slug}) to confirm: ")
        except EOFError:
            typed = ""
        if typed.strip() != event.slug:
            print("Not purged: the name did not match.")
            return 1
    actor = args.by or cli_actor()
    removed = _run(config, args.event, lambda db, event: purge.purge_event(db, event, actor))
    compacted = purge.compact(config.database_target)
    verdict = _run(config, args.event, lambda db, event: audit.verify_event(db, event.id))
    print(f"Purged {event.slug!r}: removed")
    print("\n".join(removed.lines()))
    if compacted and config.database.url:
        print(
            "The purged tables were rewritten (VACUUM FULL): no old row version is left in "
            "them. PostgreSQL's WAL archive and older backups keep theirs until they expire."
        )
    elif compacted:
        print("The database file was rebuilt (VACUUM) and its WAL truncated: no copy is left.")
    else:
        print(
            "Warning: another process (liveq serve?) has the database open, so its WAL could "
            "not be truncated. Stop it and run `liveq purge` again to finish."
        )
    print(f"Audit trail: {verdict.describe()}")
    return 0 if compacted and verdict.ok else 1


async def _with_event(event: Event, coro: Coroutine[Any, Any, Any]) -> tuple[Event, Any]:
    return event, await coro
