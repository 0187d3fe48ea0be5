"""An approver sees each photo before signing it (issue 11 item 2).

Every uploaded photo is served to the event's own staff (moderators, admins,
approvers) and to nobody else: never public, never another event's token, with
its own Content-Type, nosniff and no-store.
"""

from __future__ import annotations

from liveq.storage import accounts as auth
from liveq.storage import store
from tests.web.test_procedure import (
    PNG,
    SLUG,
    add_photo,
    call,
    hdr,
    proc_server,
    same_pixels,
    script,
)

__all__ = ["proc_server"]


async def fetch(http, url, headers=None):
    async with http.get(url, headers=headers or {}, allow_redirects=False) as resp:
        return resp.status, dict(resp.headers), await resp.read()


async def photo_url(http, server, alt="The surgical team scrubbing in."):
    st = await script(http, server, 1)
    post_id = st["script"][0]["id"]
    st = await add_photo(http, server, post_id, alt)
    photo = st["script"][0]["photos"][0]
    return photo["url"]


async def test_staff_of_the_event_see_the_photo_they_sign(proc_server, http):
    server = proc_server
    url = await photo_url(http, server)
    assert url.startswith(f"/mod/{SLUG}/procedure/photos/")
    for role in ("moderator", "approver", "admin"):
        status, headers, body = await fetch(http, server.url + url, hdr(server, role))
        assert status == 200, role
        assert same_pixels(body, PNG)  # re-encoded without metadata
        assert headers["Content-Type"] == "image/png"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in headers["Cache-Control"]
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
        assert "sandbox" in headers["Content-Security-Policy"]


async def test_nobody_else_sees_the_photo(proc_server, http):
    server = proc_server
    url = await photo_url(http, server)
    db = server.db
    # Not logged in: a person is sent to log in; a program is refused.
    status, headers, _ = await fetch(http, server.url + url)
    assert status == 303 and headers["Location"].startswith("/login?next=")
    status, _, _ = await fetch(http, server.url + url, {"Accept": "application/json"})
    assert status == 401
    # The overlay's key is public (it is in OBS and the in-room screen): it opens nothing here.
    key = server.event.overlay_key
    status, _, body = await fetch(http, f"{server.url}{url}?key={key}")
    assert status == 303 and body != PNG
    # A presenter account, and a moderator token for another event.
    other = await store.create_event(
        db, "other-live", "Another procedure", kind="procedure", hashtag="", moderation="pre"
    )
    server.tokens["presenter"] = await auth.create_api_token(db, "presenter", label="pat")
    server.tokens["elsewhere"] = await auth.create_api_token(
        db, "moderator", event_id=other.id, label="elsewhere"
    )
    for role in ("presenter", "elsewhere"):
        status, _, body = await fetch(http, server.url + url, hdr(server, role))
        assert status == 403 and body != PNG, role
    # Another event's page does not serve this event's photo by its number.
    photo_id = url.rsplit("/", 1)[1]
    status, _, body = await fetch(
        http, f"{server.url}/mod/other-live/procedure/photos/{photo_id}", hdr(server, "admin")
    )
    assert status == 404 and body != PNG


async def test_an_unknown_photo_is_a_404_with_a_sentence(proc_server, http):
    server = proc_server
    await call(http, server, "/posts", {"text": "A post."}, status=201)
    status, _, body = await fetch(
        http, f"{server.url}/mod/{SLUG}/procedure/photos/999", hdr(server)
    )
    assert status == 404 and b"photo" in body
    status, _, _ = await fetch(http, f"{server.url}/mod/{SLUG}/procedure/photos/x", hdr(server))
    assert status == 404
