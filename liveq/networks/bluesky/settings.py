"""The [bluesky] section of liveq.toml: the account, its PDS, the thread.

The app password comes from the environment (LIVEQ_BLUESKY_APP_PASSWORD),
never the file; it is kept out of every repr so it is never logged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from liveq.config import Config, ConfigError

PASSWORD_ENV = "LIVEQ_BLUESKY_APP_PASSWORD"  # noqa: S105 - a variable name
DEFAULT_TEMPLATE = "Q{number} from {asker}: {question}\nA: {answer}{signature}{hashtag}"


@dataclass(frozen=True)
class BlueskySettings:
    enabled: bool = False
    handle: str = ""  # e.g. "hospital.bsky.social"
    service_url: str = "https://bsky.social"  # the account's PDS (or the emulator)
    ca_file: str = ""  # a CA to trust instead of the system's (the emulator's)
    timeout_seconds: int = 20
    poll_interval_seconds: float = 30.0
    outbox_interval_seconds: float = 0.5
    answer_template: str = DEFAULT_TEMPLATE
    signature: str = ""
    disclaimer: str = ""
    app_password: str = field(default="", repr=False)

    def ca_path(self, base: Path) -> Path | None:
        if not self.ca_file:
            return None
        path = Path(self.ca_file)
        return path if path.is_absolute() else base / path


def load_bluesky_settings(config: Config, env: dict[str, str] | None = None) -> BlueskySettings:
    """Read [bluesky]; raise ConfigError naming the key when something is off."""
    env = os.environ if env is None else env
    raw: Any = config.raw.get("bluesky", {})
    file = config.path
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: [bluesky] should be a table")
    defaults = BlueskySettings()
    known = {f.name for f in fields(BlueskySettings)} - {"app_password"}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            hint = f" (set {PASSWORD_ENV} in the environment)" if key == "app_password" else ""
            raise ConfigError(
                f"{file}: unknown key bluesky.{key}{hint} (known keys: {', '.join(sorted(known))})"
            )
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{file}: bluesky.{key} should be {expected.__name__}, got {value!r}")
        values[key] = value
    if env.get(PASSWORD_ENV):
        values["app_password"] = env[PASSWORD_ENV]
    settings = BlueskySettings(**values)
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
