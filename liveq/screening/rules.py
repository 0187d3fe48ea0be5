"""Per-event screening configuration, built once and compiled once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def _clean(items: Any, what: str) -> tuple[str, ...]:
    if isinstance(items, str):
        raise TypeError(f"{what} must be a list of strings, not one string")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{what} must contain strings, got {type(item).__name__}")
        item = " ".join(item.split())
        if item and item.casefold() not in {o.casefold() for o in out}:
            out.append(item)
    return tuple(out)


@dataclass(frozen=True)
class ScreeningRules:
    """Watch-list phrases and profanity additions/exceptions for one event.

    Frozen and hashable, so the compiled matchers can be cached per rules value
    (see ``profanity.matcher_for`` and ``watchlist.matcher_for``): build it once
    when the event's config is loaded and pass the same object to every call.
    """

    watch_list: tuple[str, ...] = ()
    profanity_additions: tuple[str, ...] = ()
    profanity_exceptions: tuple[str, ...] = ()
    # Turn PHI screening off only for rehearsals with synthetic data.
    check_phi: bool = True
    check_profanity: bool = True

    def __post_init__(self) -> None:
        # Accept lists from TOML but store tuples so the value stays hashable.
        for name in ("watch_list", "profanity_additions", "profanity_exceptions"):
            object.__setattr__(self, name, _clean(getattr(self, name), name))

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> ScreeningRules:
        """Build from a ``[screening]`` TOML table; unknown keys are an error that names them."""
        known = {"watch_list", "profanity_additions", "profanity_exceptions",
                 "check_phi", "check_profanity"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"[screening]: unknown key(s) {', '.join(unknown)}; expected {sorted(known)}"
            )
        for flag in ("check_phi", "check_profanity"):
            if flag in data and not isinstance(data[flag], bool):
                raise TypeError(f"[screening] {flag} must be true or false")
        return cls(**data)


DEFAULT_RULES = ScreeningRules()
