"""Configuration: a TOML file read into frozen dataclasses.

Secrets may come from the environment instead of the file (``LIVEQ_SECRET``,
``LIVEQ_X_*``); the environment wins. Every error names the file, the key and
what was expected, so ``liveq check-config`` can say exactly what to fix.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A configuration file that cannot be used; the message says why."""


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    # The address people type; used in printed URLs, the QR code and the Origin check.
    # Empty in the file: derived from where liveq listens (see listening_at).
    public_url: str = ""
    # Peers whose X-Forwarded-For we believe (a reverse proxy in front of liveq).
    trusted_proxies: tuple[str, ...] = ()
    secret: str = ""
    # Extra Origins allowed to open websockets, besides public_url and the IP address and
    # port a connection reached (never the Host header a client writes).
    allowed_origins: tuple[str, ...] = ()
    # How often open websockets' sessions and API tokens are looked at again, so one
    # revoked by `liveq token revoke` (another process) or expired stops streaming.
    websocket_recheck_seconds: int = 1


@dataclass(frozen=True)
class DatabaseConfig:
    path: str = "liveq.db"
    # postgresql://user:password@host:port/dbname selects PostgreSQL (path is then unused).
    # The LIVEQ_DATABASE_URL environment variable overrides it (keeps the password out of the file).
    url: str = ""


@dataclass(frozen=True)
class LimitsConfig:
    max_body_bytes: int = 16_384
    max_question_chars: int = 500
    max_name_chars: int = 60
    max_answer_chars: int = 2_000
    # A procedure photo's largest picture, width × height (Pillow's own guard stops ~89 MP).
    max_photo_pixels: int = 40_000_000
    # Per audience browser (its signed cookie; a browser without one counts by its
    # address) and event; 0 turns the question or vote limits off (benchmarks).
    questions_per_minute: int = 6
    question_burst: int = 3
    # Every browser behind one address together (a room on one hospital Wi-Fi); 0 = none.
    questions_per_minute_per_address: int = 120
    votes_per_minute: int = 60
    votes_per_minute_per_address: int = 600
    login_attempts_per_minute: int = 10
    api_requests_per_minute: int = 600
    # Messages buffered for one websocket client before it is dropped as too slow.
    ws_queue_size: int = 256
    # Vote counts go out coalesced: at most one small frame per interval with the
    # counts that changed (audience and overlays; moderators more often).
    vote_frame_seconds: float = 1.0
    moderator_vote_frame_seconds: float = 0.25
    # Open websockets from one client address (a room on one Wi-Fi shares one); 0 = no cap.
    websockets_per_address: int = 500


@dataclass(frozen=True)
class EventDefaults:
    moderation: str = "pre"  # "pre": a human approves first; "post": shown at once


@dataclass(frozen=True)
class ClusterConfig:
    # Several liveq processes or hosts share changes, leases and limits through this
    # Redis (redis:// or rediss://). Empty: one process, everything in memory.
    redis_url: str = ""
    # Prefix of every Redis key and channel, so two liveq installations can share a Redis.
    namespace: str = "liveq"
    # A background job's lease: another process takes the job over this long after
    # its holder dies. The holder renews it three times per period.
    lease_seconds: float = 5.0


@dataclass(frozen=True)
class Config:
    path: Path
    server: ServerConfig = field(default_factory=ServerConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    events: EventDefaults = field(default_factory=EventDefaults)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    # The whole file as parsed, for the sections other modules own ([x], [screening]).
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def public_url_set(self) -> bool:
        """Whether the file names server.public_url (else it follows host and port)."""
        server = self.raw.get("server")
        return isinstance(server, dict) and bool(server.get("public_url"))

    @property
    def database_path(self) -> Path:
        """The database file; a relative path is relative to the config file."""
        p = Path(self.database.path)
        return p if p.is_absolute() else self.path.parent / p

    @property
    def database_target(self) -> Path | str:
        """What Database() opens: the PostgreSQL URL if one is set, else the sqlite file."""
        return self.database.url or self.database_path

    @property
    def database_label(self) -> str:
        """The database for messages: the file, or the URL without its password."""
        if not self.database.url:
            return str(self.database_path)
        parts = urlsplit(self.database.url)
        if parts.password is None:
            return self.database.url
        return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


_SECTIONS = {
    "server": ServerConfig,
    "database": DatabaseConfig,
    "limits": LimitsConfig,
    "events": EventDefaults,
    "cluster": ClusterConfig,
}

# Sections other parts of liveq read themselves (X credentials, screening rules);
# accepted here so check-config does not reject a file that has them.
_OPEN_SECTIONS = {"x", "mastodon", "bluesky", "screening", "outbox", "demo"}


def _type_name(tp: Any) -> str:
    return {int: "a whole number", float: "a number", str: "a string", bool: "true or false"}.get(
        tp, "a list of strings"
    )


def _coerce(file: Path, key: str, value: Any, default: Any) -> Any:
    expected = type(default)
    if expected is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{file}: [{key}] should be a list of strings, got {value!r}")
        return tuple(value)
    if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{file}: {key} should be {_type_name(int)}, got {value!r}")
    if expected is int and value < 0:
        raise ConfigError(f"{file}: {key} should be 0 or more, got {value!r}")
    if expected is float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{file}: {key} should be a number, 0 or more, got {value!r}")
        return float(value)
    if expected is not int and not isinstance(value, expected):
        raise ConfigError(f"{file}: {key} should be {_type_name(expected)}, got {value!r}")
    return value


def _section(file: Path, name: str, cls: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: [{name}] should be a table")
    defaults = cls()
    fields = {f.name for f in dataclasses.fields(cls)}
    values = {}
    for key, value in raw.items():
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{file}: unknown key {name}.{key} (known keys: {known})")
        values[key] = _coerce(file, f"{name}.{key}", value, getattr(defaults, key))
    return cls(**values)


def _validate(cfg: Config) -> None:
    file = cfg.path
    if not 0 < cfg.server.port < 65536:
        raise ConfigError(f"{file}: server.port should be between 1 and 65535")
    if cfg.public_url_set and not cfg.server.public_url.startswith(("http://", "https://")):
        raise ConfigError(f"{file}: server.public_url should start with http:// or https://")
    for proxy in cfg.server.trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(
                f"{file}: server.trusted_proxies has {proxy!r}, expected an IP address or network"
            ) from None
    if len(cfg.server.secret) < 32:
        raise ConfigError(
            f"{file}: server.secret should be at least 32 characters "
            "(set it in the file or in the LIVEQ_SECRET environment variable)"
        )
    if cfg.database.url and not cfg.database.url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            f"{file}: database.url should start with postgresql:// (for sqlite, set database.path)"
        )
    if cfg.events.moderation not in ("pre", "post"):
        raise ConfigError(f'{file}: events.moderation should be "pre" or "post"')
    if cfg.server.websocket_recheck_seconds < 1:
        raise ConfigError(f"{file}: server.websocket_recheck_seconds should be 1 or more")
    for key in ("max_body_bytes", "max_question_chars", "max_name_chars", "ws_queue_size"):
        if getattr(cfg.limits, key) < 1:
            raise ConfigError(f"{file}: limits.{key} should be 1 or more")
    for key in ("vote_frame_seconds", "moderator_vote_frame_seconds"):
        if not 0.05 <= getattr(cfg.limits, key) <= 10:
            raise ConfigError(f"{file}: limits.{key} should be between 0.05 and 10 seconds")
    _validate_cluster(file, cfg.cluster)


def _validate_cluster(file: Path, cluster: ClusterConfig) -> None:
    url = cluster.redis_url
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(
            f"{file}: cluster.redis_url should start with redis://, rediss:// or unix://"
        )
    if not 1 <= cluster.lease_seconds <= 60:
        raise ConfigError(f"{file}: cluster.lease_seconds should be between 1 and 60")
    if not cluster.namespace or not cluster.namespace.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(f"{file}: cluster.namespace should be letters, digits, - or _")


def load_config(path: str | os.PathLike[str], env: dict[str, str] | None = None) -> Config:
    """Read and check a config file; raise ConfigError with a helpful message."""
    env = os.environ if env is None else env
    file = Path(path).resolve()
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file (run `liveq init` to create one)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot be read: {exc}") from None
    sections = {}
    for name, value in raw.items():
        if name in _SECTIONS:
            sections[name] = _section(file, name, _SECTIONS[name], value)
        elif name not in _OPEN_SECTIONS:
            known = ", ".join(sorted([*_SECTIONS, *_OPEN_SECTIONS]))
            raise ConfigError(f"{file}: unknown section [{name}] (known sections: {known})")
    cfg = Config(path=file, raw=raw, **sections)
    if env.get("LIVEQ_SECRET"):
        cfg = dataclasses.replace(
            cfg, server=dataclasses.replace(cfg.server, secret=env["LIVEQ_SECRET"])
        )
    if env.get("LIVEQ_DATABASE_URL"):
        cfg = dataclasses.replace(
            cfg, database=dataclasses.replace(cfg.database, url=env["LIVEQ_DATABASE_URL"])
        )
    _validate(cfg)
    return listening_at(cfg, cfg.server.host, cfg.server.port)


_ANY_ADDRESS = {"", "0.0.0.0", "::"}  # noqa: S104 (names, not a bind)
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def derived_public_url(host: str, port: int) -> str:
    """http://HOST:PORT of where liveq listens; 127.0.0.1 for "all addresses"."""
    shown = "127.0.0.1" if host in _ANY_ADDRESS else host
    return f"http://{_url_host(shown)}:{port}"


def listening_at(cfg: Config, host: str, port: int) -> Config:
    """The config of a liveq listening on host:port (`liveq serve --host --port`).

    An unset public_url follows the address; a set one is kept as written
    (public_url_warnings says when it cannot be right).
    """
    server = dataclasses.replace(cfg.server, host=host, port=port)
    if not cfg.public_url_set:
        server = dataclasses.replace(server, public_url=derived_public_url(host, port))
    return dataclasses.replace(cfg, server=server)


def public_url_warnings(cfg: Config) -> list[str]:
    """Sentences for an operator when server.public_url cannot reach this liveq.

    Only what is certain is said: a public URL on another host (a reverse proxy)
    is never questioned.
    """
    server = cfg.server
    host, port = server.host, server.port
    if not cfg.public_url_set:
        if host in _ANY_ADDRESS:
            return [
                f"liveq listens on all addresses ({host or '*'}:{port}) but server.public_url "
                f"is not set, so links and the overlay's QR code say {server.public_url}, "
                "which no phone can open: set server.public_url to the address people type"
            ]
        return []
    url = urlsplit(server.public_url)
    url_host = (url.hostname or "").lower()
    try:
        url_port = url.port or (443 if url.scheme == "https" else 80)
    except ValueError:
        return [f"server.public_url {server.public_url!r} has a port that is not a number"]
    same_machine = url_host in _LOOPBACK or url_host == host.lower()
    if same_machine and url_port != port:
        return [
            f"server.public_url is {server.public_url} but liveq listens on port {port}: "
            f"the overlay, its QR code and printed links point to port {url_port}. "
            f'Set public_url = "{derived_public_url(host, port)}" (or remove it and '
            "liveq uses the address it listens on)"
        ]
    if url_host in _LOOPBACK and host.lower() not in _LOOPBACK:
        return [
            f"server.public_url is {server.public_url}, an address of this machine only, "
            f"but liveq listens on {host or '*'}:{port} for others: phones cannot open the "
            "links or the QR code. Set server.public_url to the address people type"
        ]
    return []


def example_path() -> Path:
    """config.example.toml: inside the installed package, or at the checkout's root."""
    packaged = Path(__file__).parent / "config.example.toml"
    return packaged if packaged.exists() else Path(__file__).parents[1] / "config.example.toml"


def dump_toml(sections: dict[str, dict[str, Any]]) -> str:
    """A config as TOML text (tables, nested tables, arrays): what load_config reads."""
    import tomli_w  # only the tests, the benchmarks and the demo write configs

    return tomli_w.dumps(sections)


def render_example(secret: str, database_path: str = "liveq.db") -> str:
    """The text of a new config file, from config.example.toml with a fresh secret."""
    template = example_path().read_text(encoding="utf-8")
    return template.replace('secret = ""', f'secret = "{secret}"', 1).replace(
        'path = "liveq.db"', f'path = "{database_path}"', 1
    )
