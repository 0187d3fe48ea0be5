"""Tweet length as X counts it (twitter-text v3), and splitting long text into a thread.

X does not count characters: it weighs them. Latin, Cyrillic, Greek, Hebrew,
Arabic, Indic scripts and common punctuation weigh 1; CJK, most symbols and
every emoji sequence weigh 2; every link weighs 23 however long it is. A post
may weigh 280. ``parse_tweet`` follows twitter-text's ``parseTweet`` exactly
(checked against its conformance suite); ``split_for_thread`` cuts text into
posts that each pass it. Pure functions, no I/O.

This module is the public face: it also re-exports the link, hashtag and
mention helpers of ``tweet_entities`` and the emoji and grapheme helpers of
``tweet_graphemes``; ``tweet_split`` does the cutting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from liveq.tweettext.entities import (
    INVALID_CHARS,
    Entity,
    extract_entities,
    extract_hashtags,
    extract_mentions,
    extract_mentions_or_lists,
    extract_urls,
    is_valid_hashtag,
    is_valid_list,
    is_valid_url,
    is_valid_username,
)
from liveq.tweettext.graphemes import emoji_spans, grapheme_spans
from liveq.tweettext.split import pack

__all__ = [
    "CONFIG_V1",
    "CONFIG_V2",
    "CONFIG_V3",
    "MIN_THREAD_WEIGHT",
    "Entity",
    "ParsedTweet",
    "TwitterTextConfig",
    "WeightedRange",
    "emoji_spans",
    "extract_entities",
    "extract_hashtags",
    "extract_mentions",
    "extract_mentions_or_lists",
    "extract_urls",
    "grapheme_spans",
    "is_valid_hashtag",
    "is_valid_list",
    "is_valid_tweet",
    "is_valid_url",
    "is_valid_username",
    "parse_tweet",
    "split_for_thread",
    "weighted_length",
]


@dataclass(frozen=True, slots=True)
class WeightedRange:
    """Code points ``start..end`` (inclusive) weigh ``weight`` (in ``scale`` units)."""

    start: int
    end: int
    weight: int


@dataclass(frozen=True, slots=True)
class TwitterTextConfig:
    """twitter-text's counting configuration (the fields of its ``config/v*.json``)."""

    version: int
    max_weighted_tweet_length: int
    scale: int
    default_weight: int
    transformed_url_length: int
    ranges: tuple[WeightedRange, ...]
    emoji_parsing_enabled: bool

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TwitterTextConfig:
        """Build from the JSON object of a twitter-text config file."""
        return cls(
            version=data["version"],
            max_weighted_tweet_length=data["maxWeightedTweetLength"],
            scale=data["scale"],
            default_weight=data["defaultWeight"],
            transformed_url_length=data["transformedURLLength"],
            ranges=tuple(WeightedRange(r["start"], r["end"], r["weight"]) for r in data["ranges"]),
            emoji_parsing_enabled=data.get("emojiParsingEnabled", False),
        )


_LIGHT_RANGES = (
    WeightedRange(0, 4351, 100),  # Basic Latin to Georgian
    WeightedRange(8192, 8205, 100),  # spaces, ZWJ/ZWNJ in General Punctuation
    WeightedRange(8208, 8223, 100),  # hyphens and quotes
    WeightedRange(8242, 8247, 100),  # primes
)
# Before 2017: 140 code points, each weighing 1.
CONFIG_V1 = TwitterTextConfig(1, 140, 1, 1, 23, (), emoji_parsing_enabled=False)
# 280 weighted; emoji sequences weighed per code point.
CONFIG_V2 = TwitterTextConfig(2, 280, 100, 200, 23, _LIGHT_RANGES, emoji_parsing_enabled=False)
# What X uses today: as v2, but every emoji sequence weighs 2.
CONFIG_V3 = TwitterTextConfig(3, 280, 100, 200, 23, _LIGHT_RANGES, emoji_parsing_enabled=True)


@dataclass(frozen=True, slots=True)
class ParsedTweet:
    """What twitter-text's ``parseTweet`` reports.

    The ranges are inclusive and count UTF-16 code units of the text as given
    (before normalisation), as in twitter-text, so they line up with a
    browser's string indices: ``valid_range_end`` is the last unit that still
    fits, ``display_range_end`` the last unit of the text.
    """

    weighted_length: int
    valid: bool
    permillage: int
    valid_range_start: int
    valid_range_end: int
    display_range_start: int
    display_range_end: int


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _char_weight(char: str, config: TwitterTextConfig) -> int:
    code = ord(char)
    for weighted in config.ranges:
        if weighted.start <= code <= weighted.end:
            return weighted.weight
    return config.default_weight


def parse_tweet(text: str, config: TwitterTextConfig = CONFIG_V3) -> ParsedTweet:
    """Weigh ``text`` as X does: NFC first, then links, emoji sequences, characters.

    ``valid`` means non-empty, within the limit and free of the characters X
    refuses (U+FFFE, U+FEFF, U+FFFF). As in twitter-text's JavaScript, text
    of only whitespace has a length and so counts as valid; X itself may still
    refuse to post it.
    """
    normalized = unicodedata.normalize("NFC", text)
    url_end = {url.start: url.end for url in extract_urls(normalized)}
    emoji_end = dict(emoji_spans(normalized)) if config.emoji_parsing_enabled else {}
    scaled_max = config.max_weighted_tweet_length * config.scale

    weight = 0
    no_invalid_chars = True
    utf16_end = 0  # UTF-16 units consumed so far
    valid_end = 0  # twitter-text reports 0 when not even the first unit fits
    i = 0
    while i < len(normalized):
        if i in url_end:
            end, weight = url_end[i], weight + config.transformed_url_length * config.scale
        elif i in emoji_end:
            end, weight = emoji_end[i], weight + config.default_weight
        else:
            end, weight = i + 1, weight + _char_weight(normalized[i], config)
        piece = normalized[i:end]
        utf16_end += _utf16_length(piece)
        no_invalid_chars = no_invalid_chars and not any(c in INVALID_CHARS for c in piece)
        if no_invalid_chars and weight <= scaled_max:
            valid_end = utf16_end - 1
        i = end

    weighted = weight // config.scale
    text_units = _utf16_length(text)
    # Ranges index the text as given; normalisation may have changed its length.
    normalization_offset = text_units - _utf16_length(normalized)
    return ParsedTweet(
        weighted_length=weighted,
        valid=no_invalid_chars and 0 < weighted <= config.max_weighted_tweet_length,
        permillage=weighted * 1000 // config.max_weighted_tweet_length,
        valid_range_start=0,
        valid_range_end=valid_end + normalization_offset,
        display_range_start=0,
        display_range_end=max(text_units - 1, 0),
    )


_INVALID = re.compile(f"[{INVALID_CHARS}]")


def weighted_length(text: str, config: TwitterTextConfig = CONFIG_V3) -> int:
    """The weighted length of ``text`` (280 is the limit of a post)."""
    return parse_tweet(text, config).weighted_length


def is_valid_tweet(text: str, config: TwitterTextConfig = CONFIG_V3) -> bool:
    """Whether X would accept ``text`` as the text of one post."""
    return parse_tweet(text, config).valid


# --- splitting into a thread -------------------------------------------------

# Room for the longest link (23) plus a numbering prefix such as "999/999 ".
MIN_THREAD_WEIGHT = 40


def split_for_thread(text: str, *, max_weight: int = 280, numbering: bool = True) -> list[str]:
    """Split ``text`` into the posts of a thread, each weighing at most ``max_weight``.

    A post ends after a paragraph or a sentence where that keeps it at least
    a third full, otherwise after a word; whitespace inside a post is kept, at a
    cut it is dropped. A word too heavy for one post (CJK prose has no
    spaces) is cut between grapheme clusters, never inside a link, hashtag or
    mention that fits a post. With ``numbering`` and more than one post, each
    starts with ``"k/n "`` ("1/3 Lorem…"), counted in its weight: a prefix,
    so that a post opening with "@name" is not taken for a reply. Characters
    X refuses (U+FEFF, U+FFFE, U+FFFF) are dropped; blank text gives ``[]``.
    """
    if max_weight < MIN_THREAD_WEIGHT:
        raise ValueError(f"max_weight must be at least {MIN_THREAD_WEIGHT}, got {max_weight}")
    text = _INVALID.sub("", text).strip()
    if not text:
        return []
    if weighted_length(text) <= max_weight:
        return [text]
    if not numbering:
        return pack(text, weighted_length, max_weight)

    # The prefix's width depends on the number of posts, which depends on the
    # room the prefix leaves: start from one digit and widen until it holds.
    # Room is kept for the widest prefix ("99/99 " for two digits). The prefix
    # ends in a space and a body never starts with one, so no link or emoji
    # spans the two and their weights simply add.
    digits = 1
    while True:
        widest = "9" * digits
        room = max_weight - weighted_length(f"{widest}/{widest} ")
        bodies = pack(text, weighted_length, room)
        if len(str(len(bodies))) <= digits:
            break
        digits = len(str(len(bodies)))
    total = len(bodies)
    return [f"{k}/{total} {body}" for k, body in enumerate(bodies, start=1)]
