"""A small subset of X's search query language, for the emulator's recent search.

Supported: keywords, ``"exact phrases"``, ``#hashtag``, ``@mention``,
``from:``, ``to:``, ``is:retweet``, ``is:reply``, ``is:quote``,
``has:media``, ``has:mentions``, ``has:hashtags``, ``lang:`` (accepted,
always true), negation with ``-``, ``OR``, parentheses. As on X, AND (a
space) binds tighter than OR, and a query needs at least one positive
stand-alone term (``-is:retweet`` alone is refused).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_QUERY_LENGTH = 512


class QueryError(ValueError):
    """The query is not valid; the message says why, as X's 400 would."""


@dataclass(frozen=True)
class SearchDoc:
    """What a query can see of one post."""

    text: str
    author_username: str
    in_reply_to_username: str | None = None
    is_retweet: bool = False
    is_reply: bool = False
    is_quote: bool = False
    has_media: bool = False


Predicate = Callable[[SearchDoc], bool]

_TOKEN = re.compile(r'\s*(?:(?P<paren>-?\(|\))|(?P<neg>-)?(?P<term>"[^"]*"|[^\s()"]+))')
_CONJUNCTION_REQUIRED = {"is", "has", "lang"}


def _word(text: str) -> re.Pattern[str]:
    # Whole-token match: "cure" must not match "secure"; "#" and "@" count as
    # boundaries so "tag" also matches "#tag", as on X.
    return re.compile(rf"(?<![\w]){text}(?![\w])", re.IGNORECASE)


def _term(raw: str) -> tuple[Predicate, bool]:
    """A predicate for one term, and whether it may stand alone."""
    if raw.startswith('"'):
        phrase = raw.strip('"').strip()
        if not phrase:
            raise QueryError("empty quoted phrase")
        pattern = _word(r"\s+".join(re.escape(w) for w in phrase.split()))
        return (lambda d: pattern.search(d.text) is not None), True
    if raw.startswith("#") and len(raw) > 1:
        tag = re.compile(rf"(?<![\w&])#{re.escape(raw[1:])}(?!\w)", re.IGNORECASE)
        return (lambda d: tag.search(d.text) is not None), True
    if raw.startswith("@") and len(raw) > 1:
        handle = re.compile(rf"(?<!\w)@{re.escape(raw[1:])}(?!\w)", re.IGNORECASE)
        return (lambda d: handle.search(d.text) is not None), True
    name, colon, value = raw.partition(":")
    if colon and name.isalpha() and value:
        return _operator(name.lower(), value), name.lower() not in _CONJUNCTION_REQUIRED
    pattern = _word(re.escape(raw))
    return (lambda d: pattern.search(d.text) is not None), True


def _operator(name: str, value: str) -> Predicate:
    low = value.lower().lstrip("@")
    if name == "from":
        return lambda d: d.author_username.lower() == low
    if name == "to":
        return lambda d: (d.in_reply_to_username or "").lower() == low
    if name == "lang":
        return lambda d: True
    flags: dict[tuple[str, str], Predicate] = {
        ("is", "retweet"): lambda d: d.is_retweet,
        ("is", "reply"): lambda d: d.is_reply,
        ("is", "quote"): lambda d: d.is_quote,
        ("has", "media"): lambda d: d.has_media,
        ("has", "mentions"): lambda d: "@" in d.text,
        ("has", "hashtags"): lambda d: "#" in d.text,
    }
    try:
        return flags[(name, low)]
    except KeyError:
        raise QueryError(f"Reference to invalid operator '{name}:{value}'") from None


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        stripped = query.rstrip()
        while pos < len(stripped):
            m = _TOKEN.match(stripped, pos)
            if m is None:
                raise QueryError(f"could not parse the query at character {pos + 1}")
            if m.group("paren"):
                self.tokens.append(("paren", m.group("paren")))
            else:
                kind = "neg" if m.group("neg") else "term"
                self.tokens.append((kind, m.group("term")))
            pos = m.end()
        self.i = 0
        self.has_positive = False

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Predicate:
        pred = self.or_expr(negated=False)
        if self.peek() is not None:
            raise QueryError("unbalanced ')' in the query")
        if not self.has_positive:
            raise QueryError("the query needs at least one positive, stand-alone term")
        return pred

    def or_expr(self, negated: bool) -> Predicate:
        parts = [self.and_expr(negated)]
        while self.peek() == ("term", "OR"):
            self.i += 1
            parts.append(self.and_expr(negated))
        if len(parts) == 1:
            return parts[0]
        return lambda d: any(p(d) for p in parts)

    def and_expr(self, negated: bool) -> Predicate:
        parts: list[Predicate] = []
        while (tok := self.peek()) is not None and tok not in (("paren", ")"), ("term", "OR")):
            parts.append(self.unary(negated))
        if not parts:
            raise QueryError("empty expression in the query")
        if len(parts) == 1:
            return parts[0]
        return lambda d: all(p(d) for p in parts)

    def unary(self, negated: bool) -> Predicate:
        kind, value = self.tokens[self.i]
        self.i += 1
        if kind == "paren" and value in ("(", "-("):
            negate = value == "-("
            inner = self.or_expr(negated or negate)
            if self.peek() != ("paren", ")"):
                raise QueryError("missing ')' in the query")
            self.i += 1
            return (lambda d: not inner(d)) if negate else inner
        if kind == "paren":
            raise QueryError("unexpected ')' in the query")
        if kind == "neg" and value == "OR":
            raise QueryError("'-OR' is not a valid term")
        pred, standalone = _term(value)
        if kind == "neg":
            return lambda d: not pred(d)
        if standalone and not negated:
            self.has_positive = True
        return pred


def parse_query(query: str) -> Predicate:
    """Compile a search query into a predicate over :class:`SearchDoc`."""
    if not query or not query.strip():
        raise QueryError("the query is empty")
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    return _Parser(query).parse()
