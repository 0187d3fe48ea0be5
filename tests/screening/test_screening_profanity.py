"""Profanity: obfuscation, the Scunthorpe problem, clinical words, per-event rules."""

from __future__ import annotations

import pytest

from liveq.screening import ScreeningRules, find_profanity, screen_text
from liveq.screening.profanity import base_words


def hits(text: str, rules: ScreeningRules | None = None) -> list[str]:
    return [text[f.start:f.end] for f in find_profanity(text, rules)]


def test_uses_the_maintained_list() -> None:
    words = base_words()
    assert len(words) > 300, "glin-profanity's English list did not load"
    assert "fuck" in words and "damn" in words
    assert "penis" not in words and "rape" not in words  # clinical exceptions


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("this is sh1t", "sh1t"),
        ("why the f*ck", "f*ck"),
        ("f**k off", "f**k"),
        ("bullsh*t answer", "bullsh*t"),
        ("Fuuuuuck cancer", "Fuuuuuck"),
        ("f u c k this", "f u c k"),
        ("F.U.C.K cancer", "F.U.C.K"),
        ("f-u-c-k", "f-u-c-k"),
        ("a bunch of @$$holes", "@$$holes"),
        ("you b1tch", "b1tch"),
        ("what the fück", "fück"),
        ("SHIT!", "SHIT"),
        ("full of a-holes", "a-holes"),
        ("wtf is a facility fee", "wtf"),
    ],
)
def test_obfuscated_profanity_fires(text: str, hit: str) -> None:
    assert hits(text) == [hit]


@pytest.mark.parametrize(
    "text",
    [
        "I'm from Scunthorpe",
        "the frailty assessment",
        "Is the childbirth class free?",
        "misses the cockpit",
        "a cocktail waitress",
        "shiitake mushrooms",
        "My therapist says",
        "Middlesex county",
        "What's the analysis?",
        "I'm a bass player",
        "Hancock County",
        "I read Dickens",
        "a pediatric passport program",
        "spicy food and spiced tea",
        "Is there a specialist for anal fissures?",
        "Do men get breast cancer near the nipple?",
        "Does the hospital have a rape crisis advocate?",
        "My baby won't suck properly",
        "Is vaginal birth after a C-section safe?",
        "What does a semen analysis show?",
        "Is there a sex difference in symptoms?",
        "$20 a day for parking",
        "@StMarysHealth thanks",
    ],
)
def test_scunthorpe_and_clinical_words_do_not_fire(text: str) -> None:
    assert hits(text) == []


def test_additions_and_exceptions_are_per_rules() -> None:
    rules = ScreeningRules(profanity_additions=("frick",), profanity_exceptions=("damn",))
    assert hits("frick, that is damn good", rules) == ["frick"]
    assert hits("frick, that is damn good") == ["damn"]


def test_phrase_wins_over_the_word_inside_it() -> None:
    findings = [f for f in screen_text("what a piece of shit") if f.kind == "profanity"]
    assert [(f.start, f.end) for f in findings] == [(7, 20)]


def test_reason_names_the_word() -> None:
    (f,) = find_profanity("sh1t")
    assert f.reason == "profanity (shit)"
