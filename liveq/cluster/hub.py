"""The hub of one process among several: every change goes round the bus.

A change is not fanned out where it was made: it is published once, and every
process, this one too, fans it out to its own sockets when it comes back, so
each socket on each process sees the same order per event. Questions and
events travel as their views (built once, by the sender). While the bus is
down the process refuses websockets and has closed the ones it had: a client
reconnects, to this process once the bus is back or to another, and resyncs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from liveq.cluster.bus import RedisBus
from liveq.domain.events import Event
from liveq.domain.polls import Poll
from liveq.domain.questions import PUBLIC_STATUSES, Question
from liveq.hub import AS_PUBLIC, MODERATOR, Hub, encode

log = logging.getLogger(__name__)


class ClusterHub(Hub):
    def __init__(self, redis_url: str, namespace: str, **hub_options: float) -> None:
        super().__init__(**hub_options)  # type: ignore[arg-type]
        self.bus = RedisBus(
            redis_url,
            namespace,
            on_message=self._receive,
            on_gap=self.resync,
            on_down=self.resync,
            on_up=lambda: None,
        )
        # Told the slug of an event changed elsewhere (the web layer's event cache).
        self.on_event_stale: Callable[[str], None] = lambda slug: None
        # Told each question's moderators' view as it goes by (screening's duplicate index).
        self.on_question: Callable[[int, dict], None] = lambda event_id, full: None

    @property
    def accepting(self) -> bool:
        return self.bus.up

    def start(self) -> None:
        self.bus.start()

    async def wait_up(self) -> None:
        """Until subscribed to the bus."""
        await self.bus.subscribed.wait()

    async def close(self) -> None:
        await self.bus.close()

    # -- what the rest of liveq calls: out to the bus ---------------------------------

    def question_changed(self, question: Question) -> None:
        public = question.public() if question.status in PUBLIC_STATUSES else None
        body = {"k": "q", "id": question.id, "full": question.full(), "public": public}
        self.bus.send(question.event_id, encode(body))

    def event_changed(self, event: Event) -> None:
        body = {"k": "e", "full": event.full(), "public": event.public()}
        self.bus.send(event.id, encode(body))

    def vote_counted(self, event_id: int, question_id: int, votes: int) -> None:
        self.bus.send(event_id, encode({"k": "v", "q": question_id, "n": votes}))

    def poll_changed(self, poll: Poll) -> None:
        body = {"k": "p", "id": poll.id, "full": poll.full(), "public": poll.public()}
        self.bus.send(poll.event_id, encode(body))

    def poll_removed(self, event_id: int, poll_id: int) -> None:
        self.bus.send(event_id, encode({"k": "pr", "id": poll_id}))

    def poll_counted(
        self, event_id: int, poll_id: int, key: str, count: int, public: bool = False
    ) -> None:
        body = {"k": "pc", "p": poll_id, "key": key, "n": count, "pub": public}
        self.bus.send(event_id, encode(body))

    def publish(
        self,
        event_id: int,
        moderator: dict | None,
        public: dict | None,
        presenter: dict | None = AS_PUBLIC,
    ) -> None:
        body = {"k": "m", "mod": moderator, "pub": public}
        if presenter is not AS_PUBLIC:
            body["pres"] = presenter
        self.bus.send(event_id, encode(body))

    def close_public(self, event_id: int, slug: str) -> int:
        self.bus.send(event_id, encode({"k": "close_public", "slug": slug}))
        return self.count_public(event_id)

    def count_public(self, event_id: int) -> int:
        return sum(1 for c in self._clients.get(event_id, ()) if c.role != MODERATOR)

    # -- back from the bus: to this process's sockets ---------------------------------

    def _receive(self, event_id: int, text: str) -> None:
        try:
            msg = json.loads(text)
            kind = msg["k"]
            if kind == "v":
                Hub.vote_counted(self, event_id, msg["q"], msg["n"])
            elif kind == "q":
                self.on_question(event_id, msg["full"])
                self._bump(event_id)
                if event_id in self._clients:
                    self.question_views(event_id, msg["id"], msg["full"], msg["public"])
            elif kind == "pc":
                Hub.poll_counted(self, event_id, msg["p"], msg["key"], msg["n"], msg["pub"])
            elif kind == "p":
                Hub.poll_views(self, event_id, msg["id"], msg["full"], msg["public"])
            elif kind == "pr":
                Hub.poll_removed(self, event_id, msg["id"])
            elif kind == "m":
                self.fan_out(event_id, msg["mod"], msg["pub"], msg.get("pres", AS_PUBLIC))
            elif kind == "e":
                self.on_event_stale(msg["full"]["slug"])
                self.event_views(event_id, msg["full"], msg["public"])
            elif kind == "close_public":
                self.on_event_stale(msg["slug"])
                self.close_public_here(event_id)
        except Exception:
            # One bad message must not stop the bus; the event's clients resync.
            log.exception("bus: a message for event %d could not be applied", event_id)
            self.resync(event_id)
