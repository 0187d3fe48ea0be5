"""The [mastodon] section of liveq.toml: the instance, the account, the thread.

The access token comes from the environment (LIVEQ_MASTODON_ACCESS_TOKEN), never
the file; it is kept out of every repr so it is never logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from liveq.config import Config, ConfigError
from liveq.networks.section import NetworkSettings, read_section

TOKEN_ENV = "LIVEQ_MASTODON_ACCESS_TOKEN"  # noqa: S105 - a variable name
VISIBILITIES = ("public", "unlisted", "private", "direct")


@dataclass(frozen=True)
class MastodonSettings(NetworkSettings):
    # e.g. "https://mastodon.social"; for the emulator, its https://127.0.0.1:PORT.
    instance_url: str = ""
    visibility: str = "public"
    access_token: str = field(default="", repr=False)


def load_mastodon_settings(
    config: Config, env: Mapping[str, str] | None = None
) -> MastodonSettings:
    """Read [mastodon]; raise ConfigError naming the key when something is off."""
    settings = read_section(config, "mastodon", MastodonSettings, {"access_token": TOKEN_ENV}, env)
    file = config.path
    if settings.visibility not in VISIBILITIES:
        raise ConfigError(
            f"{file}: mastodon.visibility should be one of {', '.join(VISIBILITIES)},"
            f" got {settings.visibility!r}"
        )
    if settings.enabled:
        if not settings.instance_url.startswith("https://"):
            raise ConfigError(
                f"{file}: mastodon.instance_url should be the instance's https:// address"
            )
        if not settings.access_token:
            raise ConfigError(
                f"{file}: [mastodon] is enabled but {TOKEN_ENV} is not set (set it in the"
                " environment: an access token with read and write:statuses, write:media)"
            )
    return settings
