"""An event's question window: before, open, after; and the check on its two ends. Pure."""

import pytest

from liveq.domain.events import Event, check_schedule


def event(opens_at=None, closes_at=None) -> Event:
    return Event(1, "gr", "GR", "webinar", "", "pre", "k", opens_at=opens_at, closes_at=closes_at)


@pytest.mark.parametrize(
    ("opens", "closes", "now", "state"),
    [
        (None, None, 5.0, "open"),
        (10.0, None, 9.9, "before"),
        (10.0, None, 10.0, "open"),
        (None, 20.0, 19.9, "open"),
        (None, 20.0, 20.0, "after"),
        (10.0, 20.0, 25.0, "after"),
        (10.0, 20.0, 1.0, "before"),
    ],
)
def test_schedule_state(opens, closes, now, state):
    assert event(opens, closes).schedule_state(now) == state


def test_questions_must_close_after_they_open():
    check_schedule(None, 5.0)
    check_schedule(5.0, None)
    check_schedule(5.0, 6.0)
    for opens, closes in [(5.0, 5.0), (6.0, 5.0)]:
        with pytest.raises(ValueError, match="close after they open"):
            check_schedule(opens, closes)
