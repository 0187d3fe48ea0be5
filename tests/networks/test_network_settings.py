"""[mastodon] and [bluesky] read by one reader: unknown keys, secrets kept out of
the file and out of every repr, types, and each network's own requirements."""

from __future__ import annotations

import pytest

from liveq.config import ConfigError
from liveq.networks.bluesky.settings import PASSWORD_ENV, load_bluesky_settings
from liveq.networks.mastodon.settings import TOKEN_ENV, load_mastodon_settings
from tests.fixtures_server import write_config

CASES = [
    (
        "mastodon",
        load_mastodon_settings,
        TOKEN_ENV,
        "access_token",
        {"enabled": True, "instance_url": "https://m.example"},
    ),
    (
        "bluesky",
        load_bluesky_settings,
        PASSWORD_ENV,
        "app_password",
        {"enabled": True, "handle": "h.bsky.social"},
    ),
]


@pytest.mark.parametrize(("name", "load", "env_var", "secret", "good"), CASES)
def test_each_network_reads_its_table_the_same_way(tmp_path, name, load, env_var, secret, good):
    settings = load(write_config(tmp_path, **{name: good}), {env_var: "s3cret-value"})
    assert getattr(settings, secret) == "s3cret-value"
    assert "s3cret-value" not in repr(settings)
    assert settings.timeout_seconds == 20 and settings.ca_path(tmp_path) is None
    with pytest.raises(ConfigError, match=rf"{name}\.colour.*known keys"):
        load(write_config(tmp_path, **{name: {**good, "colour": "blue"}}), {env_var: "x"})
    with pytest.raises(ConfigError, match=rf"set {env_var} in the environment"):
        load(write_config(tmp_path, **{name: {**good, secret: "in-the-file"}}), {env_var: "x"})
    with pytest.raises(ConfigError, match=rf"{name}\.timeout_seconds should be int"):
        load(write_config(tmp_path, **{name: {**good, "timeout_seconds": "9"}}), {env_var: "x"})
    with pytest.raises(ConfigError, match=rf"{env_var} is not set"):
        load(write_config(tmp_path, **{name: good}), {})
    floats = load(
        write_config(tmp_path, **{name: {**good, "poll_interval_seconds": 2}}), {env_var: "x"}
    )
    assert floats.poll_interval_seconds == 2.0
    relative = load(write_config(tmp_path, **{name: {**good, "ca_file": "ca.pem"}}), {env_var: "x"})
    assert relative.ca_path(tmp_path) == tmp_path / "ca.pem"


def test_each_networks_own_rules(tmp_path):
    with pytest.raises(ConfigError, match="mastodon.visibility should be one of"):
        load_mastodon_settings(write_config(tmp_path, mastodon={"visibility": "everyone"}), {})
    with pytest.raises(ConfigError, match="bluesky.handle is not set"):
        load_bluesky_settings(
            write_config(tmp_path, bluesky={"enabled": True}), {PASSWORD_ENV: "x"}
        )
