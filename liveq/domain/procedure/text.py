"""The words of a procedure's posts: counter, hashtag, warning, answers. Pure."""

from __future__ import annotations

from liveq.tweettext.text import split_for_thread, weighted_length

MAX_WEIGHT = 280
WARNING = "⚠️ May be graphic. "
# The widest counter we leave room for: a thread of up to 999 posts.
_WIDEST = 999


def body(text: str, warning: bool) -> str:
    """A post's text as queued: the optional "may be graphic" warning, then the text."""
    return f"{WARNING}{text}" if warning else text


def decorate(text: str, number: int, hashtag: str) -> str:
    """What goes to X: "5/ " before, " #Tag" after (unless the text has the tag already)."""
    tag = f"#{hashtag}" if hashtag else ""
    suffix = f" {tag}" if tag and tag.lower() not in text.lower() else ""
    return f"{number}/ {text}{suffix}"


def overflow(text: str, hashtag: str) -> int:
    """How many weighted characters the text is over once decorated (0 if it fits)."""
    return max(0, weighted_length(decorate(text, _WIDEST, hashtag)) - MAX_WEIGHT)


def room(hashtag: str) -> int:
    """The weight left for the text itself once counter and hashtag are added."""
    return MAX_WEIGHT - weighted_length(decorate("", _WIDEST, hashtag))


def _shorten(text: str, limit: int) -> str:
    """The text cut at a word boundary to at most `limit` weight, with an ellipsis."""
    if weighted_length(text) <= limit:
        return text
    words = text.split()
    out = ""
    for word in words:
        candidate = f"{out} {word}".strip()
        if weighted_length(candidate + "…") > limit:
            break
        out = candidate
    return (out or text[: max(1, limit - 1)]) + "…"


def answer_parts(question: str, answer: str, physician: str, hashtag: str) -> list[str]:
    """An answer in the thread: the question quoted (shortened to fit), the answer signed.

    One post when the answer fits; otherwise the answer is split over several,
    each leaving room for the counter and the hashtag.
    """
    signed = f"A: {answer or 'answered live'}" + (f" — {physician}" if physician else "")
    space = room(hashtag)
    left = space - weighted_length(signed) - len("Q: “”\n")
    if left >= 20:
        return [f"Q: “{_shorten(question, left)}”\n{signed}"]
    question_line = f"Q: “{_shorten(question, space - 6)}”"
    return [question_line, *split_for_thread(signed, max_weight=space, numbering=False)]
