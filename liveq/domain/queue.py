"""The moderator's queue tools: labels, notes, and what a search matches. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from liveq.domain.questions import Question, clean_text
from liveq.errors import InvalidInput

MAX_LABELS = 10
MAX_LABEL_CHARS = 40
MAX_NOTE_CHARS = 1000
# Where a question came from, as the console's filter names it.
SOURCES = ("web", "x", "bluesky", "mastodon")


def clean_labels(value: object) -> tuple[str, ...]:
    """A question's labels: each cleaned, repeats (any case) dropped, at most MAX_LABELS."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput('labels should be a list of words, e.g. ["Dr Lee", "vaccines"].')
    labels: dict[str, str] = {}
    for raw in value:
        label = clean_text(raw, what="label", max_chars=MAX_LABEL_CHARS)
        labels.setdefault(label.casefold(), label)
    if len(labels) > MAX_LABELS:
        raise InvalidInput(f"A question can have at most {MAX_LABELS} labels.")
    return tuple(labels.values())


def clean_note(value: object) -> str:
    return clean_text(value, what="note", max_chars=MAX_NOTE_CHARS, required=False)


@dataclass(frozen=True)
class Search:
    """What the moderator is looking for; empty fields match everything."""

    text: str = ""  # in the question, the asker's name or handle, a label
    source: str = ""
    kind: str = ""  # a screening finding's kind
    starred: bool | None = None
    label: str = ""

    def matches(self, q: Question) -> bool:
        if self.source and q.source != self.source:
            return False
        if self.starred is not None and q.starred != self.starred:
            return False
        if self.kind and not any(f.get("kind") == self.kind for f in q.findings):
            return False
        if self.label and self.label.casefold() not in {x.casefold() for x in q.labels}:
            return False
        if self.text:
            needle = self.text.casefold().lstrip("@")
            haystack = [q.text, q.author.lstrip("@"), q.original_text or "", *q.labels]
            if not any(needle in h.casefold() for h in haystack):
                return False
        return True
