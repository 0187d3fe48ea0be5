"""The reading grade of a post (textstat's Flesch-Kincaid): plain words score at or under
the NIH's grade 8, jargon above; links, handles, hashtags and counters are not prose."""

from liveq.tweettext.readability import TARGET_GRADE, prose, reading_grade

PLAIN = "The team is ready. The patient is asleep and doing well. We start in five minutes."
JARGON = (
    "Arthroplasty necessitates comprehensive postoperative rehabilitation incorporating "
    "progressive proprioceptive exercises under physiotherapeutic supervision."
)


def test_plain_words_read_at_the_target_and_jargon_above_it():
    assert TARGET_GRADE == 8
    plain, jargon = reading_grade(PLAIN), reading_grade(JARGON)
    assert plain is not None and plain <= TARGET_GRADE
    assert jargon is not None and jargon > 14


def test_links_handles_hashtags_and_counters_are_not_graded():
    dressed = f"3/ {PLAIN} @DrOkafor #KneeLive https://example.org/a/very/long/link"
    assert prose(dressed) == PLAIN
    assert reading_grade(dressed) == reading_grade(PLAIN)


def test_too_short_to_grade():
    assert reading_grade("Thank you! #KneeLive") is None
    assert reading_grade("") is None
