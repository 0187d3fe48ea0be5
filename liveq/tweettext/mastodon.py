"""Mastodon's status length and splitting a long post into a thread. Pure.

Mastodon counts grapheme clusters, every link as the instance's
``characters_reserved_per_url`` (23 on a stock instance) and a mention by its
local part only (``@name@host`` as ``@name``). The limit is the instance's
``max_characters`` (500 on a stock instance; read from /api/v2/instance).
"""

from __future__ import annotations

import re

from liveq.tweettext.entities import extract_urls
from liveq.tweettext.graphemes import grapheme_spans
from liveq.tweettext.split import pack

_REMOTE_MENTION = re.compile(r"(?<![\w/])(@\w+)@[\w.-]+\w", re.ASCII)


def mastodon_length(text: str, url_length: int = 23) -> int:
    """The length Mastodon counts against its character limit."""
    text = _REMOTE_MENTION.sub(r"\1", text)
    total, last = 0, 0
    for url in extract_urls(text):
        total += len(grapheme_spans(text[last : url.start])) + url_length
        last = url.end
    return total + len(grapheme_spans(text[last:]))


def split_for_mastodon(text: str, max_chars: int = 500, url_length: int = 23) -> list[str]:
    """The posts of a thread, each within `max_chars`; "k/n " in front when split."""
    text = text.strip()
    if not text:
        return []

    def weigh(part: str) -> int:
        return mastodon_length(part, url_length)

    if weigh(text) <= max_chars:
        return [text]
    digits = 1
    while True:
        widest = "9" * digits
        bodies = pack(text, weigh, max_chars - len(f"{widest}/{widest} "))
        if len(str(len(bodies))) <= digits:
            break
        digits = len(str(len(bodies)))
    return [f"{k}/{len(bodies)} {body}" for k, body in enumerate(bodies, start=1)]
