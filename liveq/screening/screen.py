"""screen_text: every stateless check on one question's text."""

from __future__ import annotations

from liveq.screening.findings import Finding
from liveq.screening.phi import detect_phi
from liveq.screening.profanity import find_profanity
from liveq.screening.rules import DEFAULT_RULES, ScreeningRules
from liveq.screening.watchlist import find_watch_list


def _longest_per_kind(findings: list[Finding]) -> list[Finding]:
    # A phrase and a word inside it ("piece of shit" / "shit"): keep the wider one.
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-(f.end - f.start), f.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return kept


def screen_text(text: str, *, rules: ScreeningRules | None = None) -> list[Finding]:
    """Possible PHI, profanity and watch-list phrases in ``text``, sorted by start.

    Pure and fast; near-duplicates and floods need an event's state and live in
    :class:`DuplicateIndex` and :class:`FloodMeter`.
    """
    rules = rules or DEFAULT_RULES
    found: list[Finding] = []
    if rules.check_phi:
        found += detect_phi(text)
    if rules.check_profanity:
        found += _longest_per_kind(find_profanity(text, rules))
    if rules.watch_list:
        found += _longest_per_kind(find_watch_list(text, rules))
    return sorted(found, key=lambda f: (f.start, f.end, f.kind))
