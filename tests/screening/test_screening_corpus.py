"""Quality gate: per-kind precision and recall of screen_text over the hand-written corpus.

A predicted finding is a true positive when its kind matches an expected finding's
kind and the spans overlap. The table is printed even without ``-s``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from liveq.screening import KINDS, screen_text

CORPUS = Path(__file__).with_name("screening_corpus.jsonl")
RECALL_FLOORS = {
    "phone": 0.95, "email": 0.95, "ssn": 0.95, "mrn": 0.95, "date": 0.95,
    "street_address": 0.95, "name": 0.85,
}
PRECISION_FLOOR = 0.90


def load_corpus() -> list[dict]:
    rows = []
    for lineno, line in enumerate(CORPUS.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        spans = []
        for kind, sub in row["expect"]:
            start = row["text"].find(sub)
            assert start >= 0, f"line {lineno}: {sub!r} not in text"
            assert kind in KINDS, f"line {lineno}: unknown kind {kind!r}"
            spans.append((kind, start, start + len(sub)))
        rows.append({"text": row["text"], "expected": spans, "line": lineno})
    return rows


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def evaluate(rows: list[dict]) -> tuple[dict[str, Counter], list[str]]:
    stats: dict[str, Counter] = {}
    misses: list[str] = []
    for row in rows:
        text = row["text"]
        predicted = [(f.kind, f.start, f.end) for f in screen_text(text)]
        for kind, s, e in row["expected"]:
            c = stats.setdefault(kind, Counter())
            c["expected"] += 1
            if any(k == kind and _overlaps((s, e), (ps, pe)) for k, ps, pe in predicted):
                c["found"] += 1
            else:
                misses.append(f"  missed {kind:<18} {text[s:e]!r:<24} line {row['line']}")
        for kind, s, e in predicted:
            c = stats.setdefault(kind, Counter())
            c["predicted"] += 1
            if any(k == kind and _overlaps((s, e), (xs, xe)) for k, xs, xe in row["expected"]):
                c["tp"] += 1
            else:
                misses.append(f"  false {kind:<19} {text[s:e]!r:<24} line {row['line']}")
    return stats, misses


def table(stats: dict[str, Counter]) -> str:
    lines = [f"{'kind':<20}{'expected':>9}{'predicted':>10}{'precision':>10}{'recall':>8}"]
    for kind in sorted(stats, key=KINDS.index):
        c = stats[kind]
        p = c["tp"] / c["predicted"] if c["predicted"] else float("nan")
        r = c["found"] / c["expected"] if c["expected"] else float("nan")
        lines.append(f"{kind:<20}{c['expected']:>9}{c['predicted']:>10}{p:>10.3f}{r:>8.3f}")
    tp = sum(c["tp"] for c in stats.values())
    pred = sum(c["predicted"] for c in stats.values())
    found = sum(c["found"] for c in stats.values())
    exp = sum(c["expected"] for c in stats.values())
    lines.append(f"{'ALL':<20}{exp:>9}{pred:>10}{tp / pred:>10.3f}{found / exp:>8.3f}")
    return "\n".join(lines)


def test_corpus_is_big_and_varied() -> None:
    rows = load_corpus()
    assert len(rows) >= 400
    assert sum(1 for r in rows if not r["expected"]) >= 200, "needs many texts with no findings"
    assert len({r["text"] for r in rows}) == len(rows), "duplicate texts in the corpus"


def test_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    stats, misses = evaluate(load_corpus())
    with capsys.disabled():
        print("\n\nscreening corpus, per kind:\n" + table(stats))
        if misses:
            print("\n".join(["misses and false alarms:", *misses]))
    failures = []
    for kind, floor in RECALL_FLOORS.items():
        c = stats.get(kind, Counter())
        recall = c["found"] / c["expected"] if c["expected"] else 1.0
        if recall < floor:
            failures.append(f"{kind} recall {recall:.3f} < {floor}")
    tp = sum(c["tp"] for c in stats.values())
    pred = sum(c["predicted"] for c in stats.values())
    if pred and tp / pred < PRECISION_FLOOR:
        failures.append(f"overall precision {tp / pred:.3f} < {PRECISION_FLOOR}")
    assert not failures, "; ".join(failures)
