"""Three processes, one event: every socket sees every change, in one order.

The tests share one cluster (starting three processes is most of their time).
Its processes trust 127.0.0.1 as a proxy, as behind a load balancer, so each
test's people can have addresses of their own (X-Forwarded-For).
"""

import asyncio
import itertools
import time

import aiohttp
import pytest
import pytest_asyncio

from tests.cluster.conftest import SLUG, Socket, ask, make_cluster
from tests.fixtures_server import login

pytestmark = pytest.mark.asyncio(loop_scope="module")
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


def person() -> dict[str, str]:
    """Someone with an address of their own (a fresh rate-limit allowance)."""
    return {"X-Forwarded-For": next(_addresses)}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster3(tmp_path_factory, redis_url):
    cluster = await make_cluster(
        tmp_path_factory.mktemp("cluster3"),
        redis_url,
        server={"trusted_proxies": ["127.0.0.1"]},
        limits={"questions_per_minute": 2, "question_burst": 2},
    )
    await cluster.start(3)
    yield cluster
    cluster.stop_all()


async def test_a_question_asked_on_one_process_reaches_every_other_within_a_second(cluster3):
    cluster = cluster3
    a, b, c = cluster.urls()
    sockets = [
        await Socket([url], cluster.headers).open() for url in (a, b, c) for _ in range(2)
    ] + [await Socket([url]).open() for url in (b, c)]  # the audience's view too
    try:
        async with aiohttp.ClientSession() as http:
            # Each process's first question loads its screening word lists: not what is timed.
            for url in (a, b, c):
                await ask(http, url, "Warming up?", **person())
            qid = await ask(http, a, "Is the new clinic open on Saturdays?", **person())
            acknowledged = time.monotonic()
            await asyncio.gather(*(s.wait_for(lambda s: qid in s.questions, 5) for s in sockets))
            took = time.monotonic() - acknowledged
            # Every process says which it is, and that its store and bus answer.
            healths = [await cluster.health(http, p) for p in cluster.processes]
    finally:
        for s in sockets:
            await s.close()
    assert took < 1.0
    assert len({h["pid"] for h in healths}) == 3
    assert all(h["store"] == "ok" and h["bus"] == "ok" for h in healths)


async def test_every_socket_sees_the_same_order_of_changes(cluster3):
    cluster = cluster3
    urls = cluster.urls()
    sockets = [await Socket([url], cluster.headers).open() for url in urls]
    try:
        async with aiohttp.ClientSession() as http:
            ids = [
                await ask(http, urls[n % 3], f"Question number {n}?", **person()) for n in range(6)
            ]

            async def act(n: int, qid: int) -> None:
                # Moderators on different processes, at the same time, on different questions.
                for action, body in (("edit", {"text": f"Edited question {n}?"}), ("star", {})):
                    async with http.post(
                        f"{urls[(n + 1) % 3]}/api/v1/events/{SLUG}/questions/{qid}/{action}",
                        json=body,
                        headers=cluster.headers,
                    ) as resp:
                        assert resp.status == 200, await resp.text()

            await asyncio.gather(*(act(n, qid) for n, qid in enumerate(ids)))
            for s in sockets:
                await s.wait_for(
                    lambda s: all(s.questions.get(q, {}).get("starred") for q in ids), 3.0
                )
    finally:
        for s in sockets:
            await s.close()

    def changes(s: Socket) -> list[tuple[int, int]]:
        return [
            (m["question"]["id"], m["question"]["version"])
            for m in s.messages
            if m["type"] == "question"
        ]

    assert changes(sockets[0]) == changes(sockets[1]) == changes(sockets[2])
    assert len(changes(sockets[0])) == 18  # asked, edited, starred: six times each
    for s in sockets:
        assert {s.questions[q]["text"] for q in ids} == {f"Edited question {n}?" for n in range(6)}


async def test_two_moderators_on_different_processes_race_and_one_wins(cluster3):
    cluster = cluster3
    a, b, _ = cluster.urls()
    sockets = [await Socket([url], cluster.headers).open() for url in (a, b)]
    jar = aiohttp.CookieJar(unsafe=True)
    try:
        async with (
            aiohttp.ClientSession() as http,
            aiohttp.ClientSession(cookie_jar=jar) as alice,
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as bob,
        ):
            # Sessions and CSRF tokens are good on any process: log in on A, act on B.
            servers = [type("S", (), {"url": a})(), type("S", (), {"url": b})()]
            alice_csrf = await login(alice, servers[0], "alice")
            bob_csrf = await login(bob, servers[1], "bob")
            for _ in range(5):
                qid = await ask(http, a, "Which of you answers this one?", **person())

                async def decide(session, csrf, base, action, body, qid=qid):
                    async with session.post(
                        f"{base}/api/v1/events/{SLUG}/questions/{qid}/{action}",
                        json=body,
                        headers={"X-CSRF-Token": csrf},
                    ) as resp:
                        return resp.status

                statuses = await asyncio.gather(
                    decide(alice, alice_csrf, b, "on_air", {}),
                    decide(bob, bob_csrf, a, "decline", {"reason": "off topic"}),
                )
                assert sorted(statuses) == [200, 409], statuses
                winner = "on_air" if statuses[0] == 200 else "declined"
                for s in sockets:
                    await s.wait_for(
                        lambda s, q=qid, w=winner: s.questions.get(q, {}).get("status") == w
                    )
    finally:
        for s in sockets:
            await s.close()


async def test_votes_and_limits_count_once_whichever_process_is_asked(cluster3):
    cluster = cluster3
    a, b, _ = cluster.urls()
    sockets = [await Socket([url]).open() for url in (a, b)]
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            where = person()
            qid = await ask(browser, a, "Will parking be free during the works?", **where)
            # The same browser's second question on B, its third on A: the allowance is shared.
            await ask(browser, b, "And for visitors?", **where)
            async with browser.post(
                f"{a}/e/{SLUG}/questions", json={"text": "And staff?"}, headers=where
            ) as resp:
                assert resp.status == 429, await resp.text()
            async with browser.get(f"{a}/e/{SLUG}") as resp:
                page = await resp.text()
            csrf = page.split('data-csrf="', 1)[1].split('"', 1)[0]
            counts = []
            for base in (a, b, a):  # one browser, one vote, whichever process counts it
                async with browser.post(
                    f"{base}/e/{SLUG}/questions/{qid}/vote",
                    headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
                ) as resp:
                    assert resp.status == 200, await resp.text()
                    counts.append((await resp.json())["votes"])
        assert counts == [1, 1, 1]
        for s in sockets:  # the count reaches the audience on both processes
            await s.wait_for(lambda s: s.questions.get(qid, {}).get("votes") == 1, 3.0)
    finally:
        for s in sockets:
            await s.close()


async def test_a_near_duplicate_is_found_whichever_process_took_the_first(cluster3):
    cluster = cluster3
    a, b, _ = cluster.urls()
    watcher = await Socket([b], cluster.headers).open()
    try:
        async with aiohttp.ClientSession() as http:
            await ask(http, b, "Is the pharmacy moving to the ground floor?", **person())
            first = await ask(
                http,
                a,
                "When will the staff gym in the north tower reopen after repairs?",
                **person(),
            )
            await watcher.wait_for(lambda s: first in s.questions)  # B has heard of it
            async with http.post(
                f"{b}/e/{SLUG}/questions",
                json={
                    "text": "When will the staff gym in the north tower reopen after the repairs?"
                },
                headers=person(),
            ) as resp:
                assert resp.status == 201
                twin = (await resp.json())["id"]
            await watcher.wait_for(lambda s: twin in s.questions)
    finally:
        await watcher.close()
    # Held for a moderator, who is told which question it repeats.
    assert watcher.questions[twin]["status"] == "pending"
    found = watcher.questions[twin]["findings"]
    assert [f["question_id"] for f in found if f["kind"] == "duplicate"] == [first]


def poll_counts(socket: Socket, poll_id: int) -> dict[str, int]:
    """The poll's counts as a page keeps them: from poll views and coalesced poll_counts."""
    counts: dict[str, int] = {}
    for msg in socket.messages:
        if msg["type"] == "snapshot":
            counts = {}
            for p in msg.get("polls", []):
                if p["id"] == poll_id:
                    counts = dict(p.get("counts", {}))
        elif msg["type"] == "poll" and msg["poll"]["id"] == poll_id:
            counts.update(msg["poll"].get("counts", {}))
        elif msg["type"] == "poll_counts":
            counts.update(msg["polls"].get(str(poll_id), {}))
    return counts


async def test_a_poll_answered_on_every_process_counts_once_everywhere(cluster3):
    """Issue 16: answers on A, B and C, one per browser; every audience sees the totals,
    and only once the results are shown."""
    cluster = cluster3
    a, b, c = cluster.urls()
    auth = cluster.headers
    sockets = [await Socket([url]).open() for url in (a, b, c)]
    try:
        async with aiohttp.ClientSession() as http:
            body = {"kind": "choice", "question": "Which day suits you?", "options": ["Mon", "Fri"]}
            async with http.post(
                f"{a}/api/v1/events/{SLUG}/polls", json=body, headers=auth
            ) as resp:
                poll_id = (await resp.json())["poll"]["id"]
            async with http.post(
                f"{b}/api/v1/events/{SLUG}/polls/{poll_id}/open", headers=auth
            ) as resp:
                assert resp.status == 200
        for s in sockets:
            await s.wait_for(
                lambda s: any(m.get("poll", {}).get("status") == "open" for m in s.messages), 3
            )
        for i in range(9):
            base = (a, b, c)[i % 3]
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as phone:
                where = person()
                async with phone.get(f"{base}/e/{SLUG}", headers=where) as resp:
                    page = await resp.text()
                csrf = page.split('data-csrf="', 1)[1].split('"', 1)[0]
                for again in (base, (a, b, c)[(i + 1) % 3]):  # a second try elsewhere: once
                    async with phone.post(
                        f"{again}/e/{SLUG}/polls/{poll_id}/answer",
                        json={"value": i % 2},
                        headers={"X-CSRF-Token": csrf, "Accept": "application/json", **where},
                    ) as resp:
                        assert resp.status == 200, await resp.text()
        await asyncio.sleep(1.5)  # past a public frame interval: nothing leaked while hidden
        assert [poll_counts(s, poll_id) for s in sockets] == [{}, {}, {}]
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{c}/api/v1/events/{SLUG}/polls/{poll_id}/show", headers=auth
            ) as resp:
                assert resp.status == 200
        for s in sockets:
            await s.wait_for(lambda s: poll_counts(s, poll_id) == {"0": 5, "1": 4}, 3.0)
    finally:
        for s in sockets:
            await s.close()


async def test_backstage_and_timer_reach_presenter_views_on_every_process_only(cluster3):
    """A presenter view (overlay key, view=presenter) on another process gets the
    moderator's backstage message and timer; a program overlay there gets neither."""
    import json
    import sqlite3

    cluster = cluster3
    a, b, c = cluster.urls()
    with sqlite3.connect(cluster.config.database_path) as conn:
        (key,) = conn.execute("SELECT overlay_key FROM events WHERE slug = ?", (SLUG,)).fetchone()
    got: dict[str, list[dict]] = {"presenter": [], "program": []}
    async with aiohttp.ClientSession() as http:

        async def watch(url: str, name: str, query: str) -> None:
            ws_url = url.replace("http://", "ws://") + f"/ws/{SLUG}?key={key}{query}"
            async with http.ws_connect(ws_url) as ws:
                async for msg in ws:
                    got[name].append(json.loads(msg.data))

        tasks = [
            asyncio.create_task(watch(b, "presenter", "&view=presenter")),
            asyncio.create_task(watch(c, "program", "")),
        ]
        try:
            async with asyncio.timeout(10):
                while not (got["presenter"] and got["program"]):
                    await asyncio.sleep(0.02)
            async with http.post(
                f"{a}/api/v1/events/{SLUG}/presenter/messages",
                json={"text": "Wrap up in five"},
                headers=cluster.headers,
            ) as resp:
                assert resp.status == 201, await resp.text()
            async with http.put(
                f"{a}/api/v1/events/{SLUG}/presenter/timer",
                json={"action": "set", "seconds": 300},
                headers=cluster.headers,
            ) as resp:
                assert resp.status == 200, await resp.text()
            # (This cluster's event shows questions without approval.)
            qid = await ask(http, a, "Asked after the backstage message?", **person())
            async with asyncio.timeout(5):
                while not any(
                    m.get("question", {}).get("id") == qid for m in got["program"]
                ) or not any(m["type"] == "timer" for m in got["presenter"]):
                    await asyncio.sleep(0.02)
        finally:
            for task in tasks:
                task.cancel()
    presenter_types = [m["type"] for m in got["presenter"]]
    assert "backstage" in presenter_types and "timer" in presenter_types
    backstage = next(m for m in got["presenter"] if m["type"] == "backstage")
    assert backstage["message"]["text"] == "Wrap up in five"
    program_types = {m["type"] for m in got["program"]}
    assert not program_types & {"backstage", "timer", "presenter"}, program_types
