"""Dates more specific than a year, and ages over 89 (HIPAA Safe Harbor)."""

from __future__ import annotations

import re

from liveq.screening.findings import Finding

# "May" only capitalised, or in capitals as labels and wristbands print it ("13 MAY 1970"):
# lower-case "may" is the verb.
_MONTH = (
    r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|(?-i:May|MAY)|june?|july?"
    r"|aug(?:ust|\.)?|sep(?:t(?:ember)?)?\.?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
# After a day number: a unit means it was a quantity ("Aug 2 weeks"?), not a date.
_NOT_UNIT = r"(?!\s*(?:%|mg|mcg|ml|kg|lbs?|weeks?|days?|hours?|hrs?|years?|yrs?|times|units)\b)"

_MONTH_DAY = re.compile(
    rf"(?i)\b{_MONTH}\s+(?:the\s+)?{_DAY}\b{_NOT_UNIT}(?:(?:,\s*|\s+){_YEAR}\b)?"
)
_DAY_MONTH = re.compile(
    rf"(?i)\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?![a-z])(?:,?\s+{_YEAR}\b)?"
)
# "the 1st of may": lowercase "may" is a month after "<ordinal> of".
_ORDINAL_OF_MAY = re.compile(
    rf"(?i)\b(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)\s+of\s+may\b(?:,?\s+{_YEAR}\b)?"
)
# "tuesday the 12th", "wed the 17th", "Friday 3rd": a weekday and a day of the month.
_WEEKDAY_DAY = re.compile(
    r"(?i)\b(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?"
    r",?\s+(?:the\s+)?(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)\b"
    # Spanish: "el martes 12", "el sábado 3"
    r"|(?i:\bel\s+(?:lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)\s+"
    r"(?:0?[1-9]|[12]\d|3[01])\b(?!\s*(?:[:.]\d|de\s+la|h\b|hrs?\b|am|pm))"
    r"(?:\s+de\s+(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|sept?iembre|octubre"
    r"|noviembre|diciembre)(?:\s+(?:de\s+|del\s+)?\d{4})?)?)"
)
# "christmas eve 2025", "thanksgiving 2019": a holiday is a month and day.
_HOLIDAY = (
    r"(?:christmas(?:\s+(?:eve|day))?|xmas(?:\s+eve)?|new\s+year'?s(?:\s+(?:eve|day))?"
    r"|thanksgiving(?:\s+day)?|easter(?:\s+sunday)?|halloween|valentine'?s\s+day"
    r"|independence\s+day|the\s+fourth\s+of\s+july|4th\s+of\s+july|mother'?s\s+day"
    r"|father'?s\s+day|labou?r\s+day|memorial\s+day|veterans\s+day|boxing\s+day"
    r"|nochebuena|navidad|a[nñ]o\s+nuevo)"
)
_HOLIDAY_YEAR = re.compile(rf"(?i)\b{_HOLIDAY}(?:\s+(?:of\s+)?|,\s*){_YEAR}\b")
# "born 1931, march 2nd": a year then the month and day.
_YEAR_MONTH_DAY = re.compile(rf"(?i)\b{_YEAR},?\s+{_MONTH}\s+{_DAY}\b")
# Spanish: "15 de marzo de 1931", "el 2 de enero", "22 de agosto".
_ES_MONTH = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre"
    r"|noviembre|diciembre)"
)
_ES_DATE = re.compile(
    rf"(?i)\b(?:0?[1-9]|[12]\d|3[01])\s+de\s+{_ES_MONTH}\b(?:\s+(?:de|del)\s+{_YEAR}\b)?"
)
_NUMERIC_FULL = re.compile(
    r"(?<![\d/.\-:])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/]|[.\-]\d)"
)
_ISO = re.compile(
    r"(?<![\d/.\-])(?:19|20)\d\d([/.\-])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?![\d/]|[.\-]\d)"
)
_MONTH_SLASH_DAY = re.compile(
    r"(?<![\d/.\-:,$])(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?![\d/]|\.\d|\s*%)"
)
# "3/4 inch", "1/2 price", "2/3 of patients", "a 2/6 murmur", "Apgar 8/9": fractions and
# scores, not dates.
_FRACTION_AFTER = re.compile(
    r"(?i)\s*(?:-\s*)?(?:inch(?:es)?|in\b|cups?|tsp|tbsp|teaspoons?|tablespoons?|tabs?|tablets?"
    r"|pills?|doses?|miles?|mi\b|price|off|of\b|strength|mg|ml|cc|lbs?|oz|full|empty|done"
    r"|majority|ratio|split|share|scale|rating|mark|point|points|time|times|rule|method)"
)
_SCORE_BEFORE = re.compile(
    r"(?i)(?:\b(?:a|an|score[sd]?|apgar|vision|grade[sd]?|rated|ratio|murmur|scale|out\s+of"
    r"|rating|rate[sd]?|pain|level|about|approximately|roughly|nearly|almost|over|under)"
    r"(?:\s+(?:was|were|is|are|of))?\s*)$"
)
_MONTH_YEAR = re.compile(rf"(?i)\b{_MONTH}\s*,?\s*(?:of\s+)?{_YEAR}\b")
_NUMERIC_MONTH_YEAR = re.compile(r"(?<![\d/.\-])(0?[1-9]|1[0-2])/(?:19|20)\d\d(?![\d/])")
# Month+year, or "the 9th", only identify someone when tied to an event in their care.
_EVENT_CUE = re.compile(
    r"(?i)\b(?:born|birth|dob|d\.o\.b|admit(?:ted)?|admission|discharg\w*|died|death|passed"
    r"|diagnos\w*|surgery|operat\w*|procedure|deliver\w*|transplant\w*|chemo|biopsy|scan"
    r"|readmitted|transferred|appointment|appt|visit|injur\w*|accident|fell|seen|moved"
    r"|rescheduled|scheduled|booked|due)\b"
)
_ORDINAL_DAY = re.compile(
    r"(?i)\b(?:on|since|from|until|till|by|before|after|to|for)\s+the\s+(?P<val>(?:0?[1-9]|[12]\d|3[01])"
    r"(?:st|nd|rd|th))\b(?!\s*(?:of\b|floor|fl\b|grade|day|week|month|year|time|dose|round"
    r"|cycle|try|attempt|percentile|trimester|visit|street|st\b|avenue|ave\b|birthday|place"
    r"|shift|stage|level|row|century|generation|step|line|session|try|one|person|patient))"
)
_DOB_CUE = re.compile(r"(?i)(?:\bdob|\bd\.o\.b\.?|date\s+of\s+birth|born(?:\s+(?:on|in))?)\W*$")


def _valid_numeric(a: int, b: int) -> bool:
    # US month/day first, but 14/03/2025 is plainly day/month: accept either order.
    return (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)


def _reason(text: str, start: int, default: str) -> str:
    return "date of birth" if _DOB_CUE.search(text[max(0, start - 25):start]) else default


# "6/10", "10/10": pain scores and ratings, unless a date cue says otherwise ("on 6/10").
_OUT_OF_TEN = re.compile(r"/10(?![\d/])")
_DATE_CUE_BEFORE = re.compile(
    r"(?i)\b(?:on|since|by|until|till|from|dob|born|admitted|discharged|appointment|appt"
    r"|surgery|scheduled|due|date)[:\s]*$"
)


_SCORE_TEXT = re.compile(r"(?i)\b(?:pain|score|rate|rated|rating|scale|dolor)\b|/10\b.*/10\b")


def find_dates(text: str) -> list[Finding]:
    out: list[Finding] = []
    for pattern in (_ORDINAL_OF_MAY, _WEEKDAY_DAY, _HOLIDAY_YEAR, _YEAR_MONTH_DAY, _ES_DATE):
        for m in pattern.finditer(text):
            out.append(Finding("date", m.start(), m.end(), _reason(text, m.start(), "date")))
    for m in _NUMERIC_FULL.finditer(text):
        if _valid_numeric(int(m.group(1)), int(m.group(3))):
            out.append(Finding("date", m.start(), m.end(), _reason(text, m.start(), "full date")))
    for m in _ISO.finditer(text):
        out.append(Finding("date", m.start(), m.end(), _reason(text, m.start(), "full date")))
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        for m in pattern.finditer(text):
            out.append(Finding("date", m.start(), m.end(), _reason(text, m.start(), "date")))
    for m in _MONTH_SLASH_DAY.finditer(text):
        before = text[max(0, m.start() - 30):m.start()]
        if _FRACTION_AFTER.match(text, m.end()) or _SCORE_BEFORE.search(before):
            continue
        if _OUT_OF_TEN.match(text, m.end(1)) and (
            not _DATE_CUE_BEFORE.search(before) or _SCORE_TEXT.search(text)
        ):
            continue
        out.append(Finding("date", m.start(), m.end(), _reason(text, m.start(), "month/day date")))
    for pattern in (_MONTH_YEAR, _NUMERIC_MONTH_YEAR):
        for m in pattern.finditer(text):
            if _EVENT_CUE.search(text[max(0, m.start() - 40):m.start()]):
                reason = _reason(text, m.start(), "month and year of a personal event")
                out.append(Finding("date", m.start(), m.end(), reason))
    for m in _ORDINAL_DAY.finditer(text):
        if _EVENT_CUE.search(text[max(0, m.start() - 40):m.start()]):
            out.append(Finding("date", m.start("val") - 4, m.end("val"), "day of a personal event"))
    return out


_AGE = r"(?P<age>9\d|1[01]\d)"
_AGE_WORDS = (
    r"(?P<aw>ninety(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|(?:a|one)\s+hundred(?:\s+and\s+\w+)?)"
)
_AGE_UNIT = r"(?!\s*(?:%|percent|mg|mcg|ml|days?|minutes?|mins?|lbs?|kg|pounds|bpm|mmhg|degrees"
_AGE_UNIT += r"|°|cm|mm|units?|times|miles?|hours?|hrs?|weeks?|months?|beats|over\b|/|de\b|por\b))"
_YEARS_OLD = re.compile(
    rf"(?i)\b(?:{_AGE}|{_AGE_WORDS})\s*[-\s]?\s*(?:years?|yrs?|yo\b|y/o|y\.o\.?)(?:[-\s]*old)?"
)
_BIRTHDAY = re.compile(rf"(?i)\b{_AGE}(?:st|nd|rd|th)\s+birthday(?P<aw>)")
# "I'm 94", "she's 91", "turned 104", "aged 96", "who's 99": a person's age with no unit.
_AGE_CUE = re.compile(
    rf"(?i)\b(?:i'?m|i\s+am|she'?s|he'?s|who'?s|turned|turning|turns|aged?|at\s+age|age\s+of"
    rf"|is\s+now|will\s+be|just\s+turned)\s+(?:{_AGE}|{_AGE_WORDS})\b{_AGE_UNIT}"
)
# "is 93" / "was 91" need a person just before, or "my oxygen is 92" would count; the
# same in Spanish: "mi abuela tiene 93", "mi papá cumple 95" (not "tiene 95 de saturación").
_IS_AGE = re.compile(
    rf"(?i)\b(?:is|was|tiene|ten[ií]a|cumple|cumpli[oó])\s+(?:a\s+(?=1))?(?:{_AGE}|{_AGE_WORDS})\b"
    + _AGE_UNIT
)
_PERSON_BEFORE = re.compile(
    r"(?i)\b(?:she|he|i|mom|mum|mother|dad|father|grand\w*|aunt|uncle|husband|wife|patient"
    r"|sister|brother|neighbou?r|friend|abuel[oa]|mam[aá]|pap[aá]|madre|padre|espos[oa]"
    r"|hij[oa]|t[ií][oa]|suegr[oa]|paciente|[A-Z][a-z]+\)?)\W*$"
)
_MEASURE_BEFORE = re.compile(
    r"(?i)\b(?:oxygen|o2|sat\w*|rate|pulse|bp|pressure|level|score|temp\w*|weight|glucose"
    r"|sugar|a1c|count|number|reading|fever|ef|ejection|percent|cholesterol|ldl|hdl"
    r"|ox[ií]geno|saturaci[oó]n|presi[oó]n|az[uú]car|glucosa|pulso|fiebre)\b"
)
_APPOSITIVE = re.compile(rf"\b[A-Z][a-z]+,\s*{_AGE},(?P<aw>)")
# "my grandpa (95!!)", "Earl (97)": an age in brackets right after a person.
_BRACKETED = re.compile(
    rf"(?i)\b(?:grand\w*|mom|mum|mother|dad|father|aunt|uncle|husband|wife|patient|nana|papa"
    rf"|abuel[oa]|t[ií][oa]|[A-Z][a-z]+)\s*\(\s*{_AGE}\b(?!\s*(?:%|mg|kg|lbs?|/))(?P<aw>)"
)
# Spanish: "tiene 92 años", "93 años de edad"; not "hace 90 años" (ninety years ago).
_ES_YEARS = re.compile(rf"(?i)(?<!\bhace\s)\b{_AGE}\s+a[nñ]os\b(?P<aw>)")


def _age_finding(m: re.Match[str]) -> Finding:
    group = "age" if m.group("age") else "aw"
    return Finding("age_over_89", m.start(group), m.end(group), "age over 89")


def find_ages(text: str) -> list[Finding]:
    out: list[Finding] = []
    for pattern in (_YEARS_OLD, _BIRTHDAY, _AGE_CUE, _APPOSITIVE, _BRACKETED, _ES_YEARS):
        for m in pattern.finditer(text):
            out.append(_age_finding(m))
    for m in _IS_AGE.finditer(text):
        before = text[max(0, m.start() - 30):m.start()]
        if _PERSON_BEFORE.search(before) and not _MEASURE_BEFORE.search(before):
            out.append(_age_finding(m))
    return out
