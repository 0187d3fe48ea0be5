"""Screening wired to events: the rules from ``[screening]`` and each event's state.

The checks themselves are pure (``liveq.screening``). This module keeps what they
need per event while the server runs: a :class:`DuplicateIndex` of the event's
questions (rebuilt from the store the first time the event is screened after a
start) and :class:`FloodMeter` s per author and per IP address. The app holds one
:class:`ScreeningService` as ``app[SCREEN]``.

For outgoing text (tweets, answers, edits) call :func:`screen_outgoing`, or the
service itself, ``app[SCREEN](text)``, which applies the event rules from the config.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from liveq.config import Config, ConfigError
from liveq.domain.events import Event
from liveq.domain.questions import Question, Status
from liveq.screening import DuplicateIndex, FloodMeter, ScreeningRules, screen_text
from liveq.screening.duplicates import normalise
from liveq.screening.review import NAME, screen_field
from liveq.storage import procedure as procedure_store
from liveq.storage.db import Database
from liveq.storage.store import NewQuestion, list_questions

# Keys of [screening] read here; the rest go to ScreeningRules.from_mapping.
_SERVICE_KEYS = {
    "duplicate_threshold",
    "flood_per_author",
    "flood_per_ip",
    "flood_window_seconds",
}
_RULE_KEYS = {
    "watch_list",
    "profanity_additions",
    "profanity_exceptions",
    "check_phi",
    "check_profanity",
    "staff_names",
    "regions",
}
# Questions in these states are not offered as "looks like": they cannot be merged into.
_NOT_INDEXED = frozenset({Status.DECLINED, Status.ARCHIVED})


def screen_outgoing(text: str, rules: ScreeningRules | None = None) -> list[dict]:
    """Findings for a text we are about to publish (a post, an answer, an edit).

    PHI, profanity and watch-list phrases, as dicts ``{"kind", "start", "end",
    "reason"}``; an empty list means nothing was found. Whoever publishes holds a text
    with findings until a moderator edits it or overrides them with a reason.
    """
    return [f.as_dict() for f in screen_text(text, rules=rules)]


@dataclass(frozen=True)
class ScreeningSettings:
    """The ``[screening]`` section of the config."""

    rules: ScreeningRules = field(default_factory=ScreeningRules)
    # Jaccard similarity of content words at which a question "looks like" another.
    duplicate_threshold: float = 0.6
    # Questions in flood_window_seconds from one author (name or X handle) / one IP
    # address before the next one is held as a flood.
    flood_per_author: int = 3
    flood_per_ip: int = 10
    flood_window_seconds: float = 60.0

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> ScreeningSettings:
        """Build from a ``[screening]`` table; raise ValueError naming a bad key."""
        if not isinstance(table, Mapping):
            raise ValueError("[screening] should be a table")
        unknown = sorted(set(table) - _SERVICE_KEYS - _RULE_KEYS)
        if unknown:
            known = ", ".join(sorted(_SERVICE_KEYS | _RULE_KEYS))
            raise ValueError(f"unknown key screening.{unknown[0]} (known keys: {known})")
        try:
            rules = ScreeningRules.from_mapping({k: v for k, v in table.items() if k in _RULE_KEYS})
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from None
        values: dict[str, Any] = {}
        threshold = table.get("duplicate_threshold", cls.duplicate_threshold)
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise ValueError("screening.duplicate_threshold should be a number")
        if not 0 < threshold <= 1:
            raise ValueError("screening.duplicate_threshold should be above 0 and at most 1")
        values["duplicate_threshold"] = float(threshold)
        for key in ("flood_per_author", "flood_per_ip"):
            value = table.get(key, getattr(cls, key))
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"screening.{key} should be a whole number, 0 or more (0 = off)")
            values[key] = value
        window = table.get("flood_window_seconds", cls.flood_window_seconds)
        if isinstance(window, bool) or not isinstance(window, int | float) or window <= 0:
            raise ValueError("screening.flood_window_seconds should be a number above 0")
        values["flood_window_seconds"] = float(window)
        return cls(rules=rules, **values)

    @classmethod
    def from_config(cls, config: Config) -> ScreeningSettings:
        """The settings of a loaded config; ConfigError names the file and the key."""
        try:
            return cls.from_mapping(config.raw.get("screening", {}))
        except ValueError as exc:
            raise ConfigError(f"{config.path}: {exc}") from None


class _Reserved:
    """A question being stored: in the index already, its id not known yet."""

    __slots__ = ("future",)

    def __init__(self) -> None:
        self.future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()


@dataclass
class _EventState:
    index: DuplicateIndex
    authors: FloodMeter | None
    ips: FloodMeter | None


@dataclass
class Screened:
    """What screening said about one incoming question, until it is stored."""

    findings: list[dict]
    text: str = ""
    state: _EventState | None = None
    ticket: _Reserved | None = None

    def stored(self, question: Question | None) -> None:
        """Tell the event's index the question's id (None: it was not stored)."""
        if self.state is None or self.ticket is None:
            return
        index = self.state.index
        if question is not None:
            index.rekey(self.ticket, question.id)
        else:
            index.remove(self.ticket)
        if not self.ticket.future.done():
            self.ticket.future.set_result(question.id if question is not None else None)
        self.ticket = None


class Screener(Protocol):
    """What ingest, moderation and the outbox need of screening (``app[SCREEN]``)."""

    @property
    def rules(self) -> ScreeningRules:
        """The rules edits and redactions are re-screened with."""
        ...

    def __call__(self, text: str) -> list[dict]:
        """Findings for outgoing text (a post, an answer, an edit)."""
        ...

    async def rules_for(self, db: Database, event: Event) -> ScreeningRules:
        """The rules for one event's questions: ``rules`` plus the event's staff names."""
        ...

    async def screen_question(self, db: Database, event: Event, new: NewQuestion) -> Screened:
        """Findings for an incoming question; call ``.stored()`` on the result after."""
        ...

    def question_changed(self, question: Question) -> None:
        """A question was moderated (merged, declined, ...)."""
        ...

    def seen_elsewhere(self, event_id: int, question: dict) -> None:
        """A question (its moderators' view) stored or changed by another process."""
        ...


class NoScreening:
    """Screening switched off: nothing is ever found (a bare benchmark, a test)."""

    rules = ScreeningRules(check_phi=False, check_profanity=False)

    def __call__(self, text: str) -> list[dict]:
        return []

    async def rules_for(self, db: Database, event: Event) -> ScreeningRules:
        return self.rules

    async def screen_question(self, db: Database, event: Event, new: NewQuestion) -> Screened:
        return Screened([])

    def question_changed(self, question: Question) -> None:
        pass

    def seen_elsewhere(self, event_id: int, question: dict) -> None:
        pass


no_screening = NoScreening()


class ScreeningService:
    """The config's screening rules, and each event's duplicate index and flood meters."""

    def __init__(
        self,
        settings: ScreeningSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or ScreeningSettings()
        self._clock = clock
        self._events: dict[int, _EventState] = {}
        self._building: dict[int, asyncio.Future[_EventState]] = {}

    @classmethod
    def from_config(cls, config: Config) -> ScreeningService:
        return cls(ScreeningSettings.from_config(config))

    @property
    def rules(self) -> ScreeningRules:
        return self.settings.rules

    def __call__(self, text: str) -> list[dict]:
        """Findings for one text with the configured rules (no event state): outgoing text."""
        return screen_outgoing(text, self.settings.rules)

    async def rules_for(self, db: Database, event: Event) -> ScreeningRules:
        """The config's rules, with a procedure's physician among the staff names.

        ``[screening] staff_names`` come from the config; the physician who signs a
        live-tweeted procedure's answers is named in its script, so questions that
        name them ("is Dr. Patel operating today?") are not held for a name.
        """
        if event.kind != "procedure":
            return self.settings.rules
        return self.settings.rules.with_staff(await procedure_store.physician(db, event))

    # -- incoming questions -------------------------------------------------------

    async def screen_question(self, db: Database, event: Event, new: NewQuestion) -> Screened:
        """Screen a question before it is stored; call ``.stored()`` on the result after.

        Text checks, the same on the asker's name (findings with ``"field": "name"``),
        then flood (per author, per IP), then near-duplicates of the event's questions,
        including those being stored at this moment.
        """
        state = await self._state(db, event)
        rules = await self.rules_for(db, event)
        text = new.text
        found = screen_outgoing(text, rules)
        if new.author:
            found += screen_field(new.author, NAME, rules)
        if state.authors is not None and new.author:
            # One namespace per source: "Maria" on the form is not @maria on X.
            for f in state.authors.record(author=f"{new.source}:{new.author}", text=text):
                found.append(f.as_dict())
        if state.ips is not None and new.client_ip:
            for f in state.ips.record(ip=new.client_ip, text=text):
                found.append(f.as_dict())
        tokens = normalise(text)
        best = state.index.similar(text, self.settings.duplicate_threshold, limit=1, tokens=tokens)
        # Reserve our place before any await, so a twin arriving meanwhile sees us.
        ticket = _Reserved()
        state.index.add(ticket, text, tokens=tokens)
        screened = Screened(found, text, state, ticket)
        if best:
            key, score = best[0]
            try:
                qid = await _resolve(key)
            except BaseException:
                screened.stored(None)  # cancelled: never leave a twin waiting on us
                raise
            if qid is not None:
                found.append(duplicate_finding(qid, score, len(text)))
        return screened

    def question_changed(self, question: Question) -> None:
        """Keep the index to questions one can merge into (call after moderation)."""
        state = self._events.get(question.event_id)
        if state is None:
            return
        if question.merged_into is not None or question.status in _NOT_INDEXED:
            state.index.remove(question.id)

    def seen_elsewhere(self, event_id: int, question: dict) -> None:
        """Index a question another process of a cluster stored (or unindex one it
        declined or merged), so a near-duplicate asked here is still found."""
        state = self._events.get(event_id)
        if state is None:
            return  # read from the store, this question included, when first needed
        qid = question["id"]
        if question.get("merged_into") is not None or question["status"] in _NOT_INDEXED:
            state.index.remove(qid)
        elif qid not in state.index:  # ours already are (indexed before they were sent)
            state.index.add(qid, question["text"])

    def forget(self, event_id: int) -> None:
        """Drop an event's state (it is rebuilt from the store when next needed)."""
        self._events.pop(event_id, None)

    async def _state(self, db: Database, event: Event) -> _EventState:
        state = self._events.get(event.id)
        if state is not None:
            return state
        building = self._building.get(event.id)
        if building is None:
            building = asyncio.get_running_loop().create_future()
            self._building[event.id] = building
            try:
                state = await self._build(db, event)
            except BaseException as exc:
                del self._building[event.id]
                building.set_exception(exc)
                building.exception()  # retrieved: the waiters see it, not the loop
                raise
            self._events[event.id] = state
            del self._building[event.id]
            building.set_result(state)
            return state
        return await asyncio.shield(building)

    async def _build(self, db: Database, event: Event) -> _EventState:
        s = self.settings
        index = DuplicateIndex()
        for q in await list_questions(db, event):
            if q.merged_into is None and q.status not in _NOT_INDEXED:
                index.add(q.id, q.original_text or q.text)
        authors = (
            FloodMeter(s.flood_per_author, s.flood_window_seconds, self._clock)
            if s.flood_per_author
            else None
        )
        ips = (
            FloodMeter(s.flood_per_ip, s.flood_window_seconds, self._clock)
            if s.flood_per_ip
            else None
        )
        return _EventState(index, authors, ips)


def duplicate_finding(question_id: int, score: float, length: int) -> dict:
    """A whole-text finding naming the question this one looks like."""
    return {
        "kind": "duplicate",
        "start": 0,
        "end": length,
        "reason": f"looks like question {question_id} ({score:.0%} similar)",
        "question_id": question_id,
    }


async def _resolve(key: Hashable) -> int | None:
    if isinstance(key, _Reserved):
        # A twin still being stored: its id comes with its commit, in the same batch or
        # the one before ours.
        return await asyncio.shield(key.future)
    return key if isinstance(key, int) else None
