"""The `liveq` command: its parser, and dispatch to the module of each command.

Each command's code is imported only when that command runs, so `liveq --help`
and `liveq screen` do not pay for the web server, tweepy or argon2. Errors
become a one-line message and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import sys

from liveq.config import ConfigError
from liveq.domain.events import KINDS
from liveq.domain.roles import ROLES
from liveq.errors import LiveqError

EXIT_USAGE = 2
EXIT_FAILED = 1


class CommandError(Exception):
    """A command that cannot go on; the message is shown to the user."""


def cli_actor() -> str:
    """Who acts from the command line, for the audit trail: cli:$USER."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name for this uid (containers)
        return "cli"


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
    p.set_defaults(func="liveq.cli.setup:cmd_init")

    p = sub.add_parser("serve", parents=[common], help="run the server")
    p.add_argument("--host", help="address to listen on (default: server.host)")
    p.add_argument("--port", type=int, help="port to listen on (default: server.port)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes sharing the port, restarted if one dies; more than 1 needs "
        "[cluster] redis_url (default: 1)",
    )
    p.set_defaults(func="liveq.cli.run:cmd_serve")

    p = sub.add_parser("demo", help="a local rehearsal with a simulated audience; no X account")
    p.add_argument("--port", type=int, default=8080, help="port to serve on (default: 8080)")
    p.add_argument("--dir", help="keep the demo's config and database here (default: temporary)")
    p.add_argument(
        "--pace",
        type=float,
        default=4.0,
        help="seconds between audience questions at the start; they thin out (default: 4)",
    )
    p.set_defaults(func="liveq.cli.run:cmd_demo")

    p = sub.add_parser(
        "x-emulator", help="run the local X API emulator (HTTPS) for rehearsals and tests"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--ca-file", default="x-emulator-ca.pem", help="where to write its CA (PEM)")
    p.set_defaults(func="liveq.cli.run:cmd_x_emulator")

    p = sub.add_parser("check-config", parents=[common], help="check the config file")
    p.set_defaults(func="liveq.cli.setup:cmd_check_config")

    p = sub.add_parser(
        "screen",
        help="screen text: one text per line on stdin, one JSON object per line on stdout",
        description="Screen texts for possible patient identifiers, profanity and watch-list "
        'phrases. Writes {"text": ..., "findings": [{"kind", "start", "end", "reason"}]} per '
        "input line; the kinds are documented in docs/screening.md.",
    )
    p.add_argument("--config", help="read the rules from this file's [screening] table")
    p.set_defaults(func="liveq.cli.screen:cmd_screen")

    event = sub.add_parser("event", help="create and list events")
    event_sub = event.add_subparsers(dest="event_command", required=True, metavar="ACTION")
    p = event_sub.add_parser("create", parents=[common], help="create an event")
    p.add_argument("slug", help="short name used in URLs, e.g. grand-rounds")
    p.add_argument("--title", required=True)
    p.add_argument("--kind", choices=KINDS, default="webinar")
    p.add_argument("--hashtag", help="the event's hashtag, with or without #")
    p.add_argument("--moderation", choices=("pre", "post"), help="default: events.moderation")
    p.add_argument(
        "--networks",
        help="where the event posts and reads, e.g. x,bluesky,mastodon (default: every"
        " network configured)",
    )
    p.add_argument(
        "--language",
        default="",
        help="the audience pages' language, e.g. es (default: each browser's own)",
    )
    p.set_defaults(func="liveq.cli.setup:cmd_event_create")
    p = event_sub.add_parser(
        "edit", parents=[common], help="change an event's networks or language"
    )
    p.add_argument("slug")
    p.add_argument("--networks", help='e.g. x,mastodon; "all" for every network configured')
    p.add_argument("--language", help='e.g. es; "" for each browser\'s own')
    p.set_defaults(func="liveq.cli.setup:cmd_event_edit")
    p = event_sub.add_parser("list", parents=[common], help="list events and their URLs")
    p.set_defaults(func="liveq.cli.setup:cmd_event_list")

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    p = token_sub.add_parser("create", parents=[common], help="create an API token")
    p.add_argument("--role", choices=ROLES, default="moderator")
    p.add_argument("--event", help="limit the token to one event (slug)")
    p.add_argument("--label", default="", help="a name to recognise the token by")
    p.set_defaults(func="liveq.cli.setup:cmd_token_create")

    user = sub.add_parser("user", help="user accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    p = user_sub.add_parser(
        "add", parents=[common], help="add a user (password from LIVEQ_USER_PASSWORD or generated)"
    )
    p.add_argument("username")
    p.add_argument("--role", choices=ROLES, default="moderator")
    p.set_defaults(func="liveq.cli.setup:cmd_user_add")
    p = user_sub.add_parser(
        "invite", parents=[common], help="add a user with a one-time link to set a password"
    )
    p.add_argument("username")
    p.add_argument("--role", choices=ROLES, default="moderator")
    p.set_defaults(func="liveq.cli.users:cmd_user_invite")
    for name, what in [
        ("reset", "a new one-time link to set a new password"),
        ("disable", "end a user's sessions and refuse their logins"),
        ("enable", "let a disabled user log in again"),
    ]:
        p = user_sub.add_parser(name, parents=[common], help=what)
        p.add_argument("username")
        func = "cmd_user_reset" if name == "reset" else "cmd_user_disable"
        p.set_defaults(func=f"liveq.cli.users:{func}")
    p = user_sub.add_parser("list", parents=[common], help="list users, roles and states")
    p.set_defaults(func="liveq.cli.users:cmd_user_list")
    add_admin_commands(sub, common)
    add_procedure_commands(sub, common)
    add_after_event_commands(sub, common)
    return parser


def _actions(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    """The sub-command action of an existing `liveq token` / `liveq event` parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(parser.prog)


def add_admin_commands(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser):
    """Register the admin commands on `liveq`'s sub-command parser."""
    p = subparsers.add_parser(
        "backup", parents=[common], help="copy the database consistently, even while serving"
    )
    p.add_argument("file", help="the copy to write (must not exist yet)")
    p.set_defaults(func="liveq.cli.admin:cmd_backup")

    db = subparsers.add_parser("db", help="move the database to another engine")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    p = db_sub.add_parser(
        "copy",
        parents=[common],
        help="copy the sqlite database (database.path) to an empty PostgreSQL one, verified",
    )
    p.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host/dbname")
    p.set_defaults(func="liveq.cli.admin:cmd_db_copy")

    token_sub = _actions(subparsers.choices["token"])
    p = token_sub.add_parser("list", parents=[common], help="list API tokens (never their secret)")
    p.set_defaults(func="liveq.cli.admin:cmd_token_list")
    p = token_sub.add_parser("revoke", parents=[common], help="revoke an API token by its id")
    p.add_argument("id", type=int, help="the token's id (see liveq token list)")
    p.set_defaults(func="liveq.cli.admin:cmd_token_revoke")

    event_sub = _actions(subparsers.choices["event"])
    p = event_sub.add_parser(
        "rotate-key", parents=[common], help="give an event a new overlay key (old URL stops)"
    )
    p.add_argument("slug")
    p.set_defaults(func="liveq.cli.admin:cmd_event_rotate_key")


def add_procedure_commands(
    sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """Register `liveq procedure import` (a live-tweeted procedure's script)."""
    group = sub.add_parser("procedure", help="a live-tweeted procedure's script")
    actions = group.add_subparsers(dest="procedure_command", required=True, metavar="ACTION")
    p = actions.add_parser(
        "import",
        parents=[common],
        help="replace an event's script with a TOML or Markdown file and the photos beside it",
        description="Import a procedure's script (see README: Live-tweeting a procedure). "
        "Photos are read from the files the script names, relative to the script's folder. "
        "Only before the event goes live; every post then needs an approver's sign-off.",
    )
    p.add_argument("event", help="the procedure event's short name (slug)")
    p.add_argument("script", help="the script file: .toml, or .md for the Markdown form")
    p.add_argument("--format", choices=("toml", "markdown"), help="default: from the extension")
    p.add_argument(
        "--photos-later",
        action="store_true",
        help="import even if photo files are missing; upload them on the procedure page",
    )
    p.set_defaults(func="liveq.cli.procedure:cmd_procedure_import")


def add_after_event_commands(
    sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """Register export, report, audit verify and purge on `liveq`'s subcommands."""
    p = sub.add_parser(
        "export",
        parents=[common],
        help="every question and post of an event, as CSV or JSON",
        description="Export an event's questions (texts, edits, source, author, times of each "
        "state, votes, findings, merges), its X thread's posts and its polls' results. JSON: "
        "one document. CSV: three tables; with -o out.csv they go to out.questions.csv, "
        "out.posts.csv and out.polls.csv.",
    )
    p.add_argument("event", help="the event's short name (slug)")
    p.add_argument("--format", choices=("csv", "json"), default="json")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.add_argument(
        "--what",
        choices=("questions", "posts", "polls"),
        help="CSV: only this table (to -o FILE exactly, or to standard output)",
    )
    p.set_defaults(func="liveq.cli.after:cmd_export")

    p = sub.add_parser(
        "report",
        parents=[common],
        help="a self-contained HTML report of an event (prints well to PDF)",
    )
    p.add_argument("event", help="the event's short name (slug)")
    p.add_argument("-o", "--output", help="HTML file to write (default: standard output)")
    p.set_defaults(func="liveq.cli.after:cmd_report")

    group = sub.add_parser("audit", help="the tamper-evident audit trail")
    audit_sub = group.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    p = audit_sub.add_parser(
        "verify",
        parents=[common],
        help="check an event's audit hash chain; exit 3 at the first broken link",
    )
    p.add_argument("event", help="the event's short name (slug)")
    p.add_argument(
        "--anchor",
        metavar="ROW:HASH",
        help="a head printed earlier (by verify or the report): check the trail still has it",
    )
    p.set_defaults(func="liveq.cli.after:cmd_audit_verify")

    p = sub.add_parser(
        "purge",
        parents=[common],
        help="remove an event's question texts and personal data, keep counts and the audit",
    )
    p.add_argument("event", help="the event's short name (slug)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation (scripts)")
    p.add_argument("--by", help="who is purging, for the audit trail (default: cli:$USER)")
    p.set_defaults(func="liveq.cli.after:cmd_purge")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module, _, name = args.func.partition(":")
    command = getattr(importlib.import_module(module), name)
    try:
        return command(args)
    except (ConfigError, CommandError, ValueError, LiveqError) as exc:
        print(f"liveq: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
