"""Middlewares: turn errors into clear answers, and add security headers."""

from __future__ import annotations

import functools
import logging

from aiohttp import web

from liveq.config import ServerConfig
from liveq.errors import LiveqError
from liveq.web import origins
from liveq.web.client_ip import forwarded_https
from liveq.web.keys import CONFIG
from liveq.web.responses import error_response

log = logging.getLogger(__name__)

# Messages for aiohttp's own errors, which are written for programmers.
_STATUS_MESSAGES = {
    400: "The request could not be understood.",
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    413: "The request is too large.",
}


@web.middleware
async def errors(request: web.Request, handler):
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge as exc:
        if exc.text and not exc.text.startswith("Maximum request body size"):
            return error_response(request, 413, exc.text)  # a handler's own limit, named
        limit = request.app[CONFIG].limits.max_body_bytes
        return error_response(
            request, 413, f"The request is too large: the limit is {limit:,} bytes."
        )
    except web.HTTPException as exc:
        if exc.status < 400 or exc.text and exc.content_type == "application/json":
            raise
        message = exc.reason if exc.text == f"{exc.status}: {exc.reason}" else exc.text
        if exc.status in _STATUS_MESSAGES and message == exc.reason:
            message = _STATUS_MESSAGES[exc.status]
        headers = {k: v for k, v in exc.headers.items() if k in ("Retry-After", "Allow")}
        return error_response(request, exc.status, message or exc.reason, headers)
    except LiveqError as exc:
        return error_response(request, exc.status, str(exc))
    except UnicodeDecodeError:
        return error_response(request, 400, "The request is not valid UTF-8 text.")
    except OverflowError:
        # A number too large for the database (an id or version of 30 digits): found by fuzzing.
        return error_response(request, 400, "A number in the request is too large.")
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(
            request, 500, "Something went wrong on our side; nothing you sent was lost."
        )


@functools.cache
def content_security_policy(server: ServerConfig) -> str:
    """The CSP, built once from the configured origins; nothing from the request goes in."""
    # Our websockets named explicitly: older engines do not count ws: as 'self'.
    connect = " ".join(["'self'", *origins.websocket_sources(server)])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; font-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


async def quiet_server_header(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: name no version (aiohttp's default says Python's and its own)."""
    response.headers["Server"] = "liveq"


@web.middleware
async def security_headers(request: web.Request, handler):
    # Behind a trusted TLS proxy the request is secure: Secure cookies, HSTS, wss origin.
    if forwarded_https(request, request.app[CONFIG].server.trusted_proxies):
        request = request.clone(scheme="https")
    response = await handler(request)
    if response.prepared:  # a websocket or stream: its headers are gone already
        return response
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy", content_security_policy(request.app[CONFIG].server)
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # The overlay URL carries its key: never leak it to another site.
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if not request.path.startswith(("/static/", "/overlay-assets/")):
        headers.setdefault("Cache-Control", "no-store")
    if request.secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
