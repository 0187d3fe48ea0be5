"""The Mastodon emulator's memory: accounts, statuses, idempotency keys, faults."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from liveq.emulators.common import FAULT_KINDS as COMMON_FAULTS
from liveq.emulators.common import Fault, RateWindow, take_fault

# And a 403, as for a suspended account.
FAULT_KINDS = (*COMMON_FAULTS, "forbidden")
__all__ = ["FAULT_KINDS", "Account", "Fault", "MastodonState", "Status"]


@dataclass
class Account:
    id: str
    username: str

    @property
    def acct(self) -> str:
        return self.username


@dataclass
class Status:
    id: str
    account: Account
    text: str
    created_at: float
    in_reply_to_id: str | None = None
    visibility: str = "public"
    reblog_of: str | None = None  # a boost of that status
    tags: tuple[str, ...] = ()
    media: tuple[dict, ...] = ()


@dataclass
class MastodonState(RateWindow):
    max_characters: int = 500
    url_length: int = 23
    slow_seconds: float = 1.0
    # Mastodon's default (RateWindow's): 300 requests per 5 minutes per account.
    account: Account = field(default_factory=lambda: Account("1", "liveq"))
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    statuses: dict[str, Status] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], str] = field(default_factory=dict)  # (account, key) -> id
    faults: list[Fault] = field(default_factory=list)
    media: dict[str, dict] = field(default_factory=dict)  # uploaded, not attached yet
    media_files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # id -> bytes, type
    accounts: dict[str, Account] = field(default_factory=dict)
    _next_id: int = 100_000

    def new_id(self) -> str:
        # Mastodon's ids are snowflake-like strings that sort by time.
        self._next_id += 1
        return str(self._next_id)

    def account_named(self, username: str) -> Account:
        if username == self.account.username:
            return self.account
        if username not in self.accounts:
            self.accounts[username] = Account(self.new_id(), username)
        return self.accounts[username]

    def add_status(self, account: Account, text: str, **kw) -> Status:
        status = Status(self.new_id(), account, text, time.time(), **kw)
        self.statuses[status.id] = status
        return status

    def take_fault(self, endpoint: str) -> Fault | None:
        return take_fault(self.faults, endpoint)

    def own_thread(self) -> list[Status]:
        return sorted(
            (s for s in self.statuses.values() if s.account is self.account and not s.reblog_of),
            key=lambda s: int(s.id),
        )
