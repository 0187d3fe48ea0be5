"""Watch-list phrases from an event's config ("miracle cure"): whole words, any case,
any spacing or punctuation between the words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from liveq.screening.findings import Finding
from liveq.screening.rules import ScreeningRules

# Between the words of a phrase: spaces, punctuation, line breaks ("miracle -- cure").
_BETWEEN = r"[\W_]{1,6}"


def _phrase_pattern(phrase: str) -> str:
    words = re.findall(r"[^\W_]+", phrase)
    return r"(?<![^\W_])" + _BETWEEN.join(re.escape(w) for w in words) + r"(?![^\W_])"


@dataclass(frozen=True)
class WatchListMatcher:
    pattern: re.Pattern[str] | None
    phrases: dict[str, str]  # casefolded words joined by one space -> phrase as configured

    def find(self, text: str) -> list[Finding]:
        if self.pattern is None:
            return []
        out = []
        for m in self.pattern.finditer(text):
            key = " ".join(re.findall(r"[^\W_]+", m.group().casefold()))
            phrase = self.phrases.get(key, key)
            out.append(Finding("watch_list", m.start(), m.end(), f"watch-list: {phrase}"))
        return out


# Bounded: one entry per distinct rules value, i.e. per event config.
@lru_cache(maxsize=128)
def matcher_for(phrases: tuple[str, ...]) -> WatchListMatcher:
    """One alternation for all phrases, longest first so "miracle cure" beats "cure"."""
    usable = [p for p in phrases if re.search(r"[^\W_]", p)]
    if not usable:
        return WatchListMatcher(None, {})
    usable.sort(key=len, reverse=True)
    pattern = re.compile("|".join(_phrase_pattern(p) for p in usable), re.IGNORECASE)
    keys = {" ".join(re.findall(r"[^\W_]+", p.casefold())): p for p in usable}
    return WatchListMatcher(pattern, keys)


def find_watch_list(text: str, rules: ScreeningRules) -> list[Finding]:
    return matcher_for(rules.watch_list).find(text)
