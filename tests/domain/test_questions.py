"""The moderation state machine and text cleaning (pure)."""

import pytest

from liveq.domain.questions import (
    ACTIONS,
    IllegalTransition,
    InvalidText,
    Question,
    Status,
    check_merge,
    clean_text,
    next_status,
)

LEGAL = [
    (Status.PENDING, "approve", Status.APPROVED),
    (Status.PENDING, "decline", Status.DECLINED),
    (Status.APPROVED, "decline", Status.DECLINED),
    (Status.APPROVED, "on_air", Status.ON_AIR),
    (Status.ON_AIR, "answer", Status.ANSWERED),
    (Status.ON_AIR, "off_air", Status.APPROVED),
    (Status.APPROVED, "answer", Status.ANSWERED),
    (Status.ANSWERED, "archive", Status.ARCHIVED),
    (Status.DECLINED, "archive", Status.ARCHIVED),
    (Status.PENDING, "edit", Status.PENDING),
    (Status.ON_AIR, "star", Status.ON_AIR),
]


@pytest.mark.parametrize(("start", "action", "end"), LEGAL)
def test_legal_moves(start, action, end):
    assert next_status(start, action) is end


ILLEGAL = [
    (Status.PENDING, "on_air"),
    (Status.PENDING, "answer"),
    (Status.DECLINED, "approve"),
    (Status.ANSWERED, "on_air"),
    (Status.ANSWERED, "decline"),
    (Status.ARCHIVED, "archive"),
    (Status.ARCHIVED, "approve"),
    (Status.ON_AIR, "decline"),
    (Status.ANSWERED, "edit"),
    (Status.DECLINED, "star"),
    (Status.APPROVED, "approve"),
]


@pytest.mark.parametrize(("start", "action"), ILLEGAL)
def test_illegal_moves_raise(start, action):
    with pytest.raises(IllegalTransition) as info:
        next_status(start, action)
    assert "cannot be" in str(info.value)


def test_every_action_is_known_and_unknown_raises():
    assert {"approve", "decline", "on_air", "answer", "merge", "edit", "star"} <= ACTIONS
    with pytest.raises(IllegalTransition, match="Unknown action"):
        next_status(Status.PENDING, "publish")


def _q(id_, status, event_id=1):
    return Question(id=id_, event_id=event_id, text="t", status=status)


def test_merge_rules():
    check_merge(_q(1, Status.PENDING), _q(2, Status.APPROVED))
    with pytest.raises(IllegalTransition, match="itself"):
        check_merge(_q(1, Status.PENDING), _q(1, Status.PENDING))
    with pytest.raises(IllegalTransition, match="different events"):
        check_merge(_q(1, Status.PENDING), _q(2, Status.PENDING, event_id=2))
    with pytest.raises(IllegalTransition):
        check_merge(_q(1, Status.ON_AIR), _q(2, Status.PENDING))
    with pytest.raises(IllegalTransition):
        check_merge(_q(1, Status.PENDING), _q(2, Status.DECLINED))


def test_clean_text_normalises_and_rejects():
    assert clean_text("  What  about\n\tknees? ", what="question", max_chars=50) == (
        "What about knees?"
    )
    # NFC: a decomposed é counts once.
    assert clean_text("cafe\u0301", what="question", max_chars=4) == "caf\u00e9"
    with pytest.raises(InvalidText, match="empty"):
        clean_text("   ", what="question", max_chars=10)
    with pytest.raises(InvalidText, match="control characters"):
        clean_text("hi\x00there", what="question", max_chars=50)
    with pytest.raises(InvalidText, match="control characters"):
        clean_text("abc\u202edcba", what="question", max_chars=50)
    with pytest.raises(InvalidText, match="10,000 characters long; the limit is 500"):
        clean_text("a" * 10_000, what="question", max_chars=500)
    with pytest.raises(InvalidText, match="must be text"):
        clean_text(["a"], what="question", max_chars=500)
    assert clean_text(None, what="name", max_chars=5, required=False) == ""
    # Emoji with joiners are ordinary text.
    assert clean_text("👩‍⚕️ thanks", what="question", max_chars=50) == "👩‍⚕️ thanks"
