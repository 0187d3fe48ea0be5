"""Screening: pure checks that hold a question back for a human and say why.

Findings never delete anything. See docs/screening.md for every kind, with
examples that fire and examples that do not.
"""

from liveq.screening.duplicates import DuplicateIndex
from liveq.screening.findings import KINDS, PHI_KINDS, Finding
from liveq.screening.flood import FloodMeter
from liveq.screening.language import detect_language
from liveq.screening.phi import detect_phi
from liveq.screening.profanity import find_profanity
from liveq.screening.redact import PLACEHOLDERS, redact
from liveq.screening.rules import ScreeningRules
from liveq.screening.screen import (
    ScreeningResult,
    screen_name,
    screen_question,
    screen_text,
    warm_up,
)
from liveq.screening.watchlist import find_watch_list

__all__ = [
    "KINDS",
    "PHI_KINDS",
    "PLACEHOLDERS",
    "DuplicateIndex",
    "Finding",
    "FloodMeter",
    "ScreeningResult",
    "ScreeningRules",
    "detect_language",
    "detect_phi",
    "find_profanity",
    "find_watch_list",
    "redact",
    "screen_name",
    "screen_question",
    "screen_text",
    "warm_up",
]
