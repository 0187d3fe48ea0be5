"""Audience options in Chromium: a name required (the form's sentence, in Spanish too),
the asker's own questions with their status, and typed answers under answered
questions once the event shows them; each new state with zero axe violations."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.test_browser_a11y import States, moderate
from tests.browser.test_browser_qa import login_console
from tests.fixtures_server import start_server, write_config

SLUG = "grand-rounds"


@pytest.fixture
async def server(tmp_path):
    live = await start_server(write_config(tmp_path, limits={"questions_per_minute": 0}))
    yield live
    await live.stop()


async def test_name_required_own_status_and_answers(server, http, browser):
    states = States()
    console = states.watch(
        await login_console(
            await browser.new_context(viewport={"width": 1280, "height": 900}), server
        )
    )
    await console.check("#require-name")
    await expect(console.locator("#require-name")).to_be_checked()

    page = await states.page(browser, viewport={"width": 390, "height": 844}, locale="es-ES")
    await page.goto(f"{server.url}/e/{SLUG}")
    await expect(page.locator("#name")).to_have_attribute("required", "")
    await expect(page.locator("label[for=name]")).to_contain_text("obligatorio")
    # The browser's own check would stop an empty name: take it away, as an old browser.
    await page.evaluate("document.getElementById('name').removeAttribute('required')")
    await page.fill("#text", "¿Cuánto dura la rehabilitación?")
    await page.click("form.ask button[type=submit]")
    await expect(page.locator("#form-error")).to_have_text(
        "Indique su nombre: este evento no acepta preguntas anónimas."
    )
    await expect(page.locator("#text")).to_have_value("¿Cuánto dura la rehabilitación?")
    await states.check(page, "audience: name required error (es)")
    await page.fill("#name", "José")
    await page.click("form.ask button[type=submit]")
    await expect(page.locator("#thanks")).to_be_visible()

    # Another person's question: never in this browser's list.
    other = await states.page(browser, viewport={"width": 390, "height": 844})
    await other.goto(f"{server.url}/e/{SLUG}")
    await other.fill("#text", "Someone else's question about parking?")
    await other.fill("#name", "Bo")
    await other.click("form.ask button[type=submit]")
    await expect(other.locator("#thanks")).to_be_visible()

    await page.goto(f"{server.url}/e/{SLUG}")
    mine = page.locator("#my-questions li")
    await expect(mine).to_have_count(1)
    await expect(mine.locator(".my-status")).to_have_text("Está esperando a un moderador.")
    await expect(mine.locator("p").first).to_have_attribute("dir", "auto")
    await states.check(page, "audience: own question waiting")
    assert "parking" not in await page.content()

    # Approved, then answered: the list follows; the answer shows once the event says so.
    qid = int(await mine.get_attribute("data-id"))
    await moderate(http, server, qid, "approve")
    await expect(mine.locator(".my-status")).to_have_text(
        "Ha sido aprobada y está en la cola.", timeout=10_000
    )
    await moderate(http, server, qid, "answer", answer="Unas seis semanas.")
    await expect(mine.locator(".my-status")).to_have_text(
        "Ya ha sido respondida.", timeout=10_000
    )
    await expect(page.locator(".answer")).to_have_count(0)
    await console.check("#show-answers")
    shown = page.locator("#public-questions li .answer bdi")
    await expect(shown).to_have_text("Unas seis semanas.", timeout=10_000)
    await expect(shown).to_have_attribute("dir", "auto")
    await expect(mine.locator(".answer bdi")).to_have_text("Unas seis semanas.", timeout=10_000)
    await states.check(page, "audience: own question answered, answers shown")
    states.assert_clean()
