"""Numbers that identify a person only because of the label in front of them.

SSNs, medical record numbers, health plan/member IDs, account numbers, licence
numbers, plates and VINs, device serials. A bare number is ambiguous ("99214",
"NCT04368728"); the label ("MRN", "member ID", "serial") says what it is, so each
pattern is label + a few filler words + a value with enough digits.
"""

from __future__ import annotations

import re

from liveq.screening.findings import Finding

# Words people put between a label and its value: "MRN is", "acct # :", "number -".
_FILL = (
    r"(?:\s*(?:[#:=\-–]|\bno\b\.?|\bnum\b\.?|\bnumber\b|\bnbr\b|\bid\b|\bis\b|\bwas\b"
    r"|\bn[uú]mero\b|\bes\b)\s*)*\s*"
)
# A value: optional short uppercase prefix ("BCB ", "RN ", "HAR "), then a token (its
# digits are counted afterwards), allowing inner dashes/dots/single spaces between digit groups.
_VALUE = (
    r"(?P<val>(?:(?-i:[A-Z]{1,4})\s)?"
    r"[A-Z0-9]+(?:[-./][A-Z0-9]+)*(?:(?<=\d)\s\d{2,}(?:[-.]\d+)*)?)"
)
_END = r"(?![\w-])"


# "serial # on my CGM sensor is 3MH7X2A09": the label, what it belongs to, then the value.
_BELONGS = (
    r"(?:\s*\b(?:on|of|for|from)\s+(?:my|the|his|her|our|their)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:is|was|:))?"
)


def _labelled(label: str) -> re.Pattern[str]:
    return re.compile(r"(?i)\b(?:" + label + r")" + _FILL + _BELONGS + _FILL + _VALUE + _END)


_SSN_LABEL = (
    r"ssn|ss\s?#|s\.s\.n\.?|social\s+security(?:\s+(?:number|no\.?|#))?|soc\.?\s+sec\.?"
    r"|social"
)
_SSN_VALUE = r"(?P<val>\d{3}[-. ]?\d{2}[-. ]?\d{4})"
_SSN_LABELLED = re.compile(r"(?i)\b(?:" + _SSN_LABEL + r")" + _FILL + _SSN_VALUE + r"(?![\d-])")
# Dashed 3-2-4 is the SSN shape everyone recognises; invalid areas (000, 666, 9xx) excluded.
_SSN_BARE = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
_SSN_LAST4 = re.compile(
    r"(?i)\blast\s+(?:4|four)(?:\s+digits)?\s+of\s+(?:my|his|her|the|their)?\s*(?:"
    + _SSN_LABEL + r")(?:\s+(?:number|no\.?|#))?" + _FILL + r"(?:\b(?:are|were)\b\s*:?\s*)?"
    + r"(?P<val>\d{4})\b"
    # "my social ends in 7731", "ssn ending with 0143"
    + r"|\b(?:" + _SSN_LABEL + r")(?:\s+(?:number|no\.?|#))?\s+(?:ends|ending|ended)"
    + r"\s+(?:in|with)\s*:?\s*(?P<tail>\d{4})\b"
)

_RULES: tuple[tuple[str, re.Pattern[str], str, int], ...] = (
    # kind, pattern, reason, minimum digits in the value
    ("mrn", _labelled(
        r"mrn|m\.r\.n\.?|mr\s?#|med(?:ical)?\s+rec(?:ord)?s?|(?:medical\s+)?record|chart"
        r"|patient\s+id|hospital\s+(?:number|no\.?|#|id)|health\s+record"
        r"|(?:n[uú]mero\s+de\s+)?expediente|historia\s+cl[ií]nica|dossier"
    ), "medical record number", 4),
    ("health_plan_number", _labelled(
        r"member(?:\s+id)?|subscriber(?:\s+id)?|(?<!national\s)(?<!social\s)insurance"
        r"(?:\s+(?:id|card))?|policy"
        r"|medicare|medicaid|mbi|plan\s+id|beneficiary(?:\s+id)?|group(?=\s*(?:#|no|number|\d))"
    ), "health plan or member number", 4),
    ("account_number", _labelled(
        r"(?:patient\s+|billing\s+|bank\s+)?(?:account|acct\.?|a/c)|invoice|statement|har"
        r"|credit\s+card|card\s+ending(?:\s+in)?"
    ), "account number", 4),
    ("license_number", _labelled(
        r"driver'?s?\s+licen[cs]e|dl|licen[cs]e(?!\s+plate)|permit|passport|pasaporte"
        r"|licencia(?:\s+de\s+(?:conducir|manejo))?"
    ), "licence number", 4),
    # Other countries' ID numbers people type into a form: Mexico's CURP, RFC and INE
    # voter card, Spain's DNI/NIE, the UK's National Insurance and Canada's SIN.
    ("license_number", _labelled(
        r"curp|rfc|ine|clave\s+de\s+elector|dni|nie"
    ), "national ID number", 6),
    ("vehicle_id", _labelled(r"(?:licen[cs]e\s+)?plates?|tag|vin"), "vehicle plate or VIN", 2),
    ("device_id", _labelled(
        r"serial(?:\s+(?:number|no\.?|#))?|s/n|sn|device\s+id|imei|udi|mac\s+address"
    ), "device serial or ID", 3),
)
# The UK's National Insurance number (QQ 12 34 56 C) and Canada's Social Insurance
# Number (046 454 286; "SIN" in capitals, "sin" is Spanish for "without").
_OTHER_IDS = (
    re.compile(
        r"(?i)\b(?:national\s+insurance(?:\s+(?:number|no\.?))?|ni\s+(?:number|no\.?)|nino)"
        + _FILL + r"(?P<val>[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D])\b"
    ),
    re.compile(
        r"(?:\b(?-i:SIN)|(?i:\bsocial\s+insurance(?:\s+(?:number|no\.?))?))"
        + _FILL + r"(?P<val>\d{3}[ -]?\d{3}[ -]?\d{3})(?![\d-])"
    ),
)
# A VIN needs no label: 17 characters, no I/O/Q, letters and digits mixed.
_VIN = re.compile(r"\b(?=[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z])(?=[A-HJ-NPR-Z0-9]*\d)[A-HJ-NPR-Z0-9]{17}\b")
_DIGIT = re.compile(r"\d")

# National health numbers, labelled: the NHS number (England, Wales, Isle of Man; 10
# digits, mod-11 check digit), CHI (Scotland), Ontario's OHIP health card (10 digits,
# Luhn check digit, a 2-letter version code), Mexico's IMSS/NSS (11 digits).
_NATIONAL_VALUE = r"(?P<val>\d{3,4}[ -]?\d{3}[ -]?\d{3,4}(?:[ -]?(?-i:[A-Z]{2}))?)"
_NATIONAL = re.compile(
    r"(?i)\b(?P<label>nhs|chi|ohip|health\s+card|health\s+number|ontario\s+health"
    r"|imss|nss|(?:n[uú]mero\s+de\s+)?afiliaci[oó]n(?:\s+(?:imss|al\s+imss))?)"
    + _FILL + _NATIONAL_VALUE
    + r"(?![\w-])"
)


def nhs_check(digits: str) -> bool:
    """The NHS number's mod-11 check digit (weights 10..2 on the first nine digits)."""
    if len(digits) != 10:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def luhn_check(digits: str) -> bool:
    """The Luhn check digit (OHIP health card numbers, payment cards)."""
    total = 0
    for k, d in enumerate(reversed(digits)):
        n = int(d) * (2 if k % 2 else 1)
        total += n - 9 if n > 9 else n
    return bool(digits) and total % 10 == 0


def _national_reason(label: str, digits: str) -> str:
    label = label.casefold()
    if label in ("nhs", "chi"):
        checked = " (its check digit is valid)" if nhs_check(digits) else ""
        return f"{label.upper()} number{checked}"
    if label in ("imss", "nss") or "afiliaci" in label:
        return "IMSS social security number"
    checked = " (its check digit is valid)" if luhn_check(digits) else ""
    return f"OHIP health card number{checked}"


def find_national_numbers(text: str) -> list[Finding]:
    out: list[Finding] = []
    for m in _NATIONAL.finditer(text):
        digits = "".join(_DIGIT.findall(m.group("val")))
        if len(digits) < 9:
            continue
        reason = _national_reason(" ".join(m.group("label").split()), digits)
        out.append(Finding("health_plan_number", m.start("val"), m.end("val"), reason))
    return out


# Health-plan "group" numbers only count when the text is about insurance.
_INSURANCE_CONTEXT = re.compile(
    r"(?i)\b(?:insurance|insurer|member|policy|plan|medicare|medicaid|aetna|cigna|humana"
    r"|blue\s*cross|bcbs|united|kaiser|anthem|tricare|coverage|covered|claim)\b"
)
# Values that are measurements, not identifiers: "record 3 hours", "policy 2 weeks".
_UNIT_AFTER = re.compile(
    r"(?i)\s*(?:%|mg|mcg|ml|cc|kg|lbs?|units?|hours?|hrs?|days?|weeks?|months?|years?|yrs?"
    r"|minutes?|mins?|times|percent|dollars|people|patients)\b"
)


def find_identifiers(text: str) -> list[Finding]:
    out: list[Finding] = []
    for m in _SSN_LABELLED.finditer(text):
        out.append(Finding("ssn", m.start("val"), m.end("val"), "social security number"))
    for m in _SSN_LAST4.finditer(text):
        reason = "last 4 of a social security number"
        group = "val" if m.group("val") else "tail"
        out.append(Finding("ssn", m.start(group), m.end(group), reason))
    for pattern in _OTHER_IDS:
        for m in pattern.finditer(text):
            out.append(Finding("license_number", m.start("val"), m.end("val"),
                               "national insurance number"))
    for m in _SSN_BARE.finditer(text):
        out.append(Finding("ssn", m.start(), m.end(), "looks like a social security number"))
    for kind, pattern, reason, min_digits in _RULES:
        for m in pattern.finditer(text):
            value = m.group("val")
            if len(_DIGIT.findall(value)) < min_digits:
                continue
            if _UNIT_AFTER.match(text, m.end("val")):
                continue
            if kind == "health_plan_number" and not _INSURANCE_CONTEXT.search(text):
                continue
            out.append(Finding(kind, m.start("val"), m.end("val"), reason))
    for m in _VIN.finditer(text):
        out.append(Finding("vehicle_id", m.start(), m.end(), "vehicle identification number"))
    out.extend(find_national_numbers(text))
    return out
