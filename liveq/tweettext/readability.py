"""The reading grade of a post: Flesch-Kincaid through textstat, against the NIH's
advice that health information for the public read at about 8th grade. A hint for
the person writing, never a reason to hold a post. Pure, but the first call loads the
CMU Pronouncing Dictionary (about 3 s): callers on an event loop run it in a thread.
"""

from __future__ import annotations

import re

import textstat

# NIH (and the AMA) advise patient material at or below an 8th-grade reading level.
TARGET_GRADE = 8

# What is not prose: links, @handles, #hashtags, and a thread's counter ("3/", "(2/5)").
_NOT_PROSE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|^\(?\d+/\d*\)?\s*", re.M)
# Below this, a grade says nothing ("Thank you!" would score anything).
MIN_WORDS = 5


def prose(text: str) -> str:
    return " ".join(_NOT_PROSE.sub(" ", text).split())


def reading_grade(text: str) -> float | None:
    """The US school grade needed to read `text` (one decimal), or None if too short."""
    words = prose(text)
    if sum(1 for w in words.split() if any(c.isalpha() for c in w)) < MIN_WORDS:
        return None
    return round(max(0.0, textstat.flesch_kincaid_grade(words)), 1)
