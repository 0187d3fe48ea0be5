"""Near-duplicate questions within one event.

Texts are normalised to a set of content-word stems (case, punctuation, stop words
and plurals removed; a few everyday synonyms such as kids/children folded), compared
by Jaccard similarity, and found through an inverted index with a prefix filter: a
lookup only touches the questions that share one of the query's rarest words, so it
stays well under a millisecond with thousands of questions indexed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Hashable
from itertools import islice

from liveq.screening.findings import Finding

# Function words only. "not"/"no" stay ("is it safe" / "is it not safe" differ), and so
# do where/when/why/how/what/who: "where can I get the vaccine" asks something else
# than "is the vaccine safe".
STOP_WORDS = frozenset("""
a about above after again all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his i if in into
is it its itself just me more most my myself of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we
were which while whom will with would you your yours yourself
yourselves also get got im i'm ive i've id you're dont don't please thanks thank hi hello
dr doctor question ask asking anyone someone really actually like know want wondering
""".split())
# Everyday synonyms folded to one word, so "kids" and "children" meet.
SYNONYMS = {
    "kid": "child", "kids": "child", "children": "child", "youngster": "child",
    "toddler": "child", "mom": "mother", "mum": "mother", "mommy": "mother",
    "dad": "father", "daddy": "father", "shot": "vaccine", "jab": "vaccine",
    "vaccination": "vaccine", "vaccinate": "vaccine", "immunization": "vaccine",
    "doc": "doctor", "physician": "doctor", "coronavirus": "covid", "covid19": "covid",
    "influenza": "flu", "ok": "safe", "okay": "safe", "dangerous": "unsafe",
    "medication": "medicine", "meds": "medicine", "med": "medicine", "drug": "medicine",
    "hubby": "husband", "preggo": "pregnant", "pregnancy": "pregnant",
}
# The most questions one lookup compares against (see similar()).
MAX_CANDIDATES = 64
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
def _stem(word: str) -> str:
    # Deliberately light: enough that "kids"/"kid" and "vaccines"/"vaccine" meet.
    if len(word) <= 3 or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    if word.endswith("s"):
        return word[:-1]
    return word


def normalise(text: str) -> frozenset[str]:
    """The set of content-word stems a question is compared by."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out = set()
    for word in _WORD.findall(text):
        word = word.replace("'", "")
        if word in STOP_WORDS:
            continue
        word = SYNONYMS.get(word, word)
        stem = _stem(word)
        out.add(SYNONYMS.get(stem, stem))
    return frozenset(out)


class DuplicateIndex:
    """An event's questions, for finding near-duplicates of a new one."""

    def __init__(self) -> None:
        self._docs: dict[Hashable, frozenset[str]] = {}
        self._postings: dict[str, set[Hashable]] = {}

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, qid: object) -> bool:
        return qid in self._docs

    def add(self, qid: Hashable, text: str, *, tokens: frozenset[str] | None = None) -> None:
        """Index (or re-index) a question under ``qid``.

        ``tokens``: ``normalise(text)`` when the caller has it already (saves a pass).
        """
        if qid in self._docs:
            self.remove(qid)
        if tokens is None:
            tokens = normalise(text)
        self._docs[qid] = tokens
        for t in tokens:
            self._postings.setdefault(t, set()).add(qid)

    def rekey(self, old: Hashable, new: Hashable) -> None:
        """Index under ``new`` what is indexed under ``old`` (e.g. once an id is known)."""
        tokens = self._docs.pop(old, None)
        if tokens is None:
            return
        if new in self._docs:
            self.remove(new)
        self._docs[new] = tokens
        for t in tokens:
            ids = self._postings[t]
            ids.discard(old)
            ids.add(new)

    def remove(self, qid: Hashable) -> None:
        """Forget a question; unknown ids are ignored."""
        tokens = self._docs.pop(qid, None)
        for t in tokens or ():
            ids = self._postings.get(t)
            if ids is not None:
                ids.discard(qid)
                if not ids:
                    del self._postings[t]

    def similar(
        self,
        text: str,
        threshold: float = 0.6,
        limit: int = 5,
        *,
        tokens: frozenset[str] | None = None,
    ) -> list[tuple[Hashable, float]]:
        """Indexed questions with Jaccard similarity >= threshold, best first.

        ``tokens``: ``normalise(text)`` when the caller has it already.
        """
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        query = normalise(text) if tokens is None else tokens
        if not query:
            return []
        n = len(query)
        # Any match shares >= ceil(t*n) words with the query, so it must contain one of
        # the query's (n - ceil(t*n) + 1) rarest words: only those postings are read.
        need = math.ceil(threshold * n - 1e-9)
        rare_first = sorted(query, key=lambda t: len(self._postings.get(t, ())))
        candidates: set[Hashable] = set()
        for t in rare_first[: n - need + 1]:
            room = MAX_CANDIDATES - len(candidates)
            if room <= 0:
                # Hundreds asking much the same thing: any of them is a fine "looks
                # like"; comparing against all would make a flood quadratic.
                break
            candidates.update(islice(self._postings.get(t, ()), room))
        scored = []
        for qid in candidates:
            doc = self._docs[qid]
            if not (threshold * n <= len(doc) <= n / threshold):
                continue
            inter = len(query & doc)
            score = inter / (n + len(doc) - inter)
            if score >= threshold:
                scored.append((qid, round(score, 3)))
        scored.sort(key=lambda pair: -pair[1])
        return scored[:limit]

    def findings(self, text: str, threshold: float = 0.6) -> list[Finding]:
        """A ``duplicate`` finding (whole text) for the closest indexed question, if any."""
        best = self.similar(text, threshold, limit=1)
        if not best:
            return []
        qid, score = best[0]
        return [Finding("duplicate", 0, len(text),
                        f"near-duplicate of question {qid} ({score:.0%} similar)")]
