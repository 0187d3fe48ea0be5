"""The demo's simulated audience is varied and paced like a real one: no question twice
until the pool is used up, many names, votes, a rush and bursts that thin out."""

import asyncio
import contextlib
import random
import statistics

from liveq.cli.demo_audience import THINNING, Deck, Pacer, simulated_audience
from liveq.cli.demo_pool import NAMES, QUESTIONS, TWEETS
from liveq.screening.duplicates import DuplicateIndex
from tests.fixtures_server import bearer, start_server, write_config


def test_deck_repeats_nothing_until_every_item_is_drawn():
    deck = Deck(range(50), random.Random(1))
    first, second = [deck.draw() for _ in range(50)], [deck.draw() for _ in range(50)]
    assert sorted(first) == list(range(50)) and sorted(second) == list(range(50))
    assert first != sorted(first)  # shuffled, not in the pool's order


def test_pool_is_large_and_says_each_thing_once():
    assert len(QUESTIONS) >= 90 and len(set(QUESTIONS)) == len(QUESTIONS)
    assert len(NAMES) >= 40 and len(set(NAMES)) == len(NAMES)
    assert len(TWEETS) >= 15 and len({t for _, _, t in TWEETS}) == len(TWEETS)
    index, near = DuplicateIndex(), []
    for i, text in enumerate([*QUESTIONS, *(t for _, _, t in TWEETS)]):
        near += [text] if index.findings(text) else []
        index.add(i, text)
    assert len(near) <= 1, near  # one pair on purpose: people do ask the same thing twice


def test_pacing_rushes_then_thins_out_in_bursts():
    # Twenty simulated sessions at pace 1 (the shape scales with the pace).
    gaps, early, late = [], 0, 0
    for seed in range(20):
        pacer = Pacer(1.0, random.Random(seed))
        while pacer.elapsed < 6 * THINNING:
            early += pacer.elapsed < 2 * THINNING
            late += pacer.elapsed >= 4 * THINNING
            gaps.append(pacer.next_gap())
    assert early > 2 * late, (early, late)  # thins out
    # Bursty: a steady (Poisson) stream thinning the same way has about 18% of its gaps
    # under 0.4 of the pace and a spread/mean ratio of 1.25.
    assert sum(g < 0.4 for g in gaps) / len(gaps) > 0.3
    assert statistics.stdev(gaps) / statistics.mean(gaps) > 1.35


async def test_simulated_audience_against_a_real_server(tmp_path, http):
    config = write_config(tmp_path, server={"trusted_proxies": ["127.0.0.1"]})
    server = await start_server(config, slug="demo")
    api = f"{server.url}/api/v1/events/demo/questions"
    audience = asyncio.create_task(
        simulated_audience(server.url, pace=0.05, rng=random.Random(3))
    )
    questions: list[dict] = []
    try:
        for _ in range(300):
            await asyncio.sleep(0.1)
            async with http.get(api, headers=bearer(server)) as resp:
                questions = (await resp.json())["questions"]
            for q in questions:
                if q["status"] == "pending" and not q.get("findings"):
                    async with http.post(
                        f"{api}/{q['id']}/approve", json={}, headers=bearer(server)
                    ) as resp:
                        assert resp.status in (200, 409), await resp.text()
            votes = sum(q["votes"] for q in questions)
            if len(questions) >= 60 and votes >= 15:
                break
    finally:
        audience.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await audience
        await server.stop()
    texts = [q["text"] for q in questions]
    assert len(texts) >= 60, len(texts)
    assert len(set(texts)) == len(texts), "a question was asked twice"
    assert len({q["author"] for q in questions if q["author"]}) >= 20
    assert sum(q["votes"] for q in questions) >= 15
    assert sum(1 for q in questions if q["votes"]) >= 3  # not all on one question
