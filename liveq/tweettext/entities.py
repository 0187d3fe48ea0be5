"""URLs, hashtags and @mentions in tweet text, found the way twitter-text finds them.

X counts every link as 23 characters, so the weighted length of a post
depends on exactly which substrings X takes for links. This module follows
twitter-text (the JavaScript reference, checked against its conformance
data): the same regular expressions, the same post-filters, the same order.
Pure functions; indices are Python string (code point) indices, ``[start, end)``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from liveq.tweettext.tlds import COUNTRY_CODE_TLDS, GENERIC_TLDS

__all__ = [
    "Entity",
    "extract_entities",
    "extract_hashtags",
    "extract_mentions",
    "extract_mentions_or_lists",
    "extract_urls",
    "is_valid_hashtag",
    "is_valid_list",
    "is_valid_url",
    "is_valid_username",
]

EntityKind = Literal["url", "hashtag", "mention"]


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity: its kind, its text (without ``#``/``@`` for tags and names), its span."""

    kind: EntityKind
    text: str
    start: int
    end: int
    list_slug: str = ""  # "/slug" for an @user/slug list mention, else ""


# --- character classes shared by several patterns ---------------------------

INVALID_CHARS = "\ufffe\ufeff\uffff"
_SPACES = "\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# twitter-text's punctuation set, which happens to lack '"' and '`'. Kept
# identical so that domains end where X's end.
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"
_AT_SIGNS = "@\uff20"
_HASH_SIGNS = "#\uff03"


def _tld_alternation(tlds: frozenset[str]) -> str:
    # Longest first so "com" is tried before "co"; the lookahead below then
    # stops "example.community" from matching as "example.com".
    ordered = sorted(tlds, key=lambda tld: (-len(tld), tld))
    return "(?:(?:" + "|".join(map(re.escape, ordered)) + r")(?=[^0-9a-zA-Z@+-]|\Z))"


_GTLD = _tld_alternation(GENERIC_TLDS)
_CCTLD = _tld_alternation(COUNTRY_CODE_TLDS)
_PUNYCODE_TLD = r"(?:xn--[\-0-9a-z]+)"

# --- URL extraction (twitter-text's extractUrl) ------------------------------

_URL_PRECEDING = rf"(?:[^A-Za-z0-9@＠$#＃{INVALID_CHARS}]|^)"
_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{INVALID_CHARS}]"
# A label is domain characters with inner hyphens (and underscores for
# subdomains), then a dot. Written as C(-*C)* with a possessive loop rather than
# twitter-text's (C(-|C)*)?C: the same language, but without backtracking
# through every character of a long run of CJK text at every start position.
_SUBDOMAIN = rf"(?:{_DOMAIN_CHAR}(?:[_-]*{_DOMAIN_CHAR})*+\.)"
_DOMAIN_NAME = rf"(?:{_DOMAIN_CHAR}(?:-*{_DOMAIN_CHAR})*+\.)"
_DOMAIN = rf"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{_GTLD}|{_CCTLD}|{_PUNYCODE_TLD}))"

_PATH_CHAR = rf"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN_ACCENTS}]"
# Up to two levels of balanced parentheses, as in /wiki/Primer_(film).
_BALANCED_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
# A path does not end in punctuation, so "see example.com/foo." keeps its period.
_PATH_ENDING = rf"[+\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|(?:{_BALANCED_PARENS})"
_PATH = (
    rf"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_ENDING})"
    rf"|(?:@{_PATH_CHAR}+/))"
)
_QUERY_CHARS = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_ENDING = r"[a-z0-9\-_&=#/]"

_EXTRACT_URL = re.compile(
    rf"({_URL_PRECEDING})"  # 1: the character before (not part of the URL)
    r"("  # 2: the URL
    r"(https?://)?"  # 3: protocol
    rf"({_DOMAIN})"  # 4: domain
    r"(?::([0-9]+))?"  # 5: port
    rf"(/{_PATH}*)?"  # 6: path
    rf"(\?{_QUERY_CHARS}*{_QUERY_ENDING})?"  # 7: query
    r")",
    re.IGNORECASE,
)
_TLD_SITE = re.compile(rf"\.(?:{_GTLD}|{_CCTLD}|{_PUNYCODE_TLD})", re.IGNORECASE)
_ASCII_DOMAIN = re.compile(
    rf"(?:(?:[\-a-z0-9{_LATIN_ACCENTS}]+)\.)+(?:{_GTLD}|{_CCTLD}|{_PUNYCODE_TLD})",
    re.IGNORECASE,
)
_INVALID_BEFORE_URL_WITHOUT_PROTOCOL = re.compile(r"[-_./]\Z")
# t.co links end at the slug (plus query): "http://t.co/abc's" is "http://t.co/abc".
_TCO_URL = re.compile(
    rf"^https?://t\.co/([a-z0-9]+)(?:\?{_QUERY_CHARS}*{_QUERY_ENDING})?", re.IGNORECASE
)
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40
_MAX_DOMAIN_LABEL_LENGTH = 63


def _ascii_domain(domain: str) -> str | None:
    """``domain`` punycode-encoded label by label (RFC 3490), or None if DNS can't hold it."""
    if domain.startswith("xn--") and not _ASCII_DOMAIN.search(domain):
        return None  # an already-encoded domain must be ASCII
    labels = []
    for label in domain.split("."):
        encoded = label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        if not 1 <= len(encoded) <= _MAX_DOMAIN_LABEL_LENGTH:
            return None
        labels.append(encoded)
    return ".".join(labels)


def _url_length_ok(url: str, protocol: str | None, domain: str) -> bool:
    """Whether the domain is valid and the stored form of the URL fits X's limit."""
    encoded = _ascii_domain(domain)
    if encoded is None:
        return False
    # X stores links encoded and with a protocol; assume https:// where none is written.
    stored_length = len(url) - len(domain) + len(encoded) + (0 if protocol else len("https://"))
    return stored_length <= _MAX_URL_LENGTH


def _url_matches(text: str) -> Iterator[re.Match[str]]:
    """``_EXTRACT_URL.finditer(text)``, without its quadratic worst case.

    On a long run of letters with a dot but no TLD (CJK prose has no spaces)
    the regex fails anew from every start. Every URL ends its domain at a
    dot and a TLD, so the search need not look past the last such place; and
    a match found in that prefix starts where the full search would have
    found it (the TLD lookahead was checked on the full text), so matching
    again from there gives its full extent.
    """
    sites = list(_TLD_SITE.finditer(text))
    if not sites:
        return
    search_end = sites[-1].end()
    pos = 0
    while pos < search_end:
        found = _EXTRACT_URL.search(text, pos, search_end)
        if found is None:
            return
        match = _EXTRACT_URL.match(text, found.start())
        assert match is not None  # a match on a prefix is a match on the whole
        yield match
        pos = match.end()


def extract_urls(text: str) -> list[Entity]:
    """Links as X sees them, with and without protocol, in order of appearance."""
    if "." not in text:
        return []
    urls: list[Entity] = []
    for match in _url_matches(text):
        before, url, protocol, domain, _port, path, _query = match.groups()
        start, end = match.span(2)
        if not _url_length_ok(url, protocol, domain):
            continue
        if protocol:
            tco = _TCO_URL.match(url)
            if tco:
                if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                    continue
                end = start + tco.end()
            urls.append(Entity("url", text[start:end], start, end))
            continue
        if _INVALID_BEFORE_URL_WITHOUT_PROTOCOL.search(before):
            continue
        # Without a protocol only ASCII domains count: "日本語example.com" links
        # "example.com". Each ASCII domain inside the match is its own link; the
        # last one carries the path and query, if any.
        found = [
            Entity("url", ascii.group(), start + ascii.start(), start + ascii.end())
            for ascii in _ASCII_DOMAIN.finditer(domain)
        ]
        if found and path:
            # twitter-text rebuilds this one as "ASCII domain + path" and skips
            # that many characters; we keep the span of the text. The two differ
            # only for contrived input such as "foo.comテスト.jp/x".
            last = found[-1]
            found[-1] = Entity("url", text[last.start : end], last.start, end)
        urls.extend(found)
    return urls


# --- URL validation (twitter-text's isValidUrl, after RFC 3986) --------------

_URL_PARTS = re.compile(
    r"^(?:([^:/?#]+)://)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?\Z", re.IGNORECASE | re.DOTALL
)
_UNRESERVED = r"[a-z\u0400-\u04ff0-9\-._~]"
_PCT_ENCODED = r"(?:%[0-9a-f]{2})"
_SUB_DELIMS = r"[!$&'()*+,;=]"
_PCHAR = rf"(?:{_UNRESERVED}|{_PCT_ENCODED}|{_SUB_DELIMS}|[:|@])"
_USERINFO = rf"(?:{_UNRESERVED}|{_PCT_ENCODED}|{_SUB_DELIMS}|:)*"
_DEC_OCTET = r"(?:[0-9]|(?:[1-9][0-9])|(?:1[0-9]{2})|(?:2[0-4][0-9])|(?:25[0-5]))"
_IPV4 = rf"(?:{_DEC_OCTET}(?:\.{_DEC_OCTET}){{3}})"
_IPV6 = r"(?:\[[a-f0-9:.]+\])"  # loose on purpose, as in twitter-text
_NON_ASCII = r"[^\x00-\x7f]"
_UNICODE_SUBDOMAIN_SEGMENT = (
    rf"(?:(?:[a-z0-9]|{_NON_ASCII})(?:(?:[a-z0-9_\-]|{_NON_ASCII})*(?:[a-z0-9]|{_NON_ASCII}))?)"
)
_UNICODE_DOMAIN_SEGMENT = (
    rf"(?:(?:[a-z0-9]|{_NON_ASCII})(?:(?:[a-z0-9\-]|{_NON_ASCII})*(?:[a-z0-9]|{_NON_ASCII}))?)"
)
_UNICODE_TLD = (
    rf"(?:(?:[a-z]|{_NON_ASCII})(?:(?:[a-z0-9\-]|{_NON_ASCII})*(?:[a-z0-9]|{_NON_ASCII}))?)"
)
_UNICODE_DOMAIN = (
    rf"(?:(?:{_UNICODE_SUBDOMAIN_SEGMENT}\.)*(?:{_UNICODE_DOMAIN_SEGMENT}\.){_UNICODE_TLD})"
)
_SCHEME = re.compile(r"(?:[a-z][a-z0-9+\-.]*)", re.IGNORECASE)
_AUTHORITY = re.compile(
    rf"(?:({_USERINFO})@)?((?:{_IPV4}|{_IPV6}|{_UNICODE_DOMAIN}))(?::([0-9]{{1,5}}))?",
    re.IGNORECASE,
)
_PATH_VALIDATE = re.compile(rf"(/{_PCHAR}*)*", re.IGNORECASE)
_QUERY_OR_FRAGMENT = re.compile(rf"({_PCHAR}|/|\?)*", re.IGNORECASE)


def _first_match_is_whole(pattern: re.Pattern[str], value: str) -> bool:
    # twitter-text asks whether the *first* match is the whole string, which
    # is not always the same as a full match; keep its semantics.
    match = pattern.search(value)
    return match is not None and match.group() == value


def is_valid_url(url: str, *, require_protocol: bool = True) -> bool:
    """Whether ``url`` is, as a whole, a valid http(s) URL (unicode domains allowed)."""
    parts = _URL_PARTS.match(url) if url else None
    if parts is None:
        return False
    scheme, authority, path, query, fragment = parts.groups()
    if require_protocol and not (
        scheme is not None
        and _first_match_is_whole(_SCHEME, scheme)
        and scheme.lower() in ("http", "https")
    ):
        return False
    return (
        _first_match_is_whole(_PATH_VALIDATE, path)
        and (not query or _first_match_is_whole(_QUERY_OR_FRAGMENT, query))
        and (not fragment or _first_match_is_whole(_QUERY_OR_FRAGMENT, fragment))
        and _first_match_is_whole(_AUTHORITY, authority)
    )


# --- hashtags -----------------------------------------------------------------

# Characters twitter-text allows inside a hashtag besides letters, marks and digits.
_HASHTAG_SPECIAL = frozenset(
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)


def _is_hashtag_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def _is_hashtag_char(char: str) -> bool:
    return (
        char in _HASHTAG_SPECIAL or _is_hashtag_letter(char) or unicodedata.category(char) == "Nd"
    )


def _hashtag_at(text: str, hash_index: int) -> int | None:
    """End of the hashtag whose sign is at ``hash_index``, or None if there is none."""
    if text[hash_index] not in _HASH_SIGNS:
        return None
    end = hash_index + 1
    if end < len(text) and text[end] in "\ufe0f\u20e3":
        return None  # "#️⃣" is the keycap emoji, not a tag
    while end < len(text) and _is_hashtag_char(text[end]):
        end += 1
    if not any(_is_hashtag_letter(c) for c in text[hash_index + 1 : end]):
        return None  # "#123" is not a hashtag
    return end


def _raw_hashtags(text: str) -> list[Entity]:
    # A scanner rather than a regex: Python's re has no \p{L}/\p{M}, and the
    # classes are too large to spell out. It mirrors twitter-text's regex
    # (boundary, sign, tag; rejected when followed by another sign or "://"),
    # including where the next search resumes after a rejected match.
    tags: list[Entity] = []
    pos = 0
    while pos < len(text):
        match_end = None
        # The sign may open the text, or follow one character that is not part
        # of a tag (a variation selector counts as a boundary though).
        if pos == 0:
            match_end = _hashtag_at(text, 0)
            hash_index = 0
        if match_end is None and pos + 1 < len(text):
            boundary = text[pos]
            if boundary in "\ufe0e\ufe0f" or not (_is_hashtag_char(boundary) or boundary == "&"):
                hash_index = pos + 1
                match_end = _hashtag_at(text, hash_index)
        if match_end is None:
            pos += 1
            continue
        after = text[match_end : match_end + 3]
        if not (after[:1] in ("#", "\uff03") or after == "://"):
            tags.append(Entity("hashtag", text[hash_index + 1 : match_end], hash_index, match_end))
        pos = match_end
    return tags


def _drop_overlapping(entities: list[Entity]) -> list[Entity]:
    """Keep the earlier-starting entity where two overlap (a URL beats its #fragment)."""
    kept: list[Entity] = []
    for entity in sorted(entities, key=lambda e: e.start):
        if kept and kept[-1].end > entity.start:
            continue
        kept.append(entity)
    return kept


def extract_hashtags(text: str) -> list[Entity]:
    """Hashtags (entity text without the sign), excluding those inside links."""
    if "#" not in text and "\uff03" not in text:
        return []
    tags = _raw_hashtags(text)
    if not tags:
        return []
    return [e for e in _drop_overlapping(tags + extract_urls(text)) if e.kind == "hashtag"]


# --- mentions -----------------------------------------------------------------

_MENTION_OR_LIST = (
    r"(^|[^a-zA-Z0-9_!#$%&*@＠]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)"  # 1: before
    rf"([{_AT_SIGNS}])"  # 2: the at sign
    r"([a-zA-Z0-9_]{1,20})"  # 3: screen name
    r"(/[a-zA-Z][a-zA-Z0-9_\-]{0,24})?"  # 4: list slug
)
_MENTION_RE = re.compile(_MENTION_OR_LIST)
_LIST_RE = re.compile(rf"^{_MENTION_OR_LIST}\Z")
# "@user@host", "@josé" and "@http://" are not mentions of "user", "jos", "http".
_NOT_AFTER_MENTION = re.compile(rf"[{_AT_SIGNS}{_LATIN_ACCENTS}]|://")


def extract_mentions_or_lists(text: str) -> list[Entity]:
    """@mentions and @user/list references; a list's ``list_slug`` starts with "/"."""
    if "@" not in text and "\uff20" not in text:
        return []
    found: list[Entity] = []
    for match in _MENTION_RE.finditer(text):
        if _NOT_AFTER_MENTION.match(text, match.end()):
            continue
        start = match.start(2)
        found.append(
            Entity("mention", match.group(3), start, match.end(), list_slug=match.group(4) or "")
        )
    return found


def extract_mentions(text: str) -> list[Entity]:
    """@mentions of accounts (list references left out)."""
    return [e for e in extract_mentions_or_lists(text) if not e.list_slug]


def extract_entities(text: str) -> list[Entity]:
    """Links, hashtags and mentions in order, overlaps resolved as X resolves them."""
    return _drop_overlapping(
        extract_urls(text) + _raw_hashtags(text) + extract_mentions_or_lists(text)
    )


def is_valid_username(text: str) -> bool:
    """Whether ``text`` is exactly one ``@screen_name``."""
    found = extract_mentions(text) if text else []
    return len(found) == 1 and found[0].text == text[1:]


def is_valid_list(text: str) -> bool:
    """Whether ``text`` is exactly one ``@screen_name/list-slug``."""
    match = _LIST_RE.match(text)
    return bool(match and match.group(1) == "" and match.group(4))


def is_valid_hashtag(text: str) -> bool:
    """Whether ``text`` is exactly one ``#hashtag``."""
    found = extract_hashtags(text) if text else []
    return len(found) == 1 and found[0].text == text[1:]
