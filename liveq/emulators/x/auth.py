"""Request authentication for the X API emulator: OAuth 1.0a and bearer tokens.

OAuth 1.0a HMAC-SHA1 signatures are checked by oauthlib's own
``ResourceEndpoint`` with a validator that knows the emulated account's keys,
so a signing bug in our client fails here the way it would on X.
"""

from __future__ import annotations

import hmac
import string
from dataclasses import dataclass
from typing import Literal

from oauthlib.oauth1 import RequestValidator, ResourceEndpoint
from oauthlib.oauth1.rfc5849 import SIGNATURE_HMAC_SHA1

from liveq.emulators.x.state import EmulatorState

_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "-_")


@dataclass(frozen=True)
class Caller:
    """Who made a request: the account (user context) or the app (bearer)."""

    kind: Literal["user", "app"]
    user_id: str | None = None

    @property
    def identity(self) -> str:
        """The rate-limit bucket: X counts user and app limits separately."""
        return f"user:{self.user_id}" if self.kind == "user" else "app"


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


class EmulatorValidator(RequestValidator):
    """oauthlib's hooks, answered from an :class:`EmulatorState`."""

    def __init__(self, state: EmulatorState) -> None:
        super().__init__()
        self.state = state

    @property
    def allowed_signature_methods(self) -> tuple[str, ...]:
        return (SIGNATURE_HMAC_SHA1,)  # the only method X accepts

    @property
    def enforce_ssl(self) -> bool:
        return True

    # oauthlib's default format checks want 20-30 letters and digits; X's
    # access tokens are "<user id>-<random>", so accept what X hands out.
    def check_client_key(self, client_key: str) -> bool:
        return 0 < len(client_key) <= 128 and set(client_key) <= _TOKEN_CHARS

    def check_access_token(self, request_token: str) -> bool:
        return 0 < len(request_token) <= 128 and set(request_token) <= _TOKEN_CHARS

    def check_nonce(self, nonce: str) -> bool:
        return 8 <= len(nonce) <= 64 and set(nonce) <= _TOKEN_CHARS

    @property
    def dummy_client(self) -> str:
        return "dummyClientKey"

    @property
    def dummy_access_token(self) -> str:
        return "dummyAccessToken"

    def validate_client_key(self, client_key, request) -> bool:
        return _same(client_key, self.state.consumer_key)

    def validate_access_token(self, client_key, token, request) -> bool:
        return _same(token, self.state.access_token)

    def validate_realms(self, client_key, token, request, uri=None, realms=None) -> bool:
        return True

    def validate_timestamp_and_nonce(
        self, client_key, timestamp, nonce, request, request_token=None, access_token=None
    ) -> bool:
        return self.state.remember_nonce(client_key, timestamp, nonce)

    def get_client_secret(self, client_key, request) -> str:
        # For an unknown key oauthlib still computes a signature (against the
        # dummy) so timing does not tell whether the key exists.
        if _same(client_key, self.state.consumer_key):
            return self.state.consumer_secret
        return "dummySecret"

    def get_access_token_secret(self, client_key, token, request) -> str:
        if _same(token, self.state.access_token):
            return self.state.access_token_secret
        return "dummySecret"


class Authenticator:
    """Decides who a request comes from, or that it comes from nobody."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self._endpoint = ResourceEndpoint(EmulatorValidator(state))

    def authenticate(
        self, *, method: str, uri: str, headers: dict[str, str], form_body: str = ""
    ) -> Caller | None:
        """``uri`` is the full URL as the client signed it (scheme, Host, raw path
        and query); ``form_body`` only for form-encoded bodies, the only kind
        OAuth 1.0a signs."""
        auth = headers.get("Authorization") or headers.get("authorization") or ""
        scheme, _, credentials = auth.partition(" ")
        if scheme.lower() == "bearer":
            if _same(credentials.strip(), self.state.bearer_token):
                return Caller(kind="app")
            return None
        if scheme.lower() != "oauth":
            return None
        try:
            valid, _request = self._endpoint.validate_protected_resource_request(
                uri, http_method=method, body=form_body or None, headers=headers
            )
        except ValueError:
            # oauthlib raises on URIs or bodies it cannot decode.
            return None
        if not valid:
            return None
        return Caller(kind="user", user_id=self.state.account_id)
