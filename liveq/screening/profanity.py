"""Profanity: whole words from a maintained list, seen through common obfuscation.

The word list is glin-profanity's English dictionary (MIT, maintained, through the
package's own dictionary loader), plus ``data/profanity_extra.txt`` (liveq's mild words
and verb forms), minus the clinical terms below, which are ordinary words in a
hospital Q&A. Matching is per whole word on a normalised "skeleton" of the text, so
"Scunthorpe", "assessment", "class" and "cockpit" never match, while "sh1t", "f*ck",
"fuuuuck", "@$$hole" and "f u c k" do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from liveq.screening.findings import Finding
from liveq.screening.rules import ScreeningRules

# Words on the upstream list that patients and clinicians use in earnest: anatomy,
# sexual health, crime/abuse topics people ask about, and words with a plain meaning
# ("escort" to the car park, "snatched" purse, "Cumming, GA"). Add back per event via
# ScreeningRules.profanity_additions if an event really wants them held.
CLINICAL_EXCEPTIONS: frozenset[str] = frozenset("""
anal anus penis vagina vaginal vulva rectum rectal semen nipple nipples genitals genital
fecal ejaculation intercourse eunuch sex sexo nude nudity incest rape raping rapist
clitoris scat suck sucks xx mf hardcore hard core domination escort tied up big black
hot chick girl on taste my tongue in a how to kill how to murder spread legs undressing
panties panty topless pedophile paedophile masturbate orgasm boob boobs butt bs hoe
g-spot lovemaking genitals grope sadism wet dream snatch cumming tit erotic erotism
nimphomania nymphomania intercourse fisting fingering circlejerk swinger lolita
""".split()) | frozenset({"hard core", "tied up", "big black", "hot chick", "girl on",
                          "taste my", "tongue in a", "how to kill", "how to murder",
                          "spread legs", "wet dream", "strip club", "phone sex", "group sex",
                          "gay sex", "date rape", "menage a trois", "girl on top"}) | frozenset(
    # The same in glin-profanity's Spanish list: body, drugs and crime words a Spanish-
    # speaking patient uses in earnest (urine, nipple, semen, heroin, murder), and words
    # with a plain meaning ("martillo" hammer, "concha" shell/sweet bread, "asno" donkey,
    # "infierno" hell, "pedo"/"pis"/"caca" a child's gas, pee and poo, "trio").
    """asesinato asno caca chupeton concha coprofagia drogas esperma heroina infierno
    martillo nazi orina pedo pezon pis prostituta racista sadico semen sexo trio travesti
    vulva""".split()
) | frozenset({"sexo oral", "haciendo el amor"})

_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
         "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e", "£": "l"}
_SYMBOLS = frozenset("@$!|+€£*")
# The lookbehind makes a token start only at the start of a run, so a long run of
# symbols ("@@@@…") is scanned once, not once per character.
_TOKEN = re.compile(
    r"(?<![^\W_]|[@$!|+€£*])(?:[^\W_]+(?:[@$!|+€£*]+[^\W_]*)*|[@$!|+€£*]+[^\W_]+(?:[@$!|+€£*]+[^\W_]*)*)"
    r"(?:-(?:[^\W_]|[@$!|+€£*])+)*"
)
_RUN = re.compile(r"(.)\1+")
_SPACED_SEP = re.compile(r"[\s.\-_]{1,2}")


@cache
def _upstream_words() -> frozenset[str]:
    # Through the package's own loader, not a path into its files. Imported here,
    # on first use, because its __init__ takes ~50 ms (`liveq --help` need not pay).
    from glin_profanity.data.dictionary import dictionary

    words = [*dictionary.get_words("english"), *dictionary.get_words("spanish")]
    # Folded like the text ("Cabrón" is read as "cabron"), so accents do not matter.
    return frozenset(" ".join(_fold_word(w).split()) for w in words if w.strip())


def _fold_word(word: str) -> str:
    return "".join(_fold(c) for c in word)


@cache
def _extra_words() -> frozenset[str]:
    data = resources.files("liveq.screening.data")
    text = data.joinpath("profanity_extra.txt").read_text("utf-8")
    return frozenset(
        " ".join(line.split()).casefold()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def base_words() -> frozenset[str]:
    """The built-in list: upstream + liveq's extras - clinical exceptions."""
    return (_upstream_words() | _extra_words()) - CLINICAL_EXCEPTIONS


def _fold(ch: str) -> str:
    # "fück" → "fuck": drop accents so a diacritic is not a way around the list.
    return unicodedata.normalize("NFKD", ch)[0].casefold()


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    plain: str   # letters folded, symbols kept (for list entries like "a$$")
    leet: str    # symbols and digits read as letters; "*" kept as a wildcard


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in _TOKEN.finditer(text):
        start, end = m.start(), m.end()
        # Trailing "!" or "*" is punctuation ("shit!"), leading "*" is emphasis.
        while end > start and text[end - 1] in "!*":
            end -= 1
        while start < end and text[start] == "*":
            start += 1
        raw = text[start:end]
        if raw.isascii() and raw.isalpha():
            # The common case, kept cheap: a plain ASCII word.
            low = raw.lower()
            out.append(_Token(start, end, low, low))
            continue
        if not raw or not any(c.isalpha() for c in raw):
            continue
        plain = raw.lower() if raw.isascii() else "".join(_fold(c) for c in raw)
        leet = "".join(_LEET.get(c, c) if (c in _SYMBOLS or c.isdigit()) and c != "*" else c
                       for c in plain)
        out.append(_Token(start, end, plain, leet))
    return out


def _variants(word: str) -> tuple[str, ...]:
    # "fuuuuck" → "fuck"; "asssss" → "ass": try runs capped at one and at two letters.
    if not _RUN.search(word):
        return (word,)
    return (word, _RUN.sub(r"\1", word), _RUN.sub(r"\1\1", word))


def _plural_forms(words: frozenset[str]) -> frozenset[str]:
    # Only plurals are derived: "-ed"/"-y" would turn "spic" into "spiced"/"spicy".
    out = set(words)
    for w in words:
        if " " not in w and w.isalpha():
            out.add(w + ("es" if w.endswith(("s", "sh", "ch", "x", "z")) else "s"))
    return frozenset(out)


@dataclass(frozen=True)
class ProfanityMatcher:
    """A compiled word list; build with :func:`matcher_for`."""

    words: frozenset[str]
    phrases: dict[str, tuple[tuple[str, ...], ...]]
    symbols: tuple[str, ...]  # entries with no letters, e.g. the middle-finger emoji

    def find(self, text: str) -> list[Finding]:
        tokens = _tokens(text)
        out: list[Finding] = []
        used: set[int] = set()
        for i, tok in enumerate(tokens):
            word = self._word_match(tok)
            if word:
                out.append(Finding("profanity", tok.start, tok.end, f"profanity ({word})"))
                used.add(i)
        out += self._phrase_matches(text, tokens, used)
        out += self._spaced_matches(text, tokens, used)
        for sym in self.symbols:
            start = text.find(sym)
            while start != -1:
                out.append(Finding("profanity", start, start + len(sym), "profanity (symbol)"))
                start = text.find(sym, start + len(sym))
        return out

    def _word_match(self, tok: _Token) -> str | None:
        # Read as letters first so the reason names the word ("sh1t" -> "shit").
        # "a-holes" and "bull-shit" joined up, then "shit-faced" part by part.
        forms = [tok.leet.replace("-", "")]
        if "-" in tok.leet:
            forms += [p for p in tok.leet.split("-") if len(p) > 1]
        for form in forms:
            for candidate in _variants(form):
                if candidate in self.words:
                    return candidate
            if "*" in form:
                hit = self._wildcard(form)
                if hit:
                    return hit
        # List entries spelled with symbols, e.g. "a$$" or "f-u-c-k".
        return tok.plain if tok.plain in self.words else None

    def _wildcard(self, masked: str) -> str | None:
        # "f*ck", "sh**", "bullsh*t": each run of "*" stands for one to three letters.
        letters = masked.replace("*", "")
        if len(letters) < 2 or not letters[0].isalpha() and masked[0] != "*":
            return None
        pattern = re.compile(
            "".join(f"[a-z]{{1,{len(run)}}}" if run[0] == "*" else re.escape(run)
                    for run in re.findall(r"\*+|[^*]+", masked))
        )
        hits = sorted(w for w in self.words if " " not in w and pattern.fullmatch(w))
        return hits[0] if hits else None

    def _phrase_matches(self, text: str, tokens: list[_Token], used: set[int]) -> list[Finding]:
        out = []
        for i, tok in enumerate(tokens):
            starts = {tok.leet, tok.plain}
            for phrase in (p for key in starts for p in self.phrases.get(key, ())):
                j = i + len(phrase)
                if j <= len(tokens) and all(
                    tokens[i + k].leet == w or tokens[i + k].plain == w
                    for k, w in enumerate(phrase)
                ):
                    out.append(Finding("profanity", tok.start, tokens[j - 1].end,
                                       f"profanity ({' '.join(phrase)})"))
                    used.update(range(i, j))
        return out

    def _spaced_matches(self, text: str, tokens: list[_Token], used: set[int]) -> list[Finding]:
        # "f u c k", "s.h.i.t": three or more one-letter tokens, closely separated.
        out = []
        i = 0
        while i < len(tokens):
            j = i
            while (
                j < len(tokens)
                and len(tokens[j].leet) == 1
                and (j == i or _SPACED_SEP.fullmatch(text[tokens[j - 1].end:tokens[j].start]))
            ):
                j += 1
            if j - i >= 3:
                joined = "".join(t.leet for t in tokens[i:j])
                for candidate in _variants(joined):
                    if candidate in self.words:
                        out.append(Finding("profanity", tokens[i].start, tokens[j - 1].end,
                                           f"profanity, spaced out ({candidate})"))
                        break
            i = max(j, i + 1)
        return out


# Bounded: one entry per distinct rules value, i.e. per event config.
@lru_cache(maxsize=128)
def matcher_for(
    additions: tuple[str, ...] = (), exceptions: tuple[str, ...] = ()
) -> ProfanityMatcher:
    """The compiled matcher for one set of additions/exceptions (cached per value)."""
    entries = base_words() | {a.casefold() for a in additions}
    entries -= {e.casefold() for e in exceptions}
    words = _plural_forms(
        frozenset(e for e in entries if " " not in e and any(c.isalpha() for c in e))
    )
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for e in entries:
        if " " in e:
            parts = tuple(e.split())
            phrases.setdefault(parts[0], []).append(parts)
    symbols = tuple(sorted(e for e in entries if not any(c.isalpha() for c in e)))
    return ProfanityMatcher(
        words=words,
        phrases={k: tuple(v) for k, v in phrases.items()},
        symbols=symbols,
    )


def find_profanity(text: str, rules: ScreeningRules | None = None) -> list[Finding]:
    """Profanity findings in ``text``, honouring the rules' additions and exceptions."""
    if rules is None:
        return matcher_for().find(text)
    return matcher_for(rules.profanity_additions, rules.profanity_exceptions).find(text)
