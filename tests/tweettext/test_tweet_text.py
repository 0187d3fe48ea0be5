"""Tweet weighing beyond the conformance suite, and splitting text into a thread."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveq.tweettext.text import (
    CONFIG_V3,
    MIN_THREAD_WEIGHT,
    extract_entities,
    extract_urls,
    grapheme_spans,
    parse_tweet,
    split_for_thread,
    weighted_length,
)

FAMILY = "👨\u200d👩\u200d👧\u200d👦"
NUMBERING = re.compile(r"(\d+)/(\d+) ")
# What the splitter cuts at (whitespace, but not no-break spaces).
# At a cut any whitespace may be dropped, a no-break space too (when a word must be
# cut, a cut beside one is the best there is).
CUT_GAP = re.compile(r"\s+")


def _valid(part: str, max_weight: int) -> bool:
    return parse_tweet(part, replace(CONFIG_V3, max_weighted_tweet_length=max_weight)).valid


def _bodies(parts: list[str]) -> list[str]:
    """The parts without their "k/n " prefixes, checking those on the way."""
    if len(parts) == 1:
        return parts
    bodies = []
    for k, part in enumerate(parts, start=1):
        match = NUMBERING.match(part)
        assert match, part
        assert (int(match.group(1)), int(match.group(2))) == (k, len(parts))
        bodies.append(part[match.end() :])
    return bodies


def _cuts(text: str, bodies: list[str]) -> list[tuple[int, bool]]:
    """Where ``text`` was cut, and whether whitespace was dropped there.

    Fails unless the bodies are consecutive slices of ``text`` separated by
    nothing but whitespace, i.e. every word is kept, in order.
    """
    pos, cuts = 0, []
    for i, body in enumerate(bodies):
        assert body and body == body.strip(), repr(body)
        if i:
            gap = CUT_GAP.match(text, pos)
            cuts.append((pos, gap is not None))
            pos = gap.end() if gap else pos
        assert text.startswith(body, pos), (text[pos : pos + 40], body[:40])
        pos += len(body)
    assert pos == len(text)
    return cuts


# --- weighing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("hello", 5),
        ("こんにちは", 10),
        (FAMILY, 2),
        ("🇩🇪", 2),  # a flag is one emoji
        ("1\ufe0f\u20e3", 2),  # keycap
        ("👋🏽", 2),  # skin tone
        ("©", 1),  # text presentation: a Latin-1 character like any other
        ("©\ufe0f", 2),  # emoji presentation
        ("see https://example.org/" + "a" * 300, 4 + 23),
        ("example.com and www.example.org", 23 + 5 + 23),
        ("e\u0301", 1),  # NFC makes it one character
        ("“quoted” — dash", 15),  # General Punctuation in the light ranges
    ],
)
def test_weighted_length(text: str, weight: int) -> None:
    assert weighted_length(text) == weight


def test_ranges_count_utf16_units_of_the_text_as_given() -> None:
    parsed = parse_tweet("a😷b")  # the emoji is two UTF-16 units
    assert (parsed.display_range_end, parsed.valid_range_end) == (3, 3)
    over = parse_tweet("😷" * 141)
    assert over.weighted_length == 282 and not over.valid
    assert over.valid_range_end == 279  # 140 emoji, the last ending at unit 279


def test_whitespace_only_counts_as_twitter_text_javascript_does() -> None:
    assert parse_tweet("   ").weighted_length == 3
    assert parse_tweet("   ").valid
    assert not parse_tweet("").valid


def test_refused_characters_make_text_invalid() -> None:
    assert not parse_tweet("ok\ufeff").valid


def test_url_search_stays_linear_on_long_unbroken_text() -> None:
    # The reference regex is quadratic here; 20k characters took 13 s before
    # the search was bounded.
    text = "故人西辞黄鹤楼烟花三月下扬州" * 1500 + ".x"
    started = time.perf_counter()
    assert extract_urls(text) == []
    assert time.perf_counter() - started < 2


def test_grapheme_spans_keep_sequences_whole() -> None:
    text = f"e\u0301{FAMILY}🇩🇪\r\n\u1100\u1161\u11a8👋🏽x"
    clusters = [text[s:e] for s, e in grapheme_spans(text)]
    assert clusters == ["e\u0301", FAMILY, "🇩🇪", "\r\n", "\u1100\u1161\u11a8", "👋🏽", "x"]


# --- splitting: examples -----------------------------------------------------


def test_short_text_is_one_unnumbered_part() -> None:
    assert split_for_thread("  Thank you all for joining!  ") == ["Thank you all for joining!"]


def test_blank_text_gives_no_parts() -> None:
    assert split_for_thread(" \n ") == []


def test_max_weight_must_leave_room_for_a_link_and_numbering() -> None:
    with pytest.raises(ValueError, match="at least"):
        split_for_thread("text", max_weight=MIN_THREAD_WEIGHT - 1)


def test_parts_end_at_sentences_not_abbreviations() -> None:
    sentence = (
        "Dr. Patel said the new guidance asks for 150 minutes of moderate activity a week,"
        " spread over several days."
    )
    parts = split_for_thread(" ".join([sentence] * 6))
    assert len(parts) == 3  # two sentences each; filling up would cut the third
    for body in _bodies(parts):
        assert body.startswith("Dr. Patel") and body.endswith("several days.")


def test_paragraphs_are_kept_inside_a_part() -> None:
    text = "First point.\n\nSecond point. " + "More words here. " * 20
    body = _bodies(split_for_thread(text))[0]
    assert body.startswith("First point.\n\nSecond point.")


def test_numbering_is_a_prefix_and_counted() -> None:
    text = "@CityHospital " + "word " * 200
    parts = split_for_thread(text)
    assert parts[0].startswith(f"1/{len(parts)} @CityHospital")
    assert all(_valid(part, 280) for part in parts)


def test_numbering_widens_with_ten_or_more_parts() -> None:
    parts = split_for_thread("word " * 600, max_weight=60)
    assert len(parts) >= 10
    assert parts[0].startswith(f"1/{len(parts)} ")
    assert all(weighted_length(part) <= 60 for part in parts)


def test_without_numbering() -> None:
    parts = split_for_thread("word " * 200, numbering=False)
    assert len(parts) == 4 and not any(NUMBERING.match(part) for part in parts)
    assert " ".join(parts).split() == ["word"] * 200


def test_cjk_prose_is_cut_after_sentences() -> None:
    text = "故人西辞黄鹤楼，烟花三月下扬州。" * 40
    parts = split_for_thread(text)
    assert all(_valid(part, 280) for part in parts)
    for body in _bodies(parts):
        assert body.endswith("。")
    assert "".join(_bodies(parts)) == text


def test_emoji_heavy_text_keeps_sequences_whole() -> None:
    text = (FAMILY + "🇩🇪👋🏽") * 100
    bodies = _bodies(split_for_thread(text))
    assert "".join(bodies) == text
    for body in bodies:
        assert body.startswith(FAMILY) and body.endswith("👋🏽")


def test_links_stay_whole_and_weigh_23() -> None:
    link = "https://example.org/guidelines/2026/" + "heart-health" * 20
    text = " ".join(f"Read {link} now." for _ in range(12))
    parts = split_for_thread(text)
    assert all(_valid(part, 280) for part in parts)
    assert sum(body.count(link) for body in _bodies(parts)) == 12


def test_an_over_long_word_is_cut_but_not_its_link() -> None:
    text = "x" * 200 + "(https://example.org/page)" + "y" * 200
    bodies = _bodies(split_for_thread(text))
    assert "".join(bodies) == text
    assert any("https://example.org/page" in body for body in bodies)


def test_an_over_long_hashtag_is_cut_as_a_last_resort() -> None:
    text = "#" + "a" * 400
    bodies = _bodies(split_for_thread(text))
    assert "".join(bodies) == text and len(bodies) == 2


def test_refused_characters_are_dropped() -> None:
    assert split_for_thread("a\ufeffb") == ["ab"]


# --- splitting: properties ---------------------------------------------------

_words = st.one_of(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'-",
        min_size=1,
        max_size=12,
    ),
    st.text(alphabet="故人西辞黄鹤楼烟花三月下扬州，。こんにちは한국어", min_size=1, max_size=40),
    st.sampled_from(
        [
            FAMILY,
            "🇩🇪",
            "👋🏽",
            "1\ufe0f\u20e3",
            "e\u0301",
            "ñ",
            "Dr.",
            "end.",
            "why?",
            "#HeartHealth",
            "#心臓",
            "@CityHospital",
            "@dr_patel",
            "https://example.org/a-long/path?with=query",
            "example.com",
            "t.co/abc",
            "(see",
            "it)",
            "10\u00a0mg",
            "\u1100\u1161\u11a8",
        ]
    ),
    st.text(alphabet="xyz", min_size=100, max_size=700),  # over-long words
)
# "" glues words into longer ones, links and hashtags inside them included.
_gaps = st.sampled_from(["", " ", " ", " ", "  ", "\n", "\n\n", "\t", " \u3000"])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(_words, min_size=1, max_size=80))
    gaps = draw(st.lists(_gaps, min_size=len(words), max_size=len(words)))
    return "".join(w + g for w, g in zip(words, gaps, strict=True))


@settings(max_examples=150, deadline=None)
@given(text=_texts(), max_weight=st.integers(MIN_THREAD_WEIGHT, 300), numbering=st.booleans())
def test_split_properties(text: str, max_weight: int, numbering: bool) -> None:
    parts = split_for_thread(text, max_weight=max_weight, numbering=numbering)
    stripped = text.strip()
    assert parts

    # Each part is a valid post within the limit, numbering included.
    for part in parts:
        assert _valid(part, max_weight), (part, weighted_length(part))

    # Numbered exactly when asked and there is more than one part.
    bodies = _bodies(parts) if numbering else parts
    if len(parts) == 1:
        assert parts == [stripped]

    # Every word kept, in order; whitespace dropped only at cuts.
    cuts = _cuts(stripped, bodies)

    # Cuts inside a word fall between grapheme clusters, outside entities that fit.
    cluster_starts = {start for start, _ in grapheme_spans(stripped)}
    room = max_weight - (2 * len(str(len(parts))) + 2 if numbering and len(parts) > 1 else 0)
    whole = [
        (e.start, e.end)
        for e in extract_entities(stripped)
        if weighted_length(stripped[e.start : e.end]) <= room
    ]
    for position, at_whitespace in cuts:
        if not at_whitespace:
            assert position in cluster_starts
            assert not any(start < position < end for start, end in whole), position


def test_a_cut_beside_a_no_break_space_drops_it():
    """Found by hypothesis: "10\\u00a0mg" is kept together when it can be, but when
    a word must be cut beside the no-break space, no part ends with it."""
    text = "IXVk10\xa0mg  r3hLUb1'JAWZ" + "x" * 300 + "10\xa0mg"
    parts = split_for_thread(text, max_weight=40, numbering=False)
    assert all(p == p.strip() and _valid(p, 40) for p in parts)
    assert re.sub(r"\s", "", "".join(parts)) == re.sub(r"\s", "", text)
