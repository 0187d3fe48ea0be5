"""The demo's simulated audience: people who ask by the form, on X, Mastodon and Bluesky,
and vote.

Like a real audience it asks in a rush at the start, in bursts (one question sets off
two or three more), and thins out as the session goes on; nobody asks the same thing
twice until every question in the pool has been asked. Votes go to approved questions,
more to those that already have some.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import aiohttp

from liveq.cli.demo_pool import NAMES, QUESTIONS, TWEETS
from liveq.emulators.bluesky.server import RunningBluesky
from liveq.emulators.mastodon.server import RunningMastodon
from liveq.emulators.x.server import RunningEmulator

T = TypeVar("T")

# A question sets off a burst of follow-ups this often.
BURST_CHANCE = 0.2
# After this many `pace`s, questions come half as often; after twice as many, a third.
THINNING = 20.0
ANONYMOUS_SHARE = 0.35
TWEET_SHARE = 0.25
# Of the rest, this share toots the hashtag on Mastodon (when the demo runs it);
# of the rest again, the same share posts it on Bluesky.
TOOT_SHARE = 0.3
MAX_PEOPLE = 250  # one address each, in 198.51.100.0/24
_CSRF = re.compile(r'data-csrf="([^"]+)"')


class Deck(Generic[T]):
    """Draws items in a shuffled order; nothing comes again until all have been drawn."""

    def __init__(self, items: Sequence[T], rng: random.Random) -> None:
        self._items = list(items)
        self._rng = rng
        self._pile: list[T] = []

    def draw(self) -> T:
        if not self._pile:
            self._pile = self._items[:]
            self._rng.shuffle(self._pile)
        return self._pile.pop()


class Pacer:
    """Seconds until the next question: a rush at first, bursts, then thinning out.

    `pace` is the mean gap at the start; the whole shape scales with it, so a test
    with a small pace sees in seconds what an hour-long event sees in minutes.
    """

    def __init__(self, pace: float, rng: random.Random) -> None:
        self.pace = pace
        self.elapsed = 0.0
        self._rng = rng
        self._burst_left = 0

    def next_gap(self) -> float:
        rng = self._rng
        if self._burst_left:
            self._burst_left -= 1
            gap = rng.uniform(0.1, 0.4) * self.pace
        else:
            thinning = 1 + self.elapsed / (THINNING * self.pace)
            gap = rng.expovariate(1 / (self.pace * thinning))
            if rng.random() < BURST_CHANCE:
                self._burst_left = rng.randint(1, 3)
        self.elapsed += gap
        return gap


@dataclass
class Person:
    """One simulated phone: its own address, cookies and form token, and a name to give."""

    address: str
    name: str
    session: aiohttp.ClientSession
    csrf: str = ""


@dataclass
class Audience:
    """Who is in the room and what they can see (the public questions)."""

    base_url: str
    rng: random.Random
    names: Deck[str]
    people: list[Person] = field(default_factory=list)
    # Approved and on-air questions: id -> votes, from the audience websocket.
    votable: dict[int, int] = field(default_factory=dict)

    def person(self) -> Person:
        """Mostly someone new (a room of people), sometimes someone who asked before."""
        if self.people and (len(self.people) >= MAX_PEOPLE or self.rng.random() < 0.15):
            return self.rng.choice(self.people)
        n = len(self.people)
        address = f"198.51.100.{n + 1}"  # TEST-NET-2
        name = "" if self.rng.random() < ANONYMOUS_SHARE else self.names.draw()
        jar = aiohttp.CookieJar(unsafe=True)
        person = Person(address, name, aiohttp.ClientSession(cookie_jar=jar))
        self.people.append(person)
        return person

    async def close(self) -> None:
        for person in self.people:
            await person.session.close()

    async def ask(self, person: Person, text: str) -> None:
        url = f"{self.base_url}/e/demo/questions"
        headers = {"X-Forwarded-For": person.address}
        with contextlib.suppress(aiohttp.ClientError):
            async with person.session.post(
                url, json={"text": text, "name": person.name}, headers=headers
            ) as resp:
                await resp.read()

    async def vote(self, person: Person) -> None:
        """Open the page (for its cookie and token) and vote for a question on it."""
        if not self.votable:
            return
        ids = list(self.votable)
        # The rich get richer: a question with votes draws more.
        weights = [1 + self.votable[i] ** 1.5 for i in ids]
        qid = self.rng.choices(ids, weights)[0]
        headers = {"X-Forwarded-For": person.address}
        with contextlib.suppress(aiohttp.ClientError):
            if not person.csrf:
                async with person.session.get(f"{self.base_url}/e/demo", headers=headers) as resp:
                    match = _CSRF.search(await resp.text())
                    person.csrf = match.group(1) if match else ""
            async with person.session.post(
                f"{self.base_url}/e/demo/questions/{qid}/vote",
                headers={**headers, "X-CSRF-Token": person.csrf},
            ) as resp:
                await resp.read()

    async def watch(self) -> None:
        """Follow the public questions like the audience page does (until cancelled)."""
        ws_url = self.base_url.replace("http", "ws", 1) + "/ws/demo"
        async with aiohttp.ClientSession() as session:
            while True:
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with session.ws_connect(ws_url) as ws:
                        async for msg in ws:
                            if msg.type == aiohttp.WSMsgType.TEXT:
                                self._seen(json.loads(msg.data))
                await asyncio.sleep(1)

    def _seen(self, message: dict) -> None:
        if message.get("type") == "snapshot":
            self.votable.clear()
            questions = message.get("questions", [])
        elif message.get("type") == "question":
            questions = [message["question"]]
        elif message.get("type") == "question_removed":
            self.votable.pop(message.get("id"), None)
            return
        else:
            return
        for q in questions:
            if q.get("status") in ("approved", "on_air"):
                self.votable[q["id"]] = q.get("votes", 0)
            else:
                self.votable.pop(q["id"], None)


async def simulated_audience(
    base_url: str,
    *,
    pace: float = 4.0,
    rng: random.Random | None = None,
    emulator: RunningEmulator | None = None,
    mastodon: RunningMastodon | None = None,
    bluesky: RunningBluesky | None = None,
) -> None:
    """Ask, tweet and vote like a room of people, until cancelled."""
    rng = rng or random.Random()
    questions, tweets = Deck(QUESTIONS, rng), Deck(TWEETS, rng)
    toots = Deck(TWEETS, rng)  # draws nothing unless the demo runs Mastodon
    skeets = Deck(TWEETS, rng)  # nor this unless it runs Bluesky
    pacer = Pacer(pace, rng)
    audience = Audience(base_url, rng, Deck(NAMES, rng))
    watcher = asyncio.create_task(audience.watch(), name="demo-audience-watch")
    try:
        while True:
            await asyncio.sleep(pacer.next_gap())
            if emulator is not None and rng.random() < TWEET_SHARE:
                handle, display, text = tweets.draw()
                emulator.state.inject_tweet(text, author_username=handle, author_name=display)
            elif mastodon is not None and rng.random() < TOOT_SHARE:
                handle, _, text = toots.draw()
                state = mastodon.state
                tags = tuple(t.lower() for t in re.findall(r"#(\w+)", text))
                state.add_status(state.account_named(handle), text, tags=tags)
            elif bluesky is not None and rng.random() < TOOT_SHARE:
                handle, _, text = skeets.draw()
                bluesky.state.audience_post(f"{handle}.bsky.social", text)
            else:
                await audience.ask(audience.person(), questions.draw())
            # Between questions, some people vote for what is on the list.
            for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                await audience.vote(audience.person())
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await audience.close()
