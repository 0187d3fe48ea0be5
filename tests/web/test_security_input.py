"""Hostile input that used to slip through: login redirects to another site, and bodies
or addresses that crashed a handler (issue 12, items 6 and 7)."""

import re

from tests.fixtures_server import MOD_PASSWORD, bearer, form_csrf

_NEXT = re.compile(r'name="next" value="([^"]*)"')

# Each of these, put in `next`, would send a browser to another site or break the header.
HOSTILE_NEXT = [
    "/\t/127.0.0.2:9999/landing.html",  # browsers drop the tab: //127.0.0.2:9999
    "/\n/127.0.0.2:9999/x",
    "/\r\n/evil.example/",
    "/ /evil.example/",
    "/\x01",
    "/\x7f/evil.example",
    "/\u2028/evil.example",
    "/\u00a0/evil.example",
    "//evil.example/x",
    "/\\evil.example/x",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
]


async def _session_count(server) -> int:
    row = await server.db.fetchone("SELECT count(*) FROM sessions")
    return row[0]


async def test_login_page_never_offers_a_redirect_off_this_site(server, http):
    for value in HOSTILE_NEXT:
        async with http.get(f"{server.url}/login", params={"next": value}) as resp:
            assert resp.status == 200, value
            match = _NEXT.search(await resp.text())
        assert match and match.group(1) == "/", (value, match and match.group(1))
    # A path on this site is kept, query string and all.
    async with http.get(f"{server.url}/login", params={"next": "/mod/grand-rounds?x=1"}) as resp:
        assert _NEXT.search(await resp.text()).group(1) == "/mod/grand-rounds?x=1"


async def test_login_with_a_hostile_next_is_refused_before_any_session_is_made(server, http):
    token = await form_csrf(http, f"{server.url}/login")
    for value in HOSTILE_NEXT:
        form = {"csrf": token, "username": "alice", "password": MOD_PASSWORD, "next": value}
        async with http.post(f"{server.url}/login", data=form, allow_redirects=False) as resp:
            assert resp.status == 400, (value, resp.status)
            assert "Location" not in resp.headers
            assert "not a page on this site" in await resp.text()
    assert await _session_count(server) == 0
    form = {"csrf": token, "username": "alice", "password": MOD_PASSWORD, "next": "/mod/x?a=1"}
    async with http.post(f"{server.url}/login", data=form, allow_redirects=False) as resp:
        assert resp.status == 303
        assert resp.headers["Location"] == "/mod/x?a=1"
    assert await _session_count(server) == 1


async def test_redirect_to_login_keeps_the_whole_address(server, http):
    async with http.get(
        f"{server.url}/mod/grand-rounds/report?a=1&b=2", allow_redirects=False
    ) as resp:
        assert resp.status == 303
        location = resp.headers["Location"]
    async with http.get(f"{server.url}{location}") as resp:
        assert _NEXT.search(await resp.text()).group(1) == "/mod/grand-rounds/report?a=1&amp;b=2"


async def test_deeply_nested_json_is_a_400_not_a_500(server, http):
    body = "[" * 15_000
    targets = [
        (f"{server.url}/e/grand-rounds/questions", {}),
        (f"{server.url}/api/v1/events", bearer(server, "admin")),
        (f"{server.url}/api/v1/events/grand-rounds", bearer(server)),
    ]
    for url, headers in targets:
        headers = {**headers, "Content-Type": "application/json"}
        method = "PATCH" if url.endswith("grand-rounds") else "POST"
        async with http.request(method, url, data=body, headers=headers) as resp:
            assert resp.status == 400, (url, resp.status, await resp.text())
            assert "nested too deeply" in (await resp.json())["error"]
    # An object nested deep inside is refused the same way.
    body = '{"text": ' + "[" * 15_000
    async with http.post(
        f"{server.url}/e/grand-rounds/questions",
        data=body,
        headers={"Content-Type": "application/json"},
    ) as resp:
        assert resp.status == 400
