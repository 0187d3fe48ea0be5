"""The core loop in a real browser: audience form → console → overlay."""

import asyncio

from playwright.async_api import expect

from tests.fixtures_browser import collect_problems
from tests.fixtures_server import MOD_PASSWORD

XSS = "<img src=x onerror=alert(1)> What about <script>alert(2)</script> scars?"


async def login_console(context, server, user="alice"):
    page = await context.new_page()
    await page.goto(f"{server.url}/mod/grand-rounds")
    await expect(page).to_have_url(f"{server.url}/login?next=/mod/grand-rounds")
    await page.fill("#username", user)
    await page.fill("#password", MOD_PASSWORD)
    await page.click("button[type=submit]")
    await expect(page).to_have_url(f"{server.url}/mod/grand-rounds")
    await expect(page.locator("#conn")).to_have_text("Connected")
    return page


async def test_question_from_form_to_console_to_overlay(server, browser):
    problems: list[str] = []
    audience_ctx = await browser.new_context(viewport={"width": 390, "height": 844})
    console_ctx = await browser.new_context()
    overlay_ctx = await browser.new_context(viewport={"width": 1280, "height": 720})

    overlay = await overlay_ctx.new_page()
    collect_problems(overlay, problems)
    await overlay.goto(f"{server.url}/overlay/grand-rounds?key={server.event.overlay_key}")
    await expect(overlay.locator("#idle")).to_be_visible()
    await expect(overlay.locator("#idle .url")).to_have_text(
        f"{server.config.server.public_url}/e/grand-rounds"
    )
    await expect(overlay.locator("#idle .qr svg")).to_be_visible()

    console = await login_console(console_ctx, server)
    collect_problems(console, problems)

    phone = await audience_ctx.new_page()
    collect_problems(phone, problems)
    await phone.goto(f"{server.url}/e/grand-rounds")
    await phone.fill("#text", "How soon can I walk after a knee replacement?")
    await phone.fill("#name", "Maria")
    await phone.click("button[type=submit]")
    await expect(phone.locator("#thanks")).to_contain_text("waiting for a moderator")

    row = console.locator("#queue li.q", has_text="How soon can I walk")
    await expect(row).to_be_visible(timeout=2000)
    await expect(console.locator("[data-count=pending]")).to_have_text("1")
    await row.click()
    await console.keyboard.press("a")  # approve
    await expect(console.locator("[data-count=approved]")).to_have_text("1")
    await console.keyboard.press("2")  # approved tab
    row = console.locator("#queue li.q", has_text="How soon can I walk")
    await row.click()
    await console.keyboard.press("o")  # on air
    await expect(console.locator("#onair")).to_contain_text("How soon can I walk")

    # On the overlay within a second of going on air.
    await expect(overlay.locator("#onair-text")).to_have_text(
        "How soon can I walk after a knee replacement?", timeout=1000
    )
    await expect(overlay.locator("#onair-author")).to_have_text("Maria")
    await expect(overlay.locator("#onair-source")).to_have_text("via web")
    await expect(overlay.locator("#idle")).to_be_hidden()

    # Mark answered from the console (dialog with an optional answer).
    await console.keyboard.press("n")
    await console.fill("#dialog-input", "Usually the same day, with a physiotherapist.")
    await console.click("#dialog-ok")
    await expect(console.locator("#onair")).to_have_text("Nothing on air.")
    await expect(overlay.locator("#idle")).to_be_visible()
    assert problems == []
    for ctx in (audience_ctx, console_ctx, overlay_ctx):
        await ctx.close()


async def test_hostile_markup_is_shown_as_text_everywhere(server, browser):
    problems: list[str] = []
    context = await browser.new_context()
    phone = await context.new_page()
    collect_problems(phone, problems)
    await phone.goto(f"{server.url}/e/grand-rounds")
    await phone.fill("#text", XSS)
    await phone.fill("#name", "<b>bold</b>")
    await phone.click("button[type=submit]")
    await expect(phone.locator("#thanks")).to_be_visible()

    console_ctx = await browser.new_context()
    console = await login_console(console_ctx, server)
    collect_problems(console, problems)
    row = console.locator("#queue li.q").first
    await expect(row.locator(".qtext")).to_have_text(XSS)
    await expect(row.locator(".author")).to_have_text("<b>bold</b>")
    assert await console.locator("#queue img, #queue script, #queue b").count() == 0
    await row.locator("button.act-approve").click()
    await console.keyboard.press("2")
    await console.locator("#queue li.q").first.locator("button.act-on_air").click()

    overlay = await context.new_page()
    collect_problems(overlay, problems)
    await overlay.goto(f"{server.url}/overlay/grand-rounds?key={server.event.overlay_key}")
    await expect(overlay.locator("#onair-text")).to_have_text(XSS)
    assert await overlay.locator("#onair img, #onair script, #onair b").count() == 0

    # The audience's live list shows it as text too.
    await phone.goto(f"{server.url}/e/grand-rounds")
    await expect(phone.locator("#public-questions li p").first).to_have_text(XSS)
    assert await phone.locator("#public-questions img").count() == 0

    await asyncio.sleep(0.3)  # give any injected handler the chance to fire
    assert problems == []
    await context.close()
    await console_ctx.close()


async def test_form_works_without_javascript(server, browser):
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{server.url}/e/grand-rounds")
    await page.fill("#text", "Does this work with scripts off?")
    await page.click("button[type=submit]")
    await expect(page.locator("#thanks")).to_contain_text("received")
    row = await server.db.fetchone("SELECT text FROM questions")
    assert row["text"] == "Does this work with scripts off?"
    await context.close()


async def test_audience_upvotes_once_each(server, browser, http):
    from tests.web.test_moderation_api import act, ask

    qid = await ask(http, server, "Vote for me")
    await act(http, server, qid, "approve")
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{server.url}/e/grand-rounds")
    vote = page.locator(f"#public-questions li[data-id='{qid}'] button.vote")
    await expect(vote).to_have_text("▲ 0")
    await vote.click()
    await expect(vote).to_have_text("▲ 1")
    await expect(vote).to_be_disabled()
    # Another person (a new browser context) can vote too; the same one cannot twice.
    other = await (await browser.new_context()).new_page()
    await other.goto(f"{server.url}/e/grand-rounds")
    await other.locator(f"#public-questions li[data-id='{qid}'] button.vote").click()
    await expect(vote).to_have_text("▲ 2")
    status = await page.evaluate(
        """async (id) => {
            const csrf = document.getElementById('audience').dataset.csrf;
            const r = await fetch(`/e/grand-rounds/questions/${id}/vote`,
                {method: 'POST', headers: {'X-CSRF-Token': csrf}});
            return (await r.json()).votes;
        }""",
        qid,
    )
    assert status == 2
    await context.close()


async def test_overlay_resyncs_after_server_restart_without_a_touch(server, browser, http):
    from tests.web.test_moderation_api import act, ask

    context = await browser.new_context()
    overlay = await context.new_page()
    await overlay.goto(
        f"{server.url}/overlay/grand-rounds?key={server.event.overlay_key}&view=presenter"
    )
    await expect(overlay.locator("#overlay")).to_have_attribute("data-connection", "live")
    await server.stop()
    await expect(overlay.locator("#overlay")).to_have_attribute("data-connection", "down")
    await server.start()
    qid = await ask(http, server, "Asked while the overlay was reconnecting")
    await act(http, server, qid, "approve")
    nxt = await ask(http, server, "Next in line")
    await act(http, server, nxt, "approve")
    await act(http, server, qid, "on_air")
    await expect(overlay.locator("#onair-text")).to_have_text(
        "Asked while the overlay was reconnecting", timeout=8000
    )
    await expect(overlay.locator("#next li")).to_have_count(1)
    await expect(overlay.locator("#next li").first).to_contain_text("Next in line")
    await expect(overlay.locator("#clock")).not_to_be_empty()
    await context.close()
