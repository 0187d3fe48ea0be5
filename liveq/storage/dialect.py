"""The store's SQL, written for sqlite, as PostgreSQL reads it.

The store modules write one SQL text for both engines: sqlite's ``?`` placeholders and
the portable subset both engines share (``ON CONFLICT``, ``RETURNING``, ``UPDATE ...
FROM``). Only what cannot be written portably is translated here, at the cost of one
cached string rewrite per distinct statement:

- ``?`` becomes ``$1, $2, ...`` (outside quoted strings);
- ``x IS ?`` / ``x IS NOT ?`` (sqlite compares any value with IS) become
  ``IS NOT DISTINCT FROM`` / ``IS DISTINCT FROM``;
- an INSERT into a table with an ``id`` column gets ``RETURNING id``, which is how the
  cursor's ``lastrowid`` is known;
- a ``PRAGMA`` (sqlite's own file settings, e.g. purge's secure_delete) does nothing.

sqlite functions without a PostgreSQL namesake (``instr``) are defined in the
PostgreSQL schema instead (migration ``pg_0002_sqlite_functions``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

# Tables whose rows are numbered by an `id` column (the cursor's lastrowid).
ID_TABLES = frozenset(
    {
        "users",
        "account_links",
        "events",
        "api_tokens",
        "questions",
        "audit",
        "outbox",
        "procedure_posts",
        "media_files",
        "procedure_photos",
        "procedure_consents",
        "network_posts",
        "backstage_messages",
        "polls",
        "poll_answers",
    }
)

_IS_PARAM = re.compile(r"\bIS\s+(NOT\s+)?\?", re.IGNORECASE)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+([a-z_]+)", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
_ROWS_FIRST = ("SELECT", "WITH", "VALUES")


@dataclass(frozen=True)
class Statement:
    sql: str
    returns_rows: bool  # run with fetch (else execute, and the status gives the row count)
    returns_id: bool  # RETURNING id was added: the first row's id is the lastrowid
    skip: bool = False  # an sqlite PRAGMA: a setting of sqlite's file, nothing to do here


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _is(match: re.Match[str]) -> str:
    return "IS DISTINCT FROM ?" if match.group(1) else "IS NOT DISTINCT FROM ?"


def _numbered(sql: str) -> str:
    """Replace each ? outside quotes with $n."""
    out, n, quote = [], 0, ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            n += 1
            out.append(f"${n}")
            continue
        out.append(ch)
    return "".join(out)


@functools.lru_cache(maxsize=2048)
def to_postgres(sql: str) -> Statement:
    if sql.lstrip().upper().startswith("PRAGMA"):
        return Statement("", False, False, skip=True)
    text = _IS_PARAM.sub(_is, sql)
    returns_id = False
    insert = _INSERT.match(text)
    if insert and insert.group(1).lower() in ID_TABLES and not _RETURNING.search(text):
        text = text.rstrip().removesuffix(";") + " RETURNING id"
        returns_id = True
    first = text.lstrip().split(None, 1)[0].upper() if text.strip() else ""
    returns_rows = first in _ROWS_FIRST or bool(_RETURNING.search(text))
    return Statement(_numbered(text), returns_rows, returns_id)
