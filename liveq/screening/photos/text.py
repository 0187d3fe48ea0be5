"""Identifiers in the text read from a photo.

Each line goes through the question screener (``screen_text``). Text in a
picture is terser than a question — a wristband says "GARCIA, MARIA" with no
"my patient" before it — so these rules read it as a label would be read:

- a name written surname first ("GARCIA, MARIA", "Garcia, Maria");
- on a block that carries another identifier (a date of birth, an MRN), a line of
  two or three capitalised words, or a surname and an initial ("Garcia M."), is
  the name that goes with it;
- whatever follows "DOB" is a date of birth, however it is written ("16-Jul-1948");
- a numbered list's row ("3) Noor Castellanos TURP # 6179136 bed 4", a whiteboard's list)
  gives its long number as the patient's, and, beside another identifier, its first
  words as a name and a bed read one letter wrong ("ped 17") as a bed.

A name line goes with an identifier in its own read or in another read close by (a
wristband's name and number of different sizes fall in two blocks).

Where the words around say what the object is (a wristband: a sex and age, an
allergy line; a monitor: vitals; a specimen label; a whiteboard's numbered list),
the reason says so: "a name and a date of birth on what looks like a wristband".
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass
from functools import cache

from liveq.screening.phi.names import common_words, procedure_words
from liveq.screening.photos.findings import Box, PhotoFinding
from liveq.screening.photos.geometry import View
from liveq.screening.photos.misreads import glued_dates, month_misread_dates, near_bed
from liveq.screening.photos.ocr import MONTHS, Line
from liveq.screening.rules import ScreeningRules
from liveq.screening.screen import screen_text

_SURNAME_FIRST = re.compile(r"\b([A-Z][A-Za-z'’-]+),\s*([A-Z][A-Za-z'’-]+)\b")
_CAPITALISED = re.compile(r"^[A-Z][A-Za-z'’-]+$")
_INITIAL = re.compile(r"^[A-Z0]\.?$")  # "Grunwald, 0": an O the reading took for a zero
# A whole date as labels print them: 03/14/1961, 1961-03-14, 14-Mar-1961, 14 MAR 1961; a
# reading may put a space after a separator or for one ("5/4/ 2008", "04 11.2001"), or
# read a dot as a comma ("20,09.1934").
_FULL_DATE = re.compile(
    r"\b(?:\d{1,2}(?:[/.,-] ?| )\d{1,2}[/.,-] ?(?:19|20)\d\d|(?:19|20)\d\d[/.-]\d{1,2}[/.-]\d{1,2}"
    rf"|\d{{1,2}}[ -]?(?:{MONTHS})[a-z]*[ -]?(?:19|20)\d\d)\b",
    re.I,
)
# A number after a label that says it is the patient's: "ID 1180089331", "Hosp No 0517471",
# "Pt No: 55012", "# 665901980" (its # read "*" through blur: "* 7608699"); "ID" as the
# readers misread its I ("1D 838297", in capitals only: "1d" is a day).
_LABELLED_ID = re.compile(
    r"(?i)(?:\b(?:ID|(?-i:[1l]D)|Hosp(?:ital)?\.?\s*No|Pt\.?\s*No|UR|NHS(?:\s*No)?|Patient\s*No)\.?|[#*])"
    r"\s*:?\s*(\d[\d ]{3,12}\d)\b"
)
# "BRENNAN, N." — a surname and an initial, as lists and labels shorten a name.
_SURNAME_INITIAL = re.compile(r"\b([A-Z][A-Za-z'’-]+),\s*([A-Z])\.?(?![A-Za-z])")
_DOB = re.compile(r"(?i)\b(?:D\.?[O0]\.?B\.?|born)\s*:?\s*([0-9][0-9A-Za-z./-]{5,})")
_CONTEXTS = (
    ("a monitor", re.compile(r"(?i)\b(?:HR|SpO2|Sp02|NIBP|ECG|RR|bpm|mmHg)\b")),
    ("a specimen label", re.compile(r"(?i)\b(?:specimen|collected|sample|tissue)\b")),
    ("a wristband", re.compile(r"(?i)\b(?:[FM]\s?\d{1,3}\s?Y|allerg\w*|NKDA)\b")),
    ("a whiteboard", re.compile(r"(?i)(?:^|\s)(?:[1-9][.)]\s|OR\s?\d+\b|today\b|list\b)")),
)
NAME_CONFIDENCE = 55.0  # Tesseract's mean confidence (0-100) in a name's words
# "Swab count 12/12", "Needles 3/3": a count that adds up, not a month and day. The
# screener already lets pain scores ("6/10") pass; counts are photo words (count boards).
_COUNT = re.compile(
    r"(?i)(?:\b(?:counts?|swabs?|sponges?|needles?|blades?|sharps|packs?|instruments?|gauze"
    r"|raytecs?|pledgets?|clips?)\b[\s:]*$)"
)
_YEAR = re.compile(r"(?:19|20)\d\d|\d[/.-]\d{1,2}[/.-]\d\d\b")  # 1961, or 03/14/61
_TALLY = re.compile(r"^(\d{1,2})/(\d{1,2})$")
# "Patient: KAPOOR Halldor", "Name: Sefa Lundgren": the words after a name label.
_NAME_LABEL = re.compile(r"(?i)^(?:patient|name|pt)\s*[:.]?$")
# What a monitor, a sign or a package labels a number with: before a number, no name.
_READING_WORDS = frozenset(
    "temp pulse resp sats weight wt bp hr rr pleth ecg lot batch ref exp".split()
)
_NUMBER_NEXT = re.compile(r"\s*\d")
_ARTICLE = re.compile(r"^(?:a|an|the)\s", re.I)
# A numbered list's row, as a whiteboard's list is written: "3) Noor Castellanos TURP #
# 6179136 bed 4". Its long number is the patient's, its first words a name.
_LIST_MARK = re.compile(r"^\d{1,2}[).:]$")
_LONG_NUMBER = re.compile(r"^\d{6,12}$")
_ABBREVIATION = re.compile(r"^[A-Z]{2,5}$")  # "TKR", "EVAR", "ORIF": a procedure, not a name
_ROW_NUMBER = re.compile(r"^\d{1,3}$")
NEAR = 3.0  # line heights: a name line this close to another read's identifier goes with it
# "JARDINE Freya", "LUNDGREN Ruairi": a surname in capitals, then the given name.
_CAPS_SURNAME = re.compile(r"^[A-Z][A-Z'’-]{3,}$")
_GIVEN = re.compile(r"^[A-Z][a-z'’-]{2,}$")


# Words on labels around a name that are not names.
_LABELS = frozenset(
    "patient name born dob mrn specimen collected contact allergies bed room date or today"
    " hosp hospital no id pt allergy latex theatre list tel sex female male"
    " urine blood serum plasma sputum swab culture biopsy".split()
)


@cache
def _not_names() -> frozenset[str]:
    """Words that are no name on a label: common words, the label's own, and an operating
    list's ("ORIF Wrist", "Total Knee" beside a patient's number are the operation)."""
    return common_words() | procedure_words() | _LABELS


def _is_word(word: str) -> bool:
    clean = word.strip(".,:;")
    return bool(_CAPITALISED.match(clean)) and clean.lower() not in _not_names()


@dataclass(frozen=True)
class _Raw:
    kind: str
    box: Box  # in the view
    reason: str
    text: str


def _boxes(line: Line, start: int, end: int) -> Box | None:
    spans = line.spans()
    boxes = [_part(w.box, e - s, start - s, end - s)
             for w, (s, e) in zip(line.words, spans, strict=True) if s < end and e > start]
    if not boxes:
        return None
    box = boxes[0]
    for b in boxes[1:]:
        box = box.union(b)
    return box


def _part(box: Box, length: int, start: int, end: int) -> Box:
    """The letters `start`-`end` of a word `length` letters long in `box` (x along the text),
    placed in proportion and half a letter wider each side: a number read glued to its label
    ("bed3", "MRN:4425518") is boxed, not the whole word (several reads' boxes of the word are
    joined, and the blur would grow over the label's words round it)."""
    if start <= 0 and end >= length:
        return box
    letter = box.w / max(1, length)
    x0 = box.x + max(0.0, start - 0.5) * letter
    x1 = box.x + min(float(length), end + 0.5) * letter
    return Box(int(x0), box.y, max(1, round(x1 - x0)), box.h)


def _sure(line: Line, raws: list[_Raw]) -> list[_Raw]:
    """Names (and profanities) Tesseract was unsure of dropped: letters misread in a texture
    or a smudge ("Rigg He", "JOÍe", "xXx") read at 35-46 % confidence, real names at 70 %
    and more."""
    out = []
    for r in raws:
        if r.kind == "zip_code" and (any(c.islower() for c in r.text) or not _confident(line, r)):
            continue  # "T22ns", "S103TS": textures read as a postcode; labels print capitals
        if r.kind in ("name", "profanity") and not _confident(line, r):
            continue
        out.append(r)
    return out


def _yearless(r: _Raw) -> bool:
    """A day and month with no year ("9/1", "08/07"): on a monitor or a sign that is today's
    date or a reading, and the live post says the day anyway; it counts only beside
    another identifier."""
    return r.kind == "date" and not _YEAR.search(r.text)


def _confident(line: Line, r: _Raw) -> bool:
    confs = [w.confidence for w in line.words if w.box.intersection(r.box)]
    return not confs or sum(confs) / len(confs) >= NAME_CONFIDENCE


def _screened(line: Line, rules: ScreeningRules | None) -> list[_Raw]:
    text = line.text
    out = []
    for f in screen_text(text, rules=rules):
        words = text[f.start : f.end].lower().replace(".", " ").replace(":", " ").split()
        if f.kind == "name" and all(w in _LABELS for w in words):
            continue  # a label's own words ("Hosp No"), not a name
        if f.kind == "name" and all(len(w) <= 3 for w in words):
            continue  # "NOA LNO", "LNO FIL": a monitor's abbreviations misread, not a name
        if f.kind == "name" and text[f.start : f.end].islower():
            continue  # "jos ouuo": print capitalises a name; lower case alone is marks misread
        if f.kind == "name" and words[-1] in _READING_WORDS and _NUMBER_NEXT.match(text, f.end):
            continue  # "Mos Temp 36.8", "VIBLL LOT 10-8207": a label and a misread before it
        if f.kind == "date" and _is_count(text, f.start, f.end):
            continue
        if f.kind == "phone" and _readings(text[f.start : f.end]):
            continue
        box = _boxes(line, f.start, f.end)
        if box is not None:
            out.append(_Raw(f.kind, box, f.reason, text[f.start : f.end]))
    for m in _SURNAME_FIRST.finditer(text):
        if _is_word(m.group(1)) and _is_word(m.group(2)):
            box = _boxes(line, m.start(), m.end())
            if box is not None:
                out.append(_Raw("name", box, "name written surname first", m.group(0)))
    for m in _SURNAME_INITIAL.finditer(text):
        if _is_word(m.group(1)):
            box = _boxes(line, m.start(), m.end())
            if box is not None:
                out.append(_Raw("name", box, "name written surname first", m.group(0)))
    out += _after_name_label(line)
    for m in _LABELLED_ID.finditer(text):
        box = _boxes(line, m.start(1), m.end(1))
        if box is not None:
            out.append(_Raw("mrn", box, "a patient's number", m.group(1)))
    if _list_row(line):
        for w in line.words[1:]:
            if _LONG_NUMBER.match(w.text.strip(".,:;#")):
                out.append(_Raw("mrn", w.box, "a patient's number on a list", w.text))
    out += _dates(line, month_misread_dates(line.text))  # "8 YUL 2002" (``misreads``)
    for m in _DOB.finditer(text):
        if any(ch.isdigit() for ch in m.group(1)):
            box = _boxes(line, m.start(1), m.end(1))
            if box is not None:
                out.append(_Raw("date", box, "date of birth", m.group(1)))
    return _sure(line, out)


def _dates(line: Line, spans: list[tuple[int, int]]) -> list[_Raw]:
    """The dates at these places of the line's text, each boxed by its letters."""
    return [_Raw("date", box, "date", line.text[a:b])
            for a, b in spans
            if (box := _boxes(line, a, b)) is not None]


def _readings(number: str) -> bool:
    """Short groups of digits ("16 84 993"): a monitor's readings side by side, not a phone
    number, which has ten digits or a group of four ("020 7946 0958", "555-1234")."""
    groups = re.findall(r"\d+", number)
    return sum(map(len, groups)) < 10 and max(map(len, groups)) < 4


def _is_count(text: str, start: int, end: int) -> bool:
    """An "x/y" with no year that is a count: after a count word, or both sides equal."""
    tally = _TALLY.match(text[start:end])
    if tally is None:
        return False
    return tally.group(1) == tally.group(2) or bool(_COUNT.search(text[:start]))


def _after_name_label(line: Line) -> list[_Raw]:
    """Two or three name-like words right after "Patient:" or "Name:" are the name; one,
    when a comma follows it."""
    words = [w.text.strip(".,:;") for w in line.words]
    out = []
    for i, w in enumerate(line.words[:-1]):
        if not _NAME_LABEL.match(w.text):
            continue
        n = 0
        while n < 3 and i + 1 + n < len(words) and _is_word(words[i + 1 + n]):
            n += 1
        # One word is the name when a comma follows it: a surname first, its given name
        # or initial lost to the reading ("Patient GRUNWALD," of "GRUNWALD, B.").
        if n >= 2 or (n == 1 and _surname_first(line.words[i + 1].text)):
            out.append(_Raw("name", _boxes_of(line, i + 1, i + 1 + n), "name after a label",
                            " ".join(words[i + 1 : i + 1 + n])))
    return out


def _surname_first(word: str) -> bool:
    """A name word of four letters or more with a comma after it, as lists and labels
    write a surname before the given name: "CASTELLANOS,", "Folau,"."""
    return word.endswith(",") and len(word) >= 5 and _is_word(word)


def _beside(line: Line) -> list[_Raw]:
    """Beside another identifier: a line that is only a name ("Maria Garcia"), a list's
    row ("1. Garcia M."), any whole date (a birth, a collection: the patient's)."""
    out = _dates(line, [m.span() for m in _FULL_DATE.finditer(line.text)]
                 + glued_dates(line.text))
    words = [w.text.strip(".,:;") for w in line.words]
    for i, (word, after) in enumerate(itertools.pairwise(words)):
        if _is_word(word) and _INITIAL.match(line.words[i + 1].text):
            # "1. Garcia M." — a row of a list: the surname and its initial.
            text = f"{word} {line.words[i + 1].text}"
            out.append(_Raw("name", _boxes_of(line, i, i + 2), "name", text))
        if (_CAPS_SURNAME.match(word) and word.lower() not in _not_names()
                and _GIVEN.match(after) and _is_word(after)):
            out.append(_Raw("name", _boxes_of(line, i, i + 2), "name", f"{word} {after}"))
        if near_bed(word) and _ROW_NUMBER.match(after):
            out.append(_Raw("room_number", line.words[i + 1].box, "bed number", after))
    if 2 <= len(words) <= 3 and all(_is_word(w) for w in words):
        out.append(_Raw("name", _boxes_of(line, 0, len(words)), "name", line.text))
    elif _unnumbered_row(words):
        out.append(_Raw("name", _boxes_of(line, 0, 2), "name", f"{words[0]} {words[1]}"))
    if 1 <= len(words) <= 3 and _LONG_NUMBER.match(words[-1]):
        # "25341208" alone, or after a label the reading lost ("WHS Mo" of "NHS No", "ARN"
        # of "MRN"): a long number beside a patient's birth date or number is theirs.
        out.append(_Raw("mrn", line.words[-1].box, "a patient's number", words[-1]))
    if len(words) == 1 and _CAPS_SURNAME.match(words[0]) and _surname_first(line.words[0].text):
        # "CASTELLANOS," alone: a surname in capitals whose given name the reading lost.
        out.append(_Raw("name", line.words[0].box, "name", words[0]))
    if _list_row(line):
        out += _list_row_name(line, words)
    return _sure(line, [r for r in out if r.kind != "name" or _long_word(r.text)])


def _unnumbered_row(words: list[str]) -> bool:
    """A list's row whose number the reading lost ("Sefa Folau ORIF wrist 27 AUG 1944"):
    two capitalised words that are no common word nor in capitals ("Born OM AH 1996" is a
    misread label), then the operation."""
    return (
        len(words) >= 3
        and all(_is_word(w) and _name_like(w) for w in words[:2])
        and _operation(words[2])
    )


def _operation(word: str) -> bool:
    """An operation as a list writes it after the name: "TKR", "ORIF", "wrist", "appy"."""
    return bool(_ABBREVIATION.match(word)) or word.lower() in procedure_words()


def _long_word(name: str) -> bool:
    """A name beside an identifier has a word of four letters or more that is not in
    capitals of five or fewer: "Ma N", "PA Y", "JNOG LNO AWIL" are readings of marks and
    abbreviations, not names."""
    return any(
        len(w) >= 4 and not _ABBREVIATION.match(w)
        for w in re.split(r"[\s.,]+", name)
    )


def _list_row(line: Line) -> bool:
    return len(line.words) >= 2 and bool(_LIST_MARK.match(line.words[0].text))


def _name_like(word: str) -> bool:
    """A word that may be part of a name on a list's row, in whatever case the pen (or
    the reading) left it: letters, not a common word, not a procedure's abbreviation."""
    return (
        len(word) >= 2
        and word.replace("-", "").replace("'", "").isalpha()
        and word.lower() not in _not_names()
        and not _ABBREVIATION.match(word)
    )


def _list_row_name(line: Line, words: list[str]) -> list[_Raw]:
    """On a list's row beside another identifier, the words after the number are the
    name: "2) Folau, Y", "3) Noor castellanos" (a pen's or a reading's lower case)."""
    n = 0
    while n < 2 and 1 + n < len(words) and _name_like(words[1 + n]):
        n += 1
    if n == 1 and 2 < len(words) and _INITIAL.match(line.words[2].text):
        n += 1  # "Ivanova. F"
    if n == 2 or (n == 1 and words[1][:1].isupper() and len(words[1]) >= 4):
        return [_Raw("name", _boxes_of(line, 1, 1 + n), "name", " ".join(words[1 : 1 + n]))]
    if n == 0 and _lost_given_name(words):
        # "1) 9010 Jardine THA" of "1) Sefa Jardine TKR": the given name read as marks; the
        # box takes them too, or the blur leaves the given name.
        return [_Raw("name", _boxes_of(line, 1, 3), "name", words[2])]
    return []


def _lost_given_name(words: list[str]) -> bool:
    """A list's row whose first word after the number is no word ("9010", "44"), then a
    capitalised surname of four letters or more and the operation."""
    return (
        len(words) >= 4
        and not words[1].isalpha()
        and _is_word(words[2]) and _name_like(words[2]) and len(words[2]) >= 4
        and _operation(words[3])
    )


def _boxes_of(line: Line, first: int, last: int) -> Box:
    box = line.words[first].box
    for w in line.words[first + 1 : last]:
        box = box.union(w.box)
    return box


def _context(lines: list[Line], dark: bool) -> str:
    text = "\n".join(line.text for line in lines)
    for name, pattern in _CONTEXTS:
        if pattern.search(text):
            return name
    return "a monitor" if dark else ""


def _article(reason: str) -> str:
    if _ARTICLE.match(reason):
        return reason
    return ("an " if reason[:1].lower() in "aeiou" else "a ") + reason


def _joined(reasons: list[str]) -> str:
    parts = list(dict.fromkeys(_article(r) for r in reasons))
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def block_findings(
    view: View,
    lines: list[Line],
    dark: bool = False,
    rules: ScreeningRules | None = None,
) -> list[PhotoFinding]:
    """Findings in one read of a block (or of the whole photo), boxes in the photo."""
    raw = [r for line in lines for r in _screened(line, rules)]
    return _findings(view, lines, dark, raw, [])


def _findings(
    view: View, lines: list[Line], dark: bool, raw: list[_Raw], anchors: list[Box]
) -> list[PhotoFinding]:
    """`raw` is what the read's lines were screened to; `anchors` are identifiers (boxes
    in the photo) that other reads found: a name line near one goes with it, as it does
    with one in its own read."""
    if not any(not _yearless(r) for r in raw):
        raw = []  # only a day and month: see _yearless
    own = any(r.kind != "name" for r in raw)
    taken = list(raw)
    for line in lines:
        if own or _near(view, line, anchors):
            # An identifier here or close by: a line that is a name belongs with it.
            for r in _beside(line):
                over = [t for t in taken if r.box.intersection(t.box)]
                if not over:
                    raw.append(r)
                elif r.kind == "name" and all(_within(t, r) for t in over):
                    # The screener knew one word of it ("Beatriz" of "LUNDGREN Beatriz"):
                    # the box must cover the whole name, or the blur leaves the surname.
                    raw = [x for x in raw if x not in over] + [r]
    if not raw:
        return []
    context = _context(lines, dark)
    summary = _joined([r.reason if r.kind != "name" else "name" for r in raw])
    out = []
    for r in raw:
        reason = f"{summary} on what looks like {context}" if context else _article(r.reason)
        out.append(PhotoFinding(r.kind, view.box_back(r.box), reason, r.text))
    return out


def _within(part: _Raw, name: _Raw) -> bool:
    """A name the screener found that is part of a longer one found beside an identifier."""
    return (part.kind == "name" and len(part.text) < len(name.text)
            and part.box.intersection(name.box) >= 0.9 * part.box.area)


def _near(view: View, line: Line, anchors: list[Box]) -> bool:
    """An anchor within NEAR line heights of the line, in the photo."""
    if not anchors:
        return False
    box = line.box
    grow = NEAR * box.h
    around = view.box_back(Box(box.x - grow, box.y - grow, box.w + 2 * grow, box.h + 2 * grow))
    return any(around.intersection(a) for a in anchors)


def merge(findings: list[PhotoFinding]) -> list[PhotoFinding]:
    """One finding per place and kind: the same words read twice (turned, cropped, whole)
    are one, its box covering both reads."""
    order = sorted(findings, key=lambda f: -len(f.reason))
    kept: list[PhotoFinding] = []
    for f in order:
        for i, k in enumerate(kept):
            inter = k.box.intersection(f.box)
            if (k.kind == f.kind and inter >= 0.5 * min(k.box.area, f.box.area)
                    and (k.box.iou(f.box) >= 0.5 or _same_words(k.text, f.text))):
                # The same place: one finding whose box covers both reads.
                kept[i] = PhotoFinding(k.kind, k.box.union(f.box), k.reason, k.text, k.source)
                break
        else:
            kept.append(f)
    return sorted(kept, key=lambda f: (f.box.y, f.box.x))


def _same_words(a: str, b: str) -> bool:
    """Two readings of the same words, however misread ("Castellnos", "Cacteli*nos"), or
    one a part of the other ("Dragomir", "Freya Dragomir"). A tilted list's rows have
    upright boxes that overlap: "Ivanova, Y" and "Mateus Castellanos" are two names, and
    one box round both would grow over the whole list."""
    a, b = (re.sub(r"[^0-9a-z]", "", t.lower()) for t in (a, b))
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.5


def read_findings(
    reads: list[tuple[View, list[Line], bool]], rules: ScreeningRules | None = None
) -> list[PhotoFinding]:
    """Every read (view, its lines, light-on-dark) screened, then merged."""
    screened = [[r for line in lines for r in _screened(line, rules)] for _, lines, _ in reads]
    anchors = [
        view.box_back(r.box)
        for (view, _, _), raw in zip(reads, screened, strict=True)
        for r in raw
        if r.kind != "name" and not _yearless(r)
    ]
    found = [
        f
        for (view, lines, dark), raw in zip(reads, screened, strict=True)
        for f in _findings(view, lines, dark, raw, anchors)
    ]
    return merge(found)
