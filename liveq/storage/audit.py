"""The audit trail's hash chain: each row sealed to the one before it.

Each event's rows form one chain (rows without an event form a chain of their
own). A row stores ``prev_hash`` (the hash of the event's previous row, or
GENESIS for the first) and ``hash``: sha256 over a canonical JSON serialisation
of its fields and ``prev_hash``. Changing, inserting or removing a row breaks
the chain at that row or at the next one.

Personal values (every string in before/after except states, kinds and staff
names, see STRUCTURAL_KEYS; and the free-text detail) enter the hash as an HMAC
digest keyed per event, not as the text itself. So ``liveq purge`` can replace
such a value with ``{"purged": "<digest>"}`` and every hash still holds; it
deletes the event's key, so the digests left behind cannot be tested against
guessed texts.

Migration 0005 adds triggers that refuse UPDATE and DELETE on ``audit``, except
to seal a row that has no hash yet (rows from before 0005, or written by code
that bypassed :func:`append`: sealed in order by the event's next append) and
for a purge, which may replace values while its permit row is in
``audit_purging``. The triggers stop mistakes; the chain detects someone who
drops them. Someone who rewrites every hash from the altered row onwards leaves
a consistent chain: only a head recorded elsewhere (``--anchor``) catches that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from liveq.storage.db import Database

GENESIS = "0" * 64
VERSION = 1

# Keys (at any depth of before/after) whose text is kept as it is: states, kinds and
# the staff who acted. Every other string counts as personal and enters the hash as
# a digest: deny by default, so a new feature's free text is covered without a change
# here. (Changing this set changes existing rows' hashes: bump VERSION and keep the old.)
STRUCTURAL_KEYS = frozenset(
    {
        "status",
        "state",
        "mode",
        "kind",
        "role",
        "source",
        "tweet_id",
        "reply_to",
        "media_type",
        "sha256",
        "by",
        "signed_by",
        "done_by",
        "live_by",
        "paused_by",
        "updated_by",
    }
)
_DETAIL_MARKER = re.compile(r"^\[purged ([0-9a-f]{64})\]$")
_COLUMNS = "id, event_id, question_id, actor, action, at, before, after, detail, prev_hash, hash"


class KeyMissing(LookupError):
    """A personal value must be digested but the event's audit key is gone."""


def canonical(value: object) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def scope(event_id: int | None) -> int:
    return event_id if event_id is not None else 0


def is_marker(value: object) -> bool:
    return isinstance(value, dict) and set(value) == {"purged"} and isinstance(value["purged"], str)


def _digest(key: bytes | None, value: object) -> str:
    if key is None:
        raise KeyMissing("the event's audit key is missing")
    return hmac.new(key, canonical(value).encode(), hashlib.sha256).hexdigest()


def _walk(value: Any, leaf: Callable[[Any], Any], structural: bool = False) -> Any:
    """`value` with `leaf` applied to each personal string (or purge marker) in it."""
    if is_marker(value):
        return leaf(value)
    if isinstance(value, dict):
        return {k: _walk(v, leaf, k in STRUCTURAL_KEYS) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, leaf, structural) for v in value]
    if isinstance(value, str) and value and not structural:
        return leaf(value)
    return value


def _sealed(value: Any, key: bytes | None) -> Any:
    """`value` as it enters the hash: personal strings replaced by their digests."""
    return _walk(value, lambda v: v["purged"] if is_marker(v) else _digest(key, v))


def _sealed_detail(detail: str | None, key: bytes | None) -> str | None:
    if not detail:
        return detail
    marker = _DETAIL_MARKER.match(detail)
    return marker.group(1) if marker else _digest(key, detail)


def _parsed(text: str | None) -> Any:
    return json.loads(text) if text is not None else None


def row_hash(row: Mapping[str, Any], prev_hash: str, key: bytes | None) -> str:
    """The hash a row with these stored columns and this predecessor must have."""
    payload = {
        "v": VERSION,
        "id": row["id"],
        "event_id": row["event_id"],
        "question_id": row["question_id"],
        "actor": row["actor"],
        "action": row["action"],
        "at": row["at"],
        "before": _sealed(_parsed(row["before"]), key),
        "after": _sealed(_parsed(row["after"]), key),
        "detail": _sealed_detail(row["detail"], key),
        "prev": prev_hash,
    }
    return hashlib.sha256(canonical(payload).encode()).hexdigest()


def has_personal_values(row: Mapping[str, Any]) -> bool:
    """Whether sealing this row needs the event's key (some personal value not purged)."""
    try:
        row_hash(row, GENESIS, None)
    except KeyMissing:
        return True
    return False


def purged_columns(row: Mapping[str, Any], key: bytes | None) -> dict[str, str | None]:
    """before/after/detail with every personal value replaced by its digest marker.

    The row's hash is unchanged by this (that is the point); returns only the
    columns that change.
    """

    def strip(value: Any) -> Any:
        return _walk(value, lambda v: v if is_marker(v) else {"purged": _digest(key, v)})

    changes: dict[str, str | None] = {}
    for column in ("before", "after"):
        if row[column] is None:
            continue
        new = json.dumps(strip(json.loads(row[column])))
        if json.loads(new) != json.loads(row[column]):
            changes[column] = new
    detail = row["detail"]
    if detail and not _DETAIL_MARKER.match(detail):
        changes["detail"] = f"[purged {_digest(key, detail)}]"
    return changes


# -- writing --------------------------------------------------------------------------


async def event_key(
    conn: aiosqlite.Connection, event_id: int | None, *, create: bool
) -> bytes | None:
    rows = list(
        await conn.execute_fetchall(
            "SELECT key FROM audit_keys WHERE scope = ?", (scope(event_id),)
        )
    )
    if rows:
        return bytes(rows[0]["key"])
    if not create:
        return None
    key = os.urandom(32)
    await conn.execute("INSERT INTO audit_keys (scope, key) VALUES (?, ?)", (scope(event_id), key))
    return key


async def seal_pending(conn: aiosqlite.Connection, event_id: int | None) -> str:
    """Seal the event's newest rows that have no hash yet, oldest first; return the head hash.

    Such rows were written before migration 0005, or by code that inserted into
    ``audit`` directly. Only the unsealed tail is sealed: a row without a hash
    between sealed rows stays as it is, for verify to report.
    """
    last = list(
        await conn.execute_fetchall(
            "SELECT hash FROM audit WHERE event_id IS ? ORDER BY id DESC LIMIT 1", (event_id,)
        )
    )
    if not last:
        return GENESIS
    if last[0]["hash"] is not None:
        return last[0]["hash"]
    sealed = list(
        await conn.execute_fetchall(
            "SELECT id, hash FROM audit WHERE event_id IS ? AND hash IS NOT NULL"
            " ORDER BY id DESC LIMIT 1",
            (event_id,),
        )
    )
    prev, after_id = (sealed[0]["hash"], sealed[0]["id"]) if sealed else (GENESIS, 0)
    tail = await conn.execute_fetchall(
        f"SELECT {_COLUMNS} FROM audit WHERE event_id IS ? AND id > ? ORDER BY id",  # noqa: S608
        (event_id, after_id),
    )
    key = await event_key(conn, event_id, create=False)
    for row in tail:
        if key is None and has_personal_values(row):
            key = await event_key(conn, event_id, create=True)
        digest = row_hash(row, prev, key)
        await conn.execute(
            "UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row["id"])
        )
        prev = digest
    return prev


async def append(
    conn: aiosqlite.Connection,
    event_id: int | None,
    question_id: int | None,
    actor: str,
    action: str,
    before: dict | None,
    after: dict | None,
    detail: str = "",
) -> int:
    """Write one audit row chained to the event's previous row; return its id.

    Runs inside the caller's write transaction (one writer), so the previous
    row cannot change between reading its hash and inserting this row.
    """
    prev = await seal_pending(conn, event_id)
    # The id is part of what is hashed, so it is chosen here rather than by the insert.
    rows = list(await conn.execute_fetchall("SELECT coalesce(max(id), 0) + 1 FROM audit"))
    row = {
        "id": rows[0][0],
        "event_id": event_id,
        "question_id": question_id,
        "actor": actor,
        "action": action,
        "at": time.time(),
        "before": json.dumps(before) if before is not None else None,
        "after": json.dumps(after) if after is not None else None,
        "detail": detail,
    }
    key = await event_key(conn, event_id, create=has_personal_values(row))
    digest = row_hash(row, prev, key)
    await conn.execute(
        "INSERT INTO audit (id, event_id, question_id, actor, action, at, before, after, detail,"
        " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*row.values(), prev, digest),
    )
    return row["id"]


# -- verifying -------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The outcome of walking one event's chain."""

    ok: bool
    rows: int
    head_id: int | None = None
    head_hash: str | None = None
    broken_id: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            if not self.rows:
                return "OK: the audit trail is empty."
            return (
                f"OK: {self.rows} audit rows, chain intact. Head: row {self.head_id}, hash "
                f"{self.head_hash}. Note it; to check later that the trail up to it is "
                f"unchanged: --anchor {self.head_id}:{self.head_hash}"
            )
        return f"BROKEN at row {self.broken_id}: {self.problem}"


def _what(row: Mapping[str, Any]) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row["at"]))
    about = f", question {row['question_id']}" if row["question_id"] is not None else ""
    return f"{row['action']} by {row['actor']} at {when}{about}"


def verify_rows(
    rows: Sequence[Mapping[str, Any]],
    key: bytes | None,
    anchor: tuple[int, str] | None = None,
) -> Verdict:
    """Walk one event's rows (in id order) and report the first broken link. Pure."""
    prev, prev_id = GENESIS, None
    for i, row in enumerate(rows):
        problem = _link_problem(row, prev, prev_id, key, rows[i + 1] if i + 1 < len(rows) else None)
        if problem:
            return Verdict(False, len(rows), prev_id, prev, row["id"], problem)
        prev, prev_id = row["hash"], row["id"]
    if anchor is not None:
        anchor_id, anchor_hash = anchor
        match = [r for r in rows if r["id"] == anchor_id]
        problem = ""
        if not match:
            problem = "the anchor row is not in this event's trail any more: rows were removed."
        elif match[0]["hash"] != anchor_hash:
            problem = (
                f"its hash is {match[0]['hash'][:16]}…, not the {anchor_hash[:16]}… you "
                "recorded: the chain was rewritten from this row or an earlier one."
            )
        if problem:
            return Verdict(False, len(rows), prev_id, prev, anchor_id, problem)
    return Verdict(True, len(rows), prev_id, prev if prev_id is not None else None)


def _link_problem(
    row: Mapping[str, Any],
    prev: str,
    prev_id: int | None,
    key: bytes | None,
    following: Mapping[str, Any] | None,
) -> str:
    """What is wrong with this row's link to `prev`, or "" when nothing is."""
    if row["hash"] is None:
        return (
            f"the row ({_what(row)}) has no hash: it was written around the chain "
            "or its hash was removed."
        )
    if row["prev_hash"] != prev:
        if prev_id is None:
            return "its prev_hash is not the start of the chain: earlier rows were removed."
        return (
            f"its prev_hash does not match row {prev_id}'s hash: a row between them was "
            f"removed or inserted, or row {prev_id} was changed and given a new hash."
        )
    try:
        computed = row_hash(row, prev, key)
    except KeyMissing:
        return (
            f"the row ({_what(row)}) holds personal values, but the event's audit key "
            "is missing, so its hash cannot be checked."
        )
    if computed == row["hash"]:
        return ""
    how = (
        "the next row still points at its original hash, so its fields were changed "
        "after it was written"
        if following is not None and following["prev_hash"] == row["hash"]
        else "its fields or its hash were changed"
    )
    return (
        f"the row as stored ({_what(row)}) does not match its hash: {how} "
        f"(stored {row['hash'][:16]}…, recomputed {computed[:16]}…)."
    )


async def event_rows(db: Database, event_id: int) -> list[Any]:
    return await db.fetchall(
        f"SELECT {_COLUMNS} FROM audit WHERE event_id = ? ORDER BY id",  # noqa: S608
        (event_id,),
    )


async def verify_event(
    db: Database, event_id: int, anchor: tuple[int, str] | None = None
) -> Verdict:
    row = await db.fetchone("SELECT key FROM audit_keys WHERE scope = ?", (event_id,))
    key = bytes(row["key"]) if row else None
    return verify_rows(await event_rows(db, event_id), key, anchor)


def parse_anchor(text: str) -> tuple[int, str]:
    """ "ID:HASH" (as `verify` prints it) -> (id, hash); ValueError says what is expected."""
    rid, _, digest = text.partition(":")
    if not rid.isdigit() or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ValueError(
            f"--anchor {text!r} should be ROW:HASH, a row id and its 64-character hash "
            "as `liveq audit verify` printed them"
        )
    return int(rid), digest
