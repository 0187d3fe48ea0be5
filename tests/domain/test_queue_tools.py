"""The queue tools' pure rules: labels, notes, what a search matches, the presenter's timer."""

import pytest

from liveq.domain.presenter import Timer, next_timer
from liveq.domain.questions import Question, Status
from liveq.domain.queue import Search, clean_labels, clean_note
from liveq.errors import Conflict, InvalidInput


def q(**kw) -> Question:
    return Question(id=1, event_id=1, text=kw.pop("text", "How long is knee rehab?"),
                    status=Status.PENDING, **kw)


def test_labels_are_cleaned_and_repeats_dropped_in_any_case():
    assert clean_labels([" Dr  Lee", "dr lee", "Vaccines"]) == ("Dr Lee", "Vaccines")
    assert clean_labels([]) == ()
    with pytest.raises(InvalidInput, match="list of words"):
        clean_labels("Dr Lee")
    with pytest.raises(InvalidInput, match="at most 10"):
        clean_labels([f"t{i}" for i in range(11)])
    assert clean_note("  two   spaces ") == "two spaces"


@pytest.mark.parametrize(
    ("search", "question", "hit"),
    [
        (Search(text="KNEE"), q(), True),
        (Search(text="hip"), q(), False),
        (Search(text="@jo"), q(author="@jo_nurse"), True),
        (Search(text="jo_nurse"), q(author="@jo_nurse"), True),
        (Search(text="lee"), q(labels=("Dr Lee",)), True),
        (Search(text="old words"), q(original_text="some old words"), True),
        (Search(source="x"), q(source="web"), False),
        (Search(starred=True), q(starred=False), False),
        (Search(starred=False), q(starred=False), True),
        (Search(kind="phone"), q(findings=({"kind": "phone"},)), True),
        (Search(kind="phone"), q(findings=({"kind": "name"},)), False),
        (Search(label="dr lee"), q(labels=("Dr Lee",)), True),
        (Search(label="dr"), q(labels=("Dr Lee",)), False),  # a label matches whole
        (Search(), q(), True),
    ],
)
def test_what_a_search_matches(search, question, hit):
    assert search.matches(question) is hit


def test_timer_counts_from_its_start_and_keeps_what_is_left_when_paused():
    timer = next_timer(Timer(), "set", 600, now=1000.0)
    assert timer == Timer(600, 600, None)
    running = next_timer(timer, "start", None, now=1000.0)
    assert running.left(1090.0) == 510
    paused = next_timer(running, "pause", None, now=1090.0)
    assert paused == Timer(600, 510, None) and paused.left(5000.0) == 510
    again = next_timer(paused, "start", None, now=2000.0)
    assert again.left(2600.0) == -90  # over time shows as negative
    assert next_timer(again, "reset", None, now=2600.0) == Timer(600, 600, None)
    with pytest.raises(Conflict, match="running already"):
        next_timer(again, "start", None, now=2600.0)
    with pytest.raises(Conflict, match="not running"):
        next_timer(paused, "pause", None, now=2600.0)
    with pytest.raises(Conflict, match="Set the timer"):
        next_timer(Timer(), "start", None, now=0.0)
    with pytest.raises(InvalidInput, match="1 second to 24 hours"):
        next_timer(Timer(), "set", -5, now=0.0)
