"""ScreeningRules, watch-list matching, redact and the screen_text switches."""

from __future__ import annotations

import pytest

from liveq.screening import (
    KINDS,
    PLACEHOLDERS,
    Finding,
    ScreeningRules,
    find_watch_list,
    redact,
    screen_text,
)

RULES = ScreeningRules(watch_list=["miracle cure", "stop chemo", "cure"])


@pytest.mark.parametrize(
    ("text", "hit", "reason"),
    [
        ("Is this a miracle cure?", "miracle cure", "watch-list: miracle cure"),
        ("MIRACLE   CURE!!", "MIRACLE   CURE", "watch-list: miracle cure"),
        ("a miracle -- cure", "miracle -- cure", "watch-list: miracle cure"),
        ("should I stop\nchemo", "stop\nchemo", "watch-list: stop chemo"),
        ("is there a cure", "cure", "watch-list: cure"),
    ],
)
def test_watch_list(text: str, hit: str, reason: str) -> None:
    (f,) = find_watch_list(text, RULES)
    assert (text[f.start:f.end], f.reason) == (hit, reason)


def test_watch_list_is_whole_word() -> None:
    assert find_watch_list("a curette and a secure line", RULES) == []
    assert find_watch_list("anything", ScreeningRules()) == []


def test_rules_are_hashable_and_validated() -> None:
    a = ScreeningRules(watch_list=["Miracle cure", "miracle  cure"])
    assert a.watch_list == ("Miracle cure",)
    assert hash(a) == hash(ScreeningRules(watch_list=("Miracle cure",)))
    with pytest.raises(TypeError):
        ScreeningRules(watch_list="miracle cure")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown key"):
        ScreeningRules.from_mapping({"watchlist": []})
    rules = ScreeningRules.from_mapping({"watch_list": ["x y"], "check_phi": False})
    assert rules.watch_list == ("x y",) and rules.check_phi is False


def test_screen_text_switches() -> None:
    text = "damn, call 617-555-0143 about the miracle cure"
    kinds = [f.kind for f in screen_text(text, rules=RULES)]
    assert kinds == ["profanity", "phone", "watch_list"]
    off = ScreeningRules(check_phi=False, check_profanity=False)
    assert screen_text(text, rules=off) == []


def test_redact_replaces_by_kind() -> None:
    text = "my mother Jane Doe was in room 412 on 3/14"
    assert redact(text, screen_text(text)) == (
        "my mother [name removed] was in room [room removed] on [date removed]"
    )


def test_redact_merges_overlaps_and_ignores_whole_text_kinds() -> None:
    text = "abcdefghij"
    spans = [
        Finding("phone", 2, 6, "phone number"),
        Finding("date", 4, 8, "date"),
        Finding("duplicate", 0, 10, "near-duplicate of question 1"),
    ]
    assert redact(text, spans) == "ab[phone removed]ij"
    assert redact(text, []) == text


def test_every_text_kind_has_a_placeholder() -> None:
    assert set(KINDS) - set(PLACEHOLDERS) == {"duplicate", "flood"}


@pytest.mark.parametrize(
    "text",
    ["@" * 5000, "1/" * 2500, "1 " * 2500, "123 " * 1250, "*a" * 2500, "my mother " * 500,
     "a." * 2500 + "@", "f u " * 1250, "Room 1 Bed 2 MRN 3 " * 250,
     # What the normalised copy is made of: invisibles, look-alikes, the ASCII tricks.
     "1\u200b" * 2500, "１ " * 2500, "O1" * 2500, "1_" * 2500, "аa" * 2500, "1—" * 2500,
     "1\ufe0f\u20e3" * 1600],
)
def test_hostile_input_costs_linear_time(text: str) -> None:
    # Audience text is untrusted: no pattern may go quadratic or worse on it.
    import time

    start = time.perf_counter()
    screen_text(text)
    assert time.perf_counter() - start < 1.0
