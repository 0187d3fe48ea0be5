"""Read a procedure script from TOML (or simple Markdown). Pure: text in, a spec out.

TOML::

    physician = "Dr. Ana Okafor"      # signs answers in the thread
    pacing_minutes = 6
    holding = "We are pausing the live thread for a moment. Back soon."
    consents = ["Hospital legal review"]  # added to the two default items

    [[post]]
    text = "Good morning from the OR…"
    warning = false                   # true: "⚠️ May be graphic." before the text
    photos = [{ file = "or.png", alt = "The operating room before the patient arrives." }]

    [[fact]]
    text = "Knee replacement is one of the most common surgeries in the US."

Markdown: a ``## Post``, ``## Fact`` or ``## Holding`` heading starts a post;
its paragraph is the text; ``![alt text](file.png)`` lines are photos; a line
``> may be graphic`` sets the warning. ``Physician: Dr. Name`` and
``Pacing: 6`` lines before the first heading set the options.
Photo files are read by the caller (the CLI), relative to the script file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from liveq.domain.procedure.script import (
    DEFAULT_PACING_SECONDS,
    FACT,
    HOLDING,
    MAX_PHOTOS,
    SCRIPT,
    ScriptError,
    check_alt,
)


@dataclass(frozen=True)
class PhotoSpec:
    file: str
    alt: str


@dataclass(frozen=True)
class PostSpec:
    role: str
    text: str
    warning: bool = False
    photos: tuple[PhotoSpec, ...] = ()


@dataclass(frozen=True)
class ScriptSpec:
    posts: tuple[PostSpec, ...]
    physician: str | None = None
    pacing_seconds: int | None = None
    consents: tuple[str, ...] = field(default=())


def _photos(raw: object, where: str) -> tuple[PhotoSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ScriptError(f"{where}: photos should be a list of {{file, alt}} tables.")
    if len(raw) > MAX_PHOTOS:
        raise ScriptError(f"{where}: at most {MAX_PHOTOS} photos per post.")
    out = []
    for n, photo in enumerate(raw, 1):
        if not isinstance(photo, dict) or not isinstance(photo.get("file"), str):
            raise ScriptError(f'{where}, photo {n}: give file = "name.png" and alt = "…".')
        try:
            alt = check_alt(photo.get("alt"))
        except ScriptError as exc:
            raise ScriptError(f"{where}, photo {n} ({photo['file']}): {exc}") from None
        out.append(PhotoSpec(photo["file"], alt))
    return tuple(out)


def _post(raw: object, role: str, where: str) -> PostSpec:
    if isinstance(raw, str):
        raw = {"text": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
        raise ScriptError(f'{where}: needs text = "…".')
    unknown = set(raw) - {"text", "warning", "photos"}
    if unknown:
        raise ScriptError(
            f"{where}: unknown key {sorted(unknown)[0]!r} (use text, warning, photos)."
        )
    warning = raw.get("warning", False)
    if not isinstance(warning, bool):
        raise ScriptError(f"{where}: warning should be true or false.")
    return PostSpec(role, raw["text"].strip(), warning, _photos(raw.get("photos"), where))


def _pacing(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 240:
        raise ScriptError(
            f"{where}: pacing_minutes should be a number of minutes (0 turns it off)."
        )
    return int(value * 60)


def parse_toml(source: str) -> ScriptSpec:
    """A script spec from TOML text; ScriptError names what is wrong and where."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise ScriptError(f"The script is not valid TOML: {exc}") from None
    unknown = set(data) - {"physician", "pacing_minutes", "holding", "consents", "post", "fact"}
    if unknown:
        raise ScriptError(f"Unknown key {sorted(unknown)[0]!r} in the script.")
    posts = [_post(p, SCRIPT, f"post {n}") for n, p in enumerate(_list(data, "post"), 1)]
    posts += [_post(p, FACT, f"fact {n}") for n, p in enumerate(_list(data, "fact"), 1)]
    if "holding" in data:
        posts.append(_post(data["holding"], HOLDING, "holding"))
    consents = data.get("consents", [])
    if not isinstance(consents, list) or not all(
        isinstance(c, str) and c.strip() for c in consents
    ):
        raise ScriptError("consents should be a list of checklist items (text).")
    physician = data.get("physician")
    if physician is not None and not isinstance(physician, str):
        raise ScriptError('physician should be text, e.g. "Dr. Ana Okafor".')
    pacing = _pacing(data["pacing_minutes"], "pacing") if "pacing_minutes" in data else None
    return ScriptSpec(tuple(posts), physician, pacing, tuple(c.strip() for c in consents))


def _list(data: dict, key: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ScriptError(f"{key} should be an array of tables: [[{key}]].")
    return value


_HEADING = re.compile(r"^##\s+(post|fact|holding)\b", re.IGNORECASE)
_IMAGE = re.compile(r"^!\[([^\]]*)\]\(([^)\s]+)\)\s*$")
_OPTION = re.compile(r"^(physician|pacing)\s*:\s*(.+)$", re.IGNORECASE)


def parse_markdown(source: str) -> ScriptSpec:
    """A script spec from the simple Markdown form (see the module's docstring)."""
    posts: list[dict] = []
    options: dict[str, str] = {}
    for line in source.splitlines():
        stripped = line.strip()
        if heading := _HEADING.match(stripped):
            posts.append(
                {"role": heading.group(1).lower(), "lines": [], "photos": [], "warning": False}
            )
        elif not posts:
            if option := _OPTION.match(stripped):
                options[option.group(1).lower()] = option.group(2).strip()
        elif image := _IMAGE.match(stripped):
            posts[-1]["photos"].append({"alt": image.group(1), "file": image.group(2)})
        elif stripped.lower().startswith(">") and "graphic" in stripped.lower():
            posts[-1]["warning"] = True
        else:
            posts[-1]["lines"].append(stripped)
    specs = []
    counts = {SCRIPT: 0, FACT: 0, HOLDING: 0}
    for p in posts:
        role = SCRIPT if p["role"] == "post" else p["role"]
        counts[role] += 1
        where = f"{p['role']} {counts[role]}"
        text = " ".join(ln for ln in p["lines"] if ln).strip()
        specs.append(
            _post({"text": text, "warning": p["warning"], "photos": p["photos"]}, role, where)
        )
    pacing = None
    if "pacing" in options:
        try:
            pacing = _pacing(float(options["pacing"]), "Pacing")
        except ValueError:
            raise ScriptError("Pacing: should be a number of minutes.") from None
    return ScriptSpec(tuple(specs), options.get("physician"), pacing)


def parse(source: str, fmt: str) -> ScriptSpec:
    if fmt == "toml":
        return parse_toml(source)
    if fmt in ("md", "markdown"):
        return parse_markdown(source)
    raise ScriptError("The script format should be toml or markdown.")


__all__ = ["DEFAULT_PACING_SECONDS", "PhotoSpec", "PostSpec", "ScriptSpec", "parse"]
