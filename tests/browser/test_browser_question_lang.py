"""Each question carries the language it is written in, and every page renders it with
that lang= (screen readers choose their voice by it; issues 13 and 15)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.test_browser_qa import login_console
from tests.fixtures_browser import collect_problems
from tests.fixtures_server import bearer
from tests.web.test_moderation_api import act, ask

SPANISH = "¿Cuánto tiempo tarda la recuperación después de la operación de rodilla?"
ENGLISH = "How long does recovery take after a knee replacement operation?"


async def test_questions_render_with_their_language(server, http, browser):
    es = await ask(http, server, SPANISH)
    en = await ask(http, server, ENGLISH)
    async with http.get(
        f"{server.url}/api/v1/events/grand-rounds/questions", headers=bearer(server)
    ) as resp:
        listed = {q["id"]: q for q in (await resp.json())["questions"]}
    assert listed[es]["lang"] == "es" and listed[en]["lang"] == "en"
    for qid in (es, en):
        await act(http, server, qid, "approve")
    await act(http, server, es, "on_air")

    problems: list[str] = []
    context = await browser.new_context()
    try:
        console = await login_console(context, server)
        collect_problems(console, problems)
        await console.locator("#tab-approved").click()
        await expect(console.locator(".qtext[lang=en]")).to_have_text(ENGLISH)

        audience = await context.new_page()
        collect_problems(audience, problems)
        await audience.goto(f"{server.url}/e/grand-rounds")
        await expect(audience.locator("p[lang=es]", has_text=SPANISH)).to_have_count(1)
        await expect(audience.locator("p[lang=en]", has_text=ENGLISH)).to_have_count(1)

        overlay = await context.new_page()
        collect_problems(overlay, problems)
        key = server.event.overlay_key
        await overlay.goto(f"{server.url}/overlay/grand-rounds?key={key}")
        await expect(overlay.locator("#onair-text")).to_have_text(SPANISH)
        await expect(overlay.locator("#onair-text")).to_have_attribute("lang", "es")
        # Off air, then the English one on air: the attribute follows the question.
        await act(http, server, en, "on_air")
        await expect(overlay.locator("#onair-text")).to_have_text(ENGLISH)
        await expect(overlay.locator("#onair-text")).to_have_attribute("lang", "en")
    finally:
        await context.close()
    assert problems == []
