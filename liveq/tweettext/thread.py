"""The live thread's words and its fallback policy. Pure: no I/O.

An answered question becomes one or more posts from the config's template.
If X refuses replies (its 2026 reply policy), the thread goes on as quote
posts, and if those are refused too, as numbered stand-alone posts.
"""

from __future__ import annotations

from dataclasses import dataclass

from liveq.tweettext.text import split_for_thread, weighted_length

REPLY = "reply"
QUOTE = "quote"
STANDALONE = "standalone"
MODES = (REPLY, QUOTE, STANDALONE)

MAX_WEIGHT = 280
# Room kept in every part for the "12/ " a stand-alone post gets if we fall back.
_STANDALONE_ROOM = 8


class TemplateError(ValueError):
    """A template naming a field liveq does not know."""


@dataclass(frozen=True)
class AnswerContext:
    number: int  # the question's number in the thread: Q1, Q2, ...
    question: str
    answer: str
    asker: str  # "@handle", a display name, or ""
    hashtag: str = ""
    signature: str = ""
    disclaimer: str = ""


def render_answer(template: str, ctx: AnswerContext) -> str:
    """The text of an answered question's post(s), before splitting."""
    fields = {
        "number": ctx.number,
        "question": ctx.question,
        "answer": ctx.answer or "answered live",
        "asker": ctx.asker or "a viewer",
        "signature": f" — {ctx.signature}" if ctx.signature else "",
        "hashtag": f" #{ctx.hashtag}" if ctx.hashtag else "",
    }
    try:
        text = template.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise TemplateError(
            f"the answer template has an unknown field {exc}; "
            f"use {', '.join('{' + k + '}' for k in fields)}"
        ) from None
    if ctx.disclaimer:
        text = f"{text}\n{ctx.disclaimer}"
    return text


def split_post(text: str) -> list[str]:
    """Parts that each fit a post, leaving room for a stand-alone number."""
    if weighted_length(text) <= MAX_WEIGHT - _STANDALONE_ROOM:
        return [text]
    return split_for_thread(text, max_weight=MAX_WEIGHT - _STANDALONE_ROOM)


def fallback(mode: str) -> str | None:
    """The next mode to try when X refuses `mode`, or None if there is none."""
    index = MODES.index(mode)
    return MODES[index + 1] if index + 1 < len(MODES) else None


def standalone_text(text: str, position: int) -> str:
    """A stand-alone post numbered by its place in the thread."""
    return f"{position}/ {text}"


def mode_notice(mode: str) -> str:
    return {
        REPLY: "",
        QUOTE: "X refused replies from this account, so the thread continues as quote posts.",
        STANDALONE: "X refused replies and quote posts, so posts go out numbered, one by one.",
    }[mode]
