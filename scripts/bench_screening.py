"""Time screen_text and detect_language per question, DuplicateIndex with 5,000 indexed.

Usage: python scripts/bench_screening.py [--quick] [--cpu]

The mix is the screening corpus (tests/screening/screening_corpus.jsonl) repeated and shuffled,
plus long texts (pasted paragraphs) and unicode-heavy ones (emoji, CJK, accents, RTL).
Prints median and p99 in ms; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from liveq.screening import DuplicateIndex, ScreeningRules, detect_language, screen_text

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "screening" / "screening_corpus.jsonl"
TARGET_MEDIAN_MS = 0.5
TARGET_P99_MS = 5.0
UNICODE_BITS = [
    "🙏🙏", "❤️‍🩹", "👨‍👩‍👧‍👦", "我妈妈住院了，请问探视时间是几点？", "¿Hay intérpretes en español?",
    "مرحبا، هل يوجد مترجم؟", "Ich habe Schmerzen in der Brust.", "Zoë and Renée", "🇺🇸🇲🇽",
    "ｆｕｌｌ ｗｉｄｔｈ", "naïve café résumé", "थैंक यू डॉक्टर", "ありがとうございます",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def build_mix(texts: list[str], repeats: int, rng: random.Random) -> list[str]:
    mix = texts * repeats
    for _ in range(max(10, repeats * 5)):
        # A long pasted message: several questions run together (~1-2k chars).
        mix.append(" ".join(rng.sample(texts, 15)))
    for _ in range(max(10, repeats * 5)):
        parts = rng.sample(texts, 2) + rng.sample(UNICODE_BITS, 4)
        rng.shuffle(parts)
        mix.append(" ".join(parts))
    rng.shuffle(mix)
    return mix


def time_screening(mix: list[str], rules: ScreeningRules, cpu: bool = False) -> list[float]:
    """Wall-clock ms per call; with ``cpu``, this thread's CPU time, best of three per text
    (on a shared, loaded machine the wall clock mostly measures the other processes)."""
    screen_text("warm up: call 617-555-0143, my son Tim, f*ck", rules=rules)
    out = []
    clock = time.thread_time_ns if cpu else time.perf_counter_ns
    for text in mix:
        best = None
        for _ in range(3 if cpu else 1):
            start = clock()
            screen_text(text, rules=rules)
            took = clock() - start
            best = took if best is None else min(best, took)
        out.append(best / 1e6)
    return out


def time_duplicates(texts: list[str], rng: random.Random, n_indexed: int, n_queries: int):
    filler = ["please", "thanks", "today", "again", "quickly", "also", "now", "here", "soon"]
    index = DuplicateIndex()
    for i in range(n_indexed):
        base = texts[i % len(texts)]
        # Distinct but realistic: the corpus texts with a varying word or two added.
        index.add(i, f"{base} {rng.choice(filler)} {i // len(texts)}")
    queries = [rng.choice(texts) for _ in range(n_queries)]
    out = []
    clock = time.perf_counter_ns
    for q in queries:
        start = clock()
        index.similar(q)
        out.append((clock() - start) / 1e6)
    return out


def time_flood(n_indexed: int, n_queries: int) -> list[float]:
    """Lookups while thousands ask nearly the same thing (a viral question)."""
    base = "Is the new knee implant safe for people over seventy years old"
    index = DuplicateIndex()
    for i in range(n_indexed):
        index.add(i, f"{base} ({i})")
    out = []
    clock = time.perf_counter_ns
    for i in range(n_queries):
        start = clock()
        index.similar(f"{base} ({n_indexed + i})")
        out.append((clock() - start) / 1e6)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller mix, for CI")
    parser.add_argument("--cpu", action="store_true",
                        help="screen_text in CPU time, best of three per text")
    args = parser.parse_args(argv)
    rng = random.Random(2026)
    texts = [json.loads(line)["text"] for line in CORPUS.read_text("utf-8").splitlines() if line]
    rules = ScreeningRules(watch_list=("miracle cure", "stop chemo", "ivermectin"))
    mix = build_mix(texts, 2 if args.quick else 10, rng)
    timings = time_screening(mix, rules, cpu=args.cpu)
    median, p99 = statistics.median(timings), percentile(timings, 99)
    label = "screen_text (CPU time)" if args.cpu else "screen_text"
    print(f"{label}: {len(mix)} questions, median {median:.3f} ms, p99 {p99:.3f} ms, "
          f"max {max(timings):.3f} ms "
          f"(targets: median < {TARGET_MEDIAN_MS}, p99 < {TARGET_P99_MS})")
    detect_language("warm up: the model is read on first use")
    clock = time.perf_counter_ns
    lang = []
    for text in mix:
        start = clock()
        detect_language(text)
        lang.append((clock() - start) / 1e6)
    lang_median, lang_p99 = statistics.median(lang), percentile(lang, 99)
    print(f"detect_language: median {lang_median:.3f} ms, p99 {lang_p99:.3f} ms")
    dup = time_duplicates(texts, rng, 5000, 500 if args.quick else 2000)
    dup_median, dup_p99 = statistics.median(dup), percentile(dup, 99)
    print(f"DuplicateIndex.similar with 5000 indexed: median {dup_median:.3f} ms, "
          f"p99 {dup_p99:.3f} ms")
    flood = time_flood(5000, 200 if args.quick else 1000)
    flood_median, flood_p99 = statistics.median(flood), percentile(flood, 99)
    print(f"DuplicateIndex.similar, 5000 near-copies indexed: median {flood_median:.3f} ms, "
          f"p99 {flood_p99:.3f} ms")
    ok = (
        median < TARGET_MEDIAN_MS
        and p99 < TARGET_P99_MS
        and dup_p99 < 1.0
        and flood_p99 < 1.0
    )
    print(json.dumps({
        "bench": "screening",
        "median_ms": round(median, 4),
        "p99_ms": round(p99, 4),
        "max_ms": round(max(timings), 4),
        "questions": len(mix),
        "lang_median_ms": round(lang_median, 4),
        "lang_p99_ms": round(lang_p99, 4),
        "dup_indexed": 5000,
        "dup_median_ms": round(dup_median, 4),
        "dup_p99_ms": round(dup_p99, 4),
        "flood_median_ms": round(flood_median, 4),
        "flood_p99_ms": round(flood_p99, 4),
        "targets_met": ok,
    }))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
