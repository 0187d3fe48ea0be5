"""What every procedure route shares: the event, the caller's role, the state answer."""

from __future__ import annotations

import time

from aiohttp import web

from liveq.domain.events import Event
from liveq.domain.procedure import script as sc
from liveq.storage import outbox as ob
from liveq.storage import procedure as ps
from liveq.storage.accounts import Identity
from liveq.web import csrf, i18n
from liveq.web.api.procedure.networks import splits_of
from liveq.web.audience import load_event
from liveq.web.auth import require_role
from liveq.web.keys import CONFIG, DB, HUB, OUTBOX, PHOTO_CHECKER
from liveq.web.responses import render
from liveq.workers.outbox import Outbox

routes = web.RouteTableDef()
BASE = "/api/v1/events/{slug}/procedure"
COMMS = frozenset({"admin", "moderator"})
APPROVERS = frozenset({"approver"})


async def procedure_event(request: web.Request) -> Event:
    event = await load_event(request)
    if event.kind != "procedure":
        raise web.HTTPConflict(text="This event is a webinar, not a live-tweeted procedure.")
    return event


def number(value: str) -> int:
    """An id from the URL; anything else is a 404."""
    try:
        return int(value)
    except ValueError:
        raise web.HTTPNotFound(text="There is no such item.") from None


def outbox_of(request: web.Request) -> Outbox:
    outbox = request.app.get(OUTBOX)
    if outbox is None:
        raise web.HTTPConflict(text="Posting to X is not enabled in this liveq's config ([x]).")
    return outbox


async def state(request: web.Request, event: Event, identity: Identity) -> dict:
    """Everything the procedure page shows."""
    db = request.app[DB]
    proc = await ps.load(db, event)
    posts = list(proc.posts)
    nxt = sc.next_script_post(posts)
    fact = sc.suggest_fact(posts)
    last = await ob.last_posted_at(db, event.id)
    cuts = await splits_of(request, event, posts)
    now = time.time()
    return {
        "event": event.full(),
        "role": identity.role,
        "user": identity.name,
        "physician": proc.physician,
        "pacing_seconds": proc.pacing_seconds,
        "live": proc.live_at is not None,
        "live_at": proc.live_at,
        "paused": proc.paused_at is not None,
        "paused_at": proc.paused_at,
        "problems": sc.go_live_problems(posts, list(proc.consents)),
        "script": [with_splits(p, event, cuts) for p in proc.of_role(sc.SCRIPT)],
        "facts": [with_splits(p, event, cuts) for p in proc.of_role(sc.FACT)],
        "holding": [with_splits(p, event, cuts) for p in proc.of_role(sc.HOLDING)],
        "consents": [c.view() for c in proc.consents],
        "missing_photos": missing_photos(posts),
        "next": post_view(nxt, event.slug) if nxt else None,
        "next_blocked": sc.next_problem(nxt, proc.live_at is not None)
        or ("" if request.app.get(OUTBOX) else "Posting to X is not enabled ([x] in liveq.toml)."),
        "suggested_fact": post_view(fact, event.slug) if fact else None,
        "last_posted_at": last,
        "pacing_due": proc.live_at is not None
        and proc.paused_at is None
        and sc.pacing_due(last, proc.live_at, now, proc.pacing_seconds),
        "now": now,
        "x_enabled": request.app.get(OUTBOX) is not None,
        # Photos being checked now: how far each is (also sent as photo_check frames).
        "checks": {str(k): v for k, v in request.app[PHOTO_CHECKER].checking.items()},
    }


def photo_path(slug: str, photo_id: object) -> str:
    """Where the event's staff see a photo of the script (never public)."""
    return f"/mod/{slug}/procedure/photos/{photo_id}"


def post_view(post: sc.ScriptPost, slug: str) -> dict:
    """A script post as the page shows it: each photo with the address of its image."""
    view = post.view()
    for photo in view["photos"]:
        if not photo["missing"]:
            photo["url"] = photo_path(slug, photo["id"])
    return view


def with_splits(post: sc.ScriptPost, event: Event, cuts: dict[int, dict]) -> dict:
    """The post's view with how each other network cuts it (see networks.splits_of)."""
    view = post_view(post, event.slug)
    view["splits"] = cuts.get(post.id, {})
    return view


def missing_photos(posts: list[sc.ScriptPost]) -> list[dict]:
    """Every photo a script named that nobody has uploaded yet, in the page's order."""
    order = {sc.SCRIPT: 0, sc.HOLDING: 1, sc.FACT: 2}
    return [
        {
            "post_id": p.id,
            "role": p.role,
            "position": p.position,
            "photo_id": ph.id,
            "file": ph.file,
            "alt_text": ph.alt_text,
        }
        for p in sorted(posts, key=lambda p: (order[p.role], p.position))
        for ph in p.missing_photos
    ]


def changed(request: web.Request, event: Event) -> None:
    """Tell every console of the event to reload the procedure's state."""
    request.app[HUB].publish(event.id, {"type": "procedure_changed"}, None)


async def reply(request: web.Request, event: Event, identity: Identity, status: int = 200):
    changed(request, event)
    return web.json_response(await state(request, event, identity), status=status)


@routes.get("/mod/{slug}/procedure")
async def page(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS | APPROVERS)
    secret = request.app[CONFIG].server.secret
    ctx = {
        "event": event,
        "identity": identity,
        "csrf": csrf.token_for(request, secret),
        "overlay_url": f"/overlay/{event.slug}?key={event.overlay_key}&view=thread",
    }
    # The staff's language, not the event's (its audience's): as the console.
    resp = render(request, "procedure.html", ctx, lang=i18n.choose(request))
    csrf.set_cookie(request, resp)
    return resp


@routes.get(BASE)
async def get_state(request: web.Request) -> web.Response:
    event = await procedure_event(request)
    identity = await require_role(request, event, COMMS | APPROVERS)
    return web.json_response(await state(request, event, identity))
