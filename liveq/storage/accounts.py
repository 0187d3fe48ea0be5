"""Users, roles, passwords, sessions and API tokens.

Only hashes of session and API tokens are stored, so a copied database file
does not let anyone in. argon2 verification is slow on purpose (~100 ms), so
it runs in a thread and never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import os
import secrets
import time
from collections.abc import Collection
from dataclasses import dataclass

import aiosqlite
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from liveq.domain.roles import APPROVING_ROLES, MODERATING_ROLES, ROLES
from liveq.errors import Conflict, InvalidInput
from liveq.storage import audit
from liveq.storage.db import Database
from liveq.storage.store import AlreadyExists, NotFound

SESSION_SECONDS = 12 * 3600
# How long an invite or reset link works (once) before the admin must make a new one.
LINK_SECONDS = 72 * 3600
MIN_PASSWORD_CHARS = 10
# A stored "hash" no password matches (argon2 refuses it as malformed): an invited
# user cannot log in until they have set a password on their link.
NO_PASSWORD = "!unset"  # noqa: S105 - a marker, not a password

log = logging.getLogger(__name__)


@functools.cache
def _hasher() -> PasswordHasher:
    """argon2 at the library's (RFC 9106 low-memory) cost; built on first use.

    The test suite sets LIVEQ_TEST_CHEAP_PASSWORD_HASHES so the hundreds of test
    users it creates hash in microseconds. Never set it on a real server: it
    is logged as a warning when it is.
    """
    if os.environ.get("LIVEQ_TEST_CHEAP_PASSWORD_HASHES") == "1":
        log.warning("LIVEQ_TEST_CHEAP_PASSWORD_HASHES is set: passwords are hashed at test cost")
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


@dataclass(frozen=True)
class Identity:
    """Who is making a request: a logged-in user or an API token."""

    name: str
    role: str
    event_id: int | None = None  # a token scoped to one event
    via: str = "session"  # "session" or "token"
    token_id: int | None = None  # the API token's row id (its rate-limit key)

    def _scoped(self, event_id: int) -> bool:
        return self.event_id is None or self.event_id == event_id

    def may_moderate(self, event_id: int) -> bool:
        """Admins and moderators; never an approver or a presenter."""
        return self._scoped(event_id) and self.role in MODERATING_ROLES

    def may_approve(self, event_id: int) -> bool:
        """May sign off a procedure script: admins and approvers."""
        return self._scoped(event_id) and self.role in APPROVING_ROLES


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def generate_password() -> str:
    return secrets.token_urlsafe(15)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher().hash, password)


async def verify_password(stored_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher().verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


# A hash to verify against when the user does not exist, so a wrong username
# takes as long as a wrong password and does not reveal which names exist.
@functools.cache
def _dummy_hash() -> str:
    return _hasher().hash("liveq-no-such-user")


def check_role(role: object) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role should be one of {', '.join(ROLES)}")
    return str(role)


def check_username(username: object) -> str:
    if (
        not isinstance(username, str)
        or not username.strip()
        or len(username) > 64
        or not username.isprintable()
    ):
        raise InvalidInput("username should be 1-64 printable characters")
    return username


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"Choose a password of at least {MIN_PASSWORD_CHARS} characters.")
    if len(password) > 1000:
        raise InvalidInput("That password is too long; use at most 1,000 characters.")
    return password


async def create_user(db: Database, username: str, password: str, role: str) -> None:
    check_role(role)
    check_username(username)
    password_hash = await hash_password(password)

    async def job(conn: aiosqlite.Connection) -> None:
        try:
            await conn.execute(
                "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
                (username, password_hash, role, time.time()),
            )
        except Exception as exc:
            if "UNIQUE" in str(exc):
                raise AlreadyExists(f"A user called {username!r} already exists.") from None
            raise

    await db.write(job)


async def set_password(db: Database, username: str, password: str) -> None:
    password_hash = await hash_password(password)

    async def job(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute(
            "UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username)
        )
        if cur.rowcount != 1:
            raise NotFound(f"There is no user {username!r}.")
        # A new password signs the user out everywhere.
        await conn.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)",
            (username,),
        )

    await db.write(job)


async def login(db: Database, username: str, password: str) -> str | None:
    """Check a password; on success return a new session token."""
    row = await db.fetchone(
        "SELECT id, password_hash FROM users WHERE username = ? AND disabled = 0", (username,)
    )
    ok = await verify_password(row["password_hash"] if row else _dummy_hash(), password)
    if not (row and ok):
        return None
    token = secrets.token_urlsafe(32)
    now = time.time()

    async def job(conn: aiosqlite.Connection) -> None:
        await conn.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
        await conn.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            (hash_token(token), row["id"], now, now + SESSION_SECONDS),
        )

    await db.write(job)
    return token


async def session_identity(db: Database, token: str) -> Identity | None:
    row = await db.fetchone(
        "SELECT u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0",
        (hash_token(token), time.time()),
    )
    return Identity(row["username"], row["role"]) if row else None


async def logout(db: Database, token: str, *, everywhere: bool = False) -> None:
    async def job(conn: aiosqlite.Connection) -> None:
        if everywhere:
            await conn.execute(
                "DELETE FROM sessions WHERE user_id ="
                " (SELECT user_id FROM sessions WHERE token_hash = ?)",
                (hash_token(token),),
            )
        else:
            await conn.execute("DELETE FROM sessions WHERE token_hash = ?", (hash_token(token),))

    await db.write(job)


async def create_api_token(
    db: Database,
    role: str,
    *,
    event_id: int | None = None,
    label: str = "",
    actor: str | None = None,
) -> str:
    """Make an API token and return it; only its hash is kept. Audited when `actor` is given
    (the CLI and the admin page always give one)."""
    check_role(role)
    token = "lq_" + secrets.token_urlsafe(32)

    async def job(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute(
            "INSERT INTO api_tokens (token_hash, role, event_id, label, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (hash_token(token), role, event_id, label, time.time()),
        )
        if actor is not None:
            after = {"role": role, "token_id": cur.lastrowid, "label": label}
            await audit.append(conn, event_id, None, actor, "token_create", None, after)

    await db.write(job)
    return token


async def token_identity(db: Database, token: str) -> Identity | None:
    row = await db.fetchone(
        "SELECT id, role, event_id, label FROM api_tokens"
        " WHERE token_hash = ? AND revoked_at IS NULL",
        (hash_token(token),),
    )
    if row is None:
        return None
    name = f"token:{row['label'] or row['id']}"
    return Identity(name, row["role"], row["event_id"], via="token", token_id=row["id"])


async def list_api_tokens(db: Database) -> list[dict]:
    """Every API token without its secret: id, role, event slug, label, created, revoked."""
    rows = await db.fetchall(
        "SELECT t.id, t.role, e.slug, t.label, t.created_at, t.revoked_at FROM api_tokens t"
        " LEFT JOIN events e ON e.id = t.event_id ORDER BY t.id"
    )
    return [dict(r) for r in rows]


async def revoke_api_token(db: Database, token_id: int, actor: str | None = None) -> None:
    async def job(conn: aiosqlite.Connection) -> None:
        cur = await conn.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (time.time(), token_id),
        )
        if cur.rowcount != 1:
            raise NotFound(f"There is no active API token {token_id}.")
        if actor is not None:
            await audit.append(
                conn, None, None, actor, "token_revoke", None, {"token_id": token_id}
            )

    await db.write(job)


async def still_valid(
    db: Database, session_hashes: Collection[str], token_ids: Collection[int]
) -> tuple[set[str], set[int]]:
    """Which of these sessions (by token hash) and API tokens (by id) still let someone in."""
    sessions: set[str] = set()
    tokens: set[int] = set()
    hashes, ids = list(session_hashes), list(token_ids)
    if hashes:
        marks = ",".join("?" * len(hashes))
        rows = await db.fetchall(
            "SELECT s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id"  # noqa: S608
            f" WHERE s.token_hash IN ({marks}) AND s.expires_at > ? AND u.disabled = 0",
            (*hashes, time.time()),
        )
        sessions = {r[0] for r in rows}
    if ids:
        marks = ",".join("?" * len(ids))
        rows = await db.fetchall(
            f"SELECT id FROM api_tokens WHERE id IN ({marks}) AND revoked_at IS NULL",  # noqa: S608
            tuple(ids),
        )
        tokens = {r[0] for r in rows}
    return sessions, tokens


# -- invites, resets, disabling: one-time links -------------------------------------


async def _user_row(conn: aiosqlite.Connection, username: str) -> aiosqlite.Row:
    rows = list(
        await conn.execute_fetchall(
            "SELECT id, role, disabled FROM users WHERE username = ?", (username,)
        )
    )
    if not rows:
        raise NotFound(f"There is no user {username!r}.")
    return rows[0]


async def _new_link(
    conn: aiosqlite.Connection, user_id: int, purpose: str, actor: str, now: float
) -> str:
    """A fresh link for the user; any earlier unused link of theirs stops working."""
    await conn.execute(
        "UPDATE account_links SET expires_at = ? WHERE user_id = ? AND used_at IS NULL"
        " AND expires_at > ?",
        (now, user_id, now),
    )
    token = secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO account_links (token_hash, user_id, purpose, created_by, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        (hash_token(token), user_id, purpose, actor, now, now + LINK_SECONDS),
    )
    return token


async def invite_user(db: Database, username: str, role: str, actor: str) -> str:
    """Create a user without a password and return their one-time link's token."""
    check_role(role)
    check_username(username)
    now = time.time()

    async def job(conn: aiosqlite.Connection) -> str:
        # ON CONFLICT, not a caught error: on PostgreSQL a failed statement spoils the batch.
        cur = await conn.execute(
            "INSERT INTO users (username, password_hash, role, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING",
            (username, NO_PASSWORD, role, now),
        )
        if not cur.rowcount:
            raise AlreadyExists(f"A user called {username!r} already exists.")
        token = await _new_link(conn, cur.lastrowid, "invite", actor, now)
        after = {"user": username, "role": role}
        await audit.append(conn, None, None, actor, "user_invite", None, after)
        return token

    return await db.write(job)


async def reset_link(db: Database, username: str, actor: str) -> str:
    """A new one-time link on which the user sets a new password (their old one still
    works until then; the earlier link stops working now)."""
    now = time.time()

    async def job(conn: aiosqlite.Connection) -> str:
        row = await _user_row(conn, username)
        if row["disabled"]:
            raise Conflict(f"{username!r} is disabled; enable the account first.")
        token = await _new_link(conn, row["id"], "reset", actor, now)
        await audit.append(conn, None, None, actor, "user_reset", None, {"user": username})
        return token

    return await db.write(job)


async def link_user(db: Database, token: str) -> dict | None:
    """Whose link this is (username, role, purpose), if it still works."""
    row = await db.fetchone(
        "SELECT u.username, u.role, l.purpose, l.expires_at FROM account_links l"
        " JOIN users u ON u.id = l.user_id WHERE l.token_hash = ? AND l.used_at IS NULL"
        " AND l.expires_at > ? AND u.disabled = 0",
        (hash_token(token), time.time()),
    )
    return dict(row) if row else None


async def use_link(db: Database, token: str, password: str) -> str:
    """Set the password on a one-time link and spend it; return the username.

    Every session of the user ends (as with any new password)."""
    check_password(password)
    password_hash = await hash_password(password)
    now = time.time()

    async def job(conn: aiosqlite.Connection) -> str:
        rows = list(
            await conn.execute_fetchall(
                "SELECT l.id, l.user_id, l.purpose, u.username FROM account_links l"
                " JOIN users u ON u.id = l.user_id WHERE l.token_hash = ? AND l.used_at IS NULL"
                " AND l.expires_at > ? AND u.disabled = 0",
                (hash_token(token), now),
            )
        )
        if not rows:
            raise NotFound(
                "This link has been used, has expired or was replaced; ask your "
                "administrator for a new one."
            )
        link = rows[0]
        await conn.execute("UPDATE account_links SET used_at = ? WHERE id = ?", (now, link["id"]))
        await conn.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, link["user_id"])
        )
        await conn.execute("DELETE FROM sessions WHERE user_id = ?", (link["user_id"],))
        after = {"user": link["username"], "via": link["purpose"]}
        await audit.append(conn, None, None, link["username"], "user_password_set", None, after)
        return link["username"]

    return await db.write(job)


async def set_disabled(db: Database, username: str, disabled: bool, actor: str) -> None:
    """Disable (sessions end, links stop working) or enable an account."""
    now = time.time()

    async def job(conn: aiosqlite.Connection) -> None:
        row = await _user_row(conn, username)
        if bool(row["disabled"]) == disabled:
            state = "disabled" if disabled else "enabled"
            raise Conflict(f"{username!r} is already {state}.")
        await conn.execute(
            "UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), row["id"])
        )
        if disabled:
            await conn.execute("DELETE FROM sessions WHERE user_id = ?", (row["id"],))
            await conn.execute(
                "UPDATE account_links SET expires_at = ? WHERE user_id = ? AND used_at IS NULL"
                " AND expires_at > ?",
                (now, row["id"], now),
            )
        action = "user_disable" if disabled else "user_enable"
        await audit.append(conn, None, None, actor, action, None, {"user": username})

    await db.write(job)


async def list_users(db: Database) -> list[dict]:
    """Every account: username, role, disabled, created, whether a password is set, and
    when its open link (if any) expires."""
    now = time.time()
    rows = await db.fetchall(
        "SELECT u.username, u.role, u.disabled, u.created_at,"
        " u.password_hash != ? AS has_password,"
        " (SELECT max(l.expires_at) FROM account_links l WHERE l.user_id = u.id"
        "  AND l.used_at IS NULL AND l.expires_at > ?) AS link_expires_at"
        " FROM users u ORDER BY u.username",
        (NO_PASSWORD, now),
    )
    return [
        {**dict(r), "disabled": bool(r["disabled"]), "has_password": bool(r["has_password"])}
        for r in rows
    ]
