"""Setting up: `liveq init`, `check-config`, `event create|list`, `token create`, `user add`."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from liveq.cli.main import CommandError, cli_actor
from liveq.config import Config, load_config, public_url_warnings, render_example
from liveq.domain.events import check_hashtag, check_networks, check_slug
from liveq.storage import accounts as auth
from liveq.storage import store
from liveq.storage.db import Database


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def _urls(config: Config, event: Any) -> tuple[str, str]:
    base = config.server.public_url.rstrip("/")
    return f"{base}/e/{event.slug}", f"{base}/overlay/{event.slug}?key={event.overlay_key}"


async def _with_db(config: Config, fn: Callable[[Database], Coroutine[Any, Any, Any]]) -> Any:
    async with Database(config.database_target) as db:
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
    print(f"Database: {config.database_label}")
    if created:
        if os.environ.get("LIVEQ_ADMIN_PASSWORD"):
            print(f"Admin user {args.admin!r} created with the password from LIVEQ_ADMIN_PASSWORD.")
        else:
            print(f"Admin user {args.admin!r} created. Password (shown once): {password}")
    else:
        print(f"Admin user {args.admin!r} already exists; its password is unchanged.")
    print(f"Next: liveq serve --config {path}")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    config = _config(args)
    from liveq.networks.bluesky.settings import load_bluesky_settings
    from liveq.networks.mastodon.settings import load_mastodon_settings
    from liveq.networks.x.settings import load_x_settings

    x = load_x_settings(config)
    mastodon = load_mastodon_settings(config)
    bluesky = load_bluesky_settings(config)
    print(f"{config.path}: OK")
    server = config.server
    derived = "" if config.public_url_set else " (from host and port)"
    print(f"  server: {server.host}:{server.port}, public URL {server.public_url}{derived}")
    for warning in public_url_warnings(config):
        print(f"  warning: {warning}")
    print(f"  database: {config.database_label}")
    if x.enabled:
        where = f"emulator on port {x.emulator_port}" if x.emulator_port else "the real X API"
        print(f"  X: enabled as @{x.username or '?'}, {where}")
    else:
        print("  X: not enabled")
    if mastodon.enabled:
        ca = f", trusting only {mastodon.ca_file}" if mastodon.ca_file else ""
        print(
            f"  Mastodon: enabled at {mastodon.instance_url}{ca}, posts {mastodon.visibility};"
            " access token set (not shown)"
        )
    else:
        print("  Mastodon: not enabled")
    if bluesky.enabled:
        ca = f", trusting only {bluesky.ca_file}" if bluesky.ca_file else ""
        print(
            f"  Bluesky: enabled as {bluesky.handle} on {bluesky.service_url}{ca};"
            " app password set (not shown)"
        )
    else:
        print("  Bluesky: not enabled")
    return 0


def cmd_event_create(args: argparse.Namespace) -> int:
    from liveq.web.i18n import check_language  # the catalogs liveq ships

    config = _config(args)
    try:
        slug = check_slug(args.slug)
        hashtag = check_hashtag(args.hashtag or "")
        networks = check_networks(args.networks or "")
        language = check_language(args.language)
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
            networks=networks,
            language=language,
            actor=cli_actor(),
        )

    event = asyncio.run(_with_db(config, create))
    audience, overlay = _urls(config, event)
    base = config.server.public_url.rstrip("/")
    print(f"Event {event.slug!r} created: {event.title}")
    print(f"  Networks:  {_networks(event)}")
    if event.language:
        print(f"  Language:  {event.language} (audience pages; each browser may switch)")
    print(f"  Audience:  {audience}")
    print(f"  Console:   {base}/mod/{event.slug}")
    print(f"  Overlay:   {overlay}")
    print(f"  Presenter: {overlay}&view=presenter")
    if event.kind == "procedure":
        print(f"  Procedure: {base}/mod/{event.slug}/procedure")
    return 0


def cmd_event_edit(args: argparse.Namespace) -> int:
    """Change an event's networks (posts already queued stay queued) or language."""
    from liveq.web.i18n import check_language  # the catalogs liveq ships

    config = _config(args)
    changes: dict[str, Any] = {}
    try:
        if args.networks is not None:
            networks = args.networks.strip()
            changes["networks"] = () if networks == "all" else check_networks(networks)
        if args.language is not None:
            changes["language"] = check_language(args.language)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if not changes:
        raise CommandError("nothing to change: give --networks or --language")

    async def edit(db: Database) -> Any:
        event = await store.get_event(db, args.slug)
        if event is None:
            raise CommandError(f"there is no event {args.slug!r}")
        return await store.update_event(db, event, cli_actor(), **changes)

    event = asyncio.run(_with_db(config, edit))
    print(f"Event {event.slug!r} posts to: {_networks(event)}")
    if event.language:
        print(f"  Language: {event.language}")
    return 0


def _networks(event: Any) -> str:
    return ", ".join(event.networks) if event.networks else "every network configured"


def cmd_event_list(args: argparse.Namespace) -> int:
    config = _config(args)
    events = asyncio.run(_with_db(config, store.list_events))
    if not events:
        print("No events yet: liveq event create SLUG --title TITLE")
    for event in events:
        audience, overlay = _urls(config, event)
        print(f"{event.slug}\t{event.kind}\t{event.title}\n  {audience}\n  {overlay}")
        print(f"  networks: {_networks(event)}")
        if event.kind == "procedure":
            base = config.server.public_url.rstrip("/")
            print(f"  {base}/mod/{event.slug}/procedure")
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
        return await auth.create_api_token(
            db, args.role, event_id=event_id, label=args.label, actor=cli_actor()
        )

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
