"""Three processes, one event: every socket sees every change, in one order."""

import asyncio
import time

import aiohttp

from tests.cluster.conftest import SLUG, Socket, ask
from tests.fixtures_server import login


async def test_a_question_asked_on_one_process_reaches_every_other_within_a_second(
    cluster_factory,
):
    cluster = await cluster_factory(3)
    a, b, c = cluster.urls()
    sockets = [
        await Socket([url], cluster.headers).open() for url in (a, b, c) for _ in range(2)
    ] + [await Socket([url]).open() for url in (b, c)]  # the audience's view too
    try:
        async with aiohttp.ClientSession() as http:
            started = time.monotonic()
            qid = await ask(http, a, "Is the new clinic open on Saturdays?")
            await asyncio.gather(*(s.wait_for(lambda s: qid in s.questions) for s in sockets))
            took = time.monotonic() - started
            # Every process says which it is, and that its store and bus answer.
            healths = [await cluster.health(http, p) for p in cluster.processes]
    finally:
        for s in sockets:
            await s.close()
    assert took < 1.0
    assert len({h["pid"] for h in healths}) == 3
    assert all(h["store"] == "ok" and h["bus"] == "ok" for h in healths)


async def test_every_socket_sees_the_same_order_of_changes(cluster_factory):
    cluster = await cluster_factory(3)
    urls = cluster.urls()
    sockets = [await Socket([url], cluster.headers).open() for url in urls]
    try:
        async with aiohttp.ClientSession() as http:
            ids = [await ask(http, urls[n % 3], f"Question number {n}?") for n in range(6)]

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


async def test_two_moderators_on_different_processes_race_and_one_wins(cluster_factory):
    cluster = await cluster_factory(2)
    a, b = cluster.urls()
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
                qid = await ask(http, a, "Which of you answers this one?")

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


async def test_votes_and_limits_count_once_whichever_process_is_asked(cluster_factory):
    cluster = await cluster_factory(2, limits={"questions_per_minute": 2, "question_burst": 2})
    a, b = cluster.urls()
    sockets = [await Socket([url]).open() for url in (a, b)]
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as person:
            qid = await ask(person, a, "Will parking be free during the works?")
            # The same browser's second question on B, its third on A: the allowance is shared.
            await ask(person, b, "And for visitors?")
            async with person.post(f"{a}/e/{SLUG}/questions", json={"text": "And staff?"}) as r:
                assert r.status == 429, await r.text()
            async with person.get(f"{a}/e/{SLUG}") as resp:
                page = await resp.text()
            csrf = page.split('data-csrf="', 1)[1].split('"', 1)[0]
            counts = []
            for base in (a, b, a):  # one browser, one vote, whichever process counts it
                async with person.post(
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
