"""Who is asking: session cookies for people, bearer tokens for programs."""

from __future__ import annotations

import hmac
import unicodedata
from urllib.parse import quote, urljoin, urlsplit

from aiohttp import web

from liveq.domain.events import Event
from liveq.storage import accounts as auth
from liveq.storage.accounts import Identity
from liveq.web import csrf, i18n
from liveq.web.client_ip import client_ip
from liveq.web.i18n import N_
from liveq.web.keys import API_LIMIT, CONFIG, DB, IDENTITY, LOGIN_LIMIT, SOCKET_CREDENTIALS
from liveq.web.ratelimit import retry_after
from liveq.web.responses import render, see_other, wants_json

SESSION_COOKIE = "liveq_session"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def identify(request: web.Request) -> Identity | None:
    """The caller's identity, cached on the request; None if anonymous."""
    if IDENTITY in request:
        return request[IDENTITY]
    db = request.app[DB]
    identity = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        identity = await auth.token_identity(db, header.removeprefix("Bearer ").strip())
        if identity is None:
            raise web.HTTPUnauthorized(text="That API token is not valid or has been revoked.")
        # Keyed by the token itself: two tokens with the same label have their own budgets.
        wait = await request.app[API_LIMIT].take(f"token:{identity.token_id}")
        if wait:
            raise web.HTTPTooManyRequests(
                text="Too many API requests with this token; slow down.",
                headers={"Retry-After": str(retry_after(wait))},
            )
    elif request.cookies.get(SESSION_COOKIE):
        identity = await auth.session_identity(db, request.cookies[SESSION_COOKIE])
        # A cookie rides along on any cross-site request; a changing request must
        # also prove it came from our own page.
        if identity is not None and request.method not in _SAFE_METHODS:
            secret = request.app[CONFIG].server.secret
            if not csrf.check(request, secret, request.headers.get(csrf.HEADER)):
                raise web.HTTPForbidden(
                    text="The page's security token is missing or out of date; reload the page."
                )
    request[IDENTITY] = identity
    return identity


async def require_role(
    request: web.Request, event: Event, roles: frozenset[str], refusal: str = ""
) -> Identity:
    """The caller, if their role is one of `roles` (and a token is scoped to this event)."""
    identity = await identify(request)
    if identity is None:
        if wants_json(request):
            raise web.HTTPUnauthorized(
                text="Log in or send an API token (Authorization: Bearer ...)."
            )
        # The raw path, quoted: a query string's "&" must stay inside `next`.
        raise web.HTTPSeeOther(f"/login?next={quote(request.raw_path, safe='/')}")
    if identity.event_id not in (None, event.id) or identity.role not in roles:
        who = " or ".join(sorted(roles))
        raise web.HTTPForbidden(text=refusal or f"Only {who} accounts may do that for this event.")
    return identity


async def require_moderator(request: web.Request, event: Event) -> Identity:
    return await require_role(
        request, event, auth.MODERATING_ROLES, "Your account may not moderate this event."
    )


def overlay_key_valid(request: web.Request, event: Event) -> bool:
    """Whether the request carries the event's read-only overlay key (?key=)."""
    key = request.query.get("key", "")
    return hmac.compare_digest(key.encode(), event.overlay_key.encode())


async def require_admin(request: web.Request) -> Identity:
    identity = await identify(request)
    if identity is None:
        raise web.HTTPUnauthorized(text="Log in or send an API token (Authorization: Bearer ...).")
    if identity.role != "admin" or identity.event_id is not None:
        raise web.HTTPForbidden(text="Only an administrator may do that.")
    return identity


_NOT_IN_A_PATH = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp", "Zs"})


def safe_next(value: str, public_url: str) -> str | None:
    r"""`value` if it is a path on this site, else None.

    Browsers drop tabs and newlines from a URL and read a backslash as "/", so
    "/<tab>/evil" and "/\evil" mean //evil: any control, invisible or space character
    refuses it. What is left is resolved against our own address and must keep its origin.
    """
    if not value.startswith("/") or len(value) > 2000 or "\\" in value:
        return None
    if any(unicodedata.category(ch) in _NOT_IN_A_PATH for ch in value):
        return None
    base = urlsplit(public_url)
    resolved = urlsplit(urljoin(f"{base.scheme}://{base.netloc}/", value))
    if (resolved.scheme, resolved.netloc) != (base.scheme, base.netloc):
        return None
    return value


# The login form's refusals, in the catalog: shown in the page's language.
_FORM_EXPIRED = N_("The form's security token is missing or out of date; please try again.")
_TOO_MANY_LOGINS = N_("Too many login attempts; wait %(seconds)s and try again.")
_NO_MATCH = N_("That username and password do not match.")


async def login_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    secret = config.server.secret
    resp = render(
        request,
        "login.html",
        {
            "csrf": csrf.token_for(request, secret),
            "next": safe_next(request.query.get("next", "/"), config.server.public_url) or "/",
            "error": "",
            "username": "",
        },
        lang=i18n.choose(request),
    )
    csrf.set_cookie(request, resp)
    return resp


async def login_submit(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    form = await request.post()
    next_path = safe_next(str(form.get("next", "/")), config.server.public_url)
    if next_path is None:
        # Refused before the password is checked: no session is made for a bad link.
        raise web.HTTPBadRequest(
            text="This login form's return address is not a page on this site; "
            "open the login page again from liveq itself."
        )
    username = str(form.get("username", ""))[:64]
    lang = i18n.choose(request)

    def again(message: str, status: int) -> web.Response:
        ctx = {
            "csrf": csrf.token_for(request, config.server.secret),
            "next": next_path,
            "username": username,
            "error": message,
        }
        resp = render(request, "login.html", ctx, status=status, lang=lang)
        csrf.set_cookie(request, resp)
        return resp

    if not csrf.check(request, config.server.secret, str(form.get(csrf.FIELD, ""))):
        return again(i18n.gettext(lang, _FORM_EXPIRED), 403)
    wait = await request.app[LOGIN_LIMIT].take(client_ip(request, config.server.trusted_proxies))
    if wait:
        after = retry_after(wait)
        message = i18n.gettext(lang, _TOO_MANY_LOGINS, seconds=i18n.seconds(lang, after))
        resp = again(message, 429)
        resp.headers["Retry-After"] = str(after)
        return resp
    token = await auth.login(request.app[DB], username, str(form.get("password", "")))
    if token is None:
        return again(i18n.gettext(lang, _NO_MATCH), 401)
    resp = see_other(next_path)
    set_session_cookie(request, resp, token)
    return resp


def set_session_cookie(request: web.Request, resp: web.StreamResponse, token: str) -> None:
    """The browser's session: sent back on every page, never readable by scripts."""
    resp.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        secure=request.secure,
        max_age=auth.SESSION_SECONDS,
        path="/",
    )


async def logout_submit(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    form = await request.post()
    if not csrf.check(request, config.server.secret, str(form.get(csrf.FIELD, ""))):
        raise web.HTTPForbidden(text="The form's security token is missing; reload and try again.")
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await auth.logout(request.app[DB], token, everywhere=form.get("everywhere") == "1")
        # The ended sessions' open websockets close now, not at the next periodic look.
        await request.app[SOCKET_CREDENTIALS].check(request.app[DB])
    resp = see_other("/login")
    resp.del_cookie(SESSION_COOKIE, path="/")
    return resp
