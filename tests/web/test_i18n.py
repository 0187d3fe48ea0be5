"""The audience's language: the catalogs (complete, compiled, current), the choice
(the switcher, the event, Accept-Language, English) and translated errors, on a real
server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from liveq.storage import store
from liveq.web import i18n
from tests.fixtures_server import bearer, form_csrf

ROOT = Path(__file__).resolve().parents[2]


def extracted() -> set[tuple[str | None, str]]:
    """Every message pybabel would extract today, read with babel.cfg's own map, as
    (context, message); a plural message by its singular."""
    method_map = [
        ("liveq/web/**.py", "python"),
        ("liveq/web/templates/**.html", "jinja2"),
        ("overlays/**.html", "jinja2"),
    ]
    keywords = {
        "N_": None,
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "pgettext": ((1, "c"), 2),
    }
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, keywords=keywords
    ):
        found.add((context, message if isinstance(message, str) else message[0]))
    return found


def done(message) -> bool:
    """Translated: every plural form filled in, not fuzzy."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(message.id) and all(strings) and not message.fuzzy


def po(lang: str):
    with open(i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def test_babel_cfg_names_the_same_files_as_this_test():
    cfg = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    assert re.findall(r"^\[(\w+): (\S+)\]", cfg, re.M) == [
        ("python", "liveq/web/**.py"),
        ("jinja2", "liveq/web/templates/**.html"),
        ("jinja2", "overlays/**.html"),
    ]


def test_spanish_translates_every_message_in_the_code():
    catalog = po("es")
    translated = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if done(m)
    }
    missing = extracted() - translated
    assert missing == set(), f"run pybabel extract/update, then translate: {sorted(missing)}"
    assert len(translated) >= 40


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_the_committed_mo_matches_its_po(lang):
    """A fresh clone reads the committed .mo: it must say what the .po says."""
    catalog = po(lang)
    translations = i18n.translations(lang)
    checked = 0
    for message in catalog:
        if not done(message):
            continue
        if message.context:
            assert translations.pgettext(message.context, message.id) == message.string
        elif isinstance(message.id, tuple):
            # Each plural form, for a count that picks it.
            for n in (0, 1, 2, 3, 5, 11, 100, 1000000):
                form = message.string[translations.plural(n)]
                assert translations.ngettext(*message.id, n) == form, "run pybabel compile"
        else:
            assert translations.gettext(message.id) == message.string, "run pybabel compile"
        checked += 1
    assert checked > 20


def test_languages_and_their_direction():
    assert i18n.languages() == ("en", "ar", "es")
    assert [i18n.direction(x) for x in ("en", "es", "ar", "he", "fa")] == [
        "ltr",
        "ltr",
        "rtl",
        "rtl",
        "rtl",
    ]
    assert i18n.native_name("es") == "Español" and i18n.native_name("ar") == "العربية"


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("fr-CA, fr;q=0.9, es;q=0.5", "es"),
        ("en;q=0.2, ar;q=0.9", "ar"),
        ("es;q=0, en", "en"),
        ("fr, de", None),
        ("", None),
        ("es;q=abc, ;;;, ar", "ar"),
    ],
)
def test_accept_language_picks_our_best_match(header, chosen):
    assert i18n.from_browser(header) == chosen


async def spanish_event(server):
    return await store.create_event(
        server.db,
        "charla",
        "Rodilla: preguntas y respuestas",
        kind="webinar",
        hashtag="Rodilla26",
        moderation="pre",
        language="es",
    )


def lang_of(page: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page)
    assert match, page[:200]
    return match.group(1), match.group(2)


async def test_the_choice_switcher_then_event_then_browser_then_english(server, http):
    await spanish_event(server)
    english = f"{server.url}/e/grand-rounds"
    async with http.get(english) as resp:
        page = await resp.text()
        assert lang_of(page) == ("en", "ltr") and "Your question" in page
    async with http.get(english, headers={"Accept-Language": "es-ES,es;q=0.9"}) as resp:
        page = await resp.text()
        assert lang_of(page) == ("es", "ltr") and "Su pregunta" in page
        assert resp.headers["Content-Language"] == "es"
    async with http.get(english, headers={"Accept-Language": "ar"}) as resp:
        assert lang_of(await resp.text()) == ("ar", "rtl")

    # The event's language wins over the browser's ...
    spanish = f"{server.url}/e/charla"
    async with http.get(spanish, headers={"Accept-Language": "en-US"}) as resp:
        page = await resp.text()
        assert lang_of(page) == ("es", "ltr") and "Enviar pregunta" in page
        assert "O publique en X con #Rodilla26" in page
    # ... and the person's own choice wins over both, and is remembered.
    async with http.get(f"{spanish}?lang=en") as resp:
        page = await resp.text()
        assert lang_of(page) == ("en", "ltr") and "Send question" in page
        assert resp.cookies["lang"].value == "en"
    async with http.get(spanish) as resp:
        assert lang_of(await resp.text()) == ("en", "ltr")
    # An unknown choice is ignored, not an error.
    async with http.get(f"{english}?lang=xx") as resp:
        assert resp.status == 200


async def test_the_switcher_links_keep_the_page_and_name_each_language(server, http):
    await spanish_event(server)
    async with http.get(f"{server.url}/e/charla") as resp:
        page = await resp.text()
    assert '<nav class="languages" aria-label="Idioma">' in page
    assert '<a href="/e/charla?lang=en" lang="en" hreflang="en">English</a>' in page
    assert '<span aria-current="true" lang="es">Español</span>' in page


async def test_form_errors_and_the_thanks_page_in_spanish(server, http):
    await spanish_event(server)
    url = f"{server.url}/e/charla"
    token = await form_csrf(http, url)
    async with http.post(f"{url}/questions", data={"csrf": token, "text": "   "}) as resp:
        assert resp.status == 400
        assert "La pregunta está vacía; escriba algo, por favor." in await resp.text()
    async with http.post(f"{url}/questions", data={"csrf": "forged", "text": "¿Hola?"}) as resp:
        assert resp.status == 403
        assert "Este formulario ha caducado" in await resp.text()
    long_text = "palabra " * 400
    async with http.post(f"{url}/questions", data={"csrf": token, "text": long_text}) as resp:
        assert resp.status == 400
        said = f"La pregunta tiene {i18n.number('es', 3199)} caracteres; el límite es"
        assert said in await resp.text()
    async with http.post(
        f"{url}/questions", data={"csrf": token, "text": "¿Cuándo podré caminar?"}
    ) as resp:
        assert resp.status == 200  # followed to the thanks page
        page = await resp.text()
    assert lang_of(page) == ("es", "ltr")
    assert "¡Gracias!" in page and "Está esperando a un moderador." in page
    # Programs still get English: JSON errors are not translated.
    async with http.post(f"{url}/questions", json={"text": "   "}) as resp:
        assert resp.status == 400
        assert (await resp.json())["error"] == "The question is empty; please type something."


async def test_an_unknown_event_is_a_404_in_the_browsers_language(server, http):
    headers = {"Accept-Language": "es"}
    async with http.get(f"{server.url}/e/no-existe", headers=headers) as resp:
        assert resp.status == 404
        page = await resp.text()
    assert lang_of(page) == ("es", "ltr")
    assert "No hay ningún evento en esta dirección; revise el enlace." in page


async def test_the_overlay_idle_card_speaks_the_events_language(server, http):
    event = await spanish_event(server)
    async with http.get(f"{server.url}/overlay/charla?key={event.overlay_key}") as resp:
        page = await resp.text()
    assert lang_of(page) == ("es", "ltr")
    assert "Haga su pregunta" in page and "o publique en X con #Rodilla26" in page


async def test_events_take_a_language_over_the_api_and_refuse_one_without_a_catalog(server, http):
    admin = bearer(server, "admin")
    body = {"slug": "charla-2", "title": "Charla", "language": "es"}
    async with http.post(f"{server.url}/api/v1/events", json=body, headers=admin) as resp:
        assert resp.status == 201
        assert (await resp.json())["event"]["language"] == "es"
    body = {"slug": "causerie", "title": "Causerie", "language": "fr"}
    async with http.post(f"{server.url}/api/v1/events", json=body, headers=admin) as resp:
        assert resp.status == 400
        assert "no catalog for the language 'fr'" in (await resp.json())["error"]
    url = f"{server.url}/api/v1/events/grand-rounds"
    async with http.patch(url, json={"language": "ar"}, headers=bearer(server)) as resp:
        assert resp.status == 200
        assert (await resp.json())["event"]["language"] == "ar"
    async with http.get(f"{server.url}/e/grand-rounds") as resp:
        assert lang_of(await resp.text()) == ("ar", "rtl")
