"""Near-duplicate index: matches rephrasings, not different questions on one topic."""

from __future__ import annotations

import random
import time

from liveq.screening import DuplicateIndex
from liveq.screening.duplicates import normalise


def test_rephrasing_matches() -> None:
    index = DuplicateIndex()
    index.add(1, "Is the vaccine safe for kids?")
    index.add(2, "Is the vaccine safe for pregnant women?")
    index.add(3, "How long does the flu shot protect you?")
    assert [qid for qid, _ in index.similar("is the vaccine safe for children??")] == [1]
    assert index.similar("How long does a flu vaccine protect you")[0][0] == 3
    assert index.similar("Are vaccines OK for kids?")[0][0] == 1


def test_same_topic_different_question_does_not_match() -> None:
    index = DuplicateIndex()
    index.add(1, "Is the vaccine safe for kids?")
    assert index.similar("Where can I get the vaccine for my kids?") == []
    assert index.similar("What are the side effects of the vaccine?") == []


def test_remove_and_readd() -> None:
    index = DuplicateIndex()
    index.add("a", "Is the vaccine safe for kids?")
    assert "a" in index and len(index) == 1
    index.remove("a")
    index.remove("missing")
    assert index.similar("Is the vaccine safe for kids?") == []
    index.add("a", "What time does the pharmacy close?")
    index.add("a", "What time does the pharmacy close on weekends?")
    assert len(index) == 1
    assert index.similar("what time does the pharmacy close on weekends")[0] == ("a", 1.0)


def test_findings_point_at_the_original() -> None:
    index = DuplicateIndex()
    index.add(42, "Is the vaccine safe for kids?")
    (f,) = index.findings("Is the vaccine safe for children?")
    assert f.kind == "duplicate" and f.reason == "near-duplicate of question 42 (100% similar)"
    assert index.findings("Where do I park?") == []


def test_normalise() -> None:
    assert normalise("Is the VACCINE safe for kids??") == {"vaccine", "safe", "child"}
    assert normalise("?!") == frozenset()


def test_lookup_among_5000_questions_is_fast() -> None:
    rng = random.Random(7)
    topics = ["vaccine", "flu", "heart", "diabetes", "cancer", "parking", "billing", "sleep",
              "knee", "hip", "stroke", "covid", "asthma", "pregnant", "insulin", "statin"]
    verbs = ["safe", "cost", "cover", "help", "work", "hurt", "last", "start", "stop", "change"]
    index = DuplicateIndex()
    for i in range(5000):
        words = rng.sample(topics, 2) + rng.sample(verbs, 2) + [f"w{rng.randrange(3000)}"]
        index.add(i, "Is the " + " ".join(words) + "?")
    queries = ["Is the vaccine safe for kids?", "How much does parking cost?",
               "Does insurance cover the statin?"] * 100
    start = time.perf_counter()
    for q in queries:
        index.similar(q)
    per_lookup_ms = (time.perf_counter() - start) / len(queries) * 1000
    assert per_lookup_ms < 1.0, per_lookup_ms


def test_a_flood_of_near_copies_still_finds_one():
    # Lookups compare against at most MAX_CANDIDATES questions, so a flood stays
    # linear (timed in scripts/bench_screening.py); each still finds a near-copy.
    from liveq.screening.duplicates import MAX_CANDIDATES

    index = DuplicateIndex()
    base = "Is the new knee implant safe for people over seventy years old"
    for i in range(MAX_CANDIDATES * 20):
        index.add(i, f"{base} ({i})")
    index.add("other", "Where do I park for the outpatient clinic?")
    found = index.similar(f"{base} (new)")
    assert found and all(score >= 0.6 and qid != "other" for qid, score in found)
    assert index.similar("Where can I park for the clinic?")[0][0] == "other"
