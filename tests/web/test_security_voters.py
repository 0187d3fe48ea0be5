"""The audience browser's signed id (cookie liveq_voter): forged ids never vote, limits
count per browser as well as per address, and the thanks page tells only the asker
(issue 12 items 8 and 11, issue 11 items 9 and 16)."""

import re
import secrets

import aiohttp
import pytest

from tests.fixtures_server import form_csrf, start_server, write_config

# Both store engines (tests/fixtures_database.py).
pytestmark = pytest.mark.engines("sqlite", "postgresql")

FORM = "/e/grand-rounds"


def browser() -> aiohttp.ClientSession:
    """A new browser: its own cookie jar."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def cookie(session: aiohttp.ClientSession, name: str) -> str:
    return next(c.value for c in session.cookie_jar if c.key == name)


async def ask(session, server, text: str, token: str) -> aiohttp.ClientResponse:
    async with session.post(
        f"{server.url}{FORM}/questions", data={"csrf": token, "text": text}, allow_redirects=False
    ) as resp:
        await resp.read()
        return resp


async def approved_question(server, http, text="Will I need a brace?") -> int:
    async with http.post(f"{server.url}{FORM}/questions", json={"text": text}) as resp:
        qid = (await resp.json())["id"]
    async with http.post(
        f"{server.url}/api/v1/events/grand-rounds/questions/{qid}/approve",
        headers={"Authorization": f"Bearer {server.tokens['moderator']}"},
    ) as resp:
        assert resp.status == 200
    return qid


async def votes(server, qid) -> int:
    row = await server.db.fetchone("SELECT votes FROM questions WHERE id = ?", (qid,))
    return row[0]


async def test_made_up_voter_cookies_never_count(server, http):
    qid = await approved_question(server, http)
    async with browser() as real:
        token = await form_csrf(real, f"{server.url}{FORM}")
        signed = cookie(real, "liveq_voter")
        nonce = cookie(real, "liveq_csrf")
        async with real.post(
            f"{server.url}{FORM}/questions/{qid}/vote", headers={"X-CSRF-Token": token}
        ) as resp:
            assert resp.status == 200
    assert await votes(server, qid) == 1

    voter_id, _, signature = signed.partition(".")
    forged = [secrets.token_urlsafe(18) for _ in range(40)]
    forged += [f"{secrets.token_urlsafe(18)}.{signature}", f"{voter_id}x.{signature}"]
    forged += [f"{voter_id}.{'A' * len(signature)}", voter_id, f".{signature}", "."]
    # A browser that sends whatever cookie it likes (no jar).
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as attacker:
        for value in forged:
            async with attacker.post(
                f"{server.url}{FORM}/questions/{qid}/vote",
                headers={
                    "X-CSRF-Token": token,
                    "Accept": "application/json",
                    "Cookie": f"liveq_csrf={nonce}; liveq_voter={value}",
                },
            ) as resp:
                assert resp.status == 403, (value, resp.status)
                assert "vote again" in (await resp.json())["error"]
                # A fresh signed id comes with the refusal, so a real browser recovers.
                assert any(c.startswith("liveq_voter=") for c in resp.headers.getall("Set-Cookie"))
        # The real browser's own id, replayed, is still one voter.
        async with attacker.post(
            f"{server.url}{FORM}/questions/{qid}/vote",
            headers={"X-CSRF-Token": token, "Cookie": f"liveq_csrf={nonce}; liveq_voter={signed}"},
        ) as resp:
            assert resp.status == 200
    assert await votes(server, qid) == 1


async def test_the_form_replaces_an_unsigned_voter_cookie(server):
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as old:
        async with old.get(
            f"{server.url}{FORM}", headers={"Cookie": "liveq_voter=made-up-before-signing"}
        ) as resp:
            assert resp.status == 200
            assert any(c.startswith("liveq_voter=") for c in resp.headers.getall("Set-Cookie"))


async def test_a_room_on_one_address_is_not_one_person(server):
    """Thirty phones on one hospital Wi-Fi each ask their three; the fourth waits."""
    browsers = [browser() for _ in range(10)]
    try:
        tokens = [await form_csrf(b, f"{server.url}{FORM}") for b in browsers]
        for i, (b, token) in enumerate(zip(browsers, tokens, strict=True)):
            for n in range(server.config.limits.question_burst):
                resp = await ask(b, server, f"Question {n} from phone {i}?", token)
                assert resp.status == 303, (i, n, resp.status)
        resp = await ask(browsers[0], server, "One too many?", tokens[0])
        assert resp.status == 429
        wait = int(resp.headers["Retry-After"])
        assert 1 <= wait <= 10
    finally:
        for b in browsers:
            await b.close()
    row = await server.db.fetchone("SELECT count(*) FROM questions")
    assert row[0] == 30


async def test_one_address_has_a_ceiling_of_its_own(tmp_path):
    config = write_config(tmp_path, limits={"questions_per_minute_per_address": 4})
    server = await start_server(config)
    browsers = [browser() for _ in range(5)]
    try:
        statuses = []
        for i, b in enumerate(browsers):
            token = await form_csrf(b, f"{server.url}{FORM}")
            statuses.append((await ask(b, server, f"From phone {i}?", token)).status)
        assert statuses == [303, 303, 303, 303, 429]
    finally:
        for b in browsers:
            await b.close()
        await server.stop()


async def test_votes_count_per_browser_with_an_address_ceiling(tmp_path, http):
    config = write_config(
        tmp_path,
        limits={
            "votes_per_minute": 2,
            "votes_per_minute_per_address": 5,
            "questions_per_minute": 0,
        },
    )
    server = await start_server(config)
    try:
        ids = [await approved_question(server, http, f"Question {i}?") for i in range(4)]

        async def vote(b, token, qid):
            async with b.post(
                f"{server.url}{FORM}/questions/{qid}/vote", headers={"X-CSRF-Token": token}
            ) as resp:
                return resp.status

        async with browser() as one, browser() as two, browser() as three:
            t1 = await form_csrf(one, f"{server.url}{FORM}")
            t2 = await form_csrf(two, f"{server.url}{FORM}")
            t3 = await form_csrf(three, f"{server.url}{FORM}")
            # Each browser has its own two votes a minute...
            assert [await vote(one, t1, q) for q in ids[:3]] == [200, 200, 429]
            assert [await vote(two, t2, q) for q in ids[:2]] == [200, 200]
            # ...and the address as a whole five (a browser's refused vote takes none of them).
            assert await vote(three, t3, ids[0]) == 200
            assert await vote(three, t3, ids[1]) == 429
    finally:
        await server.stop()


async def test_wait_is_said_in_real_seconds(tmp_path, http):
    config = write_config(tmp_path, limits={"questions_per_minute": 60, "question_burst": 1})
    server = await start_server(config)
    try:
        url = f"{server.url}{FORM}/questions"
        async with http.post(url, json={"text": "First?"}) as resp:
            assert resp.status == 201
        async with http.post(url, json={"text": "Second?"}) as resp:
            assert resp.status == 429
            assert resp.headers["Retry-After"] == "1"
            message = (await resp.json())["error"]
        assert "please wait 1 second and try again" in message, message
    finally:
        await server.stop()

    (tmp_path / "b").mkdir()
    config = write_config(tmp_path / "b", limits={"questions_per_minute": 6, "question_burst": 1})
    server = await start_server(config)
    try:
        url = f"{server.url}{FORM}/questions"
        async with http.post(url, json={"text": "First?"}) as resp:
            assert resp.status == 201
        async with http.post(url, json={"text": "Second?"}) as resp:
            seconds = resp.headers["Retry-After"]
            message = (await resp.json())["error"]
        assert seconds == "10" and f"please wait {seconds} seconds and" in message, message
    finally:
        await server.stop()


async def test_thanks_page_tells_only_the_asker(server):
    async with browser() as asker, browser() as stranger:
        token = await form_csrf(asker, f"{server.url}{FORM}")
        resp = await ask(asker, server, "How long is the stay after a hip replacement?", token)
        assert resp.status == 303
        location = resp.headers["Location"]
        async with asker.get(server.url + location) as page:
            assert "waiting for a moderator" in await page.text()

        other_token = await form_csrf(stranger, f"{server.url}{FORM}")
        resp = await ask(stranger, server, "Can my dog visit?", other_token)
        theirs = resp.headers["Location"]
        qid = re.search(r"q=(\d+)", theirs).group(1)
        mine = re.search(r"q=(\d+)", location).group(1)

        # Someone else opening the asker's link, or anyone changing q, learns nothing.
        for who, url in [
            (stranger, location),
            (asker, location.replace(f"q={mine}", f"q={qid}")),
            (asker, f"{FORM}/thanks?q={qid}"),
            (stranger, f"{FORM}/thanks?q={mine}"),
        ]:
            async with who.get(server.url + url) as page:
                text = await page.text()
            assert page.status == 200
            assert "Thank you" in text
            assert "waiting for a moderator" not in text, url
