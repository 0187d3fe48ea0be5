"""Names of people in a patient or family context.

A name is only looked for right after a cue that says a person (not a clinician)
follows: "my husband", "patient", "Mrs.", "my name is", "praying for", or before
"in room/bed". Without a cue, capitalised words are left alone, which is what
keeps "Dr. Smith, what about..." and "Parkinson's" quiet. Capitalised candidates
are rejected when they are common words ("My son Will not..."); lowercase ones are
accepted only when they are known first names ("my daughter emily").
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from liveq.screening.findings import Finding

_RELATIONS = (
    r"(?:great[\s-]?)?(?:grand)?(?:mother|mom|mommy|mum|mama|father|dad|daddy|papa|son|daughter"
    r"|child|children|kid|kids|baby|boy|girl|brother|sister|husband|hubby|wife|partner|spouse"
    r"|fianc[eé]e?|boyfriend|girlfriend|bf|gf|friend|bestie|neighbou?r|aunt|auntie|aunty|uncle"
    r"|cousin|nephew|niece|grandma|grandpa|granny|nana|nan|gran|grandmother|grandfather"
    r"|grandson|granddaughter|grandchild|grandkid|twin|twins|coworker|co-worker|colleague"
    r"|roommate|classmate|patient|client|loved\s+one|little\s+one|sweetheart|stepson|stepdaughter|stepmom"
    r"|stepdad|stepmother|stepfather|stepbrother|stepsister|caregiver|carer|mil|fil"
    r"|mam[aá]|pap[aá]|madre|padre|hij[oa]|espos[oa]|herman[oa]|abuel[oa]|t[ií][oa]|prim[oa]"
    r"|m[eè]re|p[eè]re|fils|fille|mari|femme|fr[eè]re|s[oœ]eur)"
    r"(?:[\s-]in[\s-]law)?s?"
)
_MODIFIERS = (
    r"(?:(?:little|big|older|younger|baby|late|dear|beloved|best|elderly|eldest|youngest"
    r"|oldest|sweet|amazing|wonderful|\d{1,2}[\s-]?(?:year|yr|month|week|day)s?[\s-]?old)\s+){0,2}"
)
_POSSESSIVE = r"(?:my|our|his|her|their|your|mi|me)"
# "my 4 year old, Ava" has no relation word: the age phrase is the noun.
_AGE_NOUN = r"\d{1,2}[\s-]?(?:year|yr|month)s?[\s-]?old"
_TITLE_SKIP = r"(?:(?:dr|mr|mrs|ms|miss|mx|prof)\.?\s+)?"
_GAP = r"\s*[,(:\-–]?\s*"

_RELATION_CUE = re.compile(
    rf"(?i)\b{_POSSESSIVE}\s+{_MODIFIERS}(?:{_RELATIONS}|{_AGE_NOUN})\b(?:'s\s+name\s+is)?"
    rf"{_GAP}{_TITLE_SKIP}"
)
# "Husband: Greg Tanaka", "Uncle Dave", "Grandma Rosa" with no "my".
_LABEL_CUE = re.compile(
    rf"(?i)\b(?:{_RELATIONS}|patient|paciente|pt|name|nombre)\s*:\s*{_TITLE_SKIP}"
)
_KIN_TITLE_CUE = re.compile(
    r"\b(?:Uncle|Aunt|Auntie|Aunty|Grandma|Grandpa|Granny|Nana|Papa|Cousin)\s+"
)
_PATIENT_CUE = re.compile(
    rf"(?i)\b(?:patients?|pacientes?|pt\.?|resident|client)\s+{_TITLE_SKIP}(?=[A-Z])"
)
_HONORIFIC_CUE = re.compile(r"(?i)\b(?:mr|mrs|ms|miss|mx)\.?\s+(?=[A-Z])")
_INTRO_CUE = re.compile(
    r"(?i)\b(?:my\s+name\s+is|my\s+name's|name\s+is|named|called|i\s+am|i'?m|im|this\s+is|it'?s"
    r"|soy|me\s+llamo|mi\s+nombre\s+es|goes\s+by|go\s+by|known\s+as|nicknamed"
    r"|love\s+from|regards|signed)\s+(?=[A-Z])"
)
_SUPPORT_CUE = re.compile(
    r"(?i)\b(?:pray(?:ing|ers)?\s+for|get\s+well(?:\s+soon)?|go|sending\s+(?:love|prayers|hugs)"
    r"(?:\s+to)?|love\s+you|hi\s+to|hello\s+to|shout\s?out\s+to|thoughts\s+(?:are\s+)?with"
    r"|thinking\s+of|rooting\s+for|say\s+hi\s+to|happy\s+birthday(?:\s+to)?|congrats\s+to"
    r"|miss\s+you|rip|rest\s+in\s+peace)[\s,!]+(?=[A-Z])"
)
# Clinicians and chaplains are not PHI: "say hi to Dr. Chen", "This is Father Michael".
_CLINICIAN = re.compile(
    r"(?i)(?:dr|doctor|nurse|prof|professor|surgeon|rn|np|pa|father|pastor|rabbi|reverend|rev"
    r"|imam|chaplain)\b\.?"
)
_PLACE_AFTER = re.compile(
    r"\s+(?:in|at)\s+(?:room|rm\.?|bed|bay|pre-?op|post-?op|the\s+(?:icu|nicu|picu|ccu|er|ed"
    r"|or|ward|unit|hospital))\b",
    re.IGNORECASE,
)
_CAPITALISED_WORD = re.compile(r"\b[A-Z][a-z]+(?:['’-][A-Za-z]+)?\b")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_JOIN = re.compile(r"\s+(?:and|&)\s+")
_PARTICLES = frozenset({"de", "del", "della", "da", "di", "van", "von", "der", "la", "le", "du"})


@cache
def _word_set(name: str) -> frozenset[str]:
    text = resources.files("liveq.screening.data").joinpath(name).read_text("utf-8")
    words = (w for line in text.splitlines() if not line.startswith("#") for w in line.split())
    return frozenset(w.casefold() for w in words)


@cache
def common_words() -> frozenset[str]:
    return _word_set("common_words.txt")


@cache
def procedure_words() -> frozenset[str]:
    """Procedures, parts of the body and sides ("orif", "wrist", "left"): an operating
    list's words, never a patient's name."""
    return _word_set("procedure_words.txt")


@cache
def first_names() -> frozenset[str]:
    return _word_set("first_names.txt") - common_words()


_DOES_AFTER = re.compile(
    r"(?i)(?:\s*,)?\s+(?:is|was|has|had|got|gets|keeps|kept|needs|wants|just|still|can|will"
    r"|says|said|asked|told)\b"
)


def _unlisted_name(text: str, end: int, key: str) -> bool:
    """"my brother kev is getting...": a short form no list has and no common word,
    doing something (so "my moms appt" is not a name)."""
    from liveq.screening.phi import lexicon

    return (
        len(key) >= 3
        and key not in common_words()
        and lexicon.zipf(key) < 3.6
        and not lexicon.is_word(key)
        and lexicon.zipf(key, "es") < 4.0
        and _DOES_AFTER.match(text, end) is not None
    )


def _spanish_word(key: str) -> bool:
    from liveq.screening.phi import lexicon

    return lexicon.zipf(key, "es") >= 4.5 and lexicon.zipf(key, "es") > lexicon.zipf(key) + 1


def _strip_possessive(token: str) -> str:
    for suffix in ("'s", "’s"):
        if token.endswith(suffix):
            return token[: -len(suffix)]
    return token


def _is_capitalised(token: str) -> bool:
    # "ER", "ICU", "COPD" are acronyms, not names.
    return token[:1].isupper() and not (len(token) > 1 and token.isupper())


def _name_at(text: str, pos: int, *, need_capital: bool) -> tuple[int, int] | None:
    """The span of a person's name starting at ``pos``, or None."""
    common, names = common_words(), first_names()
    m = _TOKEN.match(text, pos)
    if not m:
        return None
    first = _strip_possessive(m.group())
    key = first.casefold()
    nxt = _TOKEN.match(text, m.end() + 1) if m.end() < len(text) and text[m.end()] == " " else None
    if _is_capitalised(first):
        if key in common:
            # "This is Bill Carter" is a name; "My son Will not" is not.
            if not (nxt and _is_capitalised(nxt.group()) and nxt.group().casefold() not in common):
                return None
    elif need_capital or not (key in names or _unlisted_name(text, m.end(), key)):
        return None
    elif _spanish_word(key):
        return None  # "mi papá está en...": ESTA is a census name, "está" a verb
    start, end = m.start(), m.start() + len(first)
    lowercase = not _is_capitalised(first)
    # Extend with surname tokens: "Jane Doe", "Garcia-Lopez", "de la Cruz", "linda kowalski".
    cur = m
    for _ in range(3):
        if _strip_possessive(cur.group()) != cur.group():
            break
        if cur.end() >= len(text) or text[cur.end()] != " ":
            break
        nxt = _TOKEN.match(text, cur.end() + 1)
        if not nxt:
            break
        word = _strip_possessive(nxt.group())
        wkey = word.casefold()
        if wkey in _PARTICLES:
            cur = nxt
            continue
        ok = (
            (_is_capitalised(word) and wkey not in common)
            or (lowercase and word.islower() and len(word) > 2 and wkey not in common
                and wkey not in names and _ends_clause(text, nxt.end()))
        )
        if not ok:
            break
        end = nxt.start() + len(word)
        cur = nxt
    return start, end


def _ends_clause(text: str, pos: int) -> bool:
    # A lowercase surname guess is only safe when a verb or punctuation follows it.
    rest = text[pos:pos + 12].lstrip()
    if not rest or rest[0] in ",.;:!?)":
        return True
    word = _TOKEN.match(rest)
    return bool(word) and word.group().casefold() in common_words()


def find_names(text: str) -> list[Finding]:
    out: list[Finding] = []

    def add(pos: int, reason: str, need_capital: bool) -> None:
        if _CLINICIAN.match(text, pos) or _KIN_TITLE_CUE.match(text, pos):
            return
        span = _name_at(text, pos, need_capital=need_capital)
        if span is None:
            return
        out.append(Finding("name", span[0], span[1], reason))
        # "My twins Noah and Liam": a second first name joined by "and".
        j = _JOIN.match(text, span[1])
        if j:
            second = _TOKEN.match(text, j.end())
            if second and _is_capitalised(second.group()) and (
                _strip_possessive(second.group()).casefold() in first_names()
            ):
                s_end = second.start() + len(_strip_possessive(second.group()))
                out.append(Finding("name", second.start(), s_end, reason))

    for m in _RELATION_CUE.finditer(text):
        cue = " ".join(text[m.start():m.end()].split()).rstrip(" ,(:-–").lower()
        add(m.end(), f"name after '{cue}'", need_capital=False)
    if ":" in text:  # cheap gate: this pattern is the slowest of the cues
        for m in _LABEL_CUE.finditer(text):
            add(m.end(), "name after a label", need_capital=False)
    for cue, reason in (
        (_KIN_TITLE_CUE, "name after a family title"),
        (_PATIENT_CUE, "patient's name"),
        (_HONORIFIC_CUE, "name after Mr./Mrs./Ms."),
        (_INTRO_CUE, "person introduced by name"),
        (_SUPPORT_CUE, "name in a get-well or greeting message"),
    ):
        for m in cue.finditer(text):
            add(m.end(), reason, need_capital=True)
    for m in _CAPITALISED_WORD.finditer(text):
        if _PLACE_AFTER.match(text, m.end()) and m.group().casefold() not in common_words():
            before = text[max(0, m.start() - 6):m.start()]
            if not re.search(r"(?i)\b(?:dr|nurse)\.?\s*$", before):
                add(m.start(), "name of someone in a room or unit", need_capital=True)
    return out
