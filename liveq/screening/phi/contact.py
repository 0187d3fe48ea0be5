"""Phone and fax numbers, emails, URLs and IP addresses."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

import phonenumbers

from liveq.screening.findings import Finding

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    r"(?![\w@])"
)

# Bare domains only count with a TLD people actually type; "report.pdf" or "e.g" must not.
_TLDS = (
    "com|org|net|edu|gov|mil|int|io|co|us|uk|ca|au|de|fr|es|it|nl|ie|in|info|biz|health|"
    "care|app|me|ly|tv|link|page|site|online|news|care|clinic|hospital|med"
)
_URL = re.compile(
    r"(?i)(?<![\w@.-])(?:"
    r"(?:https?|ftp)://[^\s<>\"']+"
    r"|www\.[^\s<>\"']+"
    r"|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:" + _TLDS + r")\b(?![.-]?\w)(?:/[^\s<>\"']*)?"
    r")"
)
_URL_TRAILING = ".,;:!?)]}'\""

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d]|\.\d)")
# IPv6 candidates are checked by ipaddress; three colons at least, so "10:45" never is one.
_IPV6 = re.compile(r"(?i)(?<![\w:])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){3,7}(?![\w:])")

# Ten-digit North American numbers written with separators, which phonenumbers rejects
# when the exchange is fictional (555-123-4567) but people still mean a phone number.
_NANP_FORMATTED = re.compile(
    r"(?<![\w/.-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w/-]|\.\d)"
)
# Seven-digit local numbers only count right after a phone/fax word ("fax it to 555-0148").
_LOCAL_WITH_CUE = re.compile(
    r"(?i)\b(?:call|phone|tel|telephone|fax(?:ed)?|text|cell|mobile|number|ext|extension)\b"
    r"[^\d\n]{0,20}?(?P<num>(?<![\d-])\d{3}[-.\s]\d{4})(?![\d-]|\.\d)"
)
_FAX_CUE = re.compile(r"(?i)\bfax(?:ed|ing)?\b")
_DIGIT = re.compile(r"\d")


# Emails written so a pattern would miss them: "john dot smith at gmail dot com",
# "kbrooks (at) yahoo (dot) com", "aidenp2011 @ lincolnhs . org", Spanish "arroba/punto".
_SEP_DOT = (
    r"(?:\s*\.\s*|\s+(?:dot|punto)\s+|\s*[(\[{<]\s*(?:dot|punto)\s*[)\]}>]\s*)"
)
_SEP_AT_WORD = r"\s+(?:at|arroba)\s+"
_SEP_AT = (
    rf"(?:\s*@\s*|{_SEP_AT_WORD}|\s*[(\[{{<]\s*(?:at|arroba)\s*[)\]}}>]\s*)"
)
_ADDR_WORD = r"[A-Za-z0-9_%+-]+"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?i)(?<![\w.@])(?P<local>{_ADDR_WORD}(?:{_SEP_DOT}{_ADDR_WORD})*)"
    rf"(?P<at>{_SEP_AT})(?P<domain>{_ADDR_WORD}(?:{_SEP_DOT}{_ADDR_WORD})*)"
)
_DOMAIN_LABEL = re.compile(_ADDR_WORD)
_TLD_SET = frozenset(_TLDS.split("|"))
# Mail services people name without a top-level domain ("rlopez at gmail").
_MAIL_SERVICES = frozenset(
    "gmail googlemail yahoo hotmail outlook live msn icloud me mac aol protonmail proton"
    " comcast verizon att sbcglobal bellsouth cox charter earthlink gmx yandex mail zoho"
    " rocketmail ymail".split()
)


def _obfuscated_end(m: re.Match[str]) -> int | None:
    """Where the address ends (its last top-level domain), or None if it is no address."""
    labels = list(_DOMAIN_LABEL.finditer(m.group("domain")))
    base = m.start("domain")
    for k in range(len(labels) - 1, 0, -1):
        if labels[k].group().lower() in _TLD_SET:
            return base + labels[k].end()
    first = labels[0].group().lower()
    if first in _MAIL_SERVICES:
        return base + labels[0].end()
    return None


def _address_like(local: str) -> bool:
    """"maria.g", "jess_88", "rlopez": not "info" or "look" as in "look at webmd.com"."""
    from liveq.screening.phi.lexicon import is_rare

    return bool(re.search(r"[\d_.]", local)) or is_rare(local)


def _obfuscated_emails(text: str) -> list[Finding]:
    out: list[Finding] = []
    pos = 0
    while True:
        m = _OBFUSCATED_EMAIL.search(text, pos)
        if m is None:
            return out
        end = _obfuscated_end(m)
        plain = "@" not in m.group("at") and re.fullmatch(
            _SEP_AT_WORD, m.group("at"), re.IGNORECASE
        )
        if end is not None and (not plain or _address_like(m.group("local"))):
            out.append(Finding("email", m.start(), end, "email address, written out"))
            pos = end
        else:
            # "me at maria.g at hotmail.com": the address may start at the next word.
            nxt = re.search(r"[\s(\[{<@]", text[m.start():])
            pos = m.start() + (nxt.end() if nxt else len(m.group()))


_OBFUSCATION_CUE = re.compile(r"(?i)@|\b(?:at|arroba)\b")


# "my gmail is tinamarsh1970", "mi correo es lupita_g": the service said, the name after.
_ACCOUNT_NAMED = re.compile(
    r"(?i)\b(?:my|his|her|their|our|mi|su)\s+(?P<svc>gmail|yahoo|hotmail|outlook|icloud|aol"
    r"|proton(?:mail)?|e-?mail|correo)(?:\s+(?:address|account|id|electr[oó]nico))?"
    r"\s*(?:is|es|:|=)\s*(?P<val>[A-Za-z0-9._%+-]{3,})(?![@\w])"
)


def find_emails(text: str) -> list[Finding]:
    out = []
    if "@" in text:
        out = [Finding("email", m.start(), m.end(), "email address") for m in _EMAIL.finditer(text)]
    if _OBFUSCATION_CUE.search(text):
        for f in _obfuscated_emails(text):
            if all(f.end <= o.start or f.start >= o.end for o in out):
                out.append(f)
    for m in _ACCOUNT_NAMED.finditer(text):
        val = m.group("val").rstrip(".")
        start, end = m.start("val"), m.start("val") + len(val)
        if len(val) < 3 or val.isdigit() or not _address_like(val):
            continue
        if all(end <= o.start or start >= o.end for o in out):  # a whole address wins
            reason = "email account name after '" + m.group("svc").lower() + "'"
            out.append(Finding("email", start, end, reason))
    return out


def find_urls(text: str) -> list[Finding]:
    out = []
    for m in _URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in _URL_TRAILING:
            end -= 1
        out.append(Finding("url", m.start(), end, "web address"))
    return out


def find_ips(text: str) -> list[Finding]:
    out = [Finding("ip_address", m.start(), m.end(), "IP address") for m in _IPV4.finditer(text)]
    for m in _IPV6.finditer(text):
        try:
            ipaddress.IPv6Address(m.group())
        except ValueError:
            continue
        out.append(Finding("ip_address", m.start(), m.end(), "IP address"))
    return out


# Where a phone number could be: a digit cluster with separators, at most ~45 chars.
# phonenumbers only sees these windows, so a long run of digits and slashes (pasted
# data, or someone probing the form) costs linear time, not phonenumbers' worst case.
_PHONE_WINDOW = re.compile(r"[+(]?\d(?:[\d().\-\s/]|ext\.?|x){5,44}")


_THREE_DIGITS = re.compile(r"\d{3}")
_ZIP4 = re.compile(r"\d{5}-\d{4}")
# Past this many windows in one text, the rest are left to the cheap NANP pattern below:
# enough for any real question, and a bound on what a text full of digits can cost.
_MAX_WINDOWS = 64


# Past this many windows, only the first region is tried (each region is one more pass).
_MAX_WINDOWS_ALL_REGIONS = 8


def _free(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return all(e <= s2 or s >= e2 for s2, e2 in spans)


def _dialled_shape(raw: str) -> bool:
    """'+44 7700 900982', '07700 900461': written the way one dials, so a phone number
    even where the plan keeps the range for fiction (Ofcom's 07700 900xxx, 0161 496 0xxx)
    or has changed since ('+52 1 33...')."""
    digits = len(_DIGIT.findall(raw))
    if raw.startswith("+"):
        return 8 <= digits <= 15
    return raw.startswith("0") and not raw.startswith("00") and 10 <= digits <= 11


# Shapes the other detectors own (SSN, ISO and numeric dates, ZIP+4, NANP): only the
# first region reads them, which keeps a date from costing eight passes of phonenumbers.
_OWNED_SHAPE = re.compile(
    r"\d{3}-\d{2}-\d{4}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"|\d{5}-\d{4}|\d{4}-\d{4}|(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}"
)


@lru_cache(maxsize=64)
def _trunk_zero(region: str) -> bool:
    """Whether numbers of ``region`` are dialled with a leading 0 at home (GB, DE, AU...)."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    return meta is not None and meta.national_prefix == "0"


def _regions_for(window: str, regions: tuple[str, ...]) -> tuple[str, ...]:
    if len(regions) <= 1 or window.startswith("+") or _OWNED_SHAPE.fullmatch(window):
        return regions[:1]
    if window.lstrip("(").startswith("0"):
        # "07700 900461": only where a trunk 0 is dialled (after the first region).
        return regions[:1] + tuple(r for r in regions[1:] if _trunk_zero(r))
    return regions


def _window_spans(window: str, regions: tuple[str, ...]) -> list[tuple[int, int]]:
    """Phone numbers in one digit window: valid in one of ``regions``, else dialled-shaped."""
    found: list[tuple[int, int]] = []
    want = len(_DIGIT.findall(window))
    for region in _regions_for(window, regions):
        for m in phonenumbers.PhoneNumberMatcher(
            window, region, leniency=phonenumbers.Leniency.VALID, max_tries=10
        ):
            # "97205-1234" is valid in Spain, but written like that it is a ZIP+4.
            if _free(found, m.start, m.end) and not _ZIP4.fullmatch(m.raw_string):
                found.append((m.start, m.end))
        if sum(len(_DIGIT.findall(window[s:e])) for s, e in found) >= want - 1:
            return found
    for m in phonenumbers.PhoneNumberMatcher(
        window, regions[0] if regions else "US", leniency=phonenumbers.Leniency.POSSIBLE,
        max_tries=10,
    ):
        if _dialled_shape(m.raw_string) and _free(found, m.start, m.end):
            found.append((m.start, m.end))
    if not found and window.startswith("+") and _dialled_shape(window):
        found.append((0, len(window)))  # "+52 1 33 3456 7890": a country code and digits
    return found


def _dialled_out(window: str, regions: tuple[str, ...]) -> bool:
    """"0044 7700 900123", "0049 171 2345678": 00, a country code of ``regions`` (or a
    valid number of any country) and the number, in groups."""
    plus = "+" + window[2:]
    try:
        number = phonenumbers.parse(plus, None)
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(number):
        return True
    digits = len(_DIGIT.findall(plus))
    # Else a number the plans reject but written as dialled (Ofcom's drama ranges); not
    # for +1, where every real number is valid and "00123 4567" is an order number.
    return (
        number.country_code != 1
        and phonenumbers.region_code_for_country_code(number.country_code) in regions
        and " " in window and 10 <= digits <= 15
    )


def _phone_spans(text: str, regions: tuple[str, ...]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    windows = 0
    for w in _PHONE_WINDOW.finditer(text):
        window = w.group().rstrip(" -./(")
        # Every phone number has a 3-digit group or starts with "+": "1 1 1 1" never.
        if not (window[0] == "+" or _THREE_DIGITS.search(window)):
            continue
        # And at least 7 digits (the shortest valid numbers, country code included):
        # "(12345)" or "2019-2023" never reach the slow matcher.
        if len(_DIGIT.findall(window)) < 7:
            continue
        windows += 1
        if windows > _MAX_WINDOWS:
            break
        tried = regions if windows <= _MAX_WINDOWS_ALL_REGIONS else regions[:1]
        if w.start() and text[w.start() - 1].isalnum():
            # Glued to a word: "jen6175550143" is a number in a handle, but "NCT04368728"
            # is a trial that some other country's plan would read as a phone number.
            tried = regions[:1]
        if window.startswith("00") and window[2:3].isdigit() and window[2] != "0":
            # "0044 7700 900123": 00 is how most of the world dials out, as "+" is.
            if _dialled_out(window, regions):
                spans.append((w.start(), w.start() + len(window)))
                continue
        for s, e in _window_spans(window, tried or ("US",)):
            spans.append((w.start() + s, w.start() + e))
    for m in _NANP_FORMATTED.finditer(text):
        if all(m.end() <= s or m.start() >= e for s, e in spans):
            spans.append((m.start(), m.end()))
    for m in _LOCAL_WITH_CUE.finditer(text):
        s, e = m.start("num"), m.end("num")
        if all(e <= s2 or s >= e2 for s2, e2 in spans):
            spans.append((s, e))
    return spans


def find_phones(text: str, regions: tuple[str, ...] = ("US",)) -> list[Finding]:
    """Phone numbers of ``regions`` (+ any with a country code); 'fax' just before: a fax."""
    # phonenumbers is the slow part of screening: skip it when no number can fit.
    if len(_DIGIT.findall(text)) < 7:
        return []
    out = []
    for start, end in _phone_spans(text, regions):
        before = text[max(0, start - 30):start]
        if _FAX_CUE.search(before):
            out.append(Finding("fax", start, end, "fax number"))
        else:
            out.append(Finding("phone", start, end, "phone number"))
    return out
