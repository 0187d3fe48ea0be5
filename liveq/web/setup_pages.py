"""Pages for setting up: the admin page (/admin) and the one-time link page (/invite/...).

The admin page is a shell; admin.js fills it from the JSON API (api/questions.py for
events, api/setup.py for the rest, api/admin.py for overlay keys).
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from liveq.domain.events import KINDS, MODERATION_MODES, NETWORKS
from liveq.domain.roles import ROLES
from liveq.errors import InvalidInput
from liveq.storage import accounts
from liveq.web import csrf, i18n
from liveq.web.auth import identify, set_session_cookie
from liveq.web.client_ip import client_ip
from liveq.web.i18n import N_
from liveq.web.keys import CONFIG, DB, LOGIN_LIMIT
from liveq.web.ratelimit import retry_after
from liveq.web.responses import render, see_other

# Refusals in the catalog: the error page and the link page show them in the page's
# language (liveq.web.responses.error_response translates an error page's sentence).
_ADMINS_ONLY = N_("Only an administrator may open the set-up page.")
_FORM_EXPIRED = N_("The form's security token is missing or out of date; please try again.")
_TOO_MANY = N_("Too many attempts; wait %(seconds)s and try again.")
_NOT_SAME = N_("The two passwords are not the same.")


async def admin_page(request: web.Request) -> web.Response:
    identity = await identify(request)
    if identity is None:
        return see_other(f"/login?next={quote(request.raw_path, safe='/')}")
    if identity.role != "admin" or identity.event_id is not None:
        raise web.HTTPForbidden(text=_ADMINS_ONLY)
    config = request.app[CONFIG]
    ctx = {
        "identity": identity,
        "csrf": csrf.token_for(request, config.server.secret),
        "public_url": config.server.public_url.rstrip("/"),
        "kinds": KINDS,
        "modes": MODERATION_MODES,
        "networks": NETWORKS,
        "roles": ROLES,
        "event_languages": [(code, i18n.native_name(code)) for code in i18n.languages()],
        "default_moderation": config.events.moderation,
        "link_hours": accounts.LINK_SECONDS // 3600,
    }
    resp = render(request, "admin.html", ctx, lang=i18n.choose(request))
    csrf.set_cookie(request, resp)
    return resp


_GONE = N_(
    "This link has been used, has expired or was replaced; ask your administrator for a new one."
)


def _link_page(
    request: web.Request, token: str, user: dict, error: str = "", status: int = 200
) -> web.Response:
    ctx = {
        "csrf": csrf.token_for(request, request.app[CONFIG].server.secret),
        "token": token,
        "user": user,
        "error": error,
        "min_chars": accounts.MIN_PASSWORD_CHARS,
    }
    resp = render(request, "invite.html", ctx, status=status, lang=i18n.choose(request))
    csrf.set_cookie(request, resp)
    return resp


async def link_page(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    user = await accounts.link_user(request.app[DB], token)
    if user is None:
        raise web.HTTPGone(text=_GONE)
    return _link_page(request, token, user)


async def link_submit(request: web.Request) -> web.Response:
    """Set the password, spend the link, and log the person in."""
    config = request.app[CONFIG]
    db = request.app[DB]
    token = request.match_info["token"]
    form = await request.post()
    user = await accounts.link_user(db, token)
    if user is None:
        raise web.HTTPGone(text=_GONE)
    if not csrf.check(request, config.server.secret, str(form.get(csrf.FIELD, ""))):
        message = i18n.gettext(i18n.choose(request), _FORM_EXPIRED)
        return _link_page(request, token, user, message, 403)
    # The same budget as the login form: a link page must not become a password oracle.
    wait = await request.app[LOGIN_LIMIT].take(client_ip(request, config.server.trusted_proxies))
    if wait:
        after = retry_after(wait)
        lang = i18n.choose(request)
        message = i18n.gettext(lang, _TOO_MANY, seconds=i18n.seconds(lang, after))
        resp = _link_page(request, token, user, message, 429)
        resp.headers["Retry-After"] = str(after)
        return resp
    password = str(form.get("password", ""))
    if password != str(form.get("confirm", "")):
        message = i18n.gettext(i18n.choose(request), _NOT_SAME)
        return _link_page(request, token, user, message, 400)
    try:
        username = await accounts.use_link(db, token, password)
    except InvalidInput as exc:
        return _link_page(request, token, user, str(exc), 400)
    session = await accounts.login(db, username, password)
    resp = see_other("/")
    if session is not None:
        set_session_cookie(request, resp, session)
    return resp
