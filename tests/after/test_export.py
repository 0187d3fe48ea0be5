"""liveq export: an event built through the real API (web form, hashtag poller, moderators,
an X thread with a failure and a retry), exported as JSON and CSV by the CLI.

`build_event` is shared with the report, audit and purge tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp
import pytest

from liveq.cli.main import main
from liveq.emulators.x.state import SEARCH_RECENT, FaultKind
from tests.fixtures_server import (
    LiveServer,
    bearer,
    form_csrf,
    login,
    start_server,
    write_config,
    x_section,
)
from tests.waiting import eventually
from tests.web.test_moderation_api import ask
from tests.workers.test_outbox import POST, settled

EVENT = "grand-rounds"
API = f"/api/v1/events/{EVENT}"


@dataclass
class Built:
    """What the test did, to compare exports and reports with."""

    server: LiveServer
    ids: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    posts: list[dict] = field(default_factory=list)
    started: float = 0.0


class Moderator:
    """A moderator logged in through the real form, acting with the session cookie."""

    def __init__(self, server: LiveServer, http: aiohttp.ClientSession, csrf: str) -> None:
        self.server, self.http, self.csrf = server, http, csrf

    async def post(self, path: str, body: dict | None = None, status: int = 200) -> dict:
        async with self.http.post(
            self.server.url + API + path, json=body or {}, headers={"X-CSRF-Token": self.csrf}
        ) as resp:
            data = await resp.json()
            assert resp.status == status, data
            return data

    async def act(self, qid: int, action: str, body: dict | None = None) -> dict:
        return await self.post(f"/questions/{qid}/{action}", body)


def after_config(tmp_path, x_emulator):
    return write_config(
        tmp_path,
        x=x_section(
            x_emulator,
            outbox_interval_seconds=0.05,
            timeout_seconds=1,
            poll_interval_ms=50,
            signature="Dr. Rivera",
        ),
        limits={"questions_per_minute": 0},
        screening={"watch_list": ["miracle cure"], "flood_per_ip": 0, "flood_per_author": 0},
    )


@contextlib.asynccontextmanager
async def serving(tmp_path, x_emulator, x_state) -> AsyncIterator[LiveServer]:
    """A liveq with X on (fast poller and outbox), users alice and bob, the event."""
    # A poll every 50 ms would run out of X's real search window: lift it.
    x_state.set_rate_limit(SEARCH_RECENT, 100_000, 900)
    live = await start_server(after_config(tmp_path, x_emulator))
    try:
        yield live
    finally:
        await live.stop()


@pytest.fixture
async def after_server(tmp_path, x_emulator, x_state):
    async with serving(tmp_path, x_emulator, x_state) as live:
        yield live


async def _vote(server: LiveServer, qids: list[int]) -> None:
    """One audience member (their own cookies) upvotes these questions."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as voter:
        token = await form_csrf(voter, f"{server.url}/e/{EVENT}")
        for qid in qids:
            async with voter.post(
                f"{server.url}/e/{EVENT}/questions/{qid}/vote", headers={"X-CSRF-Token": token}
            ) as resp:
                assert resp.status == 200, await resp.text()


async def _x_questions(server: LiveServer, n: int) -> dict[str, int]:
    async def ready():
        rows = await server.db.fetchall(
            "SELECT id, source_url FROM questions WHERE source = 'x' ORDER BY id"
        )
        return rows if len(rows) == n else None

    rows = await eventually(ready, timeout=10)
    return {r["source_url"].rsplit("/", 1)[1]: r["id"] for r in rows}


async def build_event(server: LiveServer, http: aiohttp.ClientSession, x_state) -> Built:
    """A small but complete event; every step through the real HTTP API and X emulator."""
    built = Built(server, started=time.time())
    now = datetime.now(UTC).timestamp()
    # Hashtag questions, tweeted over the past minutes (the poller keeps their times).
    tweets = {
        "X1": ("kneefan", 540, "How long is rehab after a knee replacement?"),
        "X2": ("kneefan", 420, "How long does rehab take after a knee replacement?"),
        "X3": ("runner_jo", 300, "Can I run again after surgery?"),
        "X4": ("pat_q", 240, "I had surgery on 3/14, when can I drive again?"),
    }
    injected = {}
    for key, (handle, ago, text) in tweets.items():
        when = datetime.fromtimestamp(now - ago, UTC)
        injected[key] = x_state.inject_tweet(
            f"#GR26 {text}", author_username=handle, created_at=when
        )
        built.texts[key], built.names[key] = text, f"@{handle}"
    by_tweet = await _x_questions(server, len(tweets))
    for key, tweet in injected.items():
        built.ids[key] = by_tweet[tweet.id]

    # Web form questions (JSON), some with a name.
    web = {
        "W1": ("Maria", "How soon can I walk after a knee replacement?"),
        "W2": ("maria ", "Is physiotherapy needed every day?"),
        "W3": ("Tom", "My mother Jane Doe was in room 412, is the infection risk high?"),
        "W4": ("", "Does this miracle cure supplement help healing?"),
        "W5": ("", "=1+1 weeks of rest, is that enough?"),
        "W6": ("Sam", "This is bullshit, why such a long wait?"),
    }
    for key, (name, text) in web.items():
        extra = {"name": name} if name else {}
        built.ids[key] = await ask(http, server, text, **extra)
        built.texts[key], built.names[key] = text, name.strip()
    q = built.ids

    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as a_http,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as b_http,
    ):
        alice = Moderator(server, a_http, await login(a_http, server, "alice"))
        bob = Moderator(server, b_http, await login(b_http, server, "bob"))

        await alice.post("/outbox", {"text": "Welcome to the live Q&A on knee surgery. #GR26"}, 201)
        await settled(http, server, 1)

        await alice.act(q["X1"], "approve")
        built.texts["W1 edited"] = "How soon can I walk after knee replacement surgery?"
        await alice.act(q["W1"], "edit", {"text": built.texts["W1 edited"]})
        await alice.act(q["W1"], "approve")
        await bob.act(q["X2"], "merge", {"into": q["X1"]})
        await alice.act(q["W3"], "redact")
        await alice.act(q["W3"], "approve")
        await bob.act(q["X4"], "override", {"reason": "A surgery date, not identifying"})
        await bob.act(q["X4"], "approve")
        for key in ("W4", "X3", "W2"):
            await alice.act(q[key], "approve")
        await bob.act(q["W5"], "decline", {"reason": "Not a question for the panel"})
        await bob.act(q["W6"], "decline", {"reason": "Language"})
        await _vote(server, [q["W1"], q["X1"]])
        await _vote(server, [q["W1"]])

        built.answers = {
            "W1": "Usually the same day, with a physiotherapist.",
            "X1": "About six weeks; full strength takes longer.",
            "W3": "Low: about 1 in 100.",
            "X3": "Yes, after about three months.",
        }
        for n, key in enumerate(("W1", "X1"), start=2):
            await alice.act(q[key], "on_air")
            await alice.act(q[key], "answer", {"answer": built.answers[key]})
            await settled(http, server, n)
        # X has a bad moment: the next post gets a 500 and goes out on the second try.
        x_state.fail_next(POST, FaultKind.SERVER_ERROR)
        await bob.act(q["W3"], "on_air")
        await bob.act(q["W3"], "answer", {"answer": built.answers["W3"]})
        await settled(http, server, 4)
        # X refuses our keys (401): the post fails until bob retries it.
        real = x_state.access_token_secret
        x_state.access_token_secret = "revoked-" + real
        await alice.act(q["X3"], "on_air")
        await alice.act(q["X3"], "answer", {"answer": built.answers["X3"]})
        items = await settled(http, server, 5)
        assert items[-1]["state"] == "failed", items[-1]
        x_state.access_token_secret = real
        await bob.post(f"/outbox/{items[-1]['id']}/retry")
        built.posts = await settled(http, server, 5)
    assert [p["state"] for p in built.posts] == ["posted"] * 5
    return built


async def outbox_items(http, server) -> list[dict]:
    async with http.get(f"{server.url}{API}/outbox", headers=bearer(server)) as resp:
        return (await resp.json())["items"]


async def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """`liveq ARGS` as a user runs it (its own event loop, so in a thread)."""
    code = await asyncio.to_thread(main, list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- the tests ---------------------------------------------------------------------------


async def test_json_export_has_every_question_and_post_with_its_history(
    after_server, http, x_state, capsys, tmp_path
):
    built = await build_event(after_server, http, x_state)
    config = str(after_server.config.path)
    q = built.ids
    out = tmp_path / "event.json"
    code, stdout, _ = await run_cli(
        capsys, "export", EVENT, "--format", "json", "-o", str(out), "--config", config
    )
    assert code == 0 and str(out) in stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    questions = {r["id"]: r for r in doc["questions"]}
    assert set(questions) == set(q.values())

    w1 = questions[q["W1"]]
    assert w1["text"] == built.texts["W1 edited"]
    assert w1["original_text"] == built.texts["W1"]
    assert [(e["action"], e["by"], e["from"], e["to"]) for e in w1["edits"]] == [
        ("edit", "alice", built.texts["W1"], built.texts["W1 edited"])
    ]
    assert (w1["source"], w1["author"], w1["votes"], w1["answer"]) == (
        "web",
        "Maria",
        2,
        built.answers["W1"],
    )
    assert [(s["status"], s["by"]) for s in w1["states"]] == [
        ("pending", "web"),
        ("approved", "alice"),
        ("on_air", "alice"),
        ("answered", "alice"),
    ]
    # Each state's time is the audit row's time, to the millisecond.
    audit = await after_server.db.fetchall(
        "SELECT action, at, actor FROM audit WHERE question_id = ? ORDER BY id", (q["W1"],)
    )
    answer_row = [r for r in audit if r["action"] == "answer"][0]
    assert w1["first_time"]["answered"] == {"at": iso(answer_row["at"]), "by": "alice"}
    created = (
        await after_server.db.fetchone("SELECT created_at FROM questions WHERE id = ?", (q["W1"],))
    )[0]
    assert w1["submitted_at"] == iso(created)

    x1, x2 = questions[q["X1"]], questions[q["X2"]]
    assert (x1["source"], x1["author"]) == ("x", "@kneefan")
    assert x1["source_url"].startswith("https://x.com/kneefan/status/")
    assert (x2["status"], x2["merged_into"], x1["merged_from"], x1["asked_by"]) == (
        "merged",
        q["X1"],
        [q["X2"]],
        2,
    )
    assert x1["votes"] == 1
    assert {f["kind"] for f in x2["findings"]} == {"duplicate"}
    w3 = questions[q["W3"]]
    assert w3["edits"][0]["action"] == "redact" and "Jane Doe" not in w3["text"]
    assert w3["original_text"] == built.texts["W3"]
    x4 = questions[q["X4"]]
    assert x4["findings"][0]["kind"] == "date"
    assert x4["findings"][0]["override"]["by"] == "bob"
    assert questions[q["W6"]]["decline_reason"] == "Language"
    assert questions[q["W6"]]["first_time"]["declined"]["by"] == "bob"
    assert all("client_ip" not in r for r in doc["questions"])  # never exported

    posts = doc["posts"]
    assert [p["text"] for p in posts] == [p["text"] for p in built.posts]
    account = [t for t in x_state.posts_by() if not t.injected]
    username = x_state.account.username
    for post, tweet, before in zip(posts, account, [None, *account], strict=False):
        assert post["tweet_id"] == tweet.id
        assert post["url"] == f"https://x.com/{username}/status/{tweet.id}"
        assert post["reply_to"] == (before.id if before else None)
    assert posts[0]["signed_off_by"] == ["alice"] and posts[0]["kind"] == "post"
    assert posts[1]["question_id"] == q["W1"] and posts[1]["signed_off_by"] == ["alice"]
    assert posts[3]["attempts"] == 2  # the 500, then the post
    failed = posts[4]
    assert failed["signed_off_by"] == ["alice", "bob"]
    assert [(h["action"], h["by"]) for h in failed["history"]] == [
        ("post_queued", "outbox"),
        ("post_posting", "outbox"),
        ("post_failed", "outbox"),
        ("post_queued", "bob"),
        ("post_posting", "outbox"),
        ("post_posted", "outbox"),
    ]
    assert failed["posted_at"] > failed["queued_at"]
    assert failed["media"] == []
    assert doc["audit_head"]["intact"] is True


async def test_csv_export_two_tables_with_formulas_neutralised(
    after_server, http, x_state, capsys, tmp_path
):
    built = await build_event(after_server, http, x_state)
    config = str(after_server.config.path)
    out = tmp_path / "event.csv"
    code, stdout, _ = await run_cli(
        capsys, "export", EVENT, "--format", "csv", "-o", str(out), "--config", config
    )
    assert code == 0
    qpath, ppath = tmp_path / "event.questions.csv", tmp_path / "event.posts.csv"
    assert str(qpath) in stdout and str(ppath) in stdout
    with qpath.open(encoding="utf-8", newline="") as fh:
        rows = {int(r["id"]): r for r in csv.DictReader(fh)}
    q = built.ids
    assert len(rows) == len(q)
    assert rows[q["W1"]]["original_text"] == built.texts["W1"]
    assert rows[q["W1"]]["edit_count"] == "1"
    assert rows[q["W1"]]["approved_by"] == "alice"
    assert rows[q["X1"]]["author"] == "@kneefan"  # a bare handle is left as it is
    assert rows[q["X2"]]["status"] == "merged" and rows[q["X1"]]["merged_from"] == str(q["X2"])
    # A question starting with "=" would run as a formula in a spreadsheet.
    assert rows[q["W5"]]["text"] == "'" + built.texts["W5"]
    assert rows[q["X4"]]["finding_kinds"] == "date"
    with ppath.open(encoding="utf-8", newline="") as fh:
        posts = list(csv.DictReader(fh))
    assert [p["text"] for p in posts] == [p["text"] for p in built.posts]
    assert [p["tweet_id"] for p in posts] == [p["tweet_id"] for p in built.posts]
    assert posts[4]["signed_off_by"] == "alice; bob"

    # One table to standard output.
    code, stdout, _ = await run_cli(
        capsys, "export", EVENT, "--format", "csv", "--what", "posts", "--config", config
    )
    assert code == 0 and stdout.splitlines()[0].startswith("number,seq,id,kind")
    assert len(list(csv.DictReader(stdout.splitlines()))) == 5


async def test_export_of_an_unknown_event_says_so(server, capsys):
    code, _, err = await run_cli(capsys, "export", "nope", "--config", str(server.config.path))
    assert code == 1 and "no event 'nope'" in err
