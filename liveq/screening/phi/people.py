"""Names of people without a cue, in any case, and every name found made whole.

``names.py`` finds a name after a cue ("my husband", "Mrs.", "praying for"). People
also just write the name: "Is Dr. Patel operating on Kevin Brooks today?", "jose luis
hernandez is in the cardiac icu", "JOHNSON, MARY dob on the wristband is wrong". This
module reads each word against census name tables and word frequencies
(``lexicon.py``) and fires on

- a first name followed by a surname (or by a word that is no common word at all:
  "Denise Okonkwo"), capitalised or all lowercase, and "LAST, FIRST";
- a first name or surname alone where the context says it is a person: capitalised in
  the middle of a sentence ("can Gladys have visitors"), followed by what people do
  ("Hope is still waiting for her results"), or after a verb that takes a person
  ("tell jamal", "discharge kevin at 2am"); names that are also common words ("Will",
  "Hope", "Mark") need that context, and "Will Baker go home" is a name where "will be"
  is not;
- a name inside a support hashtag ("#JakeStrong", "#TeamTeresa", "#prayersforElijah").

Then every name finding (with a cue or not) is stretched over the name's other parts,
so a redaction covers "jose luis hernandez", not "jose". Never a finding: the event's
staff (``ScreeningRules.staff_names``: every part of their names, in any case), a
clinician after "Dr."/"Nurse", @handles, eponyms ("lou gehrig's disease", "Mayo
Clinic", "Parkinson's"), and a short list of public figures (``data/public_figures.txt``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from liveq.screening.findings import Finding
from liveq.screening.language import detect_language
from liveq.screening.phi import lexicon as lx
from liveq.screening.phi.names import common_words

_TOKEN = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"(?i)'s?$")
# Between two words, one of these starts a sentence (a dash, a bracket or a quote too).
_SENTENCE_BREAK = re.compile(r"[.!?:;\n\u2014\u2013(\"]")
_HANDLE_BEFORE = re.compile(r"[@#][\w]*$")

# Words after which the next capitalised word starts a title, not a person ("Dr. Patel").
_CLINICIAN = frozenset(
    "dr doctor doctora doc dra nurse prof professor surgeon rn np md pa father pastor rabbi"
    " reverend rev imam chaplain sister fr coach judge senator president governor".split()
)
# Before a place or an institution named after someone: "St Jude", "San Diego", "Fort Worth".
_PLACE_PREFIX = frozenset("st saint san santa mount mt fort ft lake port new".split())
# After a name: an institution, a street, or a disease named after someone.
_EPONYM_AFTER = frozenset(
    "clinic hospital hospitals university institute foundation center centre medical health"
    " college school memorial street st avenue ave road rd boulevard blvd county city park"
    " river lake bay disease diseases syndrome disorder palsy sign test maneuver manoeuvre"
    " method diet lymphoma cyst law scale score criteria effect reflex fracture tumor tumour"
    " ulcer hernia classification technique protocol procedure surgery operation award prize"
    " trial study scholarship children's fund cancer heart body bodies scores family"
    " console robot system".split()
)
# After a person's name and "'s", these are theirs: "pete sandoval's family".
_PERSONAL_AFTER_POSSESSIVE = frozenset(
    "family surgery procedure operation heart cancer body scores score test trial study"
    " fund".split()
)
# Used bare in the possessive, as the disease: "Is Parkinson's hereditary?". Medical
# eponyms every patient audience uses; a person of that name is still found after a cue.
_DISEASE_EPONYMS = frozenset(
    "parkinson alzheimer crohn hashimoto hodgkin huntington graves addison cushing tourette"
    " asperger raynaud sjogren meniere paget bell kawasaki wilson gehrig lyme marfan down"
    " kaposi hirschsprung bright hirsch peyronie dupuytren guillain barre".split()
)
# Diseases named after two people, written with a hyphen: "Is Guillain-Barre a side effect".
_HYPHENATED_EPONYMS = frozenset(
    "guillain-barre epstein-barr creutzfeldt-jakob charcot-marie-tooth wolff-parkinson-white"
    " stevens-johnson ehlers-danlos osgood-schlatter legg-calve-perthes von-willebrand"
    " arnold-chiari dandy-walker prader-willi smith-magenis wernicke-korsakoff".split()
)
# Family words that are also census first names ("say hi to nana"): kin, not a name.
_KIN = frozenset(
    "nana nan gran granny grandma grandpa papa mama mommy daddy mum auntie aunty sis bro"
    " hubby bestie babe honey buddy doc mimi memaw pawpaw gigi nonna nonno abuela abuelo"
    " tia tio".split()
)
# Right before a name and typed in any case: "mrs kowalczyk", "aunt pat", "baby amara".
_TITLE_BEFORE = frozenset(
    "mr mrs ms miss mx senor senora sr sra srta don dona aunt auntie aunty uncle grandma"
    " grandpa granny nana papa cousin baby tia tio abuela abuelo little lil".split()
)
_PRONOUN = frozenset("he she him her his hers himself herself he's she's".split())
# After a word at the start of a sentence, these make it a verb: "Hope you're well",
# "Will you post", "Mark the slides", "Bill me later".
_VERB_READING = frozenset(
    "you you're your i i'm we we're they it it's that this so to the a an me my us them all"
    " everyone everybody he she".split()
)
# What people do, said right after their name (with is/was/has... and an adverb).
_PREDICATE = re.compile(
    r"(?i)^(?:'s\s+|\s+)(?:(?:is|was|be|has\s+been|had\s+been|will\s+be|just|still|finally|now"
    r"|also|already|really|not|never|keeps|kept)\s+){0,3}"
    r"(?:waiting|asking|asked|coming|came|going|went|getting|get|got|feeling|felt|doing|staying"
    r"|recovering|resting|sleeping|awake|crying|wants|wanted|needs|needed|told|says|said"
    r"|started|starts|broke|fell|passed|died|home|in\s+(?:pre-?op|post-?op|surgery|recovery|the\s+(?:icu|er|ed"
    r"|hospital|nicu|picu|or|ward))|out\s+of\s+surgery|allowed|scheduled|due|discharged"
    r"|admitted|supposed|moved|transferred|taken\s+to|seen\s+by|complaining|hoping|wondering|keeps|can't|cant|couldn't|didn't|doesn't|won't"
    r"|is\s+on\s+the|on\s+the\s+(?:transplant|waiting|wait)\s+list|off\s+the\s+\w+"
    r"|intubated|extubated|sedated|stable|awake|asleep|and\s+i|(?:have|get|receive)\s+visitors)\b"
)
# A verb that takes a person right after it: "tell jamal", "discharge kevin at 2am".
_PERSON_VERB = frozenset(
    "tell told ask asked discharge discharged discharging see saw visit visiting visited call"
    " called text texted hug love miss thank thanks help helped helping meet met check"
    " checking about hi hey hello dear congrats congratulations wish wishing bring brought"
    " take took send sent with for and or to is was did does can could will has had get got"
    " operating operate on let".split()
)
_SEASONS = frozenset(
    "spring summer autumn fall winter january february march april may june july august"
    " september october november december".split()
)
# Spanish verbs of going: "a" after them is a destination, not a person.
_GOING = frozenset(
    "voy vas va vamos van fui fue fuimos fueron ir iba ibamos ire iremos llegue llego"
    " llegamos llegaron llegar viajo viaja viajamos viajan viajar viaje regreso regresamos"
    " regresar volver vuelvo volvemos vengo vino venir mudamos mudarnos mudarse entrar"
    " entramos salimos".split()
)
# After "can/does/did <Name>": what a person does ("can Rose have ice chips").
_BARE_VERBS = frozenset(
    "have get go come eat drink need take see walk leave shower bring sleep stay call talk"
    " hear fly drive return start stop wear sit visit sign want feel know".split()
)
# Before a name, these ask a question about the person: "can Gladys have visitors".
_INVERSION = frozenset(
    "can could does did is was will would should has have may might must".split()
)
_TITLEISH_SHARE = 0.6
# "she goes by KJ": initials are a nickname after these words.
_INITIALS = re.compile(r"(?i:\b(?:goes|go|going|known)\s+(?:by|as))\s+(?P<n>[A-Z]{2,3})\b")
_PARTICLES = frozenset("da de del della di du van von der la le".split())
_ROLE_AFTER = re.compile(
    r"(?i)(?:,\s*|\s+(?:is\s+|was\s+|will\s+be\s+)?)(?:the\s+|our\s+|your\s+|a\s+)?"
    r"(?:new\s+|former\s+|interim\s+)?(?:chief|head|director|ceo|cfo|coo|cmo|cno|president"
    r"|vice\s+president|manager|chair|dean|presenter|speaker|host|moderator|surgeon|physician"
    r"|attending|resident|fellow|nurse|doctor|therapist|pharmacist|chaplain|receptionist"
    r"|social\s+worker|volunteer|md|rn|phd)\b"
)
# "CEO, Sandra Lee", "our presenter Ana Okafor": a staff role just before the name.
_ROLE_BEFORE = re.compile(
    r"(?i)\b(?:ceo|cfo|coo|cmo|cno|director|manager|chief|president|chair|dean|coordinator"
    r"|officer|presenter|speaker|host|moderator|practitioner|physician|surgeon|therapist"
    r"|pharmacist|dietitian|nutritionist|technician|technologist|educator|navigator"
    r"|specialist|midwife|paramedic|counsel+or|[a-z]+ologist|chef)\s*[,:]?\s*$"
)
# "the Ken Burns documentary", "the Johnson & Johnson vaccine": a thing named after someone.
_DETERMINER_BEFORE = re.compile(r"(?i)\b(?:the|a|an)\s+$")
_WORD_AFTER = re.compile(r"(?:'s)?\s+(?:&\s+\w+\s+)?[a-z]")
# Auxiliaries that are also first names: alone they are verbs ("My son Will not...").
_MODAL_NAMES = frozenset("will may can must might".split())
# The last word of a place, not a surname: "Sycamore Court", "Lincoln Park Hospital".
_PLACE_WORDS = frozenset(
    "court street avenue road lane drive circle boulevard way place terrace square"
    " hospital clinic center centre county city university college school church".split()
)
_NUMBER_AFTER = re.compile(r"\s*#?\d")  # "ward 6", "bed 3": a place, not a person
_HASHTAG = re.compile(
    r"#(?P<pre>(?i:team|prayers?for|pray4|prayfor|praying4|prayingfor|love4|lovefor|go"
    r"|justicefor))?(?P<name>[A-Z][a-z]+?|(?<=[a-z])[a-z]+?)"
    r"(?P<post>(?i:strong|army|nation|warrior|tough|fights?|forever))?\b"
)


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int  # without a possessive 's
    word: str
    key: str
    possessive: bool
    title: bool  # Capitalised (not all capitals)
    caps: bool  # ALL CAPITALS, two letters or more
    lower: bool
    sentence_start: bool


@cache
def public_figures() -> tuple[tuple[str, ...], ...]:
    """Famous people as folded word tuples ("michael", "j", "fox"); see the data file."""
    text = resources.files("liveq.screening.data").joinpath("public_figures.txt")
    out = []
    for line in text.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(tuple(lx.fold(w) for w in re.findall(r"[^\W\d_]+", line)))
    return tuple(out)


@cache
def _staff_keys(staff: tuple[str, ...]) -> frozenset[str]:
    keys = set()
    for name in staff:
        for word in re.findall(r"[^\W\d_]+", name):
            key = lx.fold(word)
            if key not in _CLINICIAN and key not in ("mr", "mrs", "ms", "mx", "phd", "do"):
                keys.add(key)
    return frozenset(keys)


@cache
def _staff_surnames(staff: tuple[str, ...]) -> frozenset[str]:
    out = set()
    for name in staff:
        words = [lx.fold(w) for w in re.findall(r"[^\W\d_]+", name)]
        words = [w for w in words if w not in _CLINICIAN and w not in ("md", "phd", "rn", "do")]
        if words:
            out.add(words[-1])
    return frozenset(out)


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    prev_end = 0
    for m in _TOKEN.finditer(text):
        gap = text[prev_end:m.start()]
        first_of_sentence = (
            not out and not text[:m.start()].strip(" \"'(")
        ) or bool(_SENTENCE_BREAK.search(gap))
        prev_end = m.end()
        word = m.group()
        end = m.end()
        possessive = False
        p = _POSSESSIVE.search(word)
        if p and len(word) > 3 and (word.endswith("'s") or word.endswith("'")):
            word = word[: p.start()]
            end = m.start() + len(word)
            possessive = True
        caps = len(word) > 1 and word.isupper()
        out.append(_Tok(
            m.start(), end, word, lx.fold(word), possessive,
            word[:1].isupper() and not caps, caps, word.islower(), first_of_sentence,
        ))
    return out


def _adjacent(text: str, a: _Tok, b: _Tok) -> bool:
    return not a.possessive and text[a.end:b.start] == " "


@cache
def _classes(key: str) -> tuple[bool, bool, bool, bool]:
    """(first name, surname, a word first, no common word at all) for one folded token."""
    parts = key.split("-") if "-" in key else [key]
    if "'" in key:
        # "o'sullivan" is OSULLIVAN in the census tables, "d'angelo" DANGELO.
        parts = [p.replace("'", "") for p in parts]
    first = any(lx.is_first_name(p) for p in parts)
    last = any(lx.is_surname(p) or p in ("al", "el", "o'", "d'") for p in parts)
    rare = all(lx.is_rare(p) for p in parts)
    if key in common_words() or len(key) <= 2 or key in _KIN:
        return first, last, True, False
    word = not rare and lx.is_word(key) if len(parts) == 1 else all(lx.is_word(p) for p in parts)
    return first, last, word, rare


def _abroad_first(key: str) -> bool:
    """A first name only faker knows; of a hyphenated word, every part that is one."""
    parts = [p for p in key.split("-") if lx.is_first_name(p)] if "-" in key else [key]
    return bool(parts) and all(lx.first_name_only_abroad(p) for p in parts)


def _namey(t: _Tok) -> bool:
    first, last, word, rare = _classes(t.key)
    return (first or last or rare) and not word


def _person_after(text: str, t: _Tok) -> bool:
    """Does the clause after ``t`` say it is a person: a predicate or a he/she later?"""
    rest = text[t.end:t.end + 70]
    if _PREDICATE.match(rest if not t.possessive else rest[2:]):
        return True
    clause = re.split(r"[.!?;\n]", rest, maxsplit=1)[0]
    words = re.findall(r"[a-z']+", clause.lower())
    if t.sentence_start and words and words[0] in _VERB_READING:
        return False  # "Hope she gets better": a verb, and its subject
    skip = 1 if t.sentence_start else 0
    return any(w in _PRONOUN for w in words[skip:])


def _personal_a(text: str, prev: str, before: int) -> bool:
    """Spanish marks a person object with "a": "avisarle a Ximena", "busco a Yolanda".

    ``before`` is where that "a" starts; after a verb of going it is a place ("voy a
    Tijuana", "llegamos a Houston").
    """
    if prev != "a":
        return False
    verb = re.search(r"([^\W\d_]+)\s*$", text[:before])
    if verb and lx.fold(verb.group(1)) in _GOING:
        return False
    return detect_language(text) == "es"


def _asked_about(text: str, tokens: list[_Tok], i: int) -> bool:
    """A capitalised name in mid-sentence as the subject of a question or of "let ... know".

    "can Rose have ice chips", "does Faith need to fast", "let Skip know": an auxiliary
    (or "let") before it and a bare verb a person does after it.
    """
    t = tokens[i]
    if t.sentence_start or i == 0 or t.possessive:
        return False
    nxt = re.match(r"\s+([a-z']+)", text[t.end:])
    if nxt is None:
        return False
    prev, verb = tokens[i - 1].key, nxt.group(1)
    if t.key in _SEASONS:
        return False  # "Does Spring have more pollen"
    if prev == "let":
        return verb == "know"
    return prev in _INVERSION and verb in _BARE_VERBS


def _verb_reading(text: str, t: _Tok) -> bool:
    nxt = re.match(r"\s+([A-Za-z']+)", text[t.end:])
    return bool(nxt) and nxt.group(1).lower() in _VERB_READING


def _prev_word(tokens: list[_Tok], i: int) -> str:
    return tokens[i - 1].key if i > 0 else ""


def _blocked(text: str, tokens: list[_Tok], i: int) -> bool:
    """A title, handle or place word before token ``i``, or a staff role after it."""
    t = tokens[i]
    if _HANDLE_BEFORE.search(text[max(0, t.start - 40):t.start]):
        return True
    if i > 0 and tokens[i - 1].end >= t.start - 3:
        prev = tokens[i - 1].key
        if prev in _CLINICIAN or prev in _PLACE_PREFIX:
            return True
        if text[tokens[i - 1].end:t.start].strip() == "-":
            return True  # "non-Hodgkin"
        # "Dr. Amara Osei", "Nurse Manager Tasha Greene": a title two words back.
        for k in (i - 2, i - 3):
            if k >= 0 and tokens[k].key in _CLINICIAN and _chain(text, tokens, k, i):
                return True
    return False


def _chain(text: str, tokens: list[_Tok], k: int, i: int) -> bool:
    """Tokens k..i follow one another with only spaces or a dot between them, capitalised."""
    for j in range(k, i):
        gap = text[tokens[j].end:tokens[j + 1].start]
        if gap not in (" ", ". ") or not (tokens[j + 1].title or tokens[j + 1].caps):
            return False
    return True


def _staff_role_after(text: str, end: int) -> bool:
    """"Jessica Alvarez, chief of surgery", "... the new chief nursing officer"."""
    return _ROLE_AFTER.match(text, end) is not None


def _eponym_after(text: str, t: _Tok, possessive: bool) -> bool:
    after = re.match(r"(?:'s?)?\s+([A-Za-z']+)", text[t.end:])
    if after is None:
        return possessive and t.key in _DISEASE_EPONYMS
    word = after.group(1).lower()
    if word in _EPONYM_AFTER and not (possessive and word in _PERSONAL_AFTER_POSSESSIVE):
        return True  # "Mayo Clinic", "lou gehrig's disease"; not "Sandoval's family"
    return possessive and t.key in _DISEASE_EPONYMS


def _titleish(tokens: list[_Tok]) -> bool:
    """Headline style or all capitals: capitals say little about names then."""
    long = [t for t in tokens if len(t.word) > 3]
    if len(long) < 4:
        return False
    return sum(1 for t in long if t.title or t.caps) / len(long) >= _TITLEISH_SHARE


def _pair(text: str, tokens: list[_Tok], i: int, titleish: bool) -> bool:
    """Is tokens[i], tokens[i+1] a first name and a surname?"""
    a, b = tokens[i], tokens[i + 1]
    if not _same_style(a, b) or not _adjacent(text, a, b):
        return False
    fa, la, wa, ra = _classes(a.key)
    fb, lb, wb, rb = _classes(b.key)
    if not (fa or la or ra or not wa) or not (lb or rb or fb) or _blocked(text, tokens, i):
        return False
    if wa and _abroad_first(a.key):
        return False  # "prior auth", "Can Grace...": a word that is a first name elsewhere
    if b.key in _PLACE_WORDS or (lx.zipf(a.key) >= 6 and a.key not in _MODAL_NAMES):
        return False  # "Sycamore Court", "My Aetna" ("Will Baker" is a name)
    if _staff_role_after(text, b.end):
        return False
    if a.title and b.title or (a.caps and b.caps and not titleish):
        neutral = not (fa or la or wa or ra)  # "Sven": in no list, not a common word
        if not (fa or ra or (neutral and lb and not wb)) or not (lb or rb or fb):
            return False
        if not wa and not wb:
            if ra and rb and not (fa or la or fb or lb):
                # Two words of no list ("Meine Nummer", "Phonak Audéo", "Kwame Mensah"):
                # only in a clause about a person.
                return _person_after(text, b) or _prev_word(tokens, i) in _PERSON_VERB
            return True
        if wa and not wb:
            return (lb or rb) and not titleish  # "Will Baker"; not "Will Ana"
        if not wa and wb:
            return lb and not titleish
        # Both are words too ("Grace Hill", "Mark Stone"): capitals in mid-sentence, or
        # a clause that says it is a person.
        return fa and lb and not titleish and (not a.sentence_start or _person_after(text, b))
    if a.lower and b.lower:
        if not fa or not (lb or rb) or len(a.word) < 3 or len(b.word) < 3:
            return False
        # "una cirugía", "bebé ayer": everyday Spanish, not a first name and a surname;
        # but Spanish first names are frequent Spanish words too ("josé luis ramírez").
        if lx.zipf(b.key, "es") >= 4.3 and not lb:
            return False
        if lx.zipf(a.key, "es") >= 5.0 and not (fa and lb and lx.zipf(a.key, "es") < 5.8):
            return False
        if lx.zipf(b.key) >= 5.3 or (
            lx.zipf(b.key, "es") >= 5.0 and not (fb and lb and lx.zipf(b.key, "es") < 5.8)
        ):
            return False
        if wa:
            return not wb and lx.zipf(b.key) < 3.6 and lx.zipf(a.key) < 5.5
        return not wb or lb
    return False


def _single(text: str, tokens: list[_Tok], i: int, titleish: bool) -> bool:
    """Is tokens[i], alone, a person's name here?"""
    t = tokens[i]
    if len(t.word) < 3 or t.caps:
        return False
    first, last, word, rare = _classes(t.key)
    if not (first or last or rare):
        return False
    if t.lower and not first and i > 0 and tokens[i - 1].key not in _TITLE_BEFORE:
        # A surname alone in lowercase, asked about with what people do: "is kowalczyk
        # out of surgery". A drug or a word of no list is not enough ("is metformin ok").
        return (
            last and not word and tokens[i - 1].key in _INVERSION | _PERSON_VERB
            and not _blocked(text, tokens, i)
            and _PREDICATE.match(text[t.end:t.end + 70]) is not None
        )
    if _blocked(text, tokens, i) or _NUMBER_AFTER.match(text, t.end):
        return False
    prev = _prev_word(tokens, i)
    if prev in _TITLE_BEFORE and (t.title or t.lower) and tokens[i - 1].end >= t.start - 4:
        # "mrs kowalczyk", "aunt pat", "baby amara": the title says a person follows.
        if t.key in common_words() or lx.zipf(t.key, "es") >= 5.5:
            return False  # "mi papá está...": a verb
        if prev in ("little", "lil"):
            return first and not word  # "little mateo"; not "little bumps", "little rock"
        return first or not word
    if _staff_role_after(text, t.end):
        return False
    if t.title and not titleish:
        if word:
            # "Hope is still waiting for her results", "does Bill need to bring his cpap",
            # "can Rose have ice chips", "let Skip know".
            return (
                first
                and t.key not in _MODAL_NAMES
                and not _verb_reading(text, t)
                and (_person_after(text, t) or _asked_about(text, tokens, i))
            )
        if not t.sentence_start and first and (
            not _abroad_first(t.key)
            or (rare and (
                prev in _PERSON_VERB | _INVERSION or _personal_a(text, prev, tokens[i - 1].start)
            ))
        ):
            # "can Gladys have visitors"; a name only faker knows needs to be no common
            # word and asked about ("any news on Dariusz"; not "we fly to Bali").
            return True
        if _eponym_after(text, t, t.possessive):
            return False
        if prev in _PARTICLES and tokens[i - 1].lower:
            return False  # "the da Vinci": part of a name with a particle, a thing here
        if not t.sentence_start and last and (
            prev in _PERSON_VERB or prev in _INVERSION or t.possessive
        ):
            return True  # "done with Ortiz yet", "did Vasquez get moved", "Brennan's case"
        # A surname alone needs a predicate ("Ortiz is asking"); "he" later is not enough
        # ("I read Dickens as a kid and he described...").
        rest = text[t.end:t.end + 70]
        if _PREDICATE.match(rest if not t.possessive else rest[2:]) is not None:
            return True
        # A first name, or a word of no list asked about ("can Takeshi drive himself").
        return (first or (rare and prev in _INVERSION | _PERSON_VERB)) and _person_after(text, t)
    if t.lower and first and not word and (rare or not _abroad_first(t.key)):
        prev = _prev_word(tokens, i)
        return prev in _PERSON_VERB or _person_after(text, t)
    return False


def _last_first(text: str, tokens: list[_Tok]) -> list[tuple[int, int]]:
    """A surname, a comma, a first name, in any case.

    "JOHNSON, MARY", "Reyes, Angela", "FOLEY, PATRICK J", "DELACROIX, HENRI" (a surname
    in no list before a known first name), "Okoro, Chidinma" (a known surname before a
    first name in no list), "kowalski, anna".
    """
    spans = []
    for i in range(len(tokens) - 1):
        a, b = tokens[i], tokens[i + 1]
        if text[a.end:b.start] not in (", ", ","):
            continue
        upper = (a.caps or a.title) and (b.caps or b.title)
        if not (upper or (a.lower and b.lower)) or len(a.word) < 2 or len(b.word) < 2:
            continue
        fa, la, wa, ra = _classes(a.key)
        fb, lb, wb, rb = _classes(b.key)
        listed = la and fb and not (wa and wb)
        one_listed = (la or ra) and (fb or rb) and (la or fb) and not wa and not wb
        if a.lower:
            # Lowercase: both in a name list, neither a word ("smith, john"; not "ok, tab").
            if not (la and fb and not wa and not wb) or (
                lx.only_abroad(a.key) and lx.only_abroad(b.key)
            ):
                continue
        elif not (listed or one_listed):
            continue
        if _blocked(text, tokens, i):
            continue
        end = b.end
        initial = re.match(r" [A-Z]\b\.?", text[end:])
        if initial:
            end += initial.end()
        spans.append((a.start, end))
    return spans


def _hashtags(text: str) -> list[tuple[int, int]]:
    spans = []
    if "#" not in text:
        return spans
    for m in _HASHTAG.finditer(text):
        if not (m.group("pre") or m.group("post")):
            continue
        name = m.group("name")
        first, last, word, rare = _classes(lx.fold(name))
        if first and lx.fold(name) not in common_words():
            spans.append((m.start("name"), m.end("name")))
    return spans


def _coordinated(
    text: str, tokens: list[_Tok], spans: list[tuple[int, int, str | None]]
) -> list[tuple[int, int, str | None]]:
    """"mike and jen petrosyan": a first name joined by "and" to a name found."""
    out = []
    for start, _end, _reason in spans:
        m = re.search(r"([^\W\d_]+)\s+(?:and|&)\s+$", text[max(0, start - 30):start])
        if not m:
            continue
        key = lx.fold(m.group(1))
        first, _last, _word, rare = _classes(key)
        # A first name, or a capitalised word of no list before a capitalised name
        # ("Vikram and Meera Subramanian").
        capitalised = m.group(1)[:1].isupper() and text[start:start + 1].isupper()
        if (first or (rare and capitalised)) and key not in common_words() and len(key) > 2:
            s0 = start - (len(text[max(0, start - 30):start]) - m.start(1))
            out.append((s0, s0 + len(m.group(1)), None))
    return out


def _stretch(text: str, tokens: list[_Tok], start: int, end: int) -> tuple[int, int]:
    """Widen a name span over the name's neighbouring parts ("jose" -> "jose luis hernandez")."""
    idx = [k for k, t in enumerate(tokens) if t.start < end and t.end > start]
    if not idx or tokens[idx[0]].start != start or tokens[idx[-1]].end != end:
        return start, end  # part of a word: the name inside "#JakeStrong"
    lo, hi = idx[0], idx[-1]
    style = tokens[lo]
    for _ in range(3):
        if hi + 1 >= len(tokens) or not _adjacent(text, tokens[hi], tokens[hi + 1]):
            break
        nxt = tokens[hi + 1]
        if not _same_style(style, nxt) or not _namey(nxt) or _eponym_after(text, nxt, False):
            break
        if nxt.lower and not _classes(nxt.key)[1]:
            break  # lowercase: only census surnames ("hernandez", not "tmrw")
        hi += 1
    for _ in range(2):
        if lo == 0 or not _adjacent(text, tokens[lo - 1], tokens[lo]):
            break
        prev = tokens[lo - 1]
        first, last, word, rare = _classes(prev.key)
        if not _same_style(style, prev) or word or not (first or last or rare):
            break
        if prev.lower and not first:
            break
        if _blocked(text, tokens, lo - 1) and prev.key not in _CLINICIAN:
            break
        lo -= 1
    return min(start, tokens[lo].start), max(end, tokens[hi].end)


def _same_style(a: _Tok, b: _Tok) -> bool:
    return (a.title and b.title) or (a.caps and b.caps) or (a.lower and b.lower)


@cache
def _figures_by_first_word() -> dict[str, tuple[tuple[str, ...], ...]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for figure in public_figures():
        index.setdefault(figure[0], []).append(figure)
    return {k: tuple(v) for k, v in index.items()}


def _public_spans(tokens: list[_Tok]) -> list[tuple[int, int]]:
    index = _figures_by_first_word()
    keys = [t.key for t in tokens]
    spans = []
    for k, key in enumerate(keys):
        for figure in index.get(key, ()):
            n = len(figure)
            if tuple(keys[k:k + n]) == figure:
                spans.append((tokens[k].start, tokens[k + n - 1].end))
    return spans


def _shouted(tokens: list[_Tok]) -> bool:
    """Typed in capitals throughout: "IS MARGARET OYELOWO STILL IN SURGERY"."""
    long = [t for t in tokens if len(t.word) > 2]
    return len(long) >= 3 and sum(1 for t in long if t.caps) >= 0.8 * len(long)


def find_people(text: str, cued: list[Finding], staff: tuple[str, ...] = ()) -> list[Finding]:
    """Names after a cue (``cued``, from ``find_names``) made whole, and names without one.

    A text in capitals throughout is also read as if typed in lowercase (capitals say
    nothing there, and the lowercase rules are the careful ones); the spans are the same.
    """
    tokens = _tokens(text)
    if not tokens:
        return []
    shouted = _shouted(tokens)
    found = _find_people(text, tokens, cued, staff, shouted)
    if shouted:
        low = text.lower()
        if len(low) == len(text):  # one character each way (not "İ")
            for f in _find_people(low, _tokens(low), cued, staff, False):
                if all(f.end <= g.start or f.start >= g.end for g in found):
                    reason = f.reason  # a cue's reason, or the name as written
                    if reason.startswith("'"):
                        reason = f"'{text[f.start:f.end]}' looks like a person's name"
                    found.append(Finding("name", f.start, f.end, reason))
    return found


def _find_people(
    text: str, tokens: list[_Tok], cued: list[Finding], staff: tuple[str, ...], shouted: bool
) -> list[Finding]:
    titleish = shouted or _titleish(tokens)
    spans: list[tuple[int, int, str | None]] = [(f.start, f.end, f.reason) for f in cued]
    taken = set()
    for i in range(len(tokens) - 1):
        if _pair(text, tokens, i, titleish):
            spans.append((tokens[i].start, tokens[i + 1].end, None))
            taken.update((i, i + 1))
    for s, e in _last_first(text, tokens):
        spans.append((s, e, None))
    for i in range(len(tokens)):
        if i not in taken and _single(text, tokens, i, titleish):
            spans.append((tokens[i].start, tokens[i].end, None))
    for s, e in _hashtags(text):
        spans.append((s, e, None))
    for m in _INITIALS.finditer(text):
        spans.append((m.start("n"), m.end("n"), "nickname after 'goes by'"))
    spans += _coordinated(text, tokens, spans)
    if not spans:
        return []
    staff_keys = _staff_keys(staff)
    surnames_of_staff = _staff_surnames(staff)
    public = _public_spans(tokens)
    out: list[Finding] = []
    for start, end, reason in spans:
        start, end = _stretch(text, tokens, start, end)
        inside = [t for t in tokens if t.start >= start and t.end <= end]
        if inside and staff_keys and all(t.key in staff_keys for t in inside):
            continue  # "Dr. Ana", "okafor", "PATEL, RAJ"
        if inside and staff_keys and any(t.key in surnames_of_staff for t in inside):
            # Staff are not PHI: what is left of the name without them must stand alone
            # ("Will Ana Okafor" is nothing; "Lena Marshall" is not "Lena Marsh").
            rest = [t for t in inside if t.key not in staff_keys]
            if not rest or any(_classes(t.key)[2] for t in rest) or (
                rest[-1].end - rest[0].start != sum(len(t.word) for t in rest) + len(rest) - 1
            ):
                continue
            start, end = rest[0].start, rest[-1].end
        if any(s <= start and end <= e for s, e in public):
            continue
        if any(t.key in _HYPHENATED_EPONYMS for t in inside):
            continue
        last = inside[-1] if inside else None
        if reason is None and last is not None and (
            _eponym_after(text, last, last.possessive)
            or _staff_role_after(text, end)
            or _ROLE_BEFORE.search(text, 0, start)
            or (
                _DETERMINER_BEFORE.search(text, 0, start) and _WORD_AFTER.match(text, end)
                and not _personal_a(
                    text, text[max(0, start - 2):start].strip().lower(), start - 2
                )
            )
        ):
            continue
        name = text[start:end]
        out.append(Finding("name", start, end, reason or f"'{name}' looks like a person's name"))
    return out
