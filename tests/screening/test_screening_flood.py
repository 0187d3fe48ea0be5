"""FloodMeter with an injected clock: no sleeping."""

from __future__ import annotations

import pytest

from liveq.screening import FloodMeter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_author_over_the_limit_is_flagged_then_cools_down() -> None:
    clock = Clock()
    meter = FloodMeter(max_per_window=3, window_seconds=60, clock=clock)
    for _ in range(3):
        assert meter.record(author="ann", text="hi") == []
        clock.now += 1
    (f,) = meter.record(author="ann", text="hi there")
    assert f.kind == "flood" and (f.start, f.end) == (0, 8)
    assert f.reason == "flood: 4 questions from this author in 60 s (limit 3)"
    assert meter.count(author="ann") == 4
    clock.now += 61
    assert meter.record(author="ann") == []
    assert meter.count(author="ann") == 1


def test_ip_is_counted_across_authors() -> None:
    clock = Clock()
    meter = FloodMeter(max_per_window=2, window_seconds=10, clock=clock)
    assert meter.record(author="a", ip="203.0.113.9") == []
    assert meter.record(author="b", ip="203.0.113.9") == []
    (f,) = meter.record(author="c", ip="203.0.113.9")
    assert "IP address" in f.reason
    assert meter.record(author="d", ip="198.51.100.1") == []


def test_both_keys_can_flood_and_quiet_keys_are_forgotten() -> None:
    clock = Clock()
    meter = FloodMeter(max_per_window=1, window_seconds=5, clock=clock)
    meter.record(author="x", ip="1.2.3.4")
    assert len(meter.record(author="x", ip="1.2.3.4")) == 2
    for i in range(2048):
        clock.now += 10
        meter.record(author=f"one-off-{i}")
    assert len(meter._seen) < 1100


def test_bad_settings() -> None:
    with pytest.raises(ValueError):
        FloodMeter(0, 10)
    with pytest.raises(ValueError):
        FloodMeter(3, 0)
