"""What a word is: a first name, a surname, a common English or Spanish word.

Read once, on first use, from data that maintained packages ship (no hand lists):

- first names and surnames with their frequency: the US Census Bureau's 1990 name
  tables (public domain) as shipped by the ``names`` package (``names.FILES``), plus
  ``data/first_names.txt`` (the same census names and names common since 1990);
- first names and surnames of other countries, without frequencies: the person
  providers of ``faker`` (MIT; 86 locales: Polish, Igbo, Yoruba, Hindi, French, ...),
  their Latin-script entries (``faker_names``);
- how common a word is: ``wordfreq``'s "small" English and Spanish lists (Zipf scale:
  6 is "the"-frequent, 3 is once per million words).

A name that is also a common word ("Hope", "Will", "Baker") is told apart by how much
more often the word is written than people are given the name: wordfreq counts both
uses, the census counts only the name.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import cache

# Zipf of a name's own use, from its census share: calibrated so that frequent names
# that are not words (kevin, gladys, michael) come out about as wordfreq counts them.
_FIRST_OFFSET = 6.8
_LAST_OFFSET = 7.0
# A token written this much more often than its use as a name predicts is a word first.
_WORD_EXCESS = 0.4
# Below this, a token is no common English word at all (once in 3 million words).
_RARE = 3.0
# A token in no name table is a common word from here (about 6 in a million words).
_COMMON = 3.8


def fold(word: str) -> str:
    """Casefolded, accents removed, curly apostrophes straight: the lookup key."""
    word = word.replace("’", "'").casefold()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _census(path: str) -> dict[str, float]:
    shares: dict[str, float] = {}
    with open(path, encoding="ascii") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2:
                key = parts[0].lower()
                shares[key] = shares.get(key, 0.0) + float(parts[1])
    return shares


# A name known only from faker's lists (no frequency): as rare as the census's rarest,
# so a common word that is also a name somewhere ("grace", "sol") stays a word.
_FAKER_SHARE = 0.0005
# Latin letters only: a question typed in English or Spanish spells names that way.
_LATIN_NAME = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['\-][A-Za-z\u00c0-\u024f]+)*")


@cache
def faker_names() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames) of every person provider faker ships, folded.

    Read from the providers' class attributes ("first_names_female", "last_names",
    "male_last_names", ...), not by generating fakes, so every entry is counted once.
    """
    import importlib
    import pkgutil

    import faker.providers.person as person

    first: set[str] = set()
    last: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attr in dir(provider):
            if "name" not in attr or attr.startswith("_"):
                continue
            target = first if "first" in attr else last if "last" in attr else None
            values = getattr(provider, attr, None)
            if target is None or not isinstance(values, (tuple, list, dict, set, frozenset)):
                continue
            for value in values:
                if isinstance(value, str):
                    for part in value.split():  # "De la Cruz", "María José"
                        if _LATIN_NAME.fullmatch(part) and len(part) > 1:
                            target.add(fold(part))
    return frozenset(first), frozenset(last)


@cache
def _home_first_names() -> frozenset[str]:
    """First names of the US Census tables and ``data/first_names.txt``."""
    import names

    from liveq.screening.phi.names import first_names as extra

    keys = set(_census(names.FILES["first:male"])) | set(_census(names.FILES["first:female"]))
    return frozenset(keys | {fold(n) for n in extra()})


@cache
def _home_names() -> frozenset[str]:
    """Every name with a frequency: census first names and surnames."""
    import names

    return _home_first_names() | frozenset(_census(names.FILES["last"]))


@cache
def first_name_only_abroad(word: str) -> bool:
    """A first name only in faker's lists ("prior", "tab", "ramadan", "dayton").

    Alone, or as the word-like half of a lowercase pair, such a first name needs the
    context a census name does not; beside a surname, or after a title, it is a name.
    """
    key = fold(word)
    return key in first_names() and key not in _home_first_names()


@cache
def only_abroad(word: str) -> bool:
    """A name known only from faker's lists: no frequency says how often it is a name here.

    Such a name alone in lowercase ("tab", "prior", "ramadan") needs more than a
    first-name reading to count; beside a surname, or after a title, it is a name.
    """
    key = fold(word)
    return key not in _home_names() and (key in first_names() or key in surnames())


@cache
def first_names() -> dict[str, float]:
    """First name -> share of people (percent, men and women averaged)."""
    import names  # the census tables; read through the package, not a path guess

    from liveq.screening.phi.names import first_names as extra

    male, female = _census(names.FILES["first:male"]), _census(names.FILES["first:female"])
    out = {k: (male.get(k, 0.0) + female.get(k, 0.0)) / 2 for k in male.keys() | female.keys()}
    for name in extra():
        out.setdefault(fold(name), 0.001)
    for name in faker_names()[0]:
        out.setdefault(name, _FAKER_SHARE)
    return out


@cache
def surnames() -> dict[str, float]:
    """Surname -> share of people (percent); 88,799 names, the rarest at 0.000."""
    import names

    out = _census(names.FILES["last"])
    for name in faker_names()[1]:
        out.setdefault(name.replace("'", ""), _FAKER_SHARE)
    return out


@cache
def _zipf_table(lang: str) -> dict[str, float]:
    import wordfreq

    table: dict[str, float] = {}
    for w, f in wordfreq.get_frequency_dict(lang, wordlist="small").items():
        z = round(math.log10(f) + 9, 2)
        table[w] = z
        # Also under the folded key, so "nacio" typed without its accent is "nació".
        key = fold(w)
        if key != w and table.get(key, 0.0) < z:
            table[key] = z
    return table


def zipf(word: str, lang: str = "en") -> float:
    """How common ``word`` is in ``lang`` on the Zipf scale (0 when not in the list)."""
    table = _zipf_table(lang)
    return table.get(word.casefold()) or table.get(fold(word), 0.0)


def is_first_name(word: str) -> bool:
    """A census first name, unless the name is overwhelmingly a surname ("Johnson")."""
    key = fold(word)
    share = first_names().get(key)
    if share is None:
        return False
    return surnames().get(key, 0.0) < 20 * max(share, 0.001)


def is_surname(word: str) -> bool:
    return fold(word) in surnames()


@cache
def is_word(word: str) -> bool:
    """Whether ``word`` is a common word first and a name second ("hope", "will", "hill").

    Names that are also common words count as words when their written frequency is
    well above what their census share predicts ("hope" 5.4 vs 3.0 as a name), or when
    they are everyday Spanish words ("al", "soy", "de").
    """
    key = fold(word)
    z = zipf(key)
    if zipf(key, "es") >= 5.5:
        return True
    share = first_names().get(key, 0.0)
    last = surnames().get(key, 0.0)
    if share <= 0 and last <= 0 or only_abroad(key):
        # In no name table: a word when it is common ("the", "surgery"); between rare
        # and common ("sven", "botox") it is neither a word nor a known name.
        return z >= _COMMON
    if z < 4.0:
        return False
    expected = max(
        _FIRST_OFFSET + math.log10(share / 100) if share > 0 else 0.0,
        _LAST_OFFSET + math.log10(last / 100) if last > 0 else 0.0,
    )
    return z - expected >= _WORD_EXCESS


def is_rare(word: str) -> bool:
    """No common word in English or Spanish: "okonkwo", "rlopez", "kbrooks"."""
    return zipf(word) < _RARE and zipf(word, "es") < _RARE + 0.5
