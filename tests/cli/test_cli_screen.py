"""`liveq screen` as a real subprocess: one text per line in, one JSON object per line out."""

import json
import os
import subprocess
import sys

from liveq.screening import KINDS


def screen(*args, stdin: bytes, cwd):
    env = {**os.environ}
    env.pop("LIVEQ_SECRET", None)
    return subprocess.run(
        [sys.executable, "-m", "liveq", "screen", *args],
        input=stdin,
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=60,
    )


def lines(result):
    assert result.returncode == 0, result.stderr.decode()
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def test_one_json_object_per_input_line(tmp_path):
    texts = [
        "My mother Jane Doe was in room 412 on 3/14",
        "Dr. Smith, what about recovery time?",
        "",
        "🦴 call me at (617) 555-0143, this is sh1t",
    ]
    out = lines(screen(stdin=("\n".join(texts) + "\n").encode(), cwd=tmp_path))
    assert [o["text"] for o in out] == texts
    first = out[0]["findings"]
    assert [(f["kind"], texts[0][f["start"] : f["end"]]) for f in first] == [
        ("name", "Jane Doe"),
        ("room_number", "412"),
        ("date", "3/14"),
    ]
    assert all(set(f) == {"kind", "start", "end", "reason"} for f in first)
    assert first[0]["reason"] == "name after 'my mother'"
    assert out[1]["findings"] == [] and out[2]["findings"] == []
    # Spans count characters (code points), so the emoji is one.
    last = out[3]
    assert [(f["kind"], last["text"][f["start"] : f["end"]]) for f in last["findings"]] == [
        ("phone", "(617) 555-0143"),
        ("profanity", "sh1t"),
    ]
    assert {f["kind"] for o in out for f in o["findings"]} <= set(KINDS)


def test_windows_line_endings_and_no_final_newline(tmp_path):
    out = lines(screen(stdin=b"email me: a@b.org\r\nfine question", cwd=tmp_path))
    assert [o["text"] for o in out] == ["email me: a@b.org", "fine question"]
    assert [f["kind"] for f in out[0]["findings"]] == ["email"]


def test_rules_from_the_config_screening_table(tmp_path):
    config = tmp_path / "liveq.toml"
    # No server secret: `liveq screen` only needs [screening].
    config.write_text(
        '[screening]\nwatch_list = ["miracle cure"]\nprofanity_exceptions = ["dick"]\n'
        'profanity_additions = ["frick"]\n',
        encoding="utf-8",
    )
    stdin = b"Is there a MIRACLE -- cure?\nDick Van Dyke says hi\nwhat the frick\n"
    without = lines(screen(stdin=stdin, cwd=tmp_path))
    assert [[f["kind"] for f in o["findings"]] for o in without] == [[], ["profanity"], []]
    with_rules = lines(screen("--config", str(config), stdin=stdin, cwd=tmp_path))
    assert [[f["reason"] for f in o["findings"]] for o in with_rules] == [
        ["watch-list: miracle cure"],
        [],
        ["profanity (frick)"],
    ]


def test_bad_config_is_one_clear_line(tmp_path):
    config = tmp_path / "liveq.toml"
    config.write_text("[screening]\nwatchlist = ['x']\n", encoding="utf-8")
    result = screen("--config", str(config), stdin=b"hi\n", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.decode().strip() == (
        f"liveq: {config}: unknown key screening.watchlist (known keys: check_phi, "
        "check_profanity, duplicate_threshold, flood_per_author, flood_per_ip, "
        "flood_window_seconds, profanity_additions, profanity_exceptions, regions, "
        "staff_names, watch_list)"
    )
    result = screen("--config", str(tmp_path / "missing.toml"), stdin=b"hi\n", cwd=tmp_path)
    assert result.returncode == 1 and "no such file" in result.stderr.decode()
    assert result.stdout == b""


def test_invalid_utf8_does_not_crash(tmp_path):
    out = lines(screen(stdin=b"caf\xe9 617-555-0143\n", cwd=tmp_path))
    assert out[0]["text"] == "caf\ufffd 617-555-0143"
    assert [f["kind"] for f in out[0]["findings"]] == ["phone"]
