"""A Spanish event end to end in the browser, and an Arabic page right to left; each
state checked with axe. Screenshots go to /work/notes/a11y-shots/ when it exists."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from liveq.storage import store
from liveq.web.keys import EVENTS
from tests.browser.test_browser_a11y import States, server
from tests.browser.test_browser_qa import login_console
from tests.browser.test_browser_rtl import assert_rtl_right_aligned
from tests.fixtures_server import bearer
from tests.web.test_i18n import spanish_event

__all__ = ["server"]

SHOTS = Path("/work/notes/a11y-shots")
PREGUNTA = "¿Cuándo podré volver a caminar sin muletas?"
ARABIC = "كم من الوقت يستغرق التعافي بعد استبدال الركبة؟"


async def shot(page, name: str) -> None:
    if SHOTS.is_dir():
        await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_a_spanish_event_end_to_end(server, browser):
    event = await spanish_event(server)
    states = States()
    # An English-speaking phone: the event's language still wins.
    page = await states.page(browser, viewport={"width": 390, "height": 844}, locale="en-US")
    await page.goto(f"{server.url}/e/charla")
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await expect(page.locator("label[for=text]")).to_have_text("Su pregunta")
    await expect(page.locator("form.ask button[type=submit]")).to_have_text("Enviar pregunta")
    await states.check(page, "es: form")

    await page.fill("#text", "   ")
    await page.click("form.ask button[type=submit]")
    await expect(page.locator("#form-error")).to_have_text(
        "La pregunta está vacía; escriba algo, por favor."
    )
    await states.check(page, "es: error")

    await page.fill("#text", PREGUNTA)
    await page.fill("#name", "José")
    await page.click("form.ask button[type=submit]")
    await expect(page.locator("h1")).to_have_text("¡Gracias!")
    await expect(page.locator("#thanks")).to_contain_text("Está esperando a un moderador.")
    await states.check(page, "es: thanks")

    # The moderator (in English: the event's language is its audience's) approves it;
    # the phone's live list is in Spanish.
    desk = await browser.new_context(viewport={"width": 1280, "height": 900})
    console = await login_console(desk, server)
    await console.goto(f"{server.url}/mod/charla")
    row = console.locator("#queue li.q", has_text=PREGUNTA)
    await row.click()
    await console.keyboard.press("a")
    await expect(console.locator("[data-count=approved]")).to_have_text("1")

    await page.click("text=Hacer otra pregunta")
    vote = page.locator("#public-questions button.vote")
    await expect(vote).to_have_attribute("aria-label", "0 votos, votar a favor")
    await expect(page.locator("#live-status")).to_have_text(
        "Vote por las preguntas que quiere que se respondan."
    )
    await vote.click()
    await expect(vote).to_have_attribute("aria-label", "1 voto, votar a favor")
    await states.check(page, "es: votes")
    await shot(page, "es-audience-phone")

    overlay = await states.page(browser, viewport={"width": 1280, "height": 720})
    await overlay.goto(f"{server.url}/overlay/charla?key={event.overlay_key}")
    await expect(overlay.locator("#idle .label")).to_have_text("Haga su pregunta")
    await expect(overlay.locator("#idle .hashtag")).to_have_text("o publique en X con #Rodilla26")
    await states.check(overlay, "es: overlay idle")
    await console.locator("[data-tab=approved]").click()
    await console.locator("#queue li.q", has_text=PREGUNTA).locator("button.act-on_air").click()
    await expect(overlay.locator("#onair-text")).to_have_text(PREGUNTA)
    await expect(overlay.locator("#onair .label")).to_have_text("Pregunta del público")
    await states.check(overlay, "es: overlay on air")
    await shot(overlay, "es-overlay-on-air")

    states.assert_clean()


async def test_an_arabic_page_reads_right_to_left(server, http, browser):
    event = await store.create_event(
        server.db, "nadwa", "ندوة الركبة", kind="webinar", hashtag="", moderation="pre"
    )
    states = States()
    # No language on the event: the browser's Accept-Language (ar) decides.
    page = await states.page(browser, viewport={"width": 390, "height": 844}, locale="ar")
    await page.goto(f"{server.url}/e/nadwa")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("label[for=text]")).to_have_text("سؤالك")
    await assert_rtl_right_aligned(page.locator("label[for=text]"))
    await states.check(page, "ar: form")
    await shot(page, "ar-audience-phone")

    # The switcher: English, left to right, remembered for the next page.
    await page.click("nav.languages a[lang=en]")
    await expect(page.locator("html")).to_have_attribute("dir", "ltr")
    await expect(page.locator("label[for=text]")).to_have_text("Your question")
    await page.goto(f"{server.url}/e/nadwa")
    await expect(page.locator("html")).to_have_attribute("lang", "en")

    # An Arabic question on the overlay of an Arabic event.
    event = await store.update_event(server.db, event, "test", language="ar")
    server.app[EVENTS].invalidate("nadwa")
    async with http.post(f"{server.url}/e/nadwa/questions", json={"text": ARABIC}) as r:
        qid = (await r.json())["id"]
    await moderate_in(http, server, "nadwa", qid, "approve")
    await moderate_in(http, server, "nadwa", qid, "on_air")
    overlay = await states.page(browser, viewport={"width": 1280, "height": 720})
    await overlay.goto(f"{server.url}/overlay/nadwa?key={event.overlay_key}")
    await expect(overlay.locator("#onair-text")).to_have_text(ARABIC)
    await assert_rtl_right_aligned(overlay.locator("#onair-text"))
    await expect(overlay.locator("#onair .label")).to_have_text("سؤال من الجمهور")
    await states.check(overlay, "ar: overlay on air")
    await shot(overlay, "ar-overlay-on-air")

    states.assert_clean()


async def moderate_in(http, server, slug: str, qid: int, action: str) -> None:
    url = f"{server.url}/api/v1/events/{slug}/questions/{qid}/{action}"
    async with http.post(url, json={}, headers=bearer(server)) as r:
        assert r.status == 200, await r.text()
