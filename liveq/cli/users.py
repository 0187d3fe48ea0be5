"""`liveq user invite|reset|disable|enable|list`: the set-up page's People, from a terminal.

The same storage functions as the admin page (liveq/web/api/setup.py), so both make
the same one-time links and write the same audit rows.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from liveq.cli.main import cli_actor
from liveq.config import load_config
from liveq.storage import accounts
from liveq.storage.db import Database


def _run(args: argparse.Namespace, fn) -> tuple[Any, str]:
    config = load_config(args.config)

    async def run() -> Any:
        async with Database(config.database_target) as db:
            return await fn(db)

    return asyncio.run(run()), config.server.public_url.rstrip("/")


def _print_link(base: str, token: str) -> None:
    hours = accounts.LINK_SECONDS // 3600
    print(f"  {base}/invite/{token}")
    print(f"  Works once, for {hours} hours; send it to them privately.")


def cmd_user_invite(args: argparse.Namespace) -> int:
    token, base = _run(
        args, lambda db: accounts.invite_user(db, args.username, args.role, cli_actor())
    )
    print(f"User {args.username!r} ({args.role}) invited. Their one-time link to set a password:")
    _print_link(base, token)
    return 0


def cmd_user_reset(args: argparse.Namespace) -> int:
    token, base = _run(args, lambda db: accounts.reset_link(db, args.username, cli_actor()))
    print(f"A new one-time link for {args.username!r} (any earlier link stops working):")
    _print_link(base, token)
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    disable = args.user_command == "disable"
    _run(args, lambda db: accounts.set_disabled(db, args.username, disable, cli_actor()))
    if disable:
        print(f"{args.username!r} disabled: their sessions and links stop working now.")
    else:
        print(f"{args.username!r} enabled.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    users, _ = _run(args, accounts.list_users)
    for u in users:
        if u["disabled"]:
            state = "disabled"
        elif u["has_password"]:
            state = "active"
        elif u["link_expires_at"]:
            until = time.strftime("%Y-%m-%d %H:%M", time.localtime(u["link_expires_at"]))
            state = f"invited (link until {until})"
        else:
            state = "invited (link expired: liveq user reset)"
        print(f"{u['username']}\t{u['role']}\t{state}")
    return 0
