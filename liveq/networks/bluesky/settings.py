"""The [bluesky] section of liveq.toml: the account, its PDS, the thread.

The app password comes from the environment (LIVEQ_BLUESKY_APP_PASSWORD),
never the file; it is kept out of every repr so it is never logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from liveq.config import Config, ConfigError
from liveq.networks.section import NetworkSettings, read_section

PASSWORD_ENV = "LIVEQ_BLUESKY_APP_PASSWORD"  # noqa: S105 - a variable name


@dataclass(frozen=True)
class BlueskySettings(NetworkSettings):
    handle: str = ""  # e.g. "hospital.bsky.social"
    service_url: str = "https://bsky.social"  # the account's PDS (or the emulator)
    app_password: str = field(default="", repr=False)


def load_bluesky_settings(config: Config, env: Mapping[str, str] | None = None) -> BlueskySettings:
    """Read [bluesky]; raise ConfigError naming the key when something is off."""
    settings = read_section(config, "bluesky", BlueskySettings, {"app_password": PASSWORD_ENV}, env)
    file = config.path
    if settings.enabled:
        if not settings.handle:
            raise ConfigError(f"{file}: [bluesky] is enabled but bluesky.handle is not set")
        if not settings.service_url.startswith("https://"):
            raise ConfigError(f"{file}: bluesky.service_url should be an https:// address")
        if not settings.app_password:
            raise ConfigError(
                f"{file}: [bluesky] is enabled but {PASSWORD_ENV} is not set (an app password:"
                " Settings → Privacy and security → App passwords)"
            )
    return settings
