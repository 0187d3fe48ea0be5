"""`liveq check-config` checks [mastodon] and [bluesky]: the address, the secret from the
environment (never from the file, never printed)."""

from tests.cli.test_cli import liveq

BASE = '[server]\nsecret = "' + "s" * 40 + '"\n'
TOKEN = "tok-" + "z" * 30


def write(tmp_path, section: str):
    (tmp_path / "liveq.toml").write_text(BASE + section)


def test_mastodon_enabled_with_token_in_the_environment(tmp_path):
    write(tmp_path, '[mastodon]\nenabled = true\ninstance_url = "https://mastodon.example"\n')
    result = liveq("check-config", cwd=tmp_path, env_extra={"LIVEQ_MASTODON_ACCESS_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    assert "Mastodon: enabled at https://mastodon.example, posts public" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


def test_mastodon_enabled_without_token_says_which_variable(tmp_path):
    write(tmp_path, '[mastodon]\nenabled = true\ninstance_url = "https://mastodon.example"\n')
    result = liveq("check-config", cwd=tmp_path, env_extra={"LIVEQ_MASTODON_ACCESS_TOKEN": ""})
    assert result.returncode == 1
    assert "LIVEQ_MASTODON_ACCESS_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_token_in_the_file_is_refused(tmp_path):
    write(tmp_path, f'[mastodon]\nenabled = true\naccess_token = "{TOKEN}"\n')
    result = liveq("check-config", cwd=tmp_path)
    assert result.returncode == 1
    assert "unknown key mastodon.access_token (set LIVEQ_MASTODON_ACCESS_TOKEN" in result.stderr
    assert TOKEN not in result.stderr


def test_bad_visibility_and_plain_http_are_named(tmp_path):
    write(tmp_path, '[mastodon]\nvisibility = "everyone"\n')
    result = liveq("check-config", cwd=tmp_path)
    assert result.returncode == 1
    assert "mastodon.visibility should be one of public, unlisted, private, direct" in result.stderr
    write(tmp_path, '[mastodon]\nenabled = true\ninstance_url = "http://mastodon.example"\n')
    result = liveq("check-config", cwd=tmp_path, env_extra={"LIVEQ_MASTODON_ACCESS_TOKEN": TOKEN})
    assert result.returncode == 1
    assert "instance_url should be the instance's https:// address" in result.stderr


def test_bluesky_enabled_with_app_password_in_the_environment(tmp_path):
    write(tmp_path, '[bluesky]\nenabled = true\nhandle = "hospital.bsky.social"\n')
    result = liveq("check-config", cwd=tmp_path, env_extra={"LIVEQ_BLUESKY_APP_PASSWORD": TOKEN})
    assert result.returncode == 0, result.stderr
    assert "Bluesky: enabled as hospital.bsky.social on https://bsky.social" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


def test_bluesky_without_app_password_or_handle_is_named(tmp_path):
    write(tmp_path, '[bluesky]\nenabled = true\nhandle = "hospital.bsky.social"\n')
    result = liveq("check-config", cwd=tmp_path, env_extra={"LIVEQ_BLUESKY_APP_PASSWORD": ""})
    assert result.returncode == 1
    assert "LIVEQ_BLUESKY_APP_PASSWORD is not set" in result.stderr
    write(tmp_path, "[bluesky]\nenabled = true\n")
    result = liveq("check-config", cwd=tmp_path, env_extra={"LIVEQ_BLUESKY_APP_PASSWORD": TOKEN})
    assert result.returncode == 1
    assert "bluesky.handle is not set" in result.stderr
    write(tmp_path, f'[bluesky]\napp_password = "{TOKEN}"\n')
    result = liveq("check-config", cwd=tmp_path)
    assert "unknown key bluesky.app_password (set LIVEQ_BLUESKY_APP_PASSWORD" in result.stderr
    assert TOKEN not in result.stderr
