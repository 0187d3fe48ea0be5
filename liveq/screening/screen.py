"""screen_text: every stateless check on one question's text, read through its normalised copy."""

from __future__ import annotations

from dataclasses import dataclass

from liveq.screening.findings import Finding
from liveq.screening.language import detect_language
from liveq.screening.normalise import normalise
from liveq.screening.phi import detect_phi
from liveq.screening.profanity import find_profanity
from liveq.screening.rules import DEFAULT_RULES, ScreeningRules
from liveq.screening.watchlist import find_watch_list


def _longest_per_kind(findings: list[Finding]) -> list[Finding]:
    # A phrase and a word inside it ("piece of shit" / "shit"): keep the wider one.
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-(f.end - f.start), f.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return kept


def screen_text(text: str, *, rules: ScreeningRules | None = None) -> list[Finding]:
    """Possible PHI, profanity and watch-list phrases in ``text``, sorted by start.

    Every detector reads the normalised copy (no invisible characters, look-alike
    digits, dashes and letters read as ASCII; see ``normalise``); the spans are mapped
    back to ``text`` and cover every character the finding was written with.

    Pure and fast; near-duplicates and floods need an event's state and live in
    :class:`DuplicateIndex` and :class:`FloodMeter`.
    """
    rules = rules or DEFAULT_RULES
    copy = normalise(text)
    read = copy.text
    found: list[Finding] = []
    if rules.check_phi:
        found += detect_phi(read, rules)
    if rules.check_profanity:
        found += _longest_per_kind(find_profanity(read, rules))
    if rules.watch_list:
        found += _longest_per_kind(find_watch_list(read, rules))
    if copy.starts is not None:
        found = [Finding(f.kind, *copy.span(f.start, f.end), f.reason) for f in found]
    return sorted(found, key=lambda f: (f.start, f.end, f.kind))


def screen_name(name: str, *, rules: ScreeningRules | None = None) -> list[Finding]:
    """Findings in an asker's name: those of :func:`screen_text`, except "a name".

    The field is there for a name, so one is no finding; a phone number, an email,
    a room or profanity in it are. An X handle is read without its "@", which the
    profanity check would otherwise read as an "a".
    """
    shift = 1 if name.startswith("@") else 0
    return [
        Finding(f.kind, f.start + shift, f.end + shift, f.reason)
        for f in screen_text(name[shift:], rules=rules)
        if f.kind != "name"
    ]


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """One question screened: its findings and the language it is written in.

    ``lang`` is an ISO 639 code ("en", "es") or None when the text is too short to
    tell; a page can render the question with ``lang=...`` and a moderator filter by it.
    """

    findings: tuple[Finding, ...]
    lang: str | None

    def as_dict(self) -> dict[str, object]:
        return {"findings": [f.as_dict() for f in self.findings], "lang": self.lang}


def screen_question(text: str, *, rules: ScreeningRules | None = None) -> ScreeningResult:
    """:func:`screen_text` and :func:`detect_language` of one question, together."""
    return ScreeningResult(tuple(screen_text(text, rules=rules)), detect_language(text))


# Touches every table the checks read: first names and surnames, English and Spanish
# words, dates, numbers, contacts, a handle.
_WARM_UP_QUESTION = (
    "Is Maria Gonzalez in room 412 ok? Nació el 3 de mayo de 1970; ¿le duele la rodilla? "
    "Call 555-201-3344 or maria@example.org, born 02/14/1952, MRN 1234567, bed 4B."
)


def warm_up(rules: ScreeningRules | None = None) -> None:
    """Read the name and word tables now rather than on the first question.

    They take about a second to load, once per process; a server calls this off its
    event loop at start, so the first question asked does not stall every socket.
    """
    screen_question(_WARM_UP_QUESTION, rules=rules)
    screen_name("@maria_g", rules=rules)
