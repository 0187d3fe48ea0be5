"""Invisible and look-alike characters do not hide an identifier from screening.

Every kind screening reports on characters, in a question's text and in an asker's
name, written with zero-width characters, fullwidth/circled/superscript/Arabic-Indic/
keycap digits, look-alike dashes and dots, Cyrillic/Greek letters and odd spaces: the
finding's span covers every character of the identifier as written, and redaction
leaves none of it.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveq.screening import redact, screen_name, screen_text
from tests.screening.evasion import (
    ALWAYS_STRIPPED,
    SELECTORS,
    STYLES,
    Case,
    Obfuscated,
    digits_in,
    name_cases,
    obfuscate,
    text_cases,
)

TEXT = text_cases()
NAMES = name_cases()
INSERTS = ALWAYS_STRIPPED + SELECTORS


def _ids(cases: list[Case]) -> list[str]:
    return [f"{c.kind}:{c.plain}" for c in cases]


def covering(findings, kind: str, o: Obfuscated):
    """The findings of ``kind`` whose span covers the identifier (and at most the
    invisible characters right after it)."""
    start, end = o.span
    return [
        f for f in findings
        if f.kind == kind and f.start <= start and end <= f.end <= end + o.trailing
    ]


def check(screen, c: Case, o: Obfuscated) -> None:
    findings = screen(o.text)
    assert covering(findings, c.kind, o), (
        f"{c.kind} not found whole in {o.text!r}: "
        f"{[(f.kind, o.text[f.start:f.end]) for f in findings]}"
    )
    redacted = redact(o.text, findings)
    assert o.text[o.span[0] : o.span[1]] not in redacted
    if digits_in(c.plain):
        # The sentences have no other digits: not one of the identifier's is left.
        assert digits_in(redacted) == [], redacted


@pytest.mark.parametrize(("screen", "cases"), [(screen_text, TEXT), (screen_name, NAMES)],
                         ids=["text", "name"])
def test_every_case_fires_as_plainly_written(screen, cases) -> None:
    for c in cases:
        got = [(f.kind, f.start, f.end) for f in screen(c.sentence)]
        assert got == [(c.kind, c.start, c.end)], c.sentence


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("c", TEXT, ids=_ids(TEXT))
def test_text_styles(c: Case, style: str) -> None:
    check(screen_text, c, STYLES[style](c))


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("c", NAMES, ids=_ids(NAMES))
def test_name_styles(c: Case, style: str) -> None:
    check(screen_name, c, STYLES[style](c))


def _drawn(rng: random.Random, c: Case) -> Obfuscated:
    return obfuscate(
        c,
        rng.choice,
        lambda: "".join(rng.choices(INSERTS, k=rng.choice((0, 0, 1, 2)))),
    )


_FUZZ = settings(max_examples=25, deadline=None)


@pytest.mark.parametrize("c", TEXT, ids=_ids(TEXT))
@_FUZZ
@given(rng=st.randoms(use_true_random=False))
def test_fuzzed_text_still_finds_the_whole_identifier(c: Case, rng: random.Random) -> None:
    check(screen_text, c, _drawn(rng, c))


@pytest.mark.parametrize("c", NAMES, ids=_ids(NAMES))
@_FUZZ
@given(rng=st.randoms(use_true_random=False))
def test_fuzzed_name_still_finds_the_whole_identifier(c: Case, rng: random.Random) -> None:
    check(screen_name, c, _drawn(rng, c))


@settings(max_examples=200, deadline=None)
@given(
    cuts=st.lists(
        st.tuples(st.integers(0, 12), st.sampled_from(INSERTS)), min_size=1, max_size=12
    )
)
def test_random_invisible_characters_inside_a_phone_number(cuts) -> None:
    # The property of the issue: invisible characters anywhere inside the number.
    phone = list("617-555-0143")
    for at, ch in sorted(cuts, reverse=True):
        phone.insert(at, ch)
    written = "".join(phone)
    text = f"Can you call my dad back at {written} please"
    start = text.index(written)
    findings = screen_text(text)
    phones = [f for f in findings if f.kind == "phone"]
    assert phones, (text, findings)
    first = start + next(i for i, ch in enumerate(written) if ch.isdigit())
    last = start + max(i for i, ch in enumerate(written) if ch.isdigit()) + 1
    assert phones[0].start <= first and phones[0].end >= last
    assert digits_in(redact(text, findings)) == []


def test_the_issues_example_is_held_and_redacted_whole() -> None:
    text = "Can you call my dad back at 617\u200b-555\u200b-0143, she is in ro\u200bom 412"
    findings = screen_text(text)
    assert [(f.kind, text[f.start : f.end]) for f in findings] == [
        ("phone", "617\u200b-555\u200b-0143"),
        ("room_number", "412"),
    ]
    assert redact(text, findings) == (
        "Can you call my dad back at [phone removed], she is in ro\u200bom [room removed]"
    )
    tweet = "Is 617–555–0188 the right number for the clinic?"
    assert [(f.kind, tweet[f.start : f.end]) for f in screen_text(tweet)] == [
        ("phone", "617–555–0188")
    ]


@pytest.mark.parametrize(
    ("text", "kind", "span"),
    [
        ("call 6 1 7 5 5 5 0 1 4 3 now", "phone", "6 1 7 5 5 5 0 1 4 3"),
        ("call 6 1 7 - 5 5 5 - 0 1 4 3 now", "phone", "6 1 7 - 5 5 5 - 0 1 4 3"),
        ("call 617_555_0143 now", "phone", "617_555_0143"),
        ("call 617-555-O143 now", "phone", "617-555-O143"),
        ("call 6l7-555-0I43 now", "phone", "6l7-555-0I43"),
        ("call 617一555一0143 now", "phone", "617一555一0143"),
        ("call 617 — 555 — 0143 now", "phone", "617 — 555 — 0143"),
        ("she is in room 4 1 2 now", "room_number", "4 1 2"),
        ("she is in room_412 now", "room_number", "412"),
        ("my MRN_1234567 please", "mrn", "1234567"),
        ("my SSN is 078_05_1120", "ssn", "078_05_1120"),
        ("my son\u2014Tim\u2014had surgery", "name", "Tim"),
        ("I’m 94 and need a ride", "age_over_89", "94"),
        ("she’s 96 now", "age_over_89", "96"),
    ],
)
def test_ascii_tricks(text: str, kind: str, span: str) -> None:
    found = [(f.kind, text[f.start : f.end]) for f in screen_text(text)]
    assert (kind, span) in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Is the vitamin B12 dose 1000 mcg?",
        "Steps 1 2 and 3 of the plan",
        "Is ICD code I10 the same as hypertension?",
        "Coffee コーヒー before the scan?",
        "Спасибо доктор, это очень помогло",
        "Are α-blockers and β-blockers the same?",
        "my_son_loves_the_show",
        "version 1.2.3 of the app",
        "Is the score 6/10 bad?",
    ],
)
def test_normal_text_stays_clean(text: str) -> None:
    assert screen_text(text) == []


def test_addresses_with_underscores_and_ips_with_small_octets_keep_their_spans() -> None:
    text = "mail jenny_82@gmail.com or 8.8.8.8"
    assert [(f.kind, text[f.start : f.end]) for f in screen_text(text)] == [
        ("email", "jenny_82@gmail.com"),
        ("ip_address", "8.8.8.8"),
    ]


def test_keycap_digits_are_redacted_with_their_marks() -> None:
    text = "call 6️⃣1️⃣7️⃣5️⃣5️⃣5️⃣0️⃣1️⃣4️⃣3️⃣ now"
    (f,) = screen_text(text)
    assert f.kind == "phone" and text[f.start : f.end] == text[5:-4]
    assert redact(text, [f]) == "call [phone removed] now"


def test_names_are_screened_for_everything_but_being_a_name() -> None:
    name = "shithead 617 555 0143"
    assert [(f.kind, name[f.start : f.end]) for f in screen_name(name)] == [
        ("profanity", "shithead"),
        ("phone", "617 555 0143"),
    ]
    assert screen_name("Mrs. Jones") == [] and screen_name("Maria López") == []
    (f,) = screen_name("@shithead")  # an X handle: the "@" is not a leetspeak "a"
    assert (f.kind, f.start, f.end) == ("profanity", 1, 9)
