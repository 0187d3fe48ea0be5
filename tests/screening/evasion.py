"""Identifiers written with invisible and look-alike characters: what the evasion tests share.

Each case is a sentence with one identifier in [brackets] that screening finds as
plainly written. :func:`obfuscate` rewrites the whole sentence (cue words too, such
as "room" or "MRN") character by character: a digit may become a fullwidth, circled,
superscript, mathematical, Arabic-Indic or keycap digit; a dash an en dash, a minus
sign or a bullet; a letter a fullwidth, mathematical or Cyrillic/Greek look-alike; a
space a no-break or ideographic space; and invisible characters may follow any
character. It keeps track of where the identifier went, in the text as sent and in
the text as liveq stores and shows it (invisible characters gone, spaces folded).

The tables here are written from the Unicode charts, not from liveq's own tables.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

# (kind, sentence): one per kind screening reports on characters, more for some.
TEXT_CASES: list[tuple[str, str]] = [
    ("phone", "Can you call my dad back at [617-555-0143] please"),
    ("phone", "Call me on [(617) 555-0188] after the talk"),
    ("fax", "Please fax the records to [708-555-0199] today"),
    ("email", "Write to me at [jenny.morales@gmail.com] please"),
    ("ssn", "Is [078-05-1120] the number you have on file"),
    ("mrn", "My MRN is [1234567] can you check"),
    ("health_plan_number", "My Aetna member ID is [XJH4823901] is that covered"),
    ("account_number", "My account number is [7730018842] thanks"),
    ("license_number", "My driver's license is [D1234-56789-01234] ok"),
    ("vehicle_id", "The car with plate [7XYZ123] is in the lot"),
    ("vehicle_id", "The VIN is [1HGCM82633A004352] on the form"),
    ("device_id", "The serial number is [PJN123456H] on the pump"),
    ("date", "She was born on [3/14/1950] in Boston"),
    ("date", "He was admitted on [March 14] for surgery"),
    ("age_over_89", "My grandmother is [94] years old"),
    ("street_address", "She lives at [1234 Elm Street] near you"),
    ("zip_code", "Our zip code is [60614] ok"),
    ("url", "Please donate at [gofundme.com/f/helpdad] today"),
    ("ip_address", "My IP is [73.162.45.201] at home"),
    ("room_number", "She is in room [412] now"),
    ("name", "My husband [Bob] had surgery today"),
    ("profanity", "This is [bullshit] honestly"),
]

# The same kinds in an asker's name (at most 60 characters once written with
# look-alikes). "A name" is not a finding in the name field: that is what it is for.
NAME_CASES: list[tuple[str, str]] = [
    ("phone", "Bob [617-555-0143]"),
    ("fax", "Bob fax [708-555-0199]"),
    ("email", "[jenny.morales@gmail.com]"),
    ("ssn", "Bob [078-05-1120]"),
    ("mrn", "Bob MRN [1234567]"),
    ("health_plan_number", "Aetna member [XJH4823901]"),
    ("account_number", "Bob acct [7730018842]"),
    ("license_number", "Bob license [D1234-56789]"),
    ("vehicle_id", "Bob plate [7XYZ123]"),
    ("device_id", "Bob serial [PJN123456H]"),
    ("date", "Bob DOB [3/14/1950]"),
    ("age_over_89", "Bob, [94] years old"),
    ("street_address", "Bob [12 Elm St]"),
    ("zip_code", "Bob zip [60614]"),
    ("url", "[gofundme.com/f/bob]"),
    ("ip_address", "Bob [73.162.45.201]"),
    ("room_number", "Bob room [412]"),
    ("profanity", "[shithead] Bob"),
]

# Invisible characters that liveq drops from stored text wherever they are.
ALWAYS_STRIPPED = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u180e", "\u2061",
    "\u2062", "\u2063", "\u2064", "\u034f", "\u200e", "\u200f", "\u061c", "\u3164",
    "\u115f", "\u17b4", "\U000e0020", "\U000e0041", "\U000e0001",
]
# Variation selectors: kept in stored text after a non-ASCII character (emoji,
# ideographic variants), so only the screening tests insert them.
SELECTORS = ["\ufe0f", "\ufe0e", "\U000e0100", "\u180b"]

_DIGIT_STYLES: list[Callable[[int], str]] = [
    lambda d: chr(0xFF10 + d),  # fullwidth
    lambda d: chr(0x1D7CE + d),  # mathematical bold
    lambda d: chr(0x1D7D8 + d),  # mathematical double-struck
    lambda d: chr(0x1D7E2 + d),  # mathematical sans-serif
    lambda d: chr(0x1D7F6 + d),  # mathematical monospace
    lambda d: "⁰¹²³⁴⁵⁶⁷⁸⁹"[d],  # superscript
    lambda d: "₀₁₂₃₄₅₆₇₈₉"[d],  # subscript
    lambda d: "⓪①②③④⑤⑥⑦⑧⑨"[d],  # circled
    lambda d: "⓿❶❷❸❹❺❻❼❽❾"[d],  # negative circled
    lambda d: chr(0x0660 + d),  # Arabic-Indic
    lambda d: chr(0x06F0 + d),  # extended Arabic-Indic
    lambda d: chr(0x0966 + d),  # Devanagari
    lambda d: f"{d}\ufe0f\u20e3",  # keycap emoji
]
_PUNCTUATION: dict[str, list[str]] = {
    "-": ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63",
          "\uff0d", "\u2043", "\u2022", "\u02d7", "\u2796", "\ufe58"],
    ".": ["\uff0e", "\u2024", "\u00b7", "\u2219", "\u22c5", "\u2027", "\u30fb"],
    "/": ["\uff0f", "\u2044", "\u2215"],
    "@": ["\uff20", "\ufe6b"],
    "'": ["\u2019", "\uff07", "\u02bc"],
    " ": ["\u00a0", "\u2007", "\u2009", "\u202f", "\u3000", "\u2002", "\u205f"],
    "(": ["\uff08"],
    ")": ["\uff09"],
}
# Cyrillic and Greek letters drawn like Latin ones.
_HOMOGLYPHS: dict[str, str] = {
    "a": "аα", "c": "сϲ", "e": "е", "i": "іι", "j": "ј", "o": "оο", "p": "рρ", "s": "ѕ",
    "x": "х", "y": "у", "h": "һ", "d": "ԁ", "k": "κ", "v": "ν", "g": "ɡ",
    "A": "АΑ", "B": "ВΒ", "C": "СϹ", "E": "ЕΕ", "H": "НΗ", "I": "ІΙ", "J": "Ј", "K": "КΚ",
    "M": "МΜ", "N": "Ν", "O": "ОΟ", "P": "РΡ", "S": "Ѕ", "T": "ТΤ", "X": "ХΧ", "Y": "Υ",
    "Z": "Ζ",
}


def _letter_styles(c: str) -> list[str]:
    upper = c.isupper()
    base = ord(c) - (0x41 if upper else 0x61)
    return [
        chr((0xFF21 if upper else 0xFF41) + base),  # fullwidth
        chr((0x1D400 if upper else 0x1D41A) + base),  # mathematical bold
        chr((0x1D5D4 if upper else 0x1D5EE) + base),  # mathematical sans-serif bold
        chr((0x1D670 if upper else 0x1D68A) + base),  # mathematical monospace
        chr((0x24B6 if upper else 0x24D0) + base),  # circled
        *_HOMOGLYPHS.get(c, ""),
    ]


def variants(c: str) -> list[str]:
    """Ways to write ``c`` that a reader takes for ``c``; the first is ``c`` itself."""
    if c.isdigit():
        return [c] + [style(int(c)) for style in _DIGIT_STYLES]
    if c.isascii() and c.isalpha():
        return [c, *_letter_styles(c)]
    if c in _PUNCTUATION:
        return [c, *_PUNCTUATION[c]]
    return [c, chr(ord(c) + 0xFEE0)] if "!" <= c <= "~" else [c]


def lookalikes(c: str) -> list[str]:
    """Like :func:`variants` without ``c`` itself (or just ``c`` if it has none)."""
    return variants(c)[1:] or [c]


@dataclass(frozen=True)
class Case:
    kind: str
    sentence: str  # with the identifier's brackets taken out
    start: int
    end: int

    @property
    def plain(self) -> str:
        return self.sentence[self.start : self.end]


def case(kind: str, marked: str) -> Case:
    start = marked.index("[")
    end = marked.index("]") - 1
    return Case(kind, marked.replace("[", "").replace("]", ""), start, end)


@dataclass(frozen=True)
class Obfuscated:
    text: str  # as sent
    span: tuple[int, int]  # the identifier in ``text``
    shown: str  # as liveq stores it: invisible characters dropped, spaces folded
    shown_span: tuple[int, int]  # the identifier in ``shown``
    trailing: int  # invisible characters right after the identifier in ``text``


def obfuscate(c: Case, choose: Callable[[list[str]], str], insert: Callable[[], str]) -> Obfuscated:
    """Rewrite each character of the case's sentence with ``choose(variants(ch))`` and
    follow it with ``insert()`` (invisible characters, or "")."""
    text: list[str] = []
    shown: list[str] = []
    span = [0, 0]
    shown_span = [0, 0]
    trailing = 0
    for i, ch in enumerate(c.sentence):
        if i == c.start:
            span[0], shown_span[0] = len("".join(text)), len("".join(shown))
        written = choose(variants(ch))
        text.append(written)
        shown.append(" " if written.isspace() else written)
        if i == c.end - 1:
            span[1], shown_span[1] = len("".join(text)), len("".join(shown))
        extra = insert()
        text.append(extra)
        if i == c.end - 1:
            trailing = len(extra)
        # What liveq keeps of the inserted characters: the variation selectors right
        # after a non-ASCII character (see liveq.domain.invisible); tests that check
        # the stored text insert only ALWAYS_STRIPPED ones.
    return Obfuscated(
        "".join(text), (span[0], span[1]), "".join(shown), (shown_span[0], shown_span[1]),
        trailing,
    )


def zero_width(c: Case) -> Obfuscated:
    """The sentence as typed, with an invisible character after every character."""
    cycle = iter(ALWAYS_STRIPPED * (len(c.sentence) // len(ALWAYS_STRIPPED) + 1))
    return obfuscate(c, lambda v: v[0], lambda: next(cycle))


def look_alike(c: Case, seed: int = 0) -> Obfuscated:
    """Every character that has a look-alike written with one; nothing invisible."""
    rng = random.Random(seed)
    return obfuscate(c, lambda v: rng.choice(v[1:]) if len(v) > 1 else v[0], lambda: "")


def mixed(c: Case, seed: int) -> Obfuscated:
    """A seeded mix of both, as a fuzzer would write it."""
    rng = random.Random(seed)
    return obfuscate(
        c,
        lambda v: rng.choice(v),
        lambda: rng.choice(ALWAYS_STRIPPED) if rng.random() < 0.4 else "",
    )


STYLES: dict[str, Callable[[Case], Obfuscated]] = {
    "zero-width": zero_width,
    "look-alike": look_alike,
    "mixed": lambda c: mixed(c, 7),
}

_NUMERIC = re.compile(r"\d")


def digits_in(text: str) -> list[str]:
    """Every character that stands for a digit (any script, circled, keycap, …)."""
    import unicodedata

    return [
        ch
        for ch in text
        if _NUMERIC.match(ch) or unicodedata.numeric(ch, None) is not None
    ]


def text_cases() -> list[Case]:
    return [case(k, s) for k, s in TEXT_CASES]


def name_cases() -> list[Case]:
    return [case(k, s) for k, s in NAME_CASES]
