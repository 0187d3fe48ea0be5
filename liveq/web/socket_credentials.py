"""A moderator's websocket lives no longer than the session or API token that opened it.

Each such socket is registered with its credential (a session's token hash, or an
API token's id). Logging out checks them at once; a background task checks them
every `server.websocket_recheck_seconds`, which catches what happens elsewhere:
`liveq token revoke` in another process, a password change, a session expiring.
A socket whose credential is gone is dropped from the hub (it receives nothing
more) and closed with 1008 and a reason.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import WSCloseCode

from liveq.hub import Client, Hub
from liveq.storage import accounts
from liveq.storage.accounts import Identity
from liveq.storage.db import Database

log = logging.getLogger(__name__)

SESSION, TOKEN = "session", "token"
_REASONS = {SESSION: b"logged out", TOKEN: b"API token revoked"}


@dataclass(frozen=True)
class Credential:
    kind: str  # SESSION or TOKEN
    key: str | int  # the session token's hash, or the API token's id


def credential_of(identity: Identity, session_token: str | None) -> Credential | None:
    """What let this identity in; None if it came by neither (cannot happen today)."""
    if identity.via == "token" and identity.token_id is not None:
        return Credential(TOKEN, identity.token_id)
    if identity.via == "session" and session_token:
        return Credential(SESSION, accounts.hash_token(session_token))
    return None


class SocketCredentials:
    """The open sockets that a session or token opened, and the check that ends them."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._sockets: dict[Client, Credential] = {}

    def add(self, client: Client, credential: Credential) -> None:
        self._sockets[client] = credential

    def remove(self, client: Client) -> None:
        self._sockets.pop(client, None)

    async def check(self, db: Database) -> int:
        """Close every socket whose session or token no longer lets anyone in."""
        if not self._sockets:
            return 0
        held = list(self._sockets.items())
        sessions = {str(c.key) for _, c in held if c.kind == SESSION}
        tokens = {int(c.key) for _, c in held if c.kind == TOKEN}
        live_sessions, live_tokens = await accounts.still_valid(db, sessions, tokens)
        ended = [
            (client, cred)
            for client, cred in held
            if cred.key not in (live_sessions if cred.kind == SESSION else live_tokens)
        ]
        for client, _ in ended:
            # Off the hub first: from here on nothing more is sent to it.
            self.hub.disconnect(client)
            self._sockets.pop(client, None)
        await asyncio.gather(
            *(
                c.ws.close(code=WSCloseCode.POLICY_VIOLATION, message=_REASONS[cred.kind])
                for c, cred in ended
            ),
            return_exceptions=True,
        )
        return len(ended)

    async def run(self, db: Database, every: float) -> None:
        """Check every `every` seconds until cancelled."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.check(db)
            except Exception:
                log.exception("checking websockets' sessions and tokens failed; trying again")
