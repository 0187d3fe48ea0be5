"""Polls: multiple choice, rating and word cloud. Pure: no I/O.

    draft -> open -> closed -> open (reopened) ...

A poll is written in draft (edited or deleted only there), opened and closed
live by a moderator. Each answer is one key of the poll's tally: an option's
number for a choice poll, the rating for a rating poll, the phrase (folded, so
"Hope" and "hope " count together) for a word cloud.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liveq.domain.questions import InvalidText, clean_text
from liveq.errors import Conflict, InvalidInput

KINDS = ("choice", "rating", "cloud")
STATUSES = ("draft", "open", "closed")
# action -> (states it may start from, state it leads to)
TRANSITIONS = {
    "open": (frozenset({"draft", "closed"}), "open"),
    "close": (frozenset({"open"}), "closed"),
}
VISIBILITY = {"show": True, "hide": False}
ACTIONS = frozenset(TRANSITIONS) | frozenset(VISIBILITY)

MAX_QUESTION_CHARS = 200
MAX_OPTION_CHARS = 80
MAX_OPTIONS = 10
MAX_WORDS_CHARS = 40  # one word or a short phrase per person in a word cloud
RATING_SCALES = range(3, 11)


class IllegalPollMove(Conflict):
    """The poll's state does not allow that now (409)."""


@dataclass(frozen=True)
class PollDraft:
    """What a moderator writes before the event (checked by check_draft)."""

    kind: str
    question: str
    options: tuple[str, ...] = ()
    scale: int = 0
    hide_results: bool = True


@dataclass(frozen=True)
class Poll:
    id: int
    event_id: int
    kind: str
    question: str
    options: tuple[str, ...]
    scale: int
    status: str
    results_visible: bool
    version: int
    created_at: float
    counts: dict[str, int] = field(default_factory=dict)
    answers: int = 0
    held: int = 0

    def full(self) -> dict:
        """The moderators' view: everything, counts always."""
        return {**self._base(), "counts": self.counts, "answers": self.answers, "held": self.held}

    def public(self) -> dict | None:
        """The audience's and overlay's view; None while in draft. Counts once shown."""
        if self.status == "draft":
            return None
        view = self._base()
        if self.results_visible:
            view["counts"] = self.counts
            view["answers"] = self.answers
        return view

    def _base(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "question": self.question,
            "options": list(self.options),
            "scale": self.scale,
            "status": self.status,
            "results_visible": self.results_visible,
            "version": self.version,
        }


def check_draft(data: PollDraft) -> PollDraft:
    """The draft cleaned, or InvalidInput with a sentence."""
    if data.kind not in KINDS:
        raise InvalidInput(f"A poll's kind is one of {', '.join(KINDS)}, not {data.kind!r}.")
    question = clean_text(data.question, what="poll question", max_chars=MAX_QUESTION_CHARS)
    options: tuple[str, ...] = ()
    scale = 0
    if data.kind == "choice":
        options = tuple(
            clean_text(o, what="option", max_chars=MAX_OPTION_CHARS) for o in data.options
        )
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise InvalidInput(
                f"A multiple-choice poll needs 2 to {MAX_OPTIONS} options; it has {len(options)}."
            )
        if len({o.casefold() for o in options}) != len(options):
            raise InvalidInput("Two options of this poll are the same; make each one different.")
    elif data.kind == "rating":
        scale = data.scale or 5
        if scale not in RATING_SCALES:
            raise InvalidInput(
                f"A rating poll's scale goes from 1 to 3 … 10; {scale} is not one of those."
            )
    return PollDraft(data.kind, question, options, scale, bool(data.hide_results))


def next_status(status: str, action: str) -> str:
    starts, to = TRANSITIONS[action]
    if status not in starts:
        verb = "opened" if action == "open" else "closed"
        raise IllegalPollMove(f"This poll is {status}; it cannot be {verb} now.")
    return to


def check_editable(poll: Poll) -> None:
    if poll.status != "draft":
        raise IllegalPollMove(
            f"This poll has been opened ({poll.status} now), so it can no longer be changed "
            "or deleted: its answers belong to the event's record."
        )


class InvalidAnswer(InvalidInput):
    """An answer the poll cannot take; ``reason`` for the translated sentence."""

    def __init__(self, message: str, reason: str, **values: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.values = values


def answer_key(poll: Poll, value: object) -> str:
    """The tally key of one answer, or InvalidAnswer saying what is wrong with it."""
    if poll.status != "open":
        raise PollNotOpen("This poll is not open for answers right now.")
    if poll.kind == "choice":
        n = _whole(value)
        if n is None or not 0 <= n < len(poll.options):
            raise InvalidAnswer("Choose one of the poll's options.", "choose")
        return str(n)
    if poll.kind == "rating":
        n = _whole(value)
        if n is None or not 1 <= n <= poll.scale:
            raise InvalidAnswer(
                f"Choose a rating from 1 to {poll.scale}.", "rating", scale=poll.scale
            )
        return str(n)
    try:
        text = clean_text(value, what="answer", max_chars=MAX_WORDS_CHARS)
    except InvalidText as exc:
        if exc.reason == "too_long":
            raise InvalidAnswer(
                f"Your answer is {exc.length} characters long; a word cloud takes "
                f"{MAX_WORDS_CHARS} at most (a word or a short phrase).",
                "words_long",
                length=exc.length,
                limit=MAX_WORDS_CHARS,
            ) from None
        raise InvalidAnswer("Type a word or a short phrase.", "words") from None
    return words_key(text)


def words_key(text: str) -> str:
    """A word-cloud answer as it is counted: case folded, spaces collapsed."""
    return " ".join(text.casefold().split())


class PollNotOpen(Conflict):
    """Answers come only while a poll is open (409)."""


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
