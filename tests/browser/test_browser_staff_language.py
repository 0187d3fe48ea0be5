"""The staff pages in Spanish (?lang=es, then the remembered cookie; the browser's
Accept-Language), and in English as before when nobody asks for another language; an
event's language is its audience's and leaves its staff pages alone. Each Spanish page
is checked with axe."""

from __future__ import annotations

from playwright.async_api import expect

from liveq.storage import store
from liveq.web.keys import EVENTS
from tests.fixtures_browser import assert_accessible, collect_problems
from tests.fixtures_server import ADMIN_PASSWORD
from tests.web.test_procedure import SLUG, proc_server

__all__ = ["proc_server"]


async def log_in(page, server, path: str) -> None:
    await page.fill("#username", "admin")
    await page.fill("#password", ADMIN_PASSWORD)
    await page.click("button[type=submit]")
    await expect(page).to_have_url(f"{server.url}{path}")


async def english_browser_page(browser):
    """A page in a browser that asks for English (Accept-Language en-US), its problems
    collected: (context, page, problems)."""
    problems: list[str] = []
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = await ctx.new_page()
    collect_problems(page, problems)
    return ctx, page, problems


async def test_staff_pages_in_spanish_with_lang_es(proc_server, browser):
    server = proc_server
    ctx, page, problems = await english_browser_page(browser)
    html = page.locator("html")

    # The login page, chosen with ?lang=es (an English browser).
    await page.goto(f"{server.url}/login?lang=es")
    await expect(html).to_have_attribute("lang", "es")
    await expect(page.locator("h1")).to_have_text("Iniciar sesión")
    await expect(page.locator("label[for=username]")).to_have_text("Nombre de usuario")
    await expect(page.locator("label[for=password]")).to_have_text("Contraseña")
    await expect(page).to_have_title("Iniciar sesión · liveq")
    await assert_accessible(page, "es: login")
    await log_in(page, server, "/")

    # The index: the choice is remembered (the cookie), no ?lang= needed any more.
    await expect(html).to_have_attribute("lang", "es")
    await expect(page.locator("h1")).to_have_text("Eventos")
    await expect(page.locator("a[href='/admin']")).to_have_text("Configurar eventos y personas")
    await expect(page.locator("form[action='/logout'] button").first).to_have_text(
        "Cerrar sesión"
    )
    await expect(page.locator(f"a[href='/mod/{SLUG}/procedure']")).to_have_text("Procedimiento")
    await expect(page.locator("a[href='/mod/grand-rounds']")).to_have_text("Consola")
    await assert_accessible(page, "es: index")

    await page.goto(f"{server.url}/admin?lang=es")
    await expect(html).to_have_attribute("lang", "es")
    await expect(page.locator("h1")).to_have_text("Configuración")
    # (admin.js writes the event form's title and button itself: still in English.)
    await expect(page.locator("label[for=event-title]")).to_have_text("Título")
    await expect(page.locator("#people-title")).to_have_text("Personas")
    await expect(page.locator("label[for=event-language]")).to_have_text(
        "Idioma de las páginas del público"
    )
    await expect(page.locator("#event-list li").first).to_be_visible()
    await assert_accessible(page, "es: admin")

    await page.goto(f"{server.url}/mod/grand-rounds?lang=es")
    await expect(html).to_have_attribute("lang", "es")
    await expect(page.locator("#conn")).to_have_text("Conectado")
    await expect(page.locator("label:has(#accepting)")).to_have_text("Se aceptan preguntas")
    await expect(page.locator("#tab-pending")).to_contain_text("Pendientes")
    await expect(page.locator("#onair-title")).to_have_text("En antena")
    await expect(page.locator("#search")).to_have_attribute(
        "placeholder", "texto, nombre, @usuario o etiqueta"
    )
    await expect(page.locator("nav.links a[href$='/report']")).to_have_text("Informe")
    await assert_accessible(page, "es: console")

    await page.goto(f"{server.url}/mod/{SLUG}/procedure?lang=es")
    await expect(html).to_have_attribute("lang", "es")
    await expect(page.locator("#conn")).to_have_text("Conectado")
    await expect(page.locator("#before-title")).to_have_text("Antes del día")
    await expect(page.locator("#go-live")).to_have_text("Iniciar el directo")
    await expect(page.locator("#consent-label")).to_have_attribute(
        "aria-label", "Otro elemento de la lista"
    )
    await assert_accessible(page, "es: procedure")

    await page.goto(f"{server.url}/mod/grand-rounds/report?lang=es")
    await expect(html).to_have_attribute("lang", "es")
    await expect(page.locator(".kicker")).to_have_text("Informe posterior al evento")
    await expect(page.locator("#per-minute h2")).to_have_text("Preguntas a lo largo del tiempo")
    await expect(page.locator("#audit .ok")).to_have_text("Íntegro.")
    await expect(page).to_have_title("Informe · Grand Rounds: Knee Surgery Q&A")
    await assert_accessible(page, "es: report")
    await ctx.close()
    assert problems == []


async def test_staff_pages_in_english_as_before(proc_server, browser):
    server = proc_server
    ctx, page, problems = await english_browser_page(browser)
    html = page.locator("html")

    await page.goto(f"{server.url}/login")
    await expect(html).to_have_attribute("lang", "en")
    await expect(page.locator("h1")).to_have_text("Log in")
    await expect(page.locator("label[for=username]")).to_have_text("Username")
    await log_in(page, server, "/")
    await expect(html).to_have_attribute("lang", "en")
    await expect(page.locator("h1")).to_have_text("Events")
    await expect(page.locator("a[href='/mod/grand-rounds']")).to_have_text("Console")
    await expect(page.locator(f"a[href='/mod/{SLUG}/procedure']")).to_have_text("Procedure")

    await page.goto(f"{server.url}/admin")
    await expect(html).to_have_attribute("lang", "en")
    await expect(page.locator("h1")).to_have_text("Set up")
    await expect(page.locator("#event-submit")).to_have_text("Create event")

    await page.goto(f"{server.url}/mod/grand-rounds")
    await expect(html).to_have_attribute("lang", "en")
    await expect(page.locator("#conn")).to_have_text("Connected")
    await expect(page.locator("label:has(#accepting)")).to_have_text("Taking questions")
    await expect(page.locator("#tab-pending")).to_contain_text("Pending")
    await expect(page.locator("details.help")).to_contain_text("j/k next/previous")

    await page.goto(f"{server.url}/mod/{SLUG}/procedure")
    await expect(html).to_have_attribute("lang", "en")
    await expect(page.locator("#before-title")).to_have_text("Before the day")
    await expect(page.locator("#go-live")).to_have_text("Go live")

    await page.goto(f"{server.url}/mod/grand-rounds/report")
    await expect(html).to_have_attribute("lang", "en")
    await expect(page.locator(".kicker")).to_have_text("Post-event report")
    await expect(page.locator("#audit .ok")).to_have_text("Intact.")

    # An event in Spanish: its audience page is Spanish, its console and report stay in
    # the staff's own language (an English browser here) ...
    webinar = await server.app[EVENTS].get("grand-rounds")
    await store.update_event(server.db, webinar, "test", language="es")
    server.app[EVENTS].invalidate("grand-rounds")
    await page.goto(f"{server.url}/e/grand-rounds")
    await expect(html).to_have_attribute("lang", "es")
    await page.goto(f"{server.url}/mod/grand-rounds")
    await expect(html).to_have_attribute("lang", "en")
    await expect(page.locator("#onair-title")).to_have_text("On air")
    await page.goto(f"{server.url}/mod/grand-rounds/report")
    await expect(html).to_have_attribute("lang", "en")
    # ... and a moderator who reads Spanish chooses it.
    await page.goto(f"{server.url}/mod/grand-rounds?lang=es")
    await expect(page.locator("#onair-title")).to_have_text("En antena")
    await ctx.close()
    assert problems == []


async def test_a_spanish_browser_gets_spanish_staff_pages(proc_server, browser):
    server = proc_server
    ctx = await browser.new_context(locale="es-ES")
    page = await ctx.new_page()
    await page.goto(f"{server.url}/login")
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await expect(page.locator("button[type=submit]")).to_have_text("Iniciar sesión")
    # The form's refusal is in Spanish too.
    await page.fill("#username", "admin")
    await page.fill("#password", "not-the-password")
    await page.click("button[type=submit]")
    await expect(page.locator("p.error")).to_have_text(
        "El nombre de usuario y la contraseña no coinciden."
    )
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await log_in(page, server, "/")
    await expect(page.locator("h1")).to_have_text("Eventos")
    await ctx.close()
