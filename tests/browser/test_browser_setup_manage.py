"""The set-up page after the first day: edit, duplicate as a template, rotate the overlay
key, archive; reset and disable a person; create, copy and revoke an API token. Each
state is checked with axe (the pattern of test_browser_a11y.py), and each change is
read back from the database or over HTTP, not only from the page."""

from __future__ import annotations

import datetime

import aiohttp
from PIL import Image
from playwright.async_api import expect

from liveq.storage import accounts, store
from tests.browser.test_browser_a11y import States
from tests.browser.test_browser_setup import shot
from tests.fixtures_server import ADMIN_PASSWORD, MOD_PASSWORD

SLUG = "grand-rounds"


async def admin_page(states, browser, server):
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = states.watch(await context.new_page())
    await page.goto(f"{server.url}/admin")
    await page.fill("#username", "admin")
    await page.fill("#password", ADMIN_PASSWORD)
    await page.click("button[type=submit]")
    await expect(page).to_have_url(f"{server.url}/admin")
    await expect(page.locator("#admin[data-ready]")).to_be_attached()
    return page


async def test_edit_duplicate_rotate_and_archive_an_event(server, browser, tmp_path):
    states = States()
    page = await admin_page(states, browser, server)
    item = page.locator(f"li[data-slug={SLUG}]")
    await states.check(page, "set-up page with an event")

    # Edit: a right-to-left title, a new hashtag, another language.
    await item.get_by_role("button", name="Edit", exact=True).click()
    await expect(page.locator("#event-form-title")).to_contain_text("Edit")
    await expect(page.locator("#event-slug")).to_have_value(SLUG)
    await page.fill("#event-title", "جولات كبرى: أسئلتكم")
    await page.fill("#event-hashtag", "GR27")
    await page.select_option("#event-language", "es")
    # Questions open tomorrow at 09:00 (the browser's time zone, here the server's).
    tomorrow = datetime.datetime.now() + datetime.timedelta(days=1)
    opens = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
    await page.fill("#event-opens", opens.strftime("%Y-%m-%dT%H:%M"))
    await states.check(page, "editing an event")
    await page.click("#event-submit")
    await expect(item.locator("strong")).to_have_text("جولات كبرى: أسئلتكم")
    await expect(item).to_contain_text("questions open")
    assert await item.locator("strong").get_attribute("dir") == "auto"
    event = await store.get_event(server.db, SLUG)
    assert (event.title, event.hashtag, event.language) == ("جولات كبرى: أسئلتكم", "GR27", "es")
    assert event.opens_at == opens.timestamp() and event.closes_at is None
    # The audience page says when, in the event's language, and has no form yet.
    audience = states.watch(await (await browser.new_context()).new_page())
    await audience.goto(f"{server.url}/e/{SLUG}")
    await expect(audience.locator("#schedule-note")).to_contain_text("Las preguntas se abren el")
    await expect(audience.locator("#text")).to_have_count(0)
    await states.check(audience, "audience page before questions open")
    await shot(audience, "09-audience-before-opening")

    # A brand colour too light for white text is refused with its ratio; a dark one is kept.
    await item.get_by_role("button", name="Edit", exact=True).click()
    await page.fill("#event-brand", "#ffcc00")
    await page.click("#event-submit")
    await expect(page.locator("#notice-text")).to_contain_text(
        "#ffcc00 has a contrast of 1.5:1 with white button text"
    )
    await states.check(page, "a brand colour refused")
    await page.fill("#event-brand", "#7a1f5c")
    await page.click("#event-submit")
    await expect(item).to_contain_text("brand colour #7a1f5c")
    # A logo, through the photo cleaning; a file that is no image is refused with a sentence.
    not_image = tmp_path / "logo.png"
    not_image.write_bytes(b"this is not a picture")
    await page.set_input_files(f"#logo-{SLUG}", str(not_image))
    await item.get_by_role("button", name="Upload logo", exact=True).click()
    await expect(page.locator("#notice-text")).to_contain_text("only PNG, JPEG, GIF and WebP")
    logo = tmp_path / "hospital.png"
    Image.new("RGB", (240, 80), (122, 31, 92)).save(logo)
    await page.set_input_files(f"#logo-{SLUG}", str(logo))
    await item.get_by_role("button", name="Upload logo", exact=True).click()
    await expect(item).to_contain_text("has a logo")

    # Duplicate as a template: only an address and a title; the settings come along.
    await item.get_by_role("button", name="Duplicate", exact=True).click()
    await expect(page.locator("#event-settings")).to_be_hidden()
    await page.fill("#event-slug", "grand-rounds-june")
    await page.fill("#event-title", "Grand Rounds, June")
    await states.check(page, "duplicating an event")
    await page.click("#event-submit")
    copy_item = page.locator("li[data-slug=grand-rounds-june]")
    await expect(copy_item).to_contain_text("#GR27")
    copy = await store.get_event(server.db, "grand-rounds-june")
    assert (copy.hashtag, copy.language, copy.moderation) == ("GR27", "es", "pre")
    assert (copy.brand_colour, copy.opens_at) == ("#7a1f5c", None)
    # The copy's audience page: open at once, in its brand colour.
    await audience.goto(f"{server.url}/e/grand-rounds-june")
    ask = audience.locator("form.ask button[type=submit]")
    await expect(ask).to_have_css("background-color", "rgb(122, 31, 92)")
    await expect(audience.locator("img.brand-logo")).to_be_visible()
    width = await audience.locator("img.brand-logo").evaluate("img => img.naturalWidth")
    assert width == 240  # loaded, not a broken image
    await states.check(audience, "audience page in a brand colour")
    await shot(audience, "10-audience-brand-colour")

    # A new overlay key: asked once more in place, then the old URL is refused.
    old_url = await item.locator("input.overlay-url").input_value()
    await item.get_by_role("button", name="New overlay key", exact=True).click()
    await expect(item.locator(".confirm-ask").first).to_be_visible()
    await states.check(page, "confirming a new overlay key")
    await item.get_by_role("button", name="Yes, new key", exact=True).click()
    await expect(page.locator("#notice-text")).to_contain_text("new overlay URL")
    # The list is drawn again from the server's answer, maybe just after the notice.
    await expect(item.locator("input.overlay-url")).not_to_have_value(old_url)
    new_url = await item.locator("input.overlay-url").input_value()
    async with aiohttp.ClientSession() as obs:
        async with obs.get(old_url) as resp:
            assert resp.status == 403
        async with obs.get(new_url) as resp:
            assert resp.status == 200

    # Archive: off the list, into "Archived events"; the audience form is closed.
    await item.get_by_role("button", name="Archive", exact=True).click()
    await item.get_by_role("button", name="Yes, archive", exact=True).click()
    await expect(page.locator(f"#event-list li[data-slug={SLUG}]")).to_have_count(0)
    await expect(page.locator("#archived-box")).to_be_visible()
    await page.click("#archived-box summary")
    await expect(page.locator(f"#archived-list li[data-slug={SLUG}]")).to_contain_text("Archived")
    await states.check(page, "an archived event")
    await shot(page, "07-admin-archived")
    assert (await store.get_event(server.db, SLUG)).archived_at is not None
    await audience.goto(f"{server.url}/e/{SLUG}")
    # In the event's language (Spanish since the edit), and without the form.
    await expect(audience.locator("p.notice")).to_be_visible()
    await expect(audience.locator("html")).to_have_attribute("lang", "es")
    await expect(audience.locator("#text")).to_have_count(0)
    async with aiohttp.ClientSession() as asker:
        question = {"text": "Is this still on?", "name": ""}
        async with asker.post(f"{server.url}/e/{SLUG}/questions", json=question) as resp:
            assert resp.status == 409
    states.assert_clean()


async def test_people_and_api_tokens(server, browser):
    states = States()
    page = await admin_page(states, browser, server)
    alice = page.locator("li[data-username=alice]")

    # A reset link for alice; her old password works until she uses it.
    await alice.get_by_role("button", name="Reset password", exact=True).click()
    await expect(page.locator("#link-box")).to_be_visible()
    await expect(page.locator("#link-about")).to_contain_text("alice")
    link = await page.input_value("#link-url")
    await states.check(page, "a reset link shown")
    assert (await accounts.link_user(server.db, link.rsplit("/", 1)[1]))["purpose"] == "reset"

    # Disable bob: his open console session ends.
    bob_ctx = await browser.new_context()
    bob = states.watch(await bob_ctx.new_page())
    await bob.goto(f"{server.url}/login")
    await bob.fill("#username", "bob")
    await bob.fill("#password", MOD_PASSWORD)
    await bob.click("button[type=submit]")
    await expect(bob.locator("ul.events")).to_be_visible()
    bob_item = page.locator("li[data-username=bob]")
    await bob_item.get_by_role("button", name="Disable", exact=True).click()
    await states.check(page, "confirming disabling someone")
    await bob_item.get_by_role("button", name="Yes, disable", exact=True).click()
    await expect(bob_item).to_contain_text("disabled")
    await bob.goto(f"{server.url}/mod/{SLUG}")
    await expect(bob).to_have_url(f"{server.url}/login?next=/mod/{SLUG}")
    # No button to disable yourself.
    own = page.locator("li[data-username=admin]")
    await expect(own.get_by_role("button", name="Disable", exact=True)).to_have_count(0)

    # A token: shown once, copied, listed without its secret, then revoked.
    await page.fill("#token-label", "Stream Deck")
    await page.select_option("#token-role", "moderator")
    await page.select_option("#token-event", SLUG)
    await page.click("#token-form button[type=submit]")
    await expect(page.locator("#token-box")).to_be_visible()
    token = await page.input_value("#token-value")
    await page.click("#token-copy")
    assert await page.evaluate("navigator.clipboard.readText()") == token
    row = page.locator("#token-list li", has_text="Stream Deck")
    await expect(row).to_contain_text(f"moderator · {SLUG}")
    assert token not in await page.locator("#token-list").inner_text()
    await states.check(page, "a new token shown once")
    await shot(page, "08-admin-people-and-token")
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as deck:
        async with deck.get(f"{server.url}/api/v1/events/{SLUG}", headers=headers) as resp:
            assert resp.status == 200
        await row.get_by_role("button", name="Revoke", exact=True).click()
        await row.get_by_role("button", name="Yes, revoke", exact=True).click()
        await expect(row).to_contain_text("revoked")
        async with deck.get(f"{server.url}/api/v1/events/{SLUG}", headers=headers) as resp:
            assert resp.status == 401

    # An error from the server, as a sentence on the page.
    await page.fill("#invite-username", "alice")
    await page.click("#invite-form button[type=submit]")
    await expect(page.locator("#notice-text")).to_contain_text("already exists")
    await states.check(page, "an invite refused")
    rows = await server.db.fetchall("SELECT actor, action FROM audit ORDER BY id")
    assert [(r["actor"], r["action"]) for r in rows] == [
        ("admin", "user_reset"),
        ("admin", "user_disable"),
        ("admin", "token_create"),
        ("admin", "token_revoke"),
    ]
    states.assert_clean()
