"""Stored and shown text has no invisible characters, except where they do visible work."""

import sys
import unicodedata

import pytest

from liveq.domain.invisible import is_invisible, strip_invisible
from liveq.domain.procedure.script import check_text
from liveq.domain.questions import InvalidText, clean_text

# Cf, but drawn: they span the digits after them (Arabic number signs and the like).
PREPENDED = {0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891,
             0x08E2, 0x110BD, 0x110CD}


def test_every_format_character_is_invisible_except_the_prepended_marks() -> None:
    missing = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) == "Cf"
        and code not in PREPENDED
        and not is_invisible(chr(code))
    ]
    assert missing == []
    assert not any(is_invisible(chr(code)) for code in PREPENDED)


@pytest.mark.parametrize(
    "ch",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u034f", "\u115f", "\u3164",
     "\ufe0f", "\U000e0041", "\U000e0100", "\u180b", "\u17b4", "\u2064"],
)
def test_default_ignorable_characters_are_invisible(ch: str) -> None:
    assert is_invisible(ch)


@pytest.mark.parametrize("ch", ["a", " ", "\u00a0", "é", "\u0301", "\u20e3", "😀", "-", "\u2800"])
def test_visible_characters_are_not(ch: str) -> None:
    assert not is_invisible(ch)


def clean(text: str) -> str:
    return clean_text(text, what="question", max_chars=500)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Can you call 617\u200b-555\u200b-0143?", "Can you call 617-555-0143?"),
        ("she is in ro\u200bom 412", "she is in room 412"),
        ("6\u20601\u20607\u00ad-555-0143", "617-555-0143"),
        ("\ufeffHello\u200e \u200fthere\u2063", "Hello there"),
        ("sh\u200di\u200ct", "shit"),
        ("Bob\u3164", "Bob"),
        ("9\ufe0f1\ufe0f", "91"),  # a selector on an ASCII digit selects nothing
        ("room\U000e0020\U000e0041 412", "room 412"),
    ],
)
def test_invisible_characters_are_not_stored(typed: str, stored: str) -> None:
    assert clean(typed) == stored


@pytest.mark.parametrize(
    "text",
    [
        "Thank you 👩\u200d⚕️ nurses",  # ZWJ sequence with a selector
        "👨\u200d👩\u200d👧\u200d👦 all of us",
        "❤\ufe0f and ❤\ufe0e",  # emoji and text presentation
        "Go team 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # flag tags
        "Press 6\ufe0f\u20e3 for more",  # keycap
        "葛\U000e0100城市",  # ideographic variation sequence
        "می\u200cخواهم بدانم",  # Persian: ZWNJ between letters
        "क्\u200dष",  # Devanagari: ZWJ chooses the half form
        "🐦\u200d🔥 phoenix, 🙂\u200d↔️ and 🦷\u200d🔥",  # ZWJ sequences, known or not
    ],
)
def test_invisible_characters_that_do_visible_work_survive(text: str) -> None:
    assert clean(text) == text
    assert strip_invisible(text) == text


def test_only_invisible_characters_is_empty() -> None:
    with pytest.raises(InvalidText, match="empty"):
        clean("\u200b\u200b\u2060")


def test_length_is_counted_without_invisible_characters() -> None:
    assert clean_text("a\u200b" * 10, what="name", max_chars=10) == "a" * 10


def test_bidi_overrides_are_still_refused() -> None:
    with pytest.raises(InvalidText, match="invisible control characters"):
        clean("call \u202e3410-555-716")


def test_procedure_posts_are_stored_without_them() -> None:
    assert check_text("Incision at 08:02\u200b, all\u2060 well", "") == (
        "Incision at 08:02, all well"
    )
