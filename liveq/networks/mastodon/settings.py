"""The [mastodon] section of liveq.toml: the instance, the account, the thread.

The access token comes from the environment (LIVEQ_MASTODON_ACCESS_TOKEN), never
the file; it is kept out of every repr so it is never logged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from liveq.config import Config, ConfigError

TOKEN_ENV = "LIVEQ_MASTODON_ACCESS_TOKEN"  # noqa: S105 - a variable name
VISIBILITIES = ("public", "unlisted", "private", "direct")
DEFAULT_TEMPLATE = "Q{number} from {asker}: {question}\nA: {answer}{signature}{hashtag}"


@dataclass(frozen=True)
class MastodonSettings:
    enabled: bool = False
    # e.g. "https://mastodon.social"; for the emulator, its https://127.0.0.1:PORT.
    instance_url: str = ""
    # The CA file to trust instead of the system's (the emulator's); "" for a real instance.
    ca_file: str = ""
    visibility: str = "public"
    timeout_seconds: int = 20
    poll_interval_seconds: float = 30.0
    outbox_interval_seconds: float = 0.5
    answer_template: str = DEFAULT_TEMPLATE
    signature: str = ""
    disclaimer: str = ""
    access_token: str = field(default="", repr=False)

    def ca_path(self, base: Path) -> Path | None:
        if not self.ca_file:
            return None
        path = Path(self.ca_file)
        return path if path.is_absolute() else base / path


def load_mastodon_settings(config: Config, env: dict[str, str] | None = None) -> MastodonSettings:
    """Read [mastodon]; raise ConfigError naming the key when something is off."""
    env = os.environ if env is None else env
    raw: Any = config.raw.get("mastodon", {})
    file = config.path
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: [mastodon] should be a table")
    defaults = MastodonSettings()
    known = {f.name for f in fields(MastodonSettings)} - {"access_token"}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            hint = f" (set {TOKEN_ENV} in the environment)" if key == "access_token" else ""
            raise ConfigError(
                f"{file}: unknown key mastodon.{key}{hint} (known keys: {', '.join(sorted(known))})"
            )
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(
                f"{file}: mastodon.{key} should be {expected.__name__}, got {value!r}"
            )
        values[key] = value
    if env.get(TOKEN_ENV):
        values["access_token"] = env[TOKEN_ENV]
    settings = MastodonSettings(**values)
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
