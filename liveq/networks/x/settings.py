"""The [x] section of liveq.toml: whether and how liveq talks to X.

Keys and secrets come from the environment (LIVEQ_X_CONSUMER_KEY,
LIVEQ_X_CONSUMER_SECRET, LIVEQ_X_ACCESS_TOKEN, LIVEQ_X_ACCESS_TOKEN_SECRET,
LIVEQ_X_BEARER_TOKEN) or, less safely, from the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from liveq.config import Config, ConfigError
from liveq.networks.x.client import XCredentials, XEndpoint

DEFAULT_ANSWER_TEMPLATE = "Q{number} from {asker}: {question}\nA: {answer}{signature}{hashtag}"

# The environment variable of each key; `liveq x-emulator` prints them as export lines.
SECRET_ENV = {
    "consumer_key": "LIVEQ_X_CONSUMER_KEY",
    "consumer_secret": "LIVEQ_X_CONSUMER_SECRET",
    "access_token": "LIVEQ_X_ACCESS_TOKEN",
    "access_token_secret": "LIVEQ_X_ACCESS_TOKEN_SECRET",
    "bearer_token": "LIVEQ_X_BEARER_TOKEN",
}


@dataclass(frozen=True)
class XSettings:
    enabled: bool = False
    # The account's handle without @, for links to posts.
    username: str = ""
    # For the local emulator: its port and CA file. 0 means the real X.
    emulator_port: int = 0
    emulator_ca_file: str = ""
    timeout_seconds: int = 20
    # Hashtag polling. X charges per post read, so each event has a budget.
    poll_interval_seconds: int = 30
    read_budget: int = 2_000
    cost_per_read_usd: float = 0.005
    cost_per_post_usd: float = 0.015
    # Thread posts.
    answer_template: str = DEFAULT_ANSWER_TEMPLATE
    signature: str = ""  # e.g. "Dr. Rivera"; appended as " — Dr. Rivera"
    disclaimer: str = ""  # e.g. "General information, not medical advice."
    # How often the outbox looks for new answers to post (seconds).
    outbox_interval_seconds: float = 0.5
    consumer_key: str = field(default="", repr=False)
    consumer_secret: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)
    access_token_secret: str = field(default="", repr=False)
    bearer_token: str = field(default="", repr=False)
    # Hashtag polling, continued. poll_interval_ms, when set, replaces
    # poll_interval_seconds (sub-second polling for tests and rehearsals).
    poll_interval_ms: int = 0
    # Posts per search request (X allows 10-100); every post returned is a paid read.
    search_max_results: int = 100

    @property
    def credentials(self) -> XCredentials:
        return XCredentials(
            consumer_key=self.consumer_key,
            consumer_secret=self.consumer_secret,
            access_token=self.access_token,
            access_token_secret=self.access_token_secret,
            bearer_token=self.bearer_token or None,
        )

    def endpoint(self, base: Path) -> XEndpoint:
        if not self.emulator_port:
            return XEndpoint(timeout=float(self.timeout_seconds))
        ca = Path(self.emulator_ca_file)
        return XEndpoint(
            emulator_port=self.emulator_port,
            ca_file=ca if ca.is_absolute() else base / ca,
            timeout=float(self.timeout_seconds),
        )

    def post_url(self, tweet_id: str) -> str:
        return f"https://x.com/{self.username or 'i'}/status/{tweet_id}"


def load_x_settings(config: Config, env: dict[str, str] | None = None) -> XSettings:
    """Read [x]; raise ConfigError naming the key when something is off."""
    env = os.environ if env is None else env
    raw: Any = config.raw.get("x", {})
    file = config.path
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: [x] should be a table")
    defaults = XSettings()
    values: dict[str, Any] = {}
    known = {f.name for f in fields(XSettings)}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(
                f"{file}: unknown key x.{key} (known keys: {', '.join(sorted(known))})"
            )
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{file}: x.{key} should be {expected.__name__}, got {value!r}")
        values[key] = value
    for key, var in SECRET_ENV.items():
        if env.get(var):
            values[key] = env[var]
    settings = XSettings(**values)
    if settings.enabled:
        missing = [
            SECRET_ENV[k]
            for k in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
            if not getattr(settings, k)
        ]
        if missing:
            raise ConfigError(
                f"{file}: [x] is enabled but these are not set: {', '.join(missing)} "
                "(set them in the environment)"
            )
        if settings.emulator_port and not settings.emulator_ca_file:
            raise ConfigError(f"{file}: x.emulator_port needs x.emulator_ca_file (the CA PEM)")
    return settings
