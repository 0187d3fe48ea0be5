"""Setting up from the browser (admins): duplicate and archive events, invite, reset and
disable users, create, list and revoke API tokens.

The same storage functions as `liveq event|user|token`, so the CLI and the admin page
do the same thing, and each change writes its audit row there.
"""

from __future__ import annotations

from aiohttp import web

from liveq.domain.events import check_slug
from liveq.domain.questions import clean_text
from liveq.storage import accounts, store
from liveq.web.api.admin import overlay_path
from liveq.web.api.procedure.photos import cleaned, read_photo
from liveq.web.audience import load_event
from liveq.web.auth import require_admin
from liveq.web.keys import CONFIG, DB, EVENTS, HUB, SOCKET_CREDENTIALS
from liveq.web.responses import read_json_object

routes = web.RouteTableDef()


def link_url(request: web.Request, token: str) -> str:
    """The one-time link an invited (or reset) user opens to set a password."""
    return f"{request.app[CONFIG].server.public_url.rstrip('/')}/invite/{token}"


def _text(data: dict, name: str) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise web.HTTPBadRequest(text=f"{name} should be text.")
    return value


@routes.get("/api/v1/setup/events")
async def setup_events(request: web.Request) -> web.Response:
    """Every event, archived ones too, each with its overlay URL (for the set-up page)."""
    await require_admin(request)
    base = request.app[CONFIG].server.public_url.rstrip("/")
    events = await store.list_events(request.app[DB], archived=True)
    return web.json_response(
        {"events": [{**e.full(), "overlay_url": base + overlay_path(e)} for e in events]}
    )


@routes.post("/api/v1/events/{slug}/duplicate")
async def duplicate_event(request: web.Request) -> web.Response:
    """A new event with this one's settings (a template): kind, hashtag, moderation,
    networks, language, brand colour, logo. Its questions, audit, times and overlay key are
    its own."""
    identity = await require_admin(request)
    source = await load_event(request)
    data = await read_json_object(request)
    try:
        slug = check_slug(_text(data, "slug"))
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    title = clean_text(data.get("title") or source.title, what="title", max_chars=200)
    event = await store.create_event(
        request.app[DB],
        slug,
        title,
        kind=source.kind,
        hashtag=source.hashtag,
        moderation=source.moderation,
        networks=source.networks,
        language=source.language,
        actor=identity.name,
    )
    # The template's look comes along (colour, logo); its times do not.
    if source.brand_colour:
        event = await store.update_event(
            request.app[DB], event, identity.name, brand_colour=source.brand_colour
        )
    logo = await store.get_logo(request.app[DB], source) if source.logo_sha256 else None
    if logo is not None:
        event = await store.set_logo(request.app[DB], event, identity.name, *logo)
    return web.json_response({"event": event.full(), "copied_from": source.slug}, status=201)


@routes.post("/api/v1/events/{slug}/archive")
async def archive_event(request: web.Request) -> web.Response:
    """Off the lists and the hashtag readers; the audience form says it is closed."""
    identity = await require_admin(request)
    event = await load_event(request)
    event = await store.archive_event(request.app[DB], event, identity.name)
    request.app[EVENTS].invalidate(event.slug)
    request.app[HUB].event_changed(event)
    return web.json_response({"event": event.full()})


@routes.post("/api/v1/events/{slug}/logo")
async def set_logo(request: web.Request) -> web.Response:
    """The audience pages' logo (multipart field `photo`): checked and re-encoded without
    its metadata by the same cleaning as a procedure's photos."""
    identity = await require_admin(request)
    event = await load_event(request)
    data, media_type, _alt = await read_photo(request)
    if not data:
        raise web.HTTPBadRequest(text="Choose an image file for the logo (PNG, JPEG, GIF or WebP).")
    photo = await cleaned(request, data, media_type)
    db = request.app[DB]
    event = await store.set_logo(db, event, identity.name, photo.data, photo.media_type)
    request.app[EVENTS].invalidate(event.slug)
    return web.json_response({"event": event.full()}, status=201)


@routes.delete("/api/v1/events/{slug}/logo")
async def remove_logo(request: web.Request) -> web.Response:
    identity = await require_admin(request)
    event = await load_event(request)
    event = await store.set_logo(request.app[DB], event, identity.name, None)
    request.app[EVENTS].invalidate(event.slug)
    return web.json_response({"event": event.full()})


# -- users ---------------------------------------------------------------------------


def _user_out(user: dict) -> dict:
    return {
        "username": user["username"],
        "role": user["role"],
        "disabled": user["disabled"],
        "has_password": user["has_password"],
        "created_at": user["created_at"],
        "link_expires_at": user["link_expires_at"],
    }


@routes.get("/api/v1/users")
async def list_users(request: web.Request) -> web.Response:
    await require_admin(request)
    users = await accounts.list_users(request.app[DB])
    return web.json_response({"users": [_user_out(u) for u in users]})


@routes.post("/api/v1/users")
async def invite_user(request: web.Request) -> web.Response:
    """A new account with a role and a one-time link (shown here once) to set a password."""
    identity = await require_admin(request)
    data = await read_json_object(request)
    username = _text(data, "username").strip()
    token = await accounts.invite_user(
        request.app[DB], username, _text(data, "role"), identity.name
    )
    return web.json_response(
        {
            "username": username,
            "link": link_url(request, token),
            "expires_in_hours": accounts.LINK_SECONDS // 3600,
        },
        status=201,
    )


@routes.post("/api/v1/users/{username}/reset")
async def reset_user(request: web.Request) -> web.Response:
    """A new one-time link; the user's earlier link stops working."""
    identity = await require_admin(request)
    username = request.match_info["username"]
    token = await accounts.reset_link(request.app[DB], username, identity.name)
    return web.json_response(
        {
            "username": username,
            "link": link_url(request, token),
            "expires_in_hours": accounts.LINK_SECONDS // 3600,
        }
    )


@routes.post("/api/v1/users/{username}/{action:disable|enable}")
async def disable_user(request: web.Request) -> web.Response:
    identity = await require_admin(request)
    username = request.match_info["username"]
    disable = request.match_info["action"] == "disable"
    if disable and username == identity.name:
        raise web.HTTPConflict(
            text="You cannot disable your own account; ask another administrator."
        )
    await accounts.set_disabled(request.app[DB], username, disable, identity.name)
    # Its open consoles close now, not at the next periodic look.
    await request.app[SOCKET_CREDENTIALS].check(request.app[DB])
    return web.json_response({"username": username, "disabled": disable})


# -- API tokens ----------------------------------------------------------------------


@routes.get("/api/v1/tokens")
async def list_tokens(request: web.Request) -> web.Response:
    """Every token without its secret."""
    await require_admin(request)
    tokens = await accounts.list_api_tokens(request.app[DB])
    return web.json_response(
        {
            "tokens": [
                {
                    "id": t["id"],
                    "role": t["role"],
                    "event": t["slug"],
                    "label": t["label"],
                    "created_at": t["created_at"],
                    "revoked": t["revoked_at"] is not None,
                }
                for t in tokens
            ]
        }
    )


@routes.post("/api/v1/tokens")
async def create_token(request: web.Request) -> web.Response:
    """A new token, shown in this answer only (just its hash is kept)."""
    identity = await require_admin(request)
    data = await read_json_object(request)
    db = request.app[DB]
    label = _text(data, "label").strip()
    if len(label) > 100 or not label.isprintable():
        raise web.HTTPBadRequest(text="label should be at most 100 printable characters.")
    event_id = None
    slug = _text(data, "event").strip()
    if slug:
        event = await store.get_event(db, slug)
        if event is None:
            raise web.HTTPNotFound(text=f"There is no event {slug!r} to scope the token to.")
        event_id = event.id
    token = await accounts.create_api_token(
        db, _text(data, "role"), event_id=event_id, label=label, actor=identity.name
    )
    return web.json_response({"token": token, "label": label, "event": slug or None}, status=201)


@routes.delete("/api/v1/tokens/{id}")
async def revoke_token(request: web.Request) -> web.Response:
    identity = await require_admin(request)
    try:
        token_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="There is no such API token.") from None
    await accounts.revoke_api_token(request.app[DB], token_id, actor=identity.name)
    # Its open websockets close now.
    await request.app[SOCKET_CREDENTIALS].check(request.app[DB])
    return web.json_response({"id": token_id, "revoked": True})
