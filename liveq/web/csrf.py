"""CSRF protection: a random cookie, and a token derived from it with the secret.

Forms carry the token in a hidden field; the console's fetch calls send it in
the X-CSRF-Token header. Without the server's secret a page elsewhere can
neither read the cookie nor compute the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web

from liveq.web.keys import CSRF_NONCE

COOKIE = "liveq_csrf"
HEADER = "X-CSRF-Token"
FIELD = "csrf"


def _derive(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), nonce.encode(), hashlib.sha256).hexdigest()


def token_for(request: web.Request, secret: str) -> str:
    """The token for this browser; sets the cookie on first use (see set_cookie)."""
    nonce = request.cookies.get(COOKIE)
    if not nonce or len(nonce) > 100:
        nonce = request.get(CSRF_NONCE) or secrets.token_urlsafe(24)
        request[CSRF_NONCE] = nonce
    return _derive(secret, nonce)


def set_cookie(request: web.Request, response: web.StreamResponse) -> None:
    """Attach the cookie if token_for made a new one."""
    nonce = request.get(CSRF_NONCE)
    if nonce:
        response.set_cookie(
            COOKIE, nonce, httponly=True, samesite="Strict", secure=request.secure, path="/"
        )


def check(request: web.Request, secret: str, supplied: str | None) -> bool:
    nonce = request.cookies.get(COOKIE)
    if not nonce or not supplied:
        return False
    return hmac.compare_digest(_derive(secret, nonce), supplied)
