"""Inline SVG charts for the report: no scripts, no style attributes, every text escaped.

Colours and fonts come from the report's stylesheet through classes (so one CSP
hash covers them); sizes are SVG attributes. Each chart has a <title> and an
aria-label that says in words what it shows.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from liveq.after.report_figures import Durations

# Histogram bins for waiting times: (upper bound in seconds, label).
WAIT_BINS: tuple[tuple[float, str], ...] = (
    (30, "<30 s"),
    (60, "30–60 s"),
    (120, "1–2 min"),
    (300, "2–5 min"),
    (600, "5–10 min"),
    (1200, "10–20 min"),
    (1800, "20–30 min"),
    (3600, "30–60 min"),
    (math.inf, "1 h+"),
)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def nice_step(top: int, ticks: int = 4) -> int:
    """A round step (1, 2, 5, 10, 20, ...) giving about `ticks` gridlines up to `top`."""
    raw = max(1.0, top / ticks)
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * magnitude >= raw:
            return int(m * magnitude)
    return int(10 * magnitude)


def _frame(width: int, height: int, label: str, body: list[str]) -> Markup:
    svg = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{_e(label)}</title>{''.join(body)}</svg>"
    )
    return Markup(svg)  # noqa: S704 - every text above went through _e


def _axis(body: list[str], left: int, top: int, width: int, height: int, y_max: int) -> float:
    """Gridlines and y labels; return the scale (pixels per unit)."""
    step = nice_step(y_max)
    top_value = max(step, math.ceil(y_max / step) * step)
    scale = height / top_value
    for value in range(0, top_value + 1, step):
        y = top + height - value * scale
        body.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}"/>'
        )
        body.append(
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )
    return scale


def clock(t: float) -> str:
    return time.strftime("%H:%M", time.localtime(t))


def per_minute_chart(
    buckets: Sequence[tuple[float, dict[str, int]]], sources: Sequence[str], bucket_seconds: int
) -> Markup:
    """Stacked bars: questions per bucket, one colour per source."""
    width, height, left, top, bottom = 760, 240, 40, 28, 36
    plot_w, plot_h = width - left - 10, height - top - bottom
    totals = [sum(c.values()) for _, c in buckets]
    unit = "minute" if bucket_seconds == 60 else f"{bucket_seconds // 60} minutes"
    label = (
        f"Questions per {unit}, by source: {sum(totals)} in {len(buckets)} "
        f"{'minutes' if bucket_seconds == 60 else 'periods'}, at most {max(totals, default=0)}."
    )
    body: list[str] = []
    scale = _axis(body, left, top, plot_w, plot_h, max(totals, default=1))
    slot = plot_w / max(1, len(buckets))
    bar = max(1.0, slot * 0.8)
    label_every = max(1, math.ceil(len(buckets) / 10))
    for i, (start, counts) in enumerate(buckets):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for n, source in enumerate(sources):
            value = counts.get(source, 0)
            if not value:
                continue
            h = value * scale
            y -= h
            body.append(
                f'<rect class="s{n}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}">'
                f"<title>{_e(clock(start))} {_e(source)}: {value}</title></rect>"
            )
        if i % label_every == 0:
            body.append(
                f'<text class="tick" x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" '
                f'text-anchor="middle">{_e(clock(start))}</text>'
            )
    body += _legend(sources, left, 14)
    return _frame(width, height, label, body)


def _legend(sources: Sequence[str], x: int, y: int) -> list[str]:
    out = []
    for n, source in enumerate(sources):
        out.append(f'<rect class="s{n}" x="{x}" y="{y - 9}" width="10" height="10"/>')
        out.append(f'<text class="legend" x="{x + 14}" y="{y}">{_e(source_label(source))}</text>')
        x += 30 + 8 * len(source_label(source))
    return out


def source_label(source: str) -> str:
    return {
        "web": "web form",
        "x": "X (hashtag)",
        "mastodon": "Mastodon (hashtag)",
        "bluesky": "Bluesky (hashtag)",
    }.get(source, source)


def bin_counts(durations: Durations) -> list[int]:
    counts = [0] * len(WAIT_BINS)
    for value in durations.values:
        counts[next(i for i, (upper, _) in enumerate(WAIT_BINS) if value < upper)] += 1
    return counts


def wait_histogram(durations: Durations, what: str) -> Markup:
    """How many questions waited how long (submission to `what`), in human bins."""
    counts = bin_counts(durations)
    # Show the bins up to the last one used (at least up to 5 minutes), not empty tails.
    last = max([i for i, c in enumerate(counts) if c] + [3])
    bins = WAIT_BINS[: last + 1]
    width, height, left, top, bottom = 370, 200, 34, 14, 40
    plot_w, plot_h = width - left - 8, height - top - bottom
    label = f"Time from submission to {what}: " + ", ".join(
        f"{c} {b[1]}" for c, b in zip(counts, bins, strict=False) if c
    )
    body: list[str] = []
    scale = _axis(body, left, top, plot_w, plot_h, max(counts, default=1) or 1)
    slot = plot_w / len(bins)
    for i, (_, name) in enumerate(bins):
        x = left + i * slot + slot * 0.1
        h = counts[i] * scale
        if counts[i]:
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{slot * 0.8:.1f}" height="{h:.1f}"><title>{_e(name)}: {counts[i]}'
                "</title></rect>"
            )
        body.append(
            f'<text class="tick small" x="{x + slot * 0.4:.1f}" y="{top + plot_h + 14}" '
            f'text-anchor="middle">{_e(name)}</text>'
        )
    return _frame(width, height, label, body)


def status_bar(counts: dict[str, int]) -> Markup:
    """One horizontal bar split by what became of the questions."""
    width, height = 760, 28
    total = sum(counts.values())
    label = "What became of the questions: " + ", ".join(f"{n} {s}" for s, n in counts.items())
    body: list[str] = []
    x = 0.0
    for status, n in counts.items():
        w = width * n / total if total else 0
        body.append(
            f'<rect class="st-{_e(status)}" x="{x:.1f}" y="0" width="{w:.1f}" height="28">'
            f"<title>{_e(status)}: {n}</title></rect>"
        )
        if w > 28:
            body.append(f'<text class="on-bar" x="{x + 6:.1f}" y="19">{n}</text>')
        x += w
    return _frame(width, height, label, body)
