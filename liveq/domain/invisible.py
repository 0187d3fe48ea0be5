"""Invisible characters: which they are, and taking them out of what people typed. Pure.

Zero-width spaces, joiners, soft hyphens, word joiners, tag characters and the
rest of Unicode's Default_Ignorable_Code_Point draw nothing, so they can hide a
phone number from a pattern ("617\\u200b-555-0143") while a person reads it as
usual. Screening reads a copy without any of them (``liveq.screening.normalise``);
stored text keeps only those that do visible work: inside an emoji sequence (the
joiner of 👩‍⚕️, the selector of ❤️, the tags of a subdivision flag), variation
selectors on a non-ASCII character (emoji and ideographic variants), and the
joiners of scripts that need them between letters (Persian, Devanagari, …).
"""

from __future__ import annotations

import re
import unicodedata

# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt) plus the rest of
# category Cf that draws nothing (interlinear annotation, hieroglyph format controls).
# The prepended concatenation marks (U+0600..U+0605, U+06DD, U+070F, U+0890, U+0891,
# U+08E2, U+110BD, U+110CD) are Cf but visible, and are not here.
# tests/domain/test_invisible.py checks this table against unicodedata.
_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFFB), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
INVISIBLE = re.compile(
    "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" if a != b else f"\\U{a:08x}" for a, b in _RANGES) + "]"
)
# Bidirectional embeddings, overrides and isolates: refused in typed text (they can
# reorder what a moderator reads), removed from text read elsewhere (posts from X).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_JOINERS = frozenset("\u200c\u200d")
_TAGS = range(0xE0020, 0xE0080)
_MONGOLIAN_SELECTORS = frozenset("\u180b\u180c\u180d\u180f")


def is_invisible(ch: str) -> bool:
    """Whether ``ch`` (one character) draws nothing."""
    return INVISIBLE.fullmatch(ch) is not None


def _is_selector(ch: str) -> bool:
    code = ord(ch)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or ch in _MONGOLIAN_SELECTORS


def _needs_joiner(ch: str) -> bool:
    # Letters and marks of scripts without case (Arabic, Indic, …), where ZWJ/ZWNJ
    # choose a letter's shape; never Latin, Greek or Cyrillic (cased), never ASCII.
    return not ch.isascii() and unicodedata.category(ch) in ("Lo", "Lm", "Mn", "Mc")


def strip_invisible(text: str) -> str:
    """``text`` without invisible characters, except where they do visible work.

    Kept: everything inside an emoji sequence, variation selectors after a non-ASCII
    character, ZWJ/ZWNJ between two letters of a script that uses them.
    """
    if INVISIBLE.search(text) is None:
        return text
    inside_emoji = _emoji_positions(text)
    out: list[str] = []
    for i, ch in enumerate(text):
        if i in inside_emoji or not is_invisible(ch):
            out.append(ch)
            continue
        before = out[-1] if out else ""
        if _is_selector(ch) and before and not before.isascii() and not is_invisible(before):
            out.append(ch)
        elif (
            ch in _JOINERS
            and before
            and i + 1 < len(text)
            and _needs_joiner(before)
            and _needs_joiner(text[i + 1])
        ):
            out.append(ch)
    return "".join(out)


def _emoji_positions(text: str) -> set[int]:
    """Indices inside emoji sequences that contain an invisible character."""
    if not any(ch in _JOINERS or _is_selector(ch) or ord(ch) in _TAGS for ch in text):
        return set()
    # Imported here: most texts have no joiner or selector, and the emoji data is big.
    from liveq.tweettext.graphemes import emoji_spans

    spans = emoji_spans(text)
    inside = {i for start, end in spans if end - start > 1 for i in range(start, end)}
    # A joiner between two emoji is a ZWJ sequence newer than the emoji data: keep it.
    starts, ends = {start for start, _ in spans}, {end for _, end in spans}
    inside.update(
        i for i, ch in enumerate(text) if ch == "\u200d" and i in ends and i + 1 in starts
    )
    return inside
