"""Phone and fax numbers, emails, URLs and IP addresses."""

from __future__ import annotations

import ipaddress
import re

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


def find_emails(text: str) -> list[Finding]:
    if "@" not in text:
        return []
    return [Finding("email", m.start(), m.end(), "email address") for m in _EMAIL.finditer(text)]


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
# Past this many windows in one text, the rest are left to the cheap NANP pattern below:
# enough for any real question, and a bound on what a text full of digits can cost.
_MAX_WINDOWS = 64


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    windows = 0
    for w in _PHONE_WINDOW.finditer(text):
        window = w.group()
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
        for m in phonenumbers.PhoneNumberMatcher(
            window, "US", leniency=phonenumbers.Leniency.VALID, max_tries=10
        ):
            spans.append((w.start() + m.start, w.start() + m.end))
    for m in _NANP_FORMATTED.finditer(text):
        if all(m.end() <= s or m.start() >= e for s, e in spans):
            spans.append((m.start(), m.end()))
    for m in _LOCAL_WITH_CUE.finditer(text):
        s, e = m.start("num"), m.end("num")
        if all(e <= s2 or s >= e2 for s2, e2 in spans):
            spans.append((s, e))
    return spans


def find_phones(text: str) -> list[Finding]:
    """Phone numbers (US by default, + international); 'fax' shortly before makes it a fax."""
    # phonenumbers is the slow part of screening: skip it when no number can fit.
    if len(_DIGIT.findall(text)) < 7:
        return []
    out = []
    for start, end in _phone_spans(text):
        before = text[max(0, start - 30):start]
        if _FAX_CUE.search(before):
            out.append(Finding("fax", start, end, "fax number"))
        else:
            out.append(Finding("phone", start, end, "phone number"))
    return out
