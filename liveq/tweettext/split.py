"""Cutting text into pieces that each stay within a weight limit.

Generic over the weighing function, so it knows nothing of X's rules; the
thread splitter in ``tweet_text`` supplies those. Pure functions.

The text is read as tokens (words; or, inside a word too heavy for any piece,
grapheme clusters and the links, hashtags and mentions that stay whole) and
the joints between them. A piece ends at a joint: the strongest one (a
paragraph, then a line or sentence, then a word, then a bare grapheme
boundary) that still leaves the piece at least a third full. A third, not
more: posts that end with a sentence read better than fuller ones that cut
it, and the price is seldom more than one extra post.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

from liveq.tweettext.entities import extract_entities
from liveq.tweettext.graphemes import grapheme_spans

__all__ = ["pack"]

Weigh = Callable[[str], int]

# Pieces end before whitespace. No-break spaces are not breaks: whoever typed
# "10\u00a0mg" asked for the two to stay together.
_NO_BREAK = "\u00a0\u2007\u202f"
_GAP = re.compile(rf"[^\S{_NO_BREAK}]+")
_CLOSERS = "\"'”’»)]）」』】"
_SENTENCE_END = re.compile(rf"[.!?…。！？‼⁇⁈⁉][{re.escape(_CLOSERS)}]*\Z")
# Abbreviations that end in a period but rarely end a sentence: "Dr. Patel".
_ABBREVIATIONS = frozenset(
    "dr drs mr mrs ms mx prof rev hon sr st mt ft vs e.g i.e approx dept fig no nos".split()
)

GRAPHEME, WORD, SENTENCE, PARAGRAPH = range(4)


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    weight: int


@dataclass(frozen=True, slots=True)
class _Joint:
    """What lies between two tokens: whitespace (dropped at a cut) or nothing."""

    start: int
    end: int
    weight: int
    strength: int


def _ends_sentence(word: str, next_word: str) -> bool:
    if not _SENTENCE_END.search(word):
        return False
    if word.endswith("."):
        stem = word.rstrip(".").lstrip(_CLOSERS + "(").lower()
        if stem in _ABBREVIATIONS or (len(stem) == 1 and stem.isalpha()):
            return False  # "Dr. Patel", "J. Smith"
    return not next_word[:1].islower()  # "approx. five" goes on


def _gap_strength(whitespace: str, word: str, next_word: str) -> int:
    if whitespace.count("\n") >= 2:
        return PARAGRAPH
    if "\n" in whitespace or _ends_sentence(word, next_word):
        return SENTENCE
    return WORD


def _inner_strength(before: str) -> int:
    """How good a cut inside an over-long word is, after ``before`` (a short tail)."""
    if _SENTENCE_END.search(before):
        return SENTENCE  # "…扬州。|故人…"
    # CJK has no spaces: a break after any wide character is an ordinary word
    # break there (as in UAX #14 line breaking).
    if unicodedata.east_asian_width(before[-1]) in "WF":
        return WORD
    return GRAPHEME


def _cached(weigh: Weigh) -> Weigh:
    """``weigh`` remembering its answers: texts repeat words, long words clusters."""
    known: dict[str, int] = {}

    def cached(text: str) -> int:
        if text not in known:
            known[text] = weigh(text)
        return known[text]

    return cached


def _clusters(word: str, weigh: Weigh, limit: int) -> list[tuple[int, int]]:
    """Spans of ``word`` that a cut must not enter, covering it in order."""
    # Links, hashtags and mentions stay whole if a piece can hold them
    # (a 300-letter hashtag cannot). They come sorted and never overlap.
    whole = [
        (e.start, e.end) for e in extract_entities(word) if weigh(word[e.start : e.end]) <= limit
    ]
    spans: list[tuple[int, int]] = []
    p, merging = 0, -1  # the entity spans[-1] belongs to, or -1
    for start, end in grapheme_spans(word):
        while p < len(whole) and whole[p][1] <= start:
            p += 1
        inside = p < len(whole) and whole[p][0] < end
        if inside and merging == p:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
            merging = p if inside else -1
    # A cluster heavier than the limit (a letter under 300 accents) has to be cut.
    cut: list[tuple[int, int]] = []
    for start, end in spans:
        if weigh(word[start:end]) <= limit:
            cut.append((start, end))
        else:
            cut.extend((i, i + 1) for i in range(start, end))
    return cut


def _tokenize(text: str, weigh: Weigh, limit: int) -> tuple[list[_Token], list[_Joint]]:
    """Tokens of ``text`` and the joints between them (one fewer)."""
    weigh = _cached(weigh)
    gaps = [gap for gap in _GAP.finditer(text) if 0 < gap.start() and gap.end() < len(text)]
    bounds = [0] + [edge for gap in gaps for edge in gap.span()] + [len(text)]
    words = list(zip(bounds[::2], bounds[1::2], strict=True))
    tokens: list[_Token] = []
    joints: list[_Joint] = []
    for i, (start, end) in enumerate(words):
        if i:
            gap = gaps[i - 1]
            prev_start, prev_end = words[i - 1]
            strength = _gap_strength(gap.group(), text[prev_start:prev_end], text[start:end])
            joints.append(_Joint(gap.start(), gap.end(), weigh(gap.group()), strength))
        weight = weigh(text[start:end])
        if weight <= limit:
            tokens.append(_Token(start, end, weight))
            continue
        word = text[start:end]
        for j, (c_start, c_end) in enumerate(_clusters(word, weigh, limit)):
            if j:
                strength = _inner_strength(word[max(c_start - 8, 0) : c_start])
                joints.append(_Joint(start + c_start, start + c_start, 0, strength))
            tokens.append(_Token(start + c_start, start + c_end, weigh(word[c_start:c_end])))
    return tokens, joints


def pack(text: str, weigh: Weigh, limit: int) -> list[str]:
    """Cut ``text`` (stripped, non-empty) into pieces with ``weigh(piece) <= limit``.

    Whitespace inside a piece is kept; at a cut it is dropped, so the pieces
    joined with what was dropped give ``text`` back. Weights are added up
    token by token, which is exact across whitespace; inside a word the sum
    can be off ("x.co" is a link weighing 23), so every piece is weighed
    whole before it is taken, and shortened if need be.
    """
    tokens, joints = _tokenize(text, weigh, limit)
    # upto[k]: the weight of tokens[0..k] with the joints between them.
    upto = list(
        accumulate(
            [tokens[0].weight]
            + [j.weight + t.weight for j, t in zip(joints, tokens[1:], strict=True)]
        )
    )
    pieces: list[str] = []
    first = 0
    while first < len(tokens):
        # Weight of tokens[first..k]: upto[k] - before (the cut drops the joint).
        before = upto[first] - tokens[first].weight
        last = first
        while last + 1 < len(tokens) and upto[last + 1] - before <= limit:
            last += 1
        while True:
            if last + 1 < len(tokens):
                last = _choose(first, last, joints, upto, before, limit)
            piece = text[tokens[first].start : tokens[last].end]
            if last == first or weigh(piece) <= limit:
                break
            last -= 1  # the sum was short of the true weight: one token less
        # A cut inside a word can fall beside a no-break space: drop it there, as a
        # space is dropped at a cut (no post starts or ends with one).
        piece = piece.strip(_NO_BREAK)
        if piece:
            pieces.append(piece)
        first = last + 1
    return pieces


def _choose(
    first: int, last: int, joints: list[_Joint], upto: list[int], before: int, limit: int
) -> int:
    """The last token of the piece: after the strongest joint leaving it a third full."""
    for strength in (PARAGRAPH, SENTENCE, WORD):
        for k in range(last, first - 1, -1):
            if (upto[k] - before) * 3 < limit:
                break
            if joints[k].strength >= strength:
                return k
    return last
