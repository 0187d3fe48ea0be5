"""What the [mastodon] and [bluesky] tables of liveq.toml share.

Both name a service over HTTPS (optionally trusting the emulator's CA instead
of the system's), poll a hashtag, post a thread in a template, and take their
secret from the environment, never the file. ``read_section`` checks a table's
keys and types against the settings dataclass and says which key is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from liveq.config import Config, ConfigError

DEFAULT_TEMPLATE = "Q{number} from {asker}: {question}\nA: {answer}{signature}{hashtag}"


@dataclass(frozen=True)
class NetworkSettings:
    enabled: bool = False
    # A CA file to trust instead of the system's (the emulator's); "" for the real service.
    ca_file: str = ""
    timeout_seconds: int = 20
    poll_interval_seconds: float = 30.0
    outbox_interval_seconds: float = 0.5
    answer_template: str = DEFAULT_TEMPLATE
    signature: str = ""
    disclaimer: str = ""

    def ca_path(self, base: Path) -> Path | None:
        if not self.ca_file:
            return None
        path = Path(self.ca_file)
        return path if path.is_absolute() else base / path


S = TypeVar("S", bound=NetworkSettings)


def read_section(
    config: Config,
    name: str,
    cls: type[S],
    secrets: Mapping[str, str],
    env: Mapping[str, str] | None = None,
) -> S:
    """[name] as `cls`; each secret field (-> its environment variable) from `env`.

    Raises ConfigError naming the key when one is unknown, a secret, or of the wrong type."""
    env = os.environ if env is None else env
    raw: Any = config.raw.get(name, {})
    file = config.path
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: [{name}] should be a table")
    defaults = cls()
    known = {f.name for f in fields(cls)} - set(secrets)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            hint = f" (set {secrets[key]} in the environment)" if key in secrets else ""
            raise ConfigError(
                f"{file}: unknown key {name}.{key}{hint} (known keys: {', '.join(sorted(known))})"
            )
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{file}: {name}.{key} should be {expected.__name__}, got {value!r}")
        values[key] = value
    for key, var in secrets.items():
        if env.get(var):
            values[key] = env[var]
    return cls(**values)
