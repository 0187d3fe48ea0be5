"""The copy of a text that screening reads, and the way back to the text's own characters.

People hide a phone number from a pattern with characters a reader does not notice:
zero-width spaces inside it ("617\\u200b-555-0143"), look-alike dashes ("617–555–0188"),
fullwidth or circled digits ("６１７", "⑥①⑦"), Cyrillic letters in a cue ("rооm 412"),
digits spelled with letters ("555-O143"), or spaces between every digit. Every detector
reads :func:`normalise`'s copy instead, where all of that reads as plain ASCII, and
:meth:`Normalised.span` maps what they find back to the original, so a redaction
removes every character the identifier was written with (invisible ones inside it,
and marks on its last character, included).

The copy is only ever read by detectors; nothing stores or shows it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from liveq.domain.invisible import INVISIBLE

# Read as "-" wherever they are: hyphens, en dash, minus signs, bullets.
_DASHES = frozenset(
    "\u2010\u2011\u2012\u2013\u2212\u2796\u02d7\u2043\ufe63\uff0d"
    "\u2022\u2023\u25cf\u25e6\u2981\u29bf\u2e31"
)
# Read as "-" next to a digit only. Elsewhere an em dash is a pause between words, read
# as a space ("my son—Tim—had" is "my son Tim had", not "Tim-had"); the others are
# letters or lines in their own right (katakana's long-vowel mark, the CJK "one", box
# drawing) and stay.
_EM_DASHES = frozenset("\u2014\u2015\u2e3a\u2e3b\ufe58")
_DASHES_NEAR_DIGITS = _EM_DASHES | frozenset("\u30fc\uff70\u4e00\u2500\u2501\u23af")
# Read as "." (small centred dots): "617·555·0143", "73·162·45·201".
_DOTS = frozenset("\u00b7\u0387\u2219\u22c5\u2027\u30fb\uff65\u2e33")
# Read as "'": the apostrophes phones type ("I’m 94"), the modifier letter, the prime.
_APOSTROPHES = frozenset("\u2019\u2018\u02bc\u2032\u02b9")
# Read as "/": the fraction slash NFKC makes of "½", the division slash.
_SLASHES = frozenset("\u2044\u2215\u29f8")
# Letters of other scripts drawn like Latin ones (Unicode confusables, the common part).
# Only used in words that mix them with Latin letters or are made of nothing else, so a
# Russian or Greek sentence stays as it is.
_CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w",
    "ꙇ": "i", "ь": "b", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q",
    "Ԝ": "W", "Ӏ": "I", "Ү": "Y",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "υ": "u", "ϲ": "c",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C",
    # Armenian, Latin variants
    "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n", "ı": "i", "ɑ": "a", "ʟ": "L",
}
_HAS_CONFUSABLE = re.compile("[" + "".join(_CONFUSABLES) + "]")
_WORD = re.compile(r"[^\W\d_]+")

# ASCII tricks: letters for digits inside a number ("555-O143", "6l7"), underscores
# as separators ("617_555_0143", "room_412"), a space between every digit.
_ASCII_WORK = re.compile(r"[OolI]\d|\d[OolI]|_|(?<![^\W_])\d[ \-_]{1,3}\d(?![^\W_])")
_LETTER_DIGITS = re.compile(r"(?<![A-Za-z])[0-9OolI]{2,}(?![A-Za-z])")
AS_DIGIT = str.maketrans("OolI", "0011")  # the letters written for digits (photos read them too)
_UNDERSCORE = re.compile(r"(?<=[0-9A-Za-z])_+(?=[0-9A-Za-z])")
# Three or more lone digits a few separators apart: "6 1 7 5 5 5 0 1 4 3", "room 4 1 2".
# Dots are not separators here: "8.8.8.8" is an IP address.
_SPACED_DIGITS = re.compile(r"(?<![^\W_])\d(?![^\W_])(?:[ \-_]{1,3}\d(?![^\W_])){2,}")
_NOT_DIGIT = re.compile(r"\D")
_WRITTEN_AT = re.compile(r"(?i)\s*(?:[(\[{<]\s*(?:at|arroba)\s*[)\]}>]|(?:at|arroba)\s)")

# Numbers written in words ("six one seven, five five five...", "four twelve", "noventa y
# tres"): text2num's alpha2digit reads them; this finds where they are, so the spans map.
_EN_UNITS = (
    "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    "|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    "|eighty|ninety|hundred|thousand|first|second|third|fourth|fifth|sixth|seventh|eighth"
    "|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth"
    "|eighteenth|nineteenth|twentieth|thirtieth"
)
_ES_UNITS = (
    "cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|doce|trece|catorce|quince"
    "|dieci[a-zéó]+|veinte|veinti[a-zéó]+|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta"
    "|noventa|cien|ciento|mil"
)
_ES_ONLY = re.compile(rf"(?i)^(?:{_ES_UNITS})$")
_NUM_WORD_RE = rf"(?:(?:{_EN_UNITS})(?:-(?:{_EN_UNITS}))?|{_ES_UNITS})"
_NUM_WORD = re.compile(rf"(?i)\b{_NUM_WORD_RE}\b")
# A run: number words joined by spaces, hyphens, commas, "and"/"y", or "oh" for zero.
_NUM_RUN = re.compile(
    rf"(?i)\b{_NUM_WORD_RE}(?:(?:,?\s+(?:(?:and|y|oh|o)\s+)?|-){_NUM_WORD_RE}\b)*\b"
)
_OH = re.compile(r"(?i)\b(?:oh|o)\b")
_RUN_GROUP = re.compile(r"[^,]+")
_ORDINAL_ALONE = re.compile(r"(?i)^(?:first|second|third)$")
_MONTH_NEAR = re.compile(
    r"(?i)(?:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+$"
    r"|^\s+of\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec))"
)


@dataclass(frozen=True, slots=True)
class Normalised:
    """What the detectors read (``text``) and where each of its characters came from."""

    text: str
    original: str
    # For each character of ``text``: the [start, end) of ``original`` it stands for.
    # None when ``text`` is ``original``.
    starts: list[int] | None = None
    ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that ``text[start:end]`` was read from."""
        if self.starts is None or self.ends is None or end <= start:
            return start, end
        return self.starts[start], self.ends[end - 1]


def normalise(text: str) -> Normalised:
    """The screening copy of ``text``; see the module's docstring."""
    if text.isascii():
        if _ASCII_WORK.search(text) is None and _NUM_WORD.search(text) is None:
            return Normalised(text, text)
        chars = list(text)
        starts = list(range(len(text)))
        ends = list(range(1, len(text) + 1))
    else:
        chars, starts, ends = _fold(text)
        if _HAS_CONFUSABLE.search("".join(chars)):
            _unconfuse(chars)
    _ascii_tricks(chars)
    folded = "".join(chars)
    if _NUM_WORD.search(folded):
        folded, starts, ends = _words_to_digits(folded, starts, ends)
    if _SPACED_DIGITS.search(folded):
        folded, starts, ends = _join_spaced_digits(folded, starts, ends)
    if folded == text:
        return Normalised(text, text)
    return Normalised(folded, text, starts, ends)


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """One non-ASCII character as the detectors should read it ("" for nothing)."""
    if INVISIBLE.match(ch):
        return ""
    if ch in _CONFUSABLES:
        return ch  # read in its word, below (NFKC would make "ϲ" a final sigma)
    if ch in _DASHES:
        return "-"
    if ch in _DOTS:
        return "."
    if ch in _SLASHES:
        return "/"
    if ch in _APOSTROPHES:
        return "'"
    if ch.isspace() or ch == "\u2800":  # the Braille blank draws a space
        return " "
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        if c.isascii():
            out.append(c)
        elif c in _DASHES:
            out.append("-")
        elif c in _SLASHES:
            out.append("/")
        elif c.isspace():
            out.append(" ")
        elif (d := unicodedata.digit(c, None)) is not None:
            out.append(str(d))  # "٦", "६", "❻", "𝟔": the digit they stand for
        else:
            out.append(c)
    return "".join(out)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me")


def _fold(text: str) -> tuple[list[str], list[int], list[int]]:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            chars.append(ch)
            starts.append(i)
            ends.append(i + 1)
            continue
        if ch in _DASHES_NEAR_DIGITS:
            if _next_to_digit(text, i):
                piece = "-"
            else:
                piece = " " if ch in _EM_DASHES else ch
        else:
            piece = _fold_char(ch)
            if piece and chars and chars[-1].isascii() and _is_mark(piece[0]):
                # A mark on an ASCII character (the keycap of "6️⃣", a strike-through):
                # the detectors read the character alone.
                piece = ""
        if not piece:
            # Nothing to read: the character belongs to the one before it, so a span
            # ending there takes it along.
            if ends:
                ends[-1] = i + 1
            continue
        for c in piece:
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
    return chars, starts, ends


def _next_to_digit(text: str, i: int) -> bool:
    """Whether the nearest visible character before or after ``text[i]`` is a digit."""
    for step in (-1, 1):
        k = i + step
        while 0 <= k < len(text) and (text[k] == " " or INVISIBLE.match(text[k])):
            k += step
        if 0 <= k < len(text) and text[k].isdigit():
            return True
    return False


def _unconfuse(chars: list[str]) -> None:
    folded = "".join(chars)
    for m in _WORD.finditer(folded):
        word = m.group()
        if not any(c in _CONFUSABLES for c in word):
            continue
        if any(c.isascii() for c in word) or all(c in _CONFUSABLES for c in word):
            for k in range(m.start(), m.end()):
                chars[k] = _CONFUSABLES.get(chars[k], chars[k])


def _ascii_tricks(chars: list[str]) -> None:
    folded = "".join(chars)
    for m in _LETTER_DIGITS.finditer(folded):
        token = m.group()
        if sum(c.isdigit() for c in token) >= 2 and not token.isdigit():
            chars[m.start():m.end()] = token.translate(AS_DIGIT)
    if "_" not in folded:
        return
    folded = "".join(chars)
    for m in _UNDERSCORE.finditer(folded):
        before, after = folded[m.start() - 1], folded[m.end()]
        if before.isdigit() and after.isdigit():
            sep = "-"  # "617_555_0143"
        elif (before.isdigit() or after.isdigit()) and not _in_address(folded, m.start()):
            sep = " "  # "room_412", "MRN_1234567"
        else:
            continue  # "my_son", "jenny_82@gmail.com": leave names and addresses be
        chars[m.start():m.end()] = sep * (m.end() - m.start())


def _in_address(text: str, at: int) -> bool:
    """Whether the word around ``at`` is an email address, a link or a handle."""
    start = text.rfind(" ", 0, at) + 1
    end = text.find(" ", at)
    word = text[start:] if end == -1 else text[start:end]
    # "jess_88 [at] outlook [dot] com": an address written out is one too.
    return "@" in word or "/" in word or (
        end != -1 and _WRITTEN_AT.match(text, end) is not None
    )


def _join_spaced_digits(
    text: str, starts: list[int], ends: list[int]
) -> tuple[str, list[int], list[int]]:
    keep = [True] * len(text)
    for m in _SPACED_DIGITS.finditer(text):
        for k in range(m.start(), m.end()):
            if _NOT_DIGIT.match(text[k]):
                keep[k] = False
    return (
        "".join(c for c, k in zip(text, keep, strict=True) if k),
        [s for s, k in zip(starts, keep, strict=True) if k],
        [e for e, k in zip(ends, keep, strict=True) if k],
    )


def _run_to_digits(run: str, before: str, after: str) -> list[tuple[str, int, int]]:
    """A run of number words as (text, start, end) pieces, ends relative to the run.

    Each comma-separated group is read by text2num; a group of several numbers said one
    after the other ("four twelve", "nineteen thirty one", "six one seven") is one
    number, and groups that all became digits are joined with "-" ("five five five,
    two one two, ..." is 555-212-...). A lone first/second/third is only read as a
    number next to a month ("march second", "first of may").
    """
    from text_to_num import alpha2digit  # loaded on the first text with a number word

    lang = "es" if any(_ES_ONLY.match(w) for w in re.findall(r"[^\W\d_]+", run)) else "en"
    groups = []
    # Alone, "two three" stays two numbers ("two three-year-olds"); between commas,
    # "four four" is one group of a dictated number.
    least = 2 if "," in run.strip(", ") else 3
    for g in _RUN_GROUP.finditer(run):
        words = g.group()
        lead = len(words) - len(words.lstrip())
        words = words.strip()
        if not words:
            continue
        start = g.start() + lead
        spoken = _OH.sub("zero", words)
        threshold = 3
        if _ORDINAL_ALONE.match(words) and (
            _MONTH_NEAR.search(before if start == 0 else run[:start])
            or _MONTH_NEAR.search(after)
        ):
            threshold = 0
        out = alpha2digit(spoken, lang, threshold)
        pieces = out.split()
        joined = "".join(pieces)
        if (
            len(pieces) > 1
            and all(p.isdigit() for p in pieces[:-1])
            and re.fullmatch(r"\d+(?:st|nd|rd|th)?", pieces[-1])
            and sum(c.isdigit() for c in joined) >= least
        ):
            out = joined
        groups.append((out, start, start + len(words)))
    if len(groups) > 1 and all(o.isdigit() for o, _, _ in groups):
        pieces: list[tuple[str, int, int]] = []
        for k, (o, s0, e0) in enumerate(groups):
            if k:
                pieces.append(("-", groups[k - 1][2], s0))
            pieces.append((o, s0, e0))
        return pieces
    pieces = []
    for k, (o, s0, e0) in enumerate(groups):
        if k:
            pieces.append((run[groups[k - 1][2]:s0], groups[k - 1][2], s0))
        pieces.append((o, s0, e0))
    return pieces


def _words_to_digits(
    text: str, starts: list[int], ends: list[int]
) -> tuple[str, list[int], list[int]]:
    """Numbers in words read as digits; each digit maps to the words it was read from."""
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for m in _NUM_RUN.finditer(text):
        out.append(text[pos:m.start()])
        new_starts.extend(starts[pos:m.start()])
        new_ends.extend(ends[pos:m.start()])
        base = m.start()
        for piece, s0, e0 in _run_to_digits(
            m.group(), text[max(0, base - 12):base], text[m.end():m.end() + 14]
        ):
            if piece == m.group()[s0:e0]:
                out.append(piece)
                new_starts.extend(starts[base + s0:base + e0])
                new_ends.extend(ends[base + s0:base + e0])
                continue
            # Read from words: every character stands for all of them, so a finding
            # over any digit covers the whole spoken number.
            out.append(piece)
            new_starts.extend([starts[base + s0]] * len(piece))
            new_ends.extend([ends[base + e0 - 1]] * len(piece))
        pos = m.end()
    out.append(text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return "".join(out), new_starts, new_ends
