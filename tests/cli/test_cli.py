"""The `liveq` command, run as a real subprocess."""

import os
import re
import subprocess
import sys

import pytest


def liveq(*args, cwd, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    env.pop("LIVEQ_SECRET", None)
    return subprocess.run(
        [sys.executable, "-m", "liveq", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_init_event_token_and_check_config(tmp_path):
    result = liveq("init", "--dir", "site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    password = re.search(r"Password \(shown once\): (\S+)", result.stdout).group(1)
    assert len(password) >= 16
    config = tmp_path / "site" / "liveq.toml"
    text = config.read_text()
    secret = re.search(r'secret = "([^"]+)"', text).group(1)
    assert len(secret) >= 32

    again = liveq("init", "--dir", "site", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr

    created = liveq(
        "event",
        "create",
        "grand-rounds",
        "--title",
        "Grand Rounds",
        "--hashtag",
        "#GR26",
        "--config",
        str(config),
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert "http://127.0.0.1:8080/e/grand-rounds" in created.stdout
    assert re.search(r"/overlay/grand-rounds\?key=\S{20,}", created.stdout)

    token = liveq("token", "create", "--role", "moderator", "--config", str(config), cwd=tmp_path)
    assert token.returncode == 0
    assert re.fullmatch(r"lq_\S{40,}\n", token.stdout)

    checked = liveq("check-config", "--config", str(config), cwd=tmp_path)
    assert checked.returncode == 0 and "OK" in checked.stdout
    # The password and secret are never printed by later commands.
    for out in (created.stdout, token.stdout, checked.stdout):
        assert password not in out and secret not in out


def test_admin_password_from_environment(tmp_path):
    result = liveq("init", cwd=tmp_path, env_extra={"LIVEQ_ADMIN_PASSWORD": "from-the-env-123"})
    assert result.returncode == 0
    assert "from-the-env-123" not in result.stdout
    assert "LIVEQ_ADMIN_PASSWORD" in result.stdout


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('[server]\nport = "eighty"\n', "server.port should be a whole number"),
        ('[server]\nsecret = "short"\n', "server.secret should be at least 32 characters"),
        ('[server]\nsecret = "' + "s" * 40 + '"\n[limits]\nwat = 1\n', "unknown key limits.wat"),
        ("[nonsense]\n", "unknown section [nonsense]"),
        ("this is not toml", "not valid TOML"),
        (
            '[server]\nsecret = "' + "s" * 40 + '"\ntrusted_proxies = ["not-an-ip"]\n',
            "expected an IP address or network",
        ),
    ],
)
def test_config_errors_name_file_and_key_without_traceback(tmp_path, toml, words):
    path = tmp_path / "liveq.toml"
    path.write_text(toml)
    result = liveq("check-config", cwd=tmp_path)
    assert result.returncode == 1
    assert words in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_says_how_to_make_one(tmp_path):
    result = liveq("serve", cwd=tmp_path)
    assert result.returncode == 1
    assert "liveq init" in result.stderr and "Traceback" not in result.stderr


def test_event_errors_are_one_line(tmp_path):
    assert liveq("init", cwd=tmp_path).returncode == 0
    bad = liveq("event", "create", "Bad Slug", "--title", "x", cwd=tmp_path)
    assert bad.returncode == 1 and "lowercase letters" in bad.stderr
    assert liveq("event", "create", "ok", "--title", "x", cwd=tmp_path).returncode == 0
    dup = liveq("event", "create", "ok", "--title", "x", cwd=tmp_path)
    assert dup.returncode == 1 and "already exists" in dup.stderr
    assert "Traceback" not in bad.stderr + dup.stderr
