"""A poll from creation to results on the overlay (issue 16): the moderator writes it in
the console, opens it, 50 people answer (one through the audience page's form in
Chromium, 49 over real HTTP, each with its own browser id), the overlay's bar chart
stays hidden until the moderator shows the results, then counts all 50. A word cloud
keeps a screened answer out. Every new state is checked with axe (zero violations)."""

from __future__ import annotations

import asyncio

import aiohttp
from playwright.async_api import expect

from tests.browser.test_browser_a11y import States
from tests.browser.test_browser_qa import login_console
from tests.fixtures_browser import screenshot
from tests.fixtures_server import form_csrf

SLUG = "grand-rounds"


HELD = ("617-555-0142 call me", "Will Baker")  # a phone number; words read as a name


async def http_answers(server, poll_id: int, values: list) -> None:
    """Each value from a new browser (its own cookie jar: its own signed id)."""

    async def one(value) -> None:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as phone:
            token = await form_csrf(phone, f"{server.url}/e/{SLUG}")
            async with phone.post(
                f"{server.url}/e/{SLUG}/polls/{poll_id}/answer",
                json={"value": value},
                headers={"X-CSRF-Token": token, "Accept": "application/json"},
            ) as resp:
                assert resp.status == 200, await resp.text()
                assert (await resp.json())["counted"] == (value not in HELD)

    for start in range(0, len(values), 10):
        await asyncio.gather(*(one(v) for v in values[start : start + 10]))


async def test_poll_from_console_to_overlay_with_50_voters(server, browser):
    states = States()
    console = states.watch(await login_console(await browser.new_context(), server))
    key = server.event.overlay_key
    overlay = await states.page(browser, viewport={"width": 1280, "height": 720})
    await overlay.goto(f"{server.url}/overlay/{SLUG}?key={key}&view=poll")
    presenter = await states.page(browser, viewport={"width": 1280, "height": 720})
    await presenter.goto(f"{server.url}/overlay/{SLUG}?key={key}&view=presenter")
    phone = await states.page(browser, viewport={"width": 390, "height": 844})
    await phone.goto(f"{server.url}/e/{SLUG}")

    # Written in the console before the event: a draft nobody else sees.
    await console.select_option("#poll-kind", "choice")
    await console.fill("#poll-text", "Which recovery topic should we cover next?")
    await console.fill("#poll-options", "Pain relief\nPhysiotherapy\nReturning to work")
    await console.click("#poll-save")
    item = console.locator("#poll-list li.poll-item").first
    await expect(item).to_have_attribute("data-status", "draft")
    await states.check(console, "console with a draft poll")
    await expect(phone.locator("#poll")).to_be_hidden()

    await item.get_by_role("button", name="Open").click()
    await expect(item).to_have_attribute("data-status", "open")
    poll_id = int(await item.get_attribute("data-id"))

    # The audience page shows it; this person answers through the form.
    await expect(phone.locator("#poll-question")).to_have_text(
        "Which recovery topic should we cover next?"
    )
    await states.check(phone, "audience with an open poll")
    await phone.get_by_label("Physiotherapy").check()
    await phone.click("#poll-form button[type=submit]")
    await expect(phone.locator("#poll-status")).to_have_text(
        "Thank you: your answer has been received."
    )
    await expect(phone.locator("#poll-form")).to_be_hidden()
    await expect(phone.locator("#poll-question")).to_be_visible()  # still says what it was
    await states.check(phone, "audience after answering")

    # 49 more, over real HTTP, each its own browser.
    close = item.get_by_role("button", name="Close")
    await close.focus()
    await http_answers(server, poll_id, [i % 3 for i in range(49)])
    # The console counts all 50 at once; the overlay still shows nothing.
    await expect(item.locator("p.small")).to_contain_text("50 counted")
    # Counts arriving four times a second leave the moderator's focus where it was.
    await expect(close).to_be_focused()
    await expect(overlay.locator("#poll-card")).to_be_hidden()
    await expect(presenter.locator("#poll-total")).to_have_text(
        "Results hidden until a moderator shows them."
    )
    await states.check(presenter, "presenter view, results hidden")

    await item.get_by_role("button", name="Show results").click()
    card = overlay.locator("#poll-card")
    await expect(card).to_be_visible()
    await expect(overlay.locator("#poll-total")).to_have_text("50 answers")
    bars = overlay.locator("#poll-bars li")
    await expect(bars).to_have_count(3)
    # 49 over HTTP: 17 × option 0, 16 × 1, 16 × 2; plus the form's Physiotherapy (1).
    await expect(bars.nth(0)).to_contain_text("17 (34%)")
    await expect(bars.nth(1)).to_contain_text("17 (34%)")
    await expect(bars.nth(2)).to_contain_text("16 (32%)")
    await expect(presenter.locator("#poll-bars li")).to_have_count(3)
    await expect(phone.locator("#poll-bars li").nth(1)).to_contain_text("17 (34%)")
    await states.check(overlay, "overlay poll view with results")
    await states.check(presenter, "presenter view with results")
    await states.check(console, "console with an open poll shown")

    # A word cloud, opened from the console (which closes the first poll).
    await console.select_option("#poll-kind", "cloud")
    await console.fill("#poll-text", "One word for how you feel about surgery?")
    await console.uncheck("#poll-hide")
    await console.click("#poll-save")
    cloud_item = console.locator("#poll-list li.poll-item").nth(1)
    await cloud_item.get_by_role("button", name="Open").click()
    await expect(item).to_have_attribute("data-status", "closed")
    cloud_id = int(await cloud_item.get_attribute("data-id"))
    # The same poll in Spanish and in Arabic (right to left): the page's own words.
    for lang, label in (
        ("es", "Su respuesta (una palabra o una frase corta)"),
        ("ar", "إجابتك (كلمة أو عبارة قصيرة)"),
    ):
        other = await states.page(browser, viewport={"width": 390, "height": 844})
        await other.goto(f"{server.url}/e/{SLUG}?lang={lang}")
        await expect(other.get_by_label(label)).to_be_visible()
        await expect(other.locator("#poll-words")).to_have_attribute("dir", "auto")
        await states.check(other, f"audience word cloud, {lang}")
    await phone.fill("#poll-words", "Hopeful")
    await phone.click("#poll-form button[type=submit]")
    await expect(phone.locator("#poll-status")).to_have_text(
        "Thank you: your answer has been received."
    )
    await http_answers(
        server,
        cloud_id,
        ["hopeful", "Nervous", "nervous ", "ready", "617-555-0142 call me", "Will Baker"],
    )
    cloud = await states.page(browser, viewport={"width": 1280, "height": 720})
    await cloud.goto(f"{server.url}/overlay/{SLUG}?key={key}&view=cloud")
    words = cloud.locator("#poll-cloud li")
    await expect(words).to_have_count(3)
    await expect(words.nth(0)).to_have_text("hopeful")
    await expect(words.nth(0)).to_have_attribute("data-n", "2")
    await expect(cloud.locator("#poll-cloud")).not_to_contain_text("617")
    await expect(cloud.locator("#poll-total")).to_have_text("5 answers")
    await expect(cloud_item.locator("p.small")).to_contain_text("2 held back by screening")
    # The moderators can read what was held back, and why.
    await cloud_item.get_by_role("button", name="Show the 2 held back").click()
    held = cloud_item.locator("ul.held-answers li")
    await expect(held).to_have_count(2)
    # (Answered at once by separate browsers: in either order.)
    phone_number = held.filter(has_text="617-555-0142 call me")
    await expect(phone_number).to_contain_text("617-555-0142 call me (phone)")
    name_like = held.filter(has_text="Will Baker")
    await expect(name_like).to_contain_text("Will Baker (name)")
    await states.check(console, "console with held word-cloud answers")
    await screenshot(cloud_item, "console-held-word-cloud.png")
    # Screening was wrong about one: a moderator counts it, with a reason.
    await name_like.get_by_label("Why it identifies no one").fill("A town, not a patient")
    await name_like.get_by_role("button", name="Count it").click()
    await expect(console.locator("#notice")).to_contain_text("Counted in the word cloud.")
    await expect(words).to_have_count(4)
    await expect(cloud.locator("#poll-cloud")).to_contain_text("will baker")
    await expect(cloud.locator("#poll-cloud")).not_to_contain_text("617")
    await expect(cloud_item.locator("p.small")).to_contain_text("1 held back by screening")
    await states.check(cloud, "overlay word cloud")
    # The bar-chart view shows no word cloud.
    await expect(overlay.locator("#poll-card")).to_be_hidden()
    states.assert_clean()
