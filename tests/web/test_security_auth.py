"""Roles, passwords, sessions and API tokens: each defence of docs/security.md (Roles)."""

import aiohttp
import pytest

from liveq.storage import accounts as auth
from liveq.storage.accounts import Identity
from tests.fixtures_server import (
    MOD_PASSWORD,
    bearer,
    form_csrf,
    login,
    start_server,
    write_config,
)

CONSOLE = "/mod/grand-rounds"


def jar_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


@pytest.mark.engines("sqlite")  # reads the bytes of the sqlite file's copy
async def test_passwords_and_tokens_are_stored_only_as_hashes(server, http):
    await login(http, server)
    rows = await server.db.fetchall("SELECT username, password_hash FROM users")
    assert len(rows) == 3
    for row in rows:
        assert row["password_hash"].startswith("$argon2id$"), row["username"]
    cookie = next(c.value for c in http.cookie_jar if c.key == "liveq_session")
    await server.db.backup(server.config.database_path.with_suffix(".copy"))
    raw = server.config.database_path.with_suffix(".copy").read_bytes()
    for secret in (MOD_PASSWORD, cookie, server.tokens["moderator"], server.tokens["admin"]):
        assert secret.encode() not in raw
    assert auth.hash_token(cookie).encode() in raw


async def test_login_is_throttled_per_ip_with_retry_after(tmp_path, http):
    server = await start_server(write_config(tmp_path, limits={"login_attempts_per_minute": 3}))
    try:
        token = await form_csrf(http, f"{server.url}/login")
        statuses = []
        for password in ["wrong1", "wrong2", "wrong3", MOD_PASSWORD]:
            async with http.post(
                f"{server.url}/login",
                data={"csrf": token, "username": "alice", "password": password},
                allow_redirects=False,
            ) as resp:
                statuses.append(resp.status)
                retry_after = resp.headers.get("Retry-After")
        # Even the right password is refused once the budget is spent: no guessing race.
        assert statuses == [401, 401, 401, 429]
        assert retry_after is not None and int(retry_after) >= 1
    finally:
        await server.stop()


async def _login_cookie_headers(http, server, headers=None) -> list[str]:
    token = await form_csrf(http, f"{server.url}/login")
    async with http.post(
        f"{server.url}/login",
        data={"csrf": token, "username": "alice", "password": MOD_PASSWORD},
        headers=headers or {},
        allow_redirects=False,
    ) as resp:
        assert resp.status == 303
        return [c for c in resp.headers.getall("Set-Cookie") if c.startswith("liveq_session=")]


async def test_session_cookie_is_httponly_and_samesite_not_secure_over_plain_http(server, http):
    (cookie,) = await _login_cookie_headers(http, server)
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    assert "secure" not in lowered.replace("samesite", "")
    # A client cannot claim TLS itself: only a trusted proxy's X-Forwarded-Proto counts.
    (cookie,) = await _login_cookie_headers(http, server, {"X-Forwarded-Proto": "https"})
    assert "secure" not in cookie.lower().replace("samesite", "")


async def test_behind_a_trusted_tls_proxy_cookies_are_secure_and_hsts_is_sent(tmp_path, http):
    config = write_config(tmp_path, server={"trusted_proxies": ["127.0.0.1"]})
    server = await start_server(config)
    try:
        tls = {"X-Forwarded-Proto": "https"}
        (cookie,) = await _login_cookie_headers(http, server, tls)
        assert "; secure" in cookie.lower()
        async with jar_session() as fresh, fresh.get(f"{server.url}/login", headers=tls) as resp:
            assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
            csrf_cookie = [c for c in resp.headers.getall("Set-Cookie") if "liveq_csrf" in c]
        assert csrf_cookie and "; secure" in csrf_cookie[0].lower()
        async with http.get(f"{server.url}/login") as resp:
            assert "Strict-Transport-Security" not in resp.headers
    finally:
        await server.stop()


async def test_logout_everywhere_ends_every_session_of_the_user(server):
    async with jar_session() as phone, jar_session() as laptop, jar_session() as other:
        token = await login(phone, server)
        await login(laptop, server)
        await login(other, server, "bob")
        for s in (phone, laptop, other):
            async with s.get(server.url + CONSOLE, allow_redirects=False) as resp:
                assert resp.status == 200
        async with phone.post(
            f"{server.url}/logout", data={"csrf": token, "everywhere": "1"}, allow_redirects=False
        ) as resp:
            assert resp.status == 303
        for s in (phone, laptop):
            async with s.get(server.url + CONSOLE, allow_redirects=False) as resp:
                assert resp.status == 303 and resp.headers["Location"].startswith("/login")
        # Bob's session is someone else's: untouched.
        async with other.get(server.url + CONSOLE, allow_redirects=False) as resp:
            assert resp.status == 200
    rows = await server.db.fetchall(
        "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = ?",
        ("alice",),
    )
    assert rows[0][0] == 0


async def test_plain_logout_ends_only_this_session(server):
    async with jar_session() as phone, jar_session() as laptop:
        token = await login(phone, server)
        await login(laptop, server)
        async with phone.post(
            f"{server.url}/logout", data={"csrf": token}, allow_redirects=False
        ) as resp:
            assert resp.status == 303
        async with phone.get(server.url + CONSOLE, allow_redirects=False) as resp:
            assert resp.status == 303
        async with laptop.get(server.url + CONSOLE, allow_redirects=False) as resp:
            assert resp.status == 200


def test_identity_expresses_approvers_and_presenters():
    approver = Identity("dr-lee", "approver")
    presenter = Identity("token:obs", "presenter", event_id=1, via="token")
    assert approver.may_approve(1) and not approver.may_moderate(1)
    assert not presenter.may_approve(1) and not presenter.may_moderate(1)
    assert Identity("admin", "admin").may_approve(1)
    assert not Identity("mod", "moderator").may_approve(1)
    assert not Identity("dr-lee", "approver", event_id=2).may_approve(1)


async def test_approver_and_presenter_cannot_moderate(server, http):
    async with http.post(
        f"{server.url}/e/grand-rounds/questions", json={"text": "Is it safe?"}
    ) as resp:
        qid = (await resp.json())["id"]
    approve = f"{server.url}/api/v1/events/grand-rounds/questions/{qid}/approve"
    for role in ("approver", "presenter"):
        token = await auth.create_api_token(server.db, role, event_id=server.event.id)
        async with http.post(approve, json={}, headers={"Authorization": f"Bearer {token}"}) as r:
            assert r.status == 403, role
        async with http.get(
            f"{server.url}/ws/grand-rounds", headers={"Authorization": f"Bearer {token}"}
        ) as r:
            assert r.status != 101
    await auth.create_user(server.db, "dr-lee", MOD_PASSWORD, "approver")
    async with jar_session() as s:
        await login(s, server, "dr-lee")
        async with s.get(server.url + CONSOLE, allow_redirects=False) as resp:
            assert resp.status == 403
    row = await server.db.fetchone("SELECT status FROM questions WHERE id = ?", (qid,))
    assert row["status"] == "pending"
    async with http.post(approve, json={}, headers=bearer(server)) as r:
        assert r.status == 200


async def test_api_rate_limit_is_per_token_with_retry_after(tmp_path, http):
    server = await start_server(write_config(tmp_path, limits={"api_requests_per_minute": 5}))
    try:
        url = f"{server.url}/api/v1/events/grand-rounds/questions"
        first = await auth.create_api_token(server.db, "moderator", label="deck")
        second = await auth.create_api_token(server.db, "moderator", label="deck")
        statuses = []
        for _ in range(6):
            async with http.get(url, headers={"Authorization": f"Bearer {first}"}) as resp:
                statuses.append(resp.status)
                retry_after = resp.headers.get("Retry-After")
                body = await resp.json()
        assert statuses == [200] * 5 + [429]
        assert int(retry_after) >= 1 and "slow down" in body["error"]
        # Another token (even with the same label, from the same IP) has its own budget.
        async with http.get(url, headers={"Authorization": f"Bearer {second}"}) as resp:
            assert resp.status == 200
    finally:
        await server.stop()
