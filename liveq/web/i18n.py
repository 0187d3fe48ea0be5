"""The audience's language: Babel message catalogs and Jinja's i18n extension.

The catalogs live in liveq/locale/<language>/LC_MESSAGES/messages.po, with the
compiled messages.mo beside each (committed, so a fresh clone and the wheel work
without a build step). A language is offered when its .mo file exists: adding one
is a catalog, not code (docs/accessibility.md).

Which language a page is in, first match wins: the person's own choice (the
switcher's ?lang=, remembered in a cookie), the event's language (`liveq event
create --language es`), the browser's Accept-Language, English.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import jinja2
from aiohttp import web
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, format_timedelta
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DEFAULT = "en"
COOKIE = "lang"
QUERY = "lang"


def N_(message: str) -> str:  # noqa: N802 - the name pybabel looks for by default
    """Mark a message for the catalog; it is translated where it is shown."""
    return message


@functools.cache
def languages() -> tuple[str, ...]:
    """English and every language with a compiled catalog, e.g. ("en", "ar", "es")."""
    found = sorted(p.parents[1].name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.mo"))
    return (DEFAULT, *[code for code in found if code != DEFAULT])


@functools.cache
def translations(lang: str) -> NullTranslations:
    if lang == DEFAULT or lang not in languages():
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


def gettext(lang: str, message: str, **values: object) -> str:
    """The message in this language (English when the catalog lacks it), filled in."""
    text = translations(lang).gettext(message)
    return text % values if values else text


def seconds(lang: str, n: int) -> str:
    """ "10 seconds", "10 segundos", with the language's own plural forms (CLDR)."""
    return format_timedelta(timedelta(seconds=n), threshold=1000, locale=lang)


def moment(lang: str, seconds_since_epoch: float) -> str:
    """A date and time the language's way, in the server's time zone, which is named
    ("2 de diciembre de 2026 14:00 CET"): the event's room is where the server's clock is."""
    when = datetime.fromtimestamp(seconds_since_epoch).astimezone()
    day = format_date(when, "long", locale=lang)
    return f"{day} {format_time(when, 'short', locale=lang)} {when.strftime('%Z')}"


def number(lang: str, n: int) -> str:
    """A count written the language's way (1,234 / 1.234 / ١٬٢٣٤)."""
    return format_decimal(n, locale=lang)


@functools.cache
def direction(lang: str) -> str:
    """ "rtl" for a language written right to left (Arabic, Hebrew, Urdu...), else "ltr"."""
    try:
        return "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"
    except (ValueError, UnknownLocaleError):
        return "ltr"


@functools.cache
def native_name(lang: str) -> str:
    """The language's name in itself ("Español", "العربية"), for the switcher."""
    try:
        name = Locale.parse(lang).get_display_name(lang) or lang
    except (ValueError, UnknownLocaleError):
        return lang
    return name[:1].upper() + name[1:]


def check_language(code: str) -> str:
    """The code if liveq has that language ("" for none), else ValueError saying which."""
    code = (code or "").strip().lower().replace("_", "-")
    if code and code not in languages():
        raise ValueError(
            f"There is no catalog for the language {code!r}; liveq has "
            f"{', '.join(languages())} (docs/accessibility.md says how to add one)."
        )
    return code


# One language range of Accept-Language: "es-MX;q=0.8". aiohttp does not parse the
# header, and Babel only matches ranges once they are in order.
_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$"
)


def accepted(header: str) -> list[str]:
    """The header's languages, most wanted first (q=0 and malformed ranges left out)."""
    ranked = []
    for index, part in enumerate(header.split(",")[:32]):
        match = _RANGE.match(part)
        if not match:
            continue
        try:
            q = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if q > 0:
            ranked.append((-q, index, match.group(1).lower()))
    return [tag for _, _, tag in sorted(ranked)]


def from_browser(header: str) -> str | None:
    """The best language of ours for an Accept-Language header ("es-MX" finds "es")."""
    ours = languages()
    for tag in accepted(header):
        base = tag.split("-")[0]
        if tag in ours:
            return tag
        if base in ours:
            return base
    return None


def choose(request: web.Request, event_language: str = "") -> str:
    """The page's language: the person's choice, the event's, the browser's, English."""
    for chosen in (request.query.get(QUERY, ""), request.cookies.get(COOKIE, "")):
        if chosen in languages():
            return chosen
    if event_language in languages():
        return event_language
    return from_browser(request.headers.get("Accept-Language", "")) or DEFAULT


def remember(request: web.Request, response: web.StreamResponse) -> None:
    """Keep the switcher's choice (?lang=) for this browser's next pages."""
    chosen = request.query.get(QUERY, "")
    if chosen in languages():
        response.set_cookie(
            COOKIE, chosen, max_age=365 * 24 * 3600, path="/", samesite="Lax", httponly=True
        )


def switcher(request: web.Request) -> list[tuple[str, str, str]]:
    """(code, name in itself, link) for each language: this page with ?lang= changed."""
    links = []
    for code in languages():
        query = dict(request.query)
        query[QUERY] = code
        links.append((code, native_name(code), str(request.rel_url.with_query(query))))
    return links


class Templates:
    """A Jinja environment per language, each with its catalog installed (made once)."""

    def __init__(self, make: Callable[[], jinja2.Environment]) -> None:
        self._make = make
        self._envs: dict[str, jinja2.Environment] = {}

    def get(self, lang: str = DEFAULT) -> jinja2.Environment:
        if lang not in self._envs:
            env = self._make()
            env.add_extension("jinja2.ext.i18n")
            # newstyle: {{ _("...%(n)s", n=3) }} fills in and escapes like any other value.
            env.install_gettext_translations(translations(lang), newstyle=True)
            self._envs[lang] = env
        return self._envs[lang]

    def get_template(self, name: str) -> jinja2.Template:
        """The English template (pages that are not translated)."""
        return self.get(DEFAULT).get_template(name)
