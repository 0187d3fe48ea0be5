"""`liveq user invite|reset|disable|enable|list` as real subprocesses: the same links and
audit rows as the set-up page, and a sentence and exit 1 for what cannot be done."""

import asyncio
import re
import sqlite3

from liveq.config import load_config
from liveq.storage import accounts
from liveq.storage.db import Database
from tests.cli.test_cli import liveq

LINK = re.compile(r"http://\S+/invite/(\S+)")


def link_user(config_path, token):
    async def run():
        async with Database(load_config(config_path).database_path) as db:
            return await accounts.link_user(db, token)

    return asyncio.run(run())


def test_invite_reset_disable_enable_and_list(tmp_path):
    assert liveq("init", "--dir", "site", cwd=tmp_path).returncode == 0
    config = tmp_path / "site" / "liveq.toml"
    c = ("--config", str(config))

    invited = liveq("user", "invite", "dana", "--role", "approver", *c, cwd=tmp_path)
    assert invited.returncode == 0, invited.stderr
    token = LINK.search(invited.stdout).group(1)
    assert link_user(config, token)["role"] == "approver"
    listed = liveq("user", "list", *c, cwd=tmp_path).stdout
    assert re.search(r"^dana\tapprover\tinvited \(link until ", listed, re.M)

    again = liveq("user", "invite", "dana", *c, cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr

    reset = liveq("user", "reset", "dana", *c, cwd=tmp_path)
    assert reset.returncode == 0, reset.stderr
    new_token = LINK.search(reset.stdout).group(1)
    assert link_user(config, token) is None  # replaced
    assert link_user(config, new_token) is not None

    assert liveq("user", "disable", "dana", *c, cwd=tmp_path).returncode == 0
    assert link_user(config, new_token) is None
    twice = liveq("user", "disable", "dana", *c, cwd=tmp_path)
    assert twice.returncode == 1 and "already disabled" in twice.stderr
    assert "dana\tapprover\tdisabled" in liveq("user", "list", *c, cwd=tmp_path).stdout
    assert liveq("user", "enable", "dana", *c, cwd=tmp_path).returncode == 0

    missing = liveq("user", "reset", "nobody", *c, cwd=tmp_path)
    assert missing.returncode == 1 and "no user 'nobody'" in missing.stderr
    bad_role = liveq("user", "invite", "erin", "--role", "owner", *c, cwd=tmp_path)
    assert bad_role.returncode == 2  # argparse: not one of the choices

    db = sqlite3.connect(load_config(config).database_path)
    rows = db.execute("SELECT actor, action FROM audit ORDER BY id").fetchall()
    db.close()
    assert [a for _, a in rows] == [
        "user_invite",
        "user_reset",
        "user_disable",
        "user_enable",
    ]
    assert all(actor.startswith("cli") for actor, _ in rows)
