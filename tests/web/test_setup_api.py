"""Setting up from the browser: each endpoint's auth, CSRF and errors over real HTTP,
and that each change lands as the CLI's would (same storage, audited)."""

import aiohttp
import pytest

from liveq.storage import accounts, store
from tests.fixtures_server import bearer, form_csrf, login

pytestmark = pytest.mark.engines("sqlite", "postgresql")

SLUG = "grand-rounds"
NEW_PASSWORD = "dana-password-2026"

# (method, path, JSON body): every admin-only endpoint of the set-up page.
ENDPOINTS = [
    ("GET", "/api/v1/setup/events", None),
    ("GET", "/api/v1/events", None),
    ("POST", "/api/v1/events", {"slug": "x-1", "title": "X"}),
    ("POST", f"/api/v1/events/{SLUG}/duplicate", {"slug": "copy-1"}),
    ("POST", f"/api/v1/events/{SLUG}/archive", None),
    ("POST", f"/api/v1/events/{SLUG}/logo", None),
    ("DELETE", f"/api/v1/events/{SLUG}/logo", None),
    ("GET", "/api/v1/users", None),
    ("POST", "/api/v1/users", {"username": "zed", "role": "moderator"}),
    ("POST", "/api/v1/users/alice/reset", None),
    ("POST", "/api/v1/users/alice/disable", None),
    ("POST", "/api/v1/users/alice/enable", None),
    ("GET", "/api/v1/tokens", None),
    ("POST", "/api/v1/tokens", {"role": "moderator"}),
    ("DELETE", "/api/v1/tokens/1", None),
]


async def call(http, server, method, path, body=None, headers=None, status=200) -> dict:
    async with http.request(
        method, server.url + path, json=body, headers=headers or {}, allow_redirects=False
    ) as resp:
        data = await resp.json()
        assert resp.status == status, (method, path, resp.status, data)
    return data


async def admin_session(http, server) -> dict[str, str]:
    return {"X-CSRF-Token": await login(http, server, "admin")}


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_every_endpoint_refuses_anyone_but_an_admin(server, method, path, body):
    async with aiohttp.ClientSession() as anonymous:
        data = await call(anonymous, server, method, path, body, status=401)
        assert "Log in" in data["error"]
        data = await call(anonymous, server, method, path, body, bearer(server), status=403)
        assert data["error"] == "Only an administrator may do that."
    # An admin token scoped to one event is not an administrator of the server.
    scoped = await accounts.create_api_token(server.db, "admin", event_id=server.event.id)
    async with aiohttp.ClientSession() as program:
        auth = {"Authorization": f"Bearer {scoped}"}
        await call(program, server, method, path, body, auth, status=403)
    # A moderator's session, with its CSRF token.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as alice:
        csrf = await login(alice, server, "alice")
        await call(alice, server, method, path, body, {"X-CSRF-Token": csrf}, status=403)
    # Nothing changed: no new user, event or token, nobody disabled, nothing audited.
    assert [u["username"] for u in await accounts.list_users(server.db)] == [
        "admin",
        "alice",
        "bob",
    ]
    assert not any(u["disabled"] for u in await accounts.list_users(server.db))
    assert [e.slug for e in await store.list_events(server.db, archived=True)] == [SLUG]
    assert await server.db.fetchall("SELECT id FROM audit") == []


@pytest.mark.parametrize(
    ("method", "path", "body"), [e for e in ENDPOINTS if e[0] != "GET"], ids=lambda v: str(v)
)
async def test_an_admin_session_without_the_csrf_token_is_refused(server, http, method, path, body):
    await login(http, server, "admin")
    data = await call(http, server, method, path, body, status=403)
    assert "security token" in data["error"]


async def test_admin_page_needs_an_admin(server, http):
    async with http.get(f"{server.url}/admin", allow_redirects=False) as resp:
        assert resp.status == 303
        assert resp.headers["Location"] == "/login?next=/admin"
    await login(http, server, "alice")
    async with http.get(f"{server.url}/admin") as resp:
        assert resp.status == 403
        assert "Only an administrator" in await resp.text()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as admin:
        await login(admin, server, "admin")
        async with admin.get(f"{server.url}/admin") as resp:
            assert resp.status == 200
            assert 'data-csrf="' in await resp.text()
        async with admin.get(f"{server.url}/") as resp:
            assert 'href="/admin"' in await resp.text()


async def invite(http, server, username: str) -> dict:
    """The admin invites a moderator: the API's answer (the one-time link and its life)."""
    headers = await admin_session(http, server)
    return await call(
        http, server, "POST", "/api/v1/users", {"username": username, "role": "moderator"},
        headers, status=201,
    )


async def test_invite_link_sets_a_password_once_and_logs_in(server, http):
    data = await invite(http, server, "dana")
    link = data["link"]
    assert link.startswith(f"{server.url}/invite/") and data["expires_in_hours"] == 72
    users = (await call(http, server, "GET", "/api/v1/users"))["users"]
    dana = next(u for u in users if u["username"] == "dana")
    assert dana["has_password"] is False and dana["link_expires_at"] is not None

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as guest:
        csrf = await form_csrf(guest, link)

        async def submit(password, confirm, token=csrf):
            form = {"csrf": token, "password": password, "confirm": confirm}
            async with guest.post(link, data=form, allow_redirects=False) as resp:
                return resp.status, await resp.text()

        status, page = await submit(NEW_PASSWORD, "something-else-1")
        assert (status, "are not the same" in page) == (400, True)
        status, page = await submit("short", "short")
        assert (status, "at least 10 characters" in page) == (400, True)
        status, page = await submit(NEW_PASSWORD, NEW_PASSWORD, token="forged")
        assert (status, "security token" in page) == (403, True)
        status, _ = await submit(NEW_PASSWORD, NEW_PASSWORD)
        assert status == 303
        # Logged in as dana, who may moderate.
        async with guest.get(f"{server.url}/mod/{SLUG}") as resp:
            assert resp.status == 200
        # The link worked once.
        async with guest.get(link) as resp:
            assert resp.status == 410
            assert "ask your administrator for a new one" in await resp.text()
        status, _ = await submit(NEW_PASSWORD, NEW_PASSWORD)
        assert status == 410
    async with aiohttp.ClientSession() as anyone:
        async with anyone.get(f"{server.url}/invite/not-a-real-link") as resp:
            assert resp.status == 410
    rows = await server.db.fetchall("SELECT actor, action FROM audit ORDER BY id")
    assert [(r["actor"], r["action"]) for r in rows] == [
        ("admin", "user_invite"),
        ("dana", "user_password_set"),
    ]


async def test_the_invite_page_and_its_refusals_in_spanish(server, http):
    link = (await invite(http, server, "elena"))["link"]
    spanish = {"Accept-Language": "es-ES,es;q=0.9"}
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as guest:
        async with guest.get(link, headers=spanish) as resp:
            page = await resp.text()
        assert '<html lang="es"' in page and "Establezca su contraseña" in page
        assert "<strong>elena</strong></bdi>. Este enlace solo funciona una vez." in page
        csrf = await form_csrf(guest, link)
        form = {"csrf": csrf, "password": NEW_PASSWORD, "confirm": "something-else-1"}
        async with guest.post(link, data=form, headers=spanish) as resp:
            assert resp.status == 400
            assert "Las dos contraseñas no coinciden." in await resp.text()
        # Without a language asked for: English, word for word as before.
        async with guest.get(link) as resp:
            page = await resp.text()
        assert '<html lang="en"' in page
        assert "Welcome! You have been invited as a moderator: <bdi" in page
        assert "</bdi>. This link works once." in page
    async with aiohttp.ClientSession() as anyone:
        async with anyone.get(f"{server.url}/invite/not-a-real-link", headers=spanish) as resp:
            assert resp.status == 410
            assert "pida uno nuevo a su administrador" in await resp.text()


async def test_invite_errors_say_what_is_wrong(server, http):
    headers = await admin_session(http, server)
    for body, status, words in [
        ({"username": "zed", "role": "owner"}, 400, "role should be one of"),
        ({"username": "", "role": "moderator"}, 400, "username should be"),
        ({"username": 5, "role": "moderator"}, 400, "username should be text"),
        ({"username": "alice", "role": "moderator"}, 409, "already exists"),
        (["not", "an", "object"], 400, "JSON object"),
    ]:
        data = await call(http, server, "POST", "/api/v1/users", body, headers, status=status)
        assert words in data["error"], data
    async with http.post(
        f"{server.url}/api/v1/users", data="username=zed", headers=headers
    ) as resp:
        assert resp.status == 415


async def test_reset_disable_and_enable(server, http):
    headers = await admin_session(http, server)
    await call(http, server, "POST", "/api/v1/users/nobody/reset", None, headers, status=404)
    data = await call(http, server, "POST", "/api/v1/users/alice/reset", None, headers)
    link = data["link"]
    data = await call(http, server, "POST", "/api/v1/users/admin/disable", None, headers, 409)
    assert "your own account" in data["error"]
    await call(http, server, "POST", "/api/v1/users/alice/disable", None, headers)
    data = await call(http, server, "POST", "/api/v1/users/alice/disable", None, headers, 409)
    assert "already disabled" in data["error"]
    assert await accounts.login(server.db, "alice", "moderator-password-123") is None
    # A disabled account's link stops working too.
    async with aiohttp.ClientSession() as guest:
        async with guest.get(link) as resp:
            assert resp.status == 410
    await call(http, server, "POST", "/api/v1/users/alice/enable", None, headers)
    assert await accounts.login(server.db, "alice", "moderator-password-123") is not None
    await call(http, server, "POST", "/api/v1/users/nobody/disable", None, headers, status=404)


async def test_tokens_are_shown_once_listed_without_secret_and_revoked(server, http):
    headers = await admin_session(http, server)
    for body, status, words in [
        ({"role": "owner"}, 400, "role should be one of"),
        ({"role": "moderator", "event": "no-such-event"}, 404, "no event"),
        ({"role": "moderator", "label": ["x"]}, 400, "label should be text"),
        ({"role": "moderator", "label": "x" * 101}, 400, "at most 100"),
    ]:
        data = await call(http, server, "POST", "/api/v1/tokens", body, headers, status=status)
        assert words in data["error"], data
    body = {"role": "moderator", "event": SLUG, "label": "Stream Deck"}
    made = await call(http, server, "POST", "/api/v1/tokens", body, headers, status=201)
    token = made["token"]
    assert token.startswith("lq_")
    listed = (await call(http, server, "GET", "/api/v1/tokens"))["tokens"]
    assert token not in str(listed)
    new = next(t for t in listed if t["label"] == "Stream Deck")
    assert (new["role"], new["event"], new["revoked"]) == ("moderator", SLUG, False)
    async with aiohttp.ClientSession() as deck:
        auth = {"Authorization": f"Bearer {token}"}
        await call(deck, server, "GET", f"/api/v1/events/{SLUG}", headers=auth)
        await call(http, server, "DELETE", f"/api/v1/tokens/{new['id']}", None, headers)
        data = await call(deck, server, "GET", f"/api/v1/events/{SLUG}", headers=auth, status=401)
        assert "revoked" in data["error"]
    await call(http, server, "DELETE", f"/api/v1/tokens/{new['id']}", None, headers, status=404)
    await call(http, server, "DELETE", "/api/v1/tokens/abc", None, headers, status=404)
    rows = await server.db.fetchall("SELECT action FROM audit ORDER BY id")
    assert [r["action"] for r in rows] == ["token_create", "token_revoke"]


async def test_duplicate_copies_the_settings_and_archive_closes_the_event(server, http):
    headers = await admin_session(http, server)
    patch = {"hashtag": "#KneeQA", "networks": ["bluesky"], "language": "es"}
    await call(http, server, "PATCH", f"/api/v1/events/{SLUG}", patch, headers)
    data = await call(
        http, server, "PATCH", f"/api/v1/events/{SLUG}", {"hashtag": "no spaces"}, headers, 400
    )
    assert "not a valid hashtag" in data["error"]
    dup = f"/api/v1/events/{SLUG}/duplicate"
    for body, status, words in [
        ({"slug": "Bad Slug"}, 400, "not a usable event name"),
        ({"slug": SLUG}, 409, "already exists"),
        ({"slug": 7}, 400, "slug should be text"),
    ]:
        data = await call(http, server, "POST", dup, body, headers, status=status)
        assert words in data["error"]
    await call(http, server, "POST", "/api/v1/events/nope/duplicate", {"slug": "a"}, headers, 404)
    body = {"slug": "grand-rounds-2027", "title": "Grand Rounds 2027"}
    made = (await call(http, server, "POST", dup, body, headers, status=201))["event"]
    assert (made["hashtag"], made["networks"], made["language"]) == ("KneeQA", ["bluesky"], "es")
    assert (made["kind"], made["moderation"], made["title"]) == ("webinar", "pre", body["title"])
    copy = await store.get_event(server.db, "grand-rounds-2027")
    assert copy.overlay_key != server.event.overlay_key

    setup = (await call(http, server, "GET", "/api/v1/setup/events"))["events"]
    urls = {e["slug"]: e["overlay_url"] for e in setup}
    assert urls[SLUG] == f"{server.url}/overlay/{SLUG}?key={server.event.overlay_key}"

    await call(http, server, "POST", f"/api/v1/events/{SLUG}/archive", None, headers)
    data = await call(http, server, "POST", f"/api/v1/events/{SLUG}/archive", None, headers, 409)
    assert "already archived" in data["error"]
    listed = (await call(http, server, "GET", "/api/v1/events"))["events"]
    assert [e["slug"] for e in listed] == ["grand-rounds-2027"]
    everything = (await call(http, server, "GET", "/api/v1/events?archived=1"))["events"]
    assert {e["slug"]: e["archived"] for e in everything} == {
        SLUG: True,
        "grand-rounds-2027": False,
    }
    # The audience form is closed and a moderator cannot reopen it.
    async with aiohttp.ClientSession() as audience:
        q = {"text": "Is the event still on?", "name": "Ann"}
        async with audience.post(f"{server.url}/e/{SLUG}/questions", json=q) as resp:
            assert resp.status == 409
    data = await call(
        http, server, "PATCH", f"/api/v1/events/{SLUG}", {"accepting": True}, headers, 409
    )
    assert "archived" in data["error"]
    # It leaves the events index too.
    async with http.get(f"{server.url}/") as resp:
        page = await resp.text()
    assert "/e/grand-rounds-2027" in page and f"/e/{SLUG}<" not in page
    rows = await server.db.fetchall("SELECT action FROM audit ORDER BY id")
    assert [r["action"] for r in rows] == ["event_update", "event_create", "event_archive"]
