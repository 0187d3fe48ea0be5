"""Questions and the moderation state machine. Pure: no I/O.

    pending -> approved -> on_air -> answered
    pending/approved -> declined
    on_air -> approved            (taken off air without an answer)
    any -> archived               (merges archive the merged question)

Illegal moves raise IllegalTransition; the web layer turns that into a 409.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from liveq.domain.invisible import BIDI_CONTROLS, strip_invisible
from liveq.errors import Conflict, InvalidInput


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    ON_AIR = "on_air"
    ANSWERED = "answered"
    DECLINED = "declined"
    ARCHIVED = "archived"


# States the audience and the overlay may see.
PUBLIC_STATUSES = frozenset({Status.APPROVED, Status.ON_AIR, Status.ANSWERED})

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status]] = {
    "approve": (frozenset({Status.PENDING}), Status.APPROVED),
    "decline": (frozenset({Status.PENDING, Status.APPROVED}), Status.DECLINED),
    "on_air": (frozenset({Status.APPROVED}), Status.ON_AIR),
    "off_air": (frozenset({Status.ON_AIR}), Status.APPROVED),
    "answer": (frozenset({Status.ON_AIR, Status.APPROVED}), Status.ANSWERED),
    "archive": (frozenset(set(Status) - {Status.ARCHIVED}), Status.ARCHIVED),
}

# Actions that change a question without moving it. "redact" replaces spans of the
# text that screening found (the original is kept); "override" marks findings as
# acceptable, with a reason (see liveq.screening.review).
EDITS = frozenset({"edit", "star", "unstar", "redact", "override"})
EDITABLE = frozenset({Status.PENDING, Status.APPROVED, Status.ON_AIR})

ACTIONS = frozenset(TRANSITIONS) | EDITS | {"merge"}

_PAST = {
    "approve": "approved",
    "decline": "declined",
    "on_air": "sent on air",
    "off_air": "taken off air",
    "answer": "marked answered",
    "archive": "archived",
    "edit": "edited",
    "star": "starred",
    "unstar": "unstarred",
    "redact": "redacted",
    "override": "overridden",
    "merge": "merged",
    "merged_from": "merged with a duplicate",
    "label": "labelled",
    "note": "given a note",
}


class IllegalTransition(Conflict):
    """A moderation action that the question's current state does not allow."""


class InvalidText(InvalidInput):
    """Text a person typed that cannot be accepted; the message says why.

    `reason` ("not_text", "control", "empty", "too_long"), `what`, and for too long the
    `length` and `limit`, let the web layer say the same in the reader's language.
    """

    def __init__(
        self, message: str, *, reason: str = "", what: str = "", length: int = 0, limit: int = 0
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.what = what
        self.length = length
        self.limit = limit


@dataclass(frozen=True)
class Question:
    id: int
    event_id: int
    text: str
    status: Status
    source: str = "web"
    author: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0
    version: int = 1
    original_text: str | None = None
    starred: bool = False
    votes: int = 0
    merged_into: int | None = None
    merged_count: int = 0
    answer: str = ""
    decline_reason: str = ""
    source_url: str = ""
    findings: tuple[dict, ...] = ()
    answered_at: float | None = None
    labels: tuple[str, ...] = ()
    note: str = ""  # moderators only: never in public()
    lang: str = ""  # "en", "es"...; "" when too short to tell


    def public(self) -> dict:
        """What the audience and the overlay see: no moderation detail."""
        return {
            "id": self.id,
            "text": self.text,
            "status": str(self.status),
            "author": self.author,
            "source": self.source,
            "votes": self.votes,
            "merged_count": self.merged_count,
            "created_at": self.created_at,
            "version": self.version,
            "starred": self.starred,
            # Labels are a moderator's words about the topic or speaker; the presenter
            # view filters by them.
            "labels": list(self.labels),
            # The language it is written in, for the pages' lang= (screen readers pick
            # their voice by it); "" when unknown.
            "lang": self.lang,
        }

    def full(self) -> dict:
        """What moderators see."""
        return {
            **self.public(),
            "original_text": self.original_text,
            "merged_into": self.merged_into,
            "answer": self.answer,
            "decline_reason": self.decline_reason,
            "source_url": self.source_url,
            "findings": list(self.findings),
            "updated_at": self.updated_at,
            "note": self.note,
        }


def next_status(current: Status, action: str) -> Status:
    """The state `action` leads to from `current`, or raise IllegalTransition."""
    if action in EDITS:
        if current not in EDITABLE:
            raise IllegalTransition(
                f"A question that is {_label(current)} cannot be {_PAST[action]}."
            )
        return current
    if action not in TRANSITIONS:
        raise IllegalTransition(f"Unknown action {action!r}.")
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise IllegalTransition(f"A question that is {_label(current)} cannot be {_PAST[action]}.")
    return target


def check_merge(source: Question, target: Question) -> None:
    """Raise IllegalTransition unless `source` may be merged into `target`."""
    if source.id == target.id:
        raise IllegalTransition("A question cannot be merged into itself.")
    if source.event_id != target.event_id:
        raise IllegalTransition("Questions from different events cannot be merged.")
    if source.status in (Status.ARCHIVED, Status.ON_AIR):
        raise IllegalTransition(f"A question that is {_label(source.status)} cannot be merged.")
    if target.status in (Status.ARCHIVED, Status.DECLINED):
        raise IllegalTransition(f"Cannot merge into a question that is {_label(target.status)}.")


def past_tense(action: str) -> str:
    return _PAST.get(action, action)


def _label(status: Status) -> str:
    return "on air" if status is Status.ON_AIR else str(status)


def clean_text(value: object, *, what: str, max_chars: int, required: bool = True) -> str:
    """Normalise typed text or raise InvalidText with a sentence a person understands.

    Control characters (other than tab and newline, which become spaces) and bidi
    overrides are refused; zero-width and other invisible characters are dropped,
    except inside emoji sequences and where a script needs them (see
    ``liveq.domain.invisible``), so what is stored and shown is what a person reads.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidText(f"The {what} must be text.", reason="not_text", what=what)
    text = unicodedata.normalize("NFC", value)
    for ch in text:
        if ch in "\t\n\r":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs", "Co") or ch in BIDI_CONTROLS:
            raise InvalidText(
                f"The {what} contains invisible control characters; please type it again.",
                reason="control",
                what=what,
            )
    text = " ".join(strip_invisible(text).split())
    if required and not text:
        raise InvalidText(
            f"The {what} is empty; please type something.", reason="empty", what=what
        )
    if len(text) > max_chars:
        raise InvalidText(
            f"The {what} is {len(text):,} characters long; the limit is {max_chars:,}.",
            reason="too_long",
            what=what,
            length=len(text),
            limit=max_chars,
        )
    return text
