"""Identifiers the readers got a letter or a mark wrong in, and the words they still are.

Each function takes a line's text (or a word) and gives where in it a misread date lies,
or whether a word is a misread label: ``text`` boxes them and says why. A label's words
are few and known (a month, "bed"), and a date's digits have a shape (a month of 1-12, a
day of 1-31), so one wrong letter or one lost separator still leaves the thing itself.
"""

from __future__ import annotations

import re

from liveq.screening.photos.ocr import MONTHS

Span = tuple[int, int]

_MONTH_NAMES = tuple(MONTHS.split("|"))
# A day, two or three letters and a year, spaced or glued as read: "8 YUL 2002", "25FE 1979",
# a month ("JUL", "FEB") read one letter wrong or cut short.
_DAY_WORD_YEAR = re.compile(r"\b(\d{1,2})[ -]?([A-Za-z]{2,3})[ -]?((?:19|20)\d\d)\b")
# A month and a day with the separator between them lost ("826/1951" of "8/26/1951"), or
# the one after them ("5/181991" of "5/18/1991").
_GLUED_MONTH_DAY = re.compile(r"\b(\d{1,2})(\d\d)[/.-]((?:19|20)\d\d)\b")
_GLUED_DAY_YEAR = re.compile(r"\b(\d{1,2})[/.-](\d\d)((?:19|20)\d\d)\b")
# Three parts with a year of four digits, one of them misread ("1034/08/04" of
# "1994/08/06"): the month and the day still say it is a date.
_YEAR_FIRST = re.compile(r"\b(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})\b")
_YEAR_LAST = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_YEAR = re.compile(r"(?:19|20)\d\d")
# A room ("Rm", "bd") as the readers misread it: "m" as "rn" or "in", "R" as "W".
_ROOM_WORDS = frozenset({"rm", "bd", "rn", "rin", "wm"})


def _one_off(word: str, targets: tuple[str, ...]) -> bool:
    """`word` (lower case) is one of `targets` or one letter from one of its length."""
    return any(len(word) == len(t) and sum(a != b for a, b in zip(word, t, strict=True)) <= 1
               for t in targets)


def month_misread_dates(text: str) -> list[Span]:
    """Whole dates whose month the reading got one letter wrong ("8 YUL 2002" of "8 JUL
    2002": italic J read Y) or whose last letter it lost ("25FE 1979" of "25 FEB 1979"): a
    day of 1-31 and a year of 1900-2099 round it make it a date."""
    out = []
    for m in _DAY_WORD_YEAR.finditer(text):
        month = m.group(2).lower()
        if month in _MONTH_NAMES or not 1 <= int(m.group(1)) <= 31:
            continue  # a month the screener reads already, or no day
        if _month_misread(m.group(2)):
            out.append(m.span())
    return out


def _month_misread(word: str) -> bool:
    """Three letters one off a month's, or a month's first two in capitals: a label's "FEB"
    that lost its B. Two in lower case are a word ("de", "no"), not a month cut short."""
    month = word.lower()
    if len(month) == 2:
        return word.isupper() and any(name.startswith(month) for name in _MONTH_NAMES)
    return _one_off(month, _MONTH_NAMES)


def _month_and_day(a: int, b: int) -> bool:
    """Two numbers that are a month and a day, in either order."""
    return 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)


def glued_dates(text: str) -> list[Span]:
    """Dates of birth read with a separator lost ("826/1951", "5/181991") or a year's digit
    misread ("1034/08/04"): a month and a day still lie in them. Only beside another
    identifier: alone, "826/1951" may be a count or a code."""
    out = []
    for pattern in (_GLUED_MONTH_DAY, _GLUED_DAY_YEAR):
        out += [m.span() for m in pattern.finditer(text)
                if _month_and_day(int(m.group(1)), int(m.group(2)))]
    out += [m.span() for m in _YEAR_FIRST.finditer(text)
            if not _YEAR.fullmatch(m.group(1)) and _month_and_day(int(m.group(2)), int(m.group(3)))]
    out += [m.span() for m in _YEAR_LAST.finditer(text)
            if not _YEAR.fullmatch(m.group(3)) and _month_and_day(int(m.group(1)), int(m.group(2)))]
    return out


def near_bed(word: str) -> bool:
    """"bed" or "bay", or one letter from it: a bed's number read "ped 17" or "beg 2"; or
    a room."""
    w = word.lower()
    return w in _ROOM_WORDS or _one_off(w, ("bed", "bay"))
