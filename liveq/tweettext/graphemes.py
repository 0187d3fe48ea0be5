"""Emoji sequences and user-perceived characters (grapheme clusters) in tweet text.

X counts an emoji as 2 however many code points it takes (a family emoji is
seven), so the counter needs the emoji sequences of current Unicode. Those
come from the ``emoji`` package: it is data (Unicode's emoji-test.txt, kept
current with each Emoji version), pure Python, and without dependencies,
where Python's ``unicodedata`` knows no emoji properties at all.

Grapheme clusters are what a split must never cut: a letter and its accents,
a Hangul syllable written in jamo, an emoji sequence. This is a compact
approximation of UAX #29 extended grapheme clusters, which is all a
fallback split of an over-long word needs.
"""

from __future__ import annotations

import unicodedata

import emoji

__all__ = ["emoji_spans", "grapheme_spans"]

_UNQUALIFIED = emoji.STATUS["unqualified"]
_ZWJ = "\u200d"


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each emoji sequence in ``text``, in order.

    A lone code point in text presentation ("©", "☺" without U+FE0F) is left
    out, as twitter-text leaves it out: it is weighed like any other character.
    """
    spans = []
    for found in emoji.emoji_list(text):
        start, end = found["match_start"], found["match_end"]
        data = emoji.EMOJI_DATA.get(found["emoji"], {})
        if end - start == 1 and data.get("status") == _UNQUALIFIED:
            continue
        spans.append((start, end))
    return spans


def _extends(char: str) -> bool:
    """Whether ``char`` belongs to the cluster before it (GB9, GB9a)."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char in "\u200c\u200d"
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
        or 0xE0100 <= code <= 0xE01EF  # variation selectors supplement
    )


def _hangul_kind(char: str) -> str:
    """Hangul syllable type for GB6-GB8: "L", "V", "T", "LV", "LVT" or ""."""
    code = ord(char)
    if 0x1100 <= code <= 0x115F or 0xA960 <= code <= 0xA97C:
        return "L"
    if 0x1160 <= code <= 0x11A7 or 0xD7B0 <= code <= 0xD7C6:
        return "V"
    if 0x11A8 <= code <= 0x11FF or 0xD7CB <= code <= 0xD7FB:
        return "T"
    if 0xAC00 <= code <= 0xD7A3:
        return "LV" if (code - 0xAC00) % 28 == 0 else "LVT"
    return ""


# Which Hangul kinds may follow which inside one syllable block.
_HANGUL_NEXT = {
    "L": ("L", "V", "LV", "LVT"),
    "V": ("V", "T"),
    "LV": ("V", "T"),
    "T": ("T",),
    "LVT": ("T",),
}


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def grapheme_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each grapheme cluster; together they cover ``text``."""
    emoji_end = dict(emoji_spans(text))
    spans = []
    i, n = 0, len(text)
    while i < n:
        start = i
        char = text[i]
        i += 1
        if start in emoji_end:
            i = emoji_end[start]
        elif char == "\r" and text[i : i + 1] == "\n":
            i += 1
        elif unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            pass  # controls stand alone (GB4, GB5)
        elif _is_regional_indicator(char) and i < n and _is_regional_indicator(text[i]):
            i += 1  # an unknown flag is still a pair (GB12, GB13)
        else:
            kind = _hangul_kind(char)
            while kind and i < n and _hangul_kind(text[i]) in _HANGUL_NEXT[kind]:
                kind = _hangul_kind(text[i])
                i += 1
        if unicodedata.category(char) not in ("Cc", "Zl", "Zp"):
            while i < n:
                if _extends(text[i]):
                    i += 1
                elif text[i - 1] == _ZWJ and i in emoji_end:
                    i = emoji_end[i]  # emoji ZWJ sequence unknown to the data (GB11)
                else:
                    break
        spans.append((start, i))
    return spans
