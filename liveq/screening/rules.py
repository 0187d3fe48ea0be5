"""Per-event screening configuration, built once and compiled once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

# Where the audience is: phone numbers are read with these regions' numbering plans
# (a number with "+" and its country code is read whatever the list).
DEFAULT_REGIONS: tuple[str, ...] = ("US", "CA", "GB", "AU", "DE", "MX", "ES", "IN")


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
    # The event's staff (presenter, physician, moderators): their names are not PHI,
    # in any case and spelling ("Dr. Ana Okafor", "okafor", "PATEL, RAJ").
    staff_names: tuple[str, ...] = ()
    regions: tuple[str, ...] = DEFAULT_REGIONS

    def __post_init__(self) -> None:
        # Accept lists from TOML but store tuples so the value stays hashable.
        for name in ("watch_list", "profanity_additions", "profanity_exceptions", "staff_names"):
            object.__setattr__(self, name, _clean(getattr(self, name), name))
        object.__setattr__(self, "regions", _regions(self.regions))

    def with_staff(self, *names: str) -> ScreeningRules:
        """These rules with more staff names (an event's physician); self when none is new."""
        extra = [n for n in names if n and n.strip()]
        if not extra:
            return self
        merged = _clean((*self.staff_names, *extra), "staff_names")
        if merged == self.staff_names:
            return self
        return replace(self, staff_names=merged)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> ScreeningRules:
        """Build from a ``[screening]`` TOML table; unknown keys are an error that names them."""
        known = {"watch_list", "profanity_additions", "profanity_exceptions",
                 "check_phi", "check_profanity", "staff_names", "regions"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"[screening]: unknown key(s) {', '.join(unknown)}; expected {sorted(known)}"
            )
        for flag in ("check_phi", "check_profanity"):
            if flag in data and not isinstance(data[flag], bool):
                raise TypeError(f"[screening] {flag} must be true or false")
        return cls(**data)


def _regions(items: Any) -> tuple[str, ...]:
    """Region codes as phonenumbers knows them ("GB", not "UK"); ValueError names a bad one."""
    import phonenumbers  # screening already depends on it; imported here to keep rules light

    codes = _clean(items, "regions")
    out = []
    for code in codes:
        upper = code.upper()
        if upper not in phonenumbers.SUPPORTED_REGIONS:
            hint = " (the United Kingdom is GB)" if upper == "UK" else ""
            raise ValueError(
                f"[screening] regions: {code!r} is not a region code{hint}; use two-letter "
                "ISO codes such as US, CA, GB, AU, DE, MX, ES, IN"
            )
        if upper not in out:
            out.append(upper)
    return tuple(out)


DEFAULT_RULES = ScreeningRules()
