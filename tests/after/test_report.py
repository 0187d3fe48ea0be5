"""liveq report: the figures against values the test works out itself, and the HTML file.

The expected values come from what build_event did (who asked what, who answered)
and from the database read with plain SQL, never from liveq's report code.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from html.parser import HTMLParser

import pytest

from liveq.after import report_figures
from liveq.after.report_figures import Durations, compute, percentile
from tests.after.test_export import EVENT, build_event, run_cli, serving
from tests.fixtures_database import RawConnection


def nearest_rank_p90(values: list[float]) -> float:
    """The smallest value that at least 90 % of the values are at or below."""
    return min(v for v in values if sum(x <= v for x in values) >= 0.9 * len(values))


def waits(conn: RawConnection, action: str) -> list[float]:
    rows = conn.execute(
        "SELECT min(a.at) - q.created_at FROM questions q JOIN audit a ON a.question_id = q.id"
        " WHERE a.action = ? GROUP BY q.id",
        (action,),
    )
    return [r[0] for r in rows]


@pytest.fixture
async def after_server(tmp_path, x_emulator, x_state):
    async with serving(tmp_path, x_emulator, x_state) as live:
        yield live


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter = Counter()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        for name, value in attrs:
            if name in ("href", "src", "xlink:href", "action", "srcset") and value:
                self.urls.append(value)
            if name == "id":
                self.ids.add(value)


async def test_report_figures_match_an_independent_count(
    after_server, http, x_state, capsys, tmp_path
):
    built = await build_event(after_server, http, x_state)
    conn = RawConnection(after_server.config.database_target)  # sqlite or PostgreSQL
    questions = conn.execute("SELECT id, source, created_at FROM questions")

    # Per minute by source, the peak minute.
    per_minute = Counter((math.floor(t / 60) * 60, source) for _, source, t in questions)
    totals = Counter()
    for (m, _), n in per_minute.items():
        totals[m] += n
    peak = max(sorted(totals), key=lambda m: totals[m])
    # Waiting times.
    to_approval, to_answer = waits(conn, "approve"), waits(conn, "answer")
    actions = Counter(
        (actor, action) for actor, action in conn.execute("SELECT actor, action FROM audit")
    )
    conn.close()

    from liveq.after import export
    from liveq.storage import store

    event = await store.get_event(after_server.db, EVENT)
    data = await export.load(after_server.db, event)
    fig = compute(data.questions, data.audit)

    assert fig.total == 10 and fig.by_source == {"web": 6, "x": 4}
    assert fig.bucket_seconds == 60
    got = {(m, s): n for m, counts in fig.per_bucket for s, n in counts.items() if n}
    assert got == dict(per_minute)
    assert fig.peak_minute == (peak, totals[peak])
    # Minutes without questions are there, as zero-height bars.
    starts = [m for m, _ in fig.per_bucket]
    assert starts == [starts[0] + 60 * i for i in range(len(starts))]

    assert len(to_approval) == 7  # every approved question; merged and declined ones were not
    assert fig.to_approval.median == statistics.median(to_approval)
    assert fig.to_approval.p90 == nearest_rank_p90(to_approval)
    assert len(to_answer) == 4
    assert fig.to_answer.median == statistics.median(to_answer)
    assert fig.to_answer.p90 == nearest_rank_p90(to_answer)
    # The X questions were tweeted minutes before they were approved.
    assert max(to_approval) > 200

    # Answered: W1, X1, W3, X3 of 10 questions, X2 being X1 asked again.
    assert (fig.answered, fig.distinct) == (4, 9)
    assert fig.answered_share == 4 / 9
    assert fig.status_counts == {"answered": 4, "approved": 3, "declined": 2, "merged": 1}
    # Web: Maria (twice, once as "maria "), Tom, Sam, and one address without a name.
    # X: @kneefan (twice), @runner_jo, @pat_q.
    assert fig.participants == {"web": 4, "x": 3}
    assert fig.unnamed_web_addresses == 1
    assert fig.questions_per_participant == {"web": 6 / 4, "x": 4 / 3}
    assert fig.top_askers == [
        ("@kneefan", "x", 2),
        ("Maria", "web", 2),
        ("@pat_q", "x", 1),
        ("@runner_jo", "x", 1),
        ("Sam", "web", 1),
        ("Tom", "web", 1),
    ]
    assert fig.findings == {
        "date": {"overridden": 1},  # X4, overridden by bob
        "duplicate": {"merged": 1},  # X2, merged into X1
        "name": {"redacted": 1},  # W3
        "room_number": {"redacted": 1},  # W3
        "profanity": {"declined": 1},  # W6
        "watch_list": {"approved": 1},  # W4, approved as it was
    }
    expected_mods: dict[str, dict[str, int]] = {}
    for (actor, action), n in actions.items():
        expected_mods.setdefault(actor, {})[action] = n
    assert fig.moderators == expected_mods
    assert fig.moderators["bob"]["decline"] == 2 and fig.moderators["alice"]["edit"] == 1

    # The file the CLI writes.
    out = tmp_path / "report.html"
    config = str(after_server.config.path)
    code, _, _ = await run_cli(capsys, "report", EVENT, "-o", str(out), "--config", config)
    assert code == 0
    html = out.read_text(encoding="utf-8")
    parsed = _Html()
    parsed.feed(html)
    # Self-contained: no scripts, no stylesheets or images to fetch; links only to X posts.
    assert parsed.tags["script"] == 0 and parsed.tags["link"] == 0 and parsed.tags["img"] == 0
    assert parsed.tags["svg"] == 4 and parsed.tags["style"] == 1
    assert parsed.urls == [p["url"] for p in built.posts]
    assert "@media print" in html
    for key in ("W1 edited", "X1"):
        assert built.texts[key] in html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "4 of 9 distinct questions" in text
    assert f"with {totals[peak]} questions" in text
    assert "Intact." in text
    assert "posted" in text and "2 attempts" in text


def test_percentile_and_durations_by_definition():
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert percentile([5], 90) == 5
    assert percentile(list(range(1, 21)), 90) == 18
    d = Durations.of([3.0, 1.0, 2.0, 10.0])
    assert d.values == (1.0, 2.0, 3.0, 10.0) and d.median == 2.5 and d.p90 == 10.0
    assert Durations.of([]).median is None


def _q(i, t, source="web", author="", ip="10.0.0.1", status="pending", merged=None, findings=()):
    return {
        "id": i,
        "created_at": t,
        "source": source,
        "author": author,
        "client_ip": ip,
        "status": status,
        "merged_into": merged,
        "findings": list(findings),
    }


def test_a_long_event_gets_wider_buckets_and_participants_fold_case_and_spaces():
    start = 1_800_000_000.0
    qs = [_q(i, start + i * 600, author=["Ann", " ann ", "", "Bo"][i % 4]) for i in range(40)]
    width, buckets = report_figures.per_bucket(qs, ("web", "x"))
    assert width == 300 and sum(c["web"] for _, c in buckets) == 40
    qs += [_q(41, start, source="x", author="@Bo", ip=""), _q(42, start, source="x", author="@bo")]
    people, unnamed = report_figures.participants(qs)
    assert people == {"web": 3, "x": 1} and unnamed == 1  # Ann, Bo, one address; @bo


def test_figures_after_a_purge_come_from_the_purge_record():
    qs = [_q(1, 100.0, status="answered"), _q(2, 130.0, source="x", status="declined")]
    for q in qs:
        q["author"] = q["client_ip"] = ""
    audit = [
        {
            "id": 1,
            "question_id": 1,
            "actor": "a",
            "action": "answer",
            "at": 160.0,
            "before": {"status": "on_air"},
            "after": {"status": "answered", "answer": {"purged": "ab" * 32}},
            "detail": "",
        },
        {
            "id": 2,
            "question_id": None,
            "actor": "cli:x",
            "action": "purge",
            "at": 200.0,
            "before": None,
            "after": {"participants": {"web": 1, "x": 1}, "unnamed_web_addresses": 0},
            "detail": "",
        },
    ]
    fig = compute(qs, audit)
    assert fig.participants == {"web": 1, "x": 1} and fig.top_askers == []
    assert fig.purged_at == 200.0 and fig.to_answer.values == (60.0,)
