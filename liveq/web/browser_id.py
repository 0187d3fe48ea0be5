"""The audience browser's id: random, signed with the server secret (cookie liveq_voter).

It tells votes apart (one per browser and question), gives each browser its own
question allowance, and ties a thanks page to the browser that asked. Without
the secret nobody can make one up: an unsigned or altered id counts as none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web

from liveq.web.keys import BROWSER_ID

COOKIE = "liveq_voter"


def _sign(secret: str, purpose: str, value: str) -> str:
    mac = hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def verify(secret: str, cookie: str | None) -> str | None:
    """The id inside a signed cookie value, or None if it is missing, unsigned or forged."""
    if not cookie or len(cookie) > 100:
        return None
    browser, _, signature = cookie.partition(".")
    if not browser or not hmac.compare_digest(_sign(secret, "browser", browser), signature):
        return None
    return browser


def current(request: web.Request, secret: str) -> str | None:
    """This browser's id, from its cookie (or the one issue() just made for it)."""
    return verify(secret, request.cookies.get(COOKIE)) or request.get(BROWSER_ID)


def issue(request: web.Request) -> str:
    """A fresh id for this request's browser; set_cookie() sends it."""
    browser = request[BROWSER_ID] = secrets.token_urlsafe(18)
    return browser


def set_cookie(request: web.Request, response: web.StreamResponse, secret: str, slug: str) -> None:
    """Send the id issue() made, if it made one."""
    browser = request.get(BROWSER_ID)
    if browser:
        response.set_cookie(
            COOKIE,
            f"{browser}.{_sign(secret, 'browser', browser)}",
            httponly=True,
            samesite="Strict",
            secure=request.secure,
            max_age=30 * 24 * 3600,
            path=f"/e/{slug}",
        )


def question_proof(secret: str, browser: str, question_id: int) -> str:
    """Proof, for the thanks page, that this browser asked this question."""
    return _sign(secret, f"asked:{question_id}", browser)
