"""The `liveq` command. Errors become a one-line message and a non-zero exit code."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from liveq.cli.admin import add_admin_commands
from liveq.cli.after import add_after_event_commands
from liveq.config import Config, ConfigError, load_config, render_example
from liveq.domain.events import KINDS, check_hashtag, check_slug
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.storage.db import Database

EXIT_USAGE = 2
EXIT_FAILED = 1


class CommandError(Exception):
    """A command that cannot go on; the message is shown to the user."""


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def _urls(config: Config, event: Any) -> tuple[str, str]:
    base = config.server.public_url.rstrip("/")
    return f"{base}/e/{event.slug}", f"{base}/overlay/{event.slug}?key={event.overlay_key}"


async def _with_db(config: Config, fn: Callable[[Database], Coroutine[Any, Any, Any]]) -> Any:
    async with Database(config.database_path) as db:
        return await fn(db)


# -- commands -----------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "liveq.toml"
    if path.exists() and not args.force:
        raise CommandError(f"{path} already exists; use --force to replace it")
    path.write_text(render_example(secrets.token_urlsafe(32)), encoding="utf-8")
    config = load_config(path)
    password = os.environ.get("LIVEQ_ADMIN_PASSWORD") or auth.generate_password()

    async def setup(db: Database) -> bool:
        try:
            await auth.create_user(db, args.admin, password, "admin")
        except store.AlreadyExists:
            return False
        return True

    created = asyncio.run(_with_db(config, setup))
    print(f"Wrote {path}")
    print(f"Database: {config.database_path}")
    if created:
        if os.environ.get("LIVEQ_ADMIN_PASSWORD"):
            print(f"Admin user {args.admin!r} created with the password from LIVEQ_ADMIN_PASSWORD.")
        else:
            print(f"Admin user {args.admin!r} created. Password (shown once): {password}")
    else:
        print(f"Admin user {args.admin!r} already exists; its password is unchanged.")
    print(f"Next: liveq serve --config {path}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from liveq.web.access_log import AccessLogger
    from liveq.web.app import create_app

    config = _config(args)
    host = args.host or config.server.host
    port = args.port or config.server.port
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # aiosqlite logs every statement and its parameters (question texts) at DEBUG.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    web.run_app(
        create_app(config),
        host=host,
        port=port,
        shutdown_timeout=10,
        print=lambda _: print(
            f"liveq serving on http://{host}:{port} (Ctrl-C to stop)", flush=True
        ),
        access_log_class=AccessLogger,
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from liveq.cli import demo

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(demo.run(args.port, Path(args.dir) if args.dir else None, args.pace))
    except KeyboardInterrupt:
        print("\nliveq demo stopped.")
    return 0


def cmd_x_emulator(args: argparse.Namespace) -> int:
    from liveq.emulators.x.server import run_emulator

    try:
        asyncio.run(run_emulator(args.host, args.port, ca_file=args.ca_file))
    except KeyboardInterrupt:
        print("\nX API emulator stopped.")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    config = _config(args)
    from liveq.networks.x.settings import load_x_settings

    x = load_x_settings(config)
    print(f"{config.path}: OK")
    server = config.server
    print(f"  server: {server.host}:{server.port}, public URL {server.public_url}")
    print(f"  database: {config.database_path}")
    if x.enabled:
        where = f"emulator on port {x.emulator_port}" if x.emulator_port else "the real X API"
        print(f"  X: enabled as @{x.username or '?'}, {where}")
    else:
        print("  X: not enabled")
    return 0


def cmd_event_create(args: argparse.Namespace) -> int:
    config = _config(args)
    try:
        slug = check_slug(args.slug)
        hashtag = check_hashtag(args.hashtag or "")
    except ValueError as exc:
        raise CommandError(str(exc)) from None

    async def create(db: Database) -> Any:
        return await store.create_event(
            db,
            slug,
            args.title,
            kind=args.kind,
            hashtag=hashtag,
            moderation=args.moderation or config.events.moderation,
        )

    event = asyncio.run(_with_db(config, create))
    audience, overlay = _urls(config, event)
    base = config.server.public_url.rstrip("/")
    print(f"Event {event.slug!r} created: {event.title}")
    print(f"  Audience:  {audience}")
    print(f"  Console:   {base}/mod/{event.slug}")
    print(f"  Overlay:   {overlay}")
    print(f"  Presenter: {overlay}&view=presenter")
    return 0


def cmd_event_list(args: argparse.Namespace) -> int:
    config = _config(args)
    events = asyncio.run(_with_db(config, store.list_events))
    if not events:
        print("No events yet: liveq event create SLUG --title TITLE")
    for event in events:
        audience, overlay = _urls(config, event)
        print(f"{event.slug}\t{event.kind}\t{event.title}\n  {audience}\n  {overlay}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    config = _config(args)

    async def create(db: Database) -> str:
        event_id = None
        if args.event:
            event = await store.get_event(db, args.event)
            if event is None:
                raise CommandError(f"there is no event {args.event!r}")
            event_id = event.id
        return await auth.create_api_token(db, args.role, event_id=event_id, label=args.label)

    token = asyncio.run(_with_db(config, create))
    print(token)
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    config = _config(args)
    password = os.environ.get("LIVEQ_USER_PASSWORD") or auth.generate_password()
    asyncio.run(
        _with_db(config, lambda db: auth.create_user(db, args.username, password, args.role))
    )
    if os.environ.get("LIVEQ_USER_PASSWORD"):
        print(
            f"User {args.username!r} ({args.role}) created; password from LIVEQ_USER_PASSWORD."
        )
    else:
        print(f"User {args.username!r} ({args.role}) created. Password (shown once): {password}")
    return 0


def cmd_screen(args: argparse.Namespace) -> int:
    """One text per line on stdin -> one JSON object per line on stdout."""
    import json
    import tomllib

    from liveq.ingest.screener import ScreeningSettings, screen_outgoing

    rules = None
    if args.config:
        # Only [screening] is read, so a config whose secret lives in the environment
        # (or a file with nothing but a [screening] table) works too.
        path = Path(args.config)
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("screening", {})
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CommandError(f"{path}: cannot be read as TOML: {exc}") from None
        try:
            rules = ScreeningSettings.from_mapping(table).rules
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from None
    for stream in (sys.stdin, sys.stdout):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        findings = screen_outgoing(text, rules)
        sys.stdout.write(json.dumps({"text": text, "findings": findings}, ensure_ascii=False))
        sys.stdout.write("\n")
        sys.stdout.flush()
    return 0


# -- parser -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="liveq", description="Live Q&A and live-tweeting for hospital communications teams."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", default="liveq.toml", help="the config file (default: ./liveq.toml)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "init", parents=[common], help="write liveq.toml, the database and an admin user"
    )
    p.add_argument("--dir", default=".", help="where to write liveq.toml (default: here)")
    p.add_argument("--admin", default="admin", help="the admin's username (default: admin)")
    p.add_argument("--force", action="store_true", help="replace an existing liveq.toml")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("serve", parents=[common], help="run the server")
    p.add_argument("--host", help="address to listen on (default: server.host)")
    p.add_argument("--port", type=int, help="port to listen on (default: server.port)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="a local rehearsal with a simulated audience; no X account")
    p.add_argument("--port", type=int, default=8080, help="port to serve on (default: 8080)")
    p.add_argument("--dir", help="keep the demo's config and database here (default: temporary)")
    p.add_argument("--pace", type=float, default=4.0, help="seconds between audience questions")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "x-emulator", help="run the local X API emulator (HTTPS) for rehearsals and tests"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--ca-file", default="x-emulator-ca.pem", help="where to write its CA (PEM)")
    p.set_defaults(func=cmd_x_emulator)

    p = sub.add_parser("check-config", parents=[common], help="check the config file")
    p.set_defaults(func=cmd_check_config)

    p = sub.add_parser(
        "screen",
        help="screen text: one text per line on stdin, one JSON object per line on stdout",
        description="Screen texts for possible patient identifiers, profanity and watch-list "
        'phrases. Writes {"text": ..., "findings": [{"kind", "start", "end", "reason"}]} per '
        "input line; the kinds are documented in docs/screening.md.",
    )
    p.add_argument("--config", help="read the rules from this file's [screening] table")
    p.set_defaults(func=cmd_screen)

    event = sub.add_parser("event", help="create and list events")
    event_sub = event.add_subparsers(dest="event_command", required=True, metavar="ACTION")
    p = event_sub.add_parser("create", parents=[common], help="create an event")
    p.add_argument("slug", help="short name used in URLs, e.g. grand-rounds")
    p.add_argument("--title", required=True)
    p.add_argument("--kind", choices=KINDS, default="webinar")
    p.add_argument("--hashtag", help="the event's hashtag, with or without #")
    p.add_argument("--moderation", choices=("pre", "post"), help="default: events.moderation")
    p.set_defaults(func=cmd_event_create)
    p = event_sub.add_parser("list", parents=[common], help="list events and their URLs")
    p.set_defaults(func=cmd_event_list)

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    p = token_sub.add_parser("create", parents=[common], help="create an API token")
    p.add_argument("--role", choices=auth.ROLES, default="moderator")
    p.add_argument("--event", help="limit the token to one event (slug)")
    p.add_argument("--label", default="", help="a name to recognise the token by")
    p.set_defaults(func=cmd_token_create)

    user = sub.add_parser("user", help="user accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    p = user_sub.add_parser(
        "add", parents=[common], help="add a user (password from LIVEQ_USER_PASSWORD or generated)"
    )
    p.add_argument("username")
    p.add_argument("--role", choices=auth.ROLES, default="moderator")
    p.set_defaults(func=cmd_user_add)
    add_admin_commands(sub, common)
    add_after_event_commands(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, CommandError, ValueError, store.AlreadyExists, store.NotFound) as exc:
        print(f"liveq: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
