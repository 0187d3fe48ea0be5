"""Pages for people: the moderator console, its index, and the presenter overlay."""

from __future__ import annotations

import re
from pathlib import Path

import segno
from aiohttp import web
from markupsafe import Markup

from liveq.config import public_url_warnings
from liveq.domain.events import Event
from liveq.screening import KINDS as FINDING_KINDS
from liveq.storage import store
from liveq.storage.accounts import Identity
from liveq.web import csrf, i18n
from liveq.web.audience import load_event
from liveq.web.auth import identify, overlay_key_valid, require_moderator
from liveq.web.i18n import N_
from liveq.web.keys import CONFIG, DB, EVENTS
from liveq.web.responses import render, see_other

_THEME = re.compile(r"^[a-z0-9-]{1,40}$")


def overlays_dir() -> Path:
    """overlays/: inside the installed package, or at the checkout's root."""
    packaged = Path(__file__).parents[1] / "_overlays"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "overlays"


def audience_url(request: web.Request, slug: str) -> str:
    return f"{request.app[CONFIG].server.public_url.rstrip('/')}/e/{slug}"


def event_links(identity: Identity, event: Event) -> list[tuple[str, str]]:
    """What this account may open for the event, as (label, path); none: not listed.

    The labels are catalog messages in English; the index page translates them."""
    if identity.event_id not in (None, event.id):
        return []
    links = []
    if identity.may_moderate(event.id):
        links.append((N_("Console"), f"/mod/{event.slug}"))
    if event.kind == "procedure" and identity.role in ("admin", "moderator", "approver"):
        label = N_("Sign off the script") if identity.role == "approver" else N_("Procedure")
        links.append((label, f"/mod/{event.slug}/procedure"))
    if identity.role == "presenter":
        overlay = f"/overlay/{event.slug}?key={event.overlay_key}"
        links.append((N_("Presenter view"), f"{overlay}&view=presenter"))
    return links


async def index(request: web.Request) -> web.Response:
    identity = await identify(request)
    if identity is None:
        return see_other("/login")
    listed = [(e, event_links(identity, e)) for e in await store.list_events(request.app[DB])]
    events = [(e, links) for e, links in listed if links]
    secret = request.app[CONFIG].server.secret
    resp = render(
        request,
        "index.html",
        {"events": events, "identity": identity, "csrf": csrf.token_for(request, secret)},
        lang=i18n.choose(request),
    )
    csrf.set_cookie(request, resp)
    return resp


async def console(request: web.Request) -> web.Response:
    event = await load_event(request)
    identity = await require_moderator(request, event)
    secret = request.app[CONFIG].server.secret
    ctx = {
        "event": event,
        "identity": identity,
        "csrf": csrf.token_for(request, secret),
        "audience_url": audience_url(request, event.slug),
        "overlay_url": f"/overlay/{event.slug}?key={event.overlay_key}",
        # e.g. `liveq serve --port 8778` with public_url still at 8080: say so here.
        "public_url_warnings": public_url_warnings(request.app[CONFIG]),
        "finding_kinds": FINDING_KINDS,
    }
    # The staff's own language (?lang=, cookie, browser), not the event's: an event's
    # language is its audience's, and its moderators may read another.
    resp = render(request, "console.html", ctx, lang=i18n.choose(request))
    csrf.set_cookie(request, resp)
    return resp


# How often an overlay whose link does not work looks again.
LOCKED_RETRY_SECONDS = 10


def _overlay_view(request: web.Request) -> str:
    view = request.query.get("view", "")
    # poll: a lower third with the current poll's bar chart; cloud: its word cloud.
    return view if view in ("presenter", "thread", "poll", "cloud") else "program"


def _locked_overlay(request: web.Request, status: int, reason: str, message: str):
    """A broken overlay link in OBS: a transparent page that retries, never a grey page.

    The notice shows on hover (OBS's Interact window) and always on the presenter's
    and the in-room screen. Nothing of the event is shown.
    """
    ctx = {
        "view": _overlay_view(request),
        "reason": reason,
        "message": message,
        "retry_seconds": LOCKED_RETRY_SECONDS,
    }
    return render(request, "overlay_locked.html", ctx, status=status)


async def overlay(request: web.Request) -> web.Response:
    event = await request.app[EVENTS].get(request.match_info["slug"])
    if event is None:
        return _locked_overlay(
            request, 404, "no-event", "There is no event at this address; check the link."
        )
    if not overlay_key_valid(request, event):
        return _locked_overlay(
            request,
            403,
            "bad-key",
            "Its key is missing or has changed (someone rotated it). Copy the overlay link "
            "again from the console and paste it into the browser source.",
        )
    theme = request.query.get("theme", "")
    if theme and not (
        _THEME.match(theme) and (overlays_dir() / "themes" / f"{theme}.css").exists()
    ):
        raise web.HTTPNotFound(text=f"There is no overlay theme called {theme!r}.")
    url = audience_url(request, event.slug)
    # segno writes the SVG itself from our own URL: nothing a visitor typed goes in.
    # A viewBox and no width/height, so the CSS box scales the whole code instead of
    # cropping it; the standard quiet zone of 4 modules, or phones will not find it.
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=4, dark="#111", light="#fff", omitsize=True
    )
    qr = Markup(svg)  # noqa: S704
    ctx = {
        "event": event,
        "key": event.overlay_key,
        "view": _overlay_view(request),
        "theme": theme,
        "audience_url": url,
        "qr": qr,
    }
    # The idle card invites the room to ask: in the event's language.
    return render(request, "overlay.html", ctx, lang=i18n.choose(request, event.language))
