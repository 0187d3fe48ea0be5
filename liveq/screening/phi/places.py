"""Street addresses, ZIP codes, and room/bed numbers."""

from __future__ import annotations

import re

from liveq.screening.findings import Finding

_SUFFIX = (
    r"street|st|avenue|ave|av|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|way|place|pl"
    r"|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|trail|trl|square|sq|alley|pike|plaza"
    r"|crescent|close|loop|run|path|turnpike|tpke"
)
_DIRECTION = r"(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?"
_UNIT = r"(?:,?\s*(?:apt|apartment|unit|suite|ste|fl|floor|#)\.?\s*#?\s*[a-z0-9]{1,5}\b)"
_STREET = re.compile(
    rf"(?i)(?<![\w#/.,-])(?P<num>\d{{1,6}}(?:-\d{{1,4}})?[a-z]?)\s+(?:{_DIRECTION}\s+)?"
    rf"(?P<name>(?:(?:[a-z][\w'.-]*|\d{{1,3}}(?:st|nd|rd|th))\s+){{1,3}}?)(?P<suffix>{_SUFFIX})\b\.?"
    rf"(?:(?:(?<=road)|(?<=rd)|(?<=hwy)|(?<=highway))\s+\d{{1,4}}\b)?"
    rf"(?:\s+{_DIRECTION}(?![\w]))?{_UNIT}?"
)
# Words that show "3 miles down the road" or "2 of the main street" is not an address.
_NOT_STREET_NAME = frozenset(
    "the a an to of on in at by for and or but from down up over off near past across along"
    " miles mile blocks block minutes mins hours min km feet ft yards times people kids"
    " my our your his her their this that these those is was are were be been it its"
    " way ways one two three four five six seven eight nine ten more less same other"
    " first second third last next every each new old main with attn dear dr mr mrs ms"
    " years yrs months weeks days patients beds rooms surgeries cases".split()
)
_NEVER_IN_STREET_NAME = frozenset(
    "the a an to of on in at by for and or my our your his her their this that with".split()
)
# "Main" is a real street name, but only with a number right before it and no other words.
_TITLE_AFTER = re.compile(r"\.?\s+[A-Z][a-z]")
_LOWERCASE_ADDRESS_OK = re.compile(
    rf"(?i)^\S+\s+{_DIRECTION}\s|{_UNIT}$|(?:rd|hwy)\s+\d+$"
)
_ADDRESS_CUE = re.compile(
    r"(?i)\b(?:at|to|live[sd]?|living|address|staying|stays|moved|move|home|house|lives"
    r"|apartment|pick\s*up|drop\s*off|send|mail|deliver\w*|visit|come)\b[^.!?]{0,25}$"
)
# Spanish and Mexican streets: "calle hidalgo 214", "av. insurgentes sur 1602 int 4".
_ES_STREET = re.compile(
    r"(?i)\b(?:calle|c/|avenida|av\.|avda\.?|paseo|camino|carretera|calzada|privada"
    r"|boulevard|blvd\.?)\s+(?:[^\W\d_][\w.'-]*\s+){1,3}?(?:no\.?\s*|n[uú]m\.?\s*|#\s*)?"
    r"\d{1,5}[a-z]?\b(?:,?\s+(?:int|interior|depto|dpto|piso|apto)\.?\s*#?\s*\w{1,4}\b)?"
)
# A ZIP right after a street line: "12 cedar ct, 60614", "... st seattle wa 98107".
_ZIP_AFTER_STREET = re.compile(
    r"(?i)(?:,?\s*[a-z][a-z .'-]{0,25}?)?,?\s*(?:[a-z]{2}\.?,?\s+)?"
    r"(?P<zip>\d{5}(?:-\d{4})?)(?![\d-])"
)
_PO_BOX = re.compile(r"(?i)\bp\.?\s?o\.?\s*box\s+\d{1,6}\b")

_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH"
    "|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)
_ZIP_AFTER_STATE = re.compile(rf"\b(?:{_STATES})\.?,?\s+(?P<zip>\d{{5}}(?:-\d{{4}})?)(?![\d-])")
_ZIP_LABELLED = re.compile(
    r"(?i)\b(?:zip|zipcode|postal\s+code|post\s+code|c[oó]digo\s+postal|c\.p\.)(?:\s+code)?"
    r"\s*(?:is|es|:|#|-)?\s*"
    r"(?P<zip>\d{5}(?:-\d{4})?)(?![\d-])"
)
_ZIP_BEFORE_LABEL = re.compile(
    r"(?i)(?<![\d-])(?P<zip>\d{5}(?:-\d{4})?)\s+(?:is\s+)?(?:a|my|our|the|your)?\s*zip\b"
)
_ZIP_PLUS4 = re.compile(r"(?<![\d-])(?P<zip>\d{5}-\d{4})(?![\d-])")

_ROOM = re.compile(
    r"(?i)\b(?P<word>room|rm\.?|bed|bay|cubicle|cuarto|habitaci[oó]n|cama|chambre|lit)"
    r"\s*(?:#|no\.?|number|num\.?|(?:is|es)\s+(?=\d{3,4}\b|\d{1,4}[a-z]\b))?\s*(?P<val>[a-z]?\d{1,4}[a-z]?)(?![\w/:]|\.\d)"
    r"(?!\s*(?:%|mg|ml|hours?|hrs?|days?|weeks?|minutes?|times|people|patients|beds|rooms))"
)
# "Mr. Thompson in 5B": a short unit code after "in", lettered A-F like beds and pods.
_IN_UNIT_CODE = re.compile(r"\bin\s+(?P<val>\d{1,2}[A-F])\b(?!\s*(?:view|image|print|scan|video))")


def _not_street_word(word: str) -> bool:
    key = word.casefold().strip(".")
    if word[:1].isupper():
        # "Old Mill Road", "New Haven Ave": capitalised, so part of a name.
        return key in _NEVER_IN_STREET_NAME
    return key in _NOT_STREET_NAME


def find_addresses(text: str) -> list[Finding]:
    out: list[Finding] = []
    for m in _STREET.finditer(text):
        words = m.group("name").split()
        if any(_not_street_word(w) for w in words):
            # "500 Main St" is an address; "2 miles down the street" is not.
            if not (len(words) == 1 and words[0].casefold() == "main"):
                continue
        # A lowercase short suffix ("3 cats dr") is too weak alone: typed in lowercase,
        # an address shows itself by a direction ("402 e maple ave"), a unit, or a
        # place word before it ("we live at 27 oak hollow dr", "wheelchair van to ...").
        if (
            m.group("name").islower()
            and m.group("suffix").islower()
            and len(m.group("suffix")) < 4
            and not _LOWERCASE_ADDRESS_OK.search(m.group())
            and not _ADDRESS_CUE.search(text[max(0, m.start() - 40):m.start()])
        ):
            continue
        # "Dr. Chen", "St. Joseph": a title before a name, not a street suffix.
        if (
            m.group("suffix").casefold() in ("dr", "st")
            and _TITLE_AFTER.match(text, m.end("suffix"))
            and m.group("name")[:1].islower()
        ):
            continue
        out.append(Finding("street_address", m.start(), m.end(), "street address"))
        z = _ZIP_AFTER_STREET.match(text, m.end())
        if z:
            out.append(Finding("zip_code", z.start("zip"), z.end("zip"), "ZIP code"))
    for m in _ES_STREET.finditer(text):
        out.append(Finding("street_address", m.start(), m.end(), "street address"))
    for m in _PO_BOX.finditer(text):
        out.append(Finding("street_address", m.start(), m.end(), "PO box"))
    for pattern in (_ZIP_AFTER_STATE, _ZIP_LABELLED, _ZIP_BEFORE_LABEL, _ZIP_PLUS4):
        for m in pattern.finditer(text):
            out.append(Finding("zip_code", m.start("zip"), m.end("zip"), "ZIP code"))
    return out


def find_rooms(text: str) -> list[Finding]:
    out: list[Finding] = []
    for m in _ROOM.finditer(text):
        word = m.group("word").casefold()
        reason = "bed number" if word in ("bed", "bay", "cama", "lit") else "room number"
        out.append(Finding("room_number", m.start("val"), m.end("val"), reason))
    for m in _IN_UNIT_CODE.finditer(text):
        out.append(Finding("room_number", m.start("val"), m.end("val"), "room or bed code"))
    return out


# UK postcodes (the official letter sets: the inward code never uses C I K M O V, so
# "b12 3mg" is a dose, not a postcode) and Canadian postal codes, in any case.
_UK_POSTCODE = re.compile(
    r"(?i)(?<![\w-])(?P<zip>[A-PR-UWYZ](?:[A-HK-Y]?\d[A-Z\d]?)\s?\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![\w-])"
)
_CA_POSTCODE = re.compile(
    r"(?i)(?<![\w-])(?P<zip>[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d)"
    r"(?![\w-])"
)
_ORDINAL_TAIL = re.compile(r"(?i)\d(?:st|nd|rd|th)$")


def find_postcodes(text: str) -> list[Finding]:
    """UK postcodes ("M1 4BT", "ls1 4dy") and Canadian postal codes ("M5V 2T6")."""
    out: list[Finding] = []
    for m in _UK_POSTCODE.finditer(text):
        code = m.group("zip")
        # "b6 2nd dose": an ordinal, not an inward code.
        if _ORDINAL_TAIL.search(code) or (" " not in code and code.islower()):
            continue
        out.append(Finding("zip_code", m.start("zip"), m.end("zip"), "UK postcode"))
    for m in _CA_POSTCODE.finditer(text):
        out.append(Finding("zip_code", m.start("zip"), m.end("zip"), "Canadian postal code"))
    return out
