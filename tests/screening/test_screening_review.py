"""Review of a question's two screened fields: its text and its asker's name."""

import pytest

from liveq.screening import review

TEXT = "How long is the stay after a hip replacement?"
NAME = "shithead 617 555 0143"


def findings() -> list[dict]:
    return review.screen_field(TEXT, review.TEXT, None) + review.screen_field(
        NAME, review.NAME, None
    )


def test_name_findings_say_so_and_count_in_the_name() -> None:
    found = findings()
    assert [(f["kind"], f.get("field"), NAME[f["start"] : f["end"]]) for f in found] == [
        ("profanity", "name", "shithead"),
        ("phone", "name", "617 555 0143"),
    ]


def test_unreviewed_name_findings_block_release_and_are_named() -> None:
    problem = review.release_problem(TEXT, findings(), NAME)
    assert problem is not None
    assert "profanity in the name (“shithead”)" in problem
    assert "a phone number in the name (“617 555 0143”)" in problem


def test_findings_without_a_field_are_about_the_text() -> None:
    old = {"kind": "phone", "start": 4, "end": 16, "reason": "phone number"}
    assert review.field_of(old) == "text"
    assert review.describe("Car 617-555-0143", old, "Bob") == "a phone number (“617-555-0143”)"


def test_redacting_everything_redacts_the_name_too() -> None:
    chosen = review.select_for_redaction(TEXT, findings(), name=NAME)
    text, name, after = review.apply_redaction(TEXT, findings(), chosen, None, name=NAME)
    assert text == TEXT
    assert name == "[profanity removed] [phone removed]"
    assert after == []
    assert review.release_problem(text, after, name) is None


def test_a_name_span_is_redacted_in_the_name_only() -> None:
    spans = [{"start": 9, "end": 21, "field": "name"}]
    chosen = review.select_for_redaction(TEXT, findings(), spans=spans, name=NAME)
    assert list(chosen) == ["name"] and chosen["name"][0].kind == "phone"
    text, name, after = review.apply_redaction(TEXT, findings(), chosen, None, name=NAME)
    assert (text, name) == (TEXT, "shithead [phone removed]")
    assert [(f["kind"], f["field"]) for f in after] == [("profanity", "name")]


def test_a_span_past_the_name_is_refused_with_a_sentence() -> None:
    with pytest.raises(review.ReviewError, match="outside the name"):
        review.select_for_redaction(
            TEXT, findings(), spans=[{"start": 0, "end": 40, "field": "name"}], name=NAME
        )


def test_override_of_the_name_only() -> None:
    text_finding = {"kind": "date", "start": 0, "end": 3, "reason": "date"}
    out, count = review.apply_override(
        [text_finding, *findings()], actor="alice", reason="ok", at=1.0, field="name"
    )
    assert count == 2
    assert "override" not in out[0] and all("override" in f for f in out[1:])


def test_editing_the_text_keeps_the_name_findings() -> None:
    after = review.rescreen(TEXT, findings(), TEXT + " Thanks", None)
    assert [(f["kind"], f.get("field")) for f in after] == [
        ("profanity", "name"),
        ("phone", "name"),
    ]
