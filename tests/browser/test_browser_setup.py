"""From an empty database to a running session in the browser, without the CLI beyond
`liveq init` (the one bootstrap step: it makes the first admin).

The admin creates the event and invites a moderator; the moderator sets a password on
the one-time link and opens the console; the overlay URL is copied with the page's copy
button (read back from the clipboard) and opened; a question goes from the audience
form through the console onto that overlay. axe finds nothing in any state met on the way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
from playwright.async_api import expect

from liveq.config import load_config
from liveq.storage import store
from tests.browser.test_browser_a11y import States
from tests.fixtures_server import LiveServer

# Screenshots only where the folder exists (as tests/fixtures_browser.py's screenshot).
SHOTS = Path(os.environ.get("LIVEQ_TEST_SHOTS", "/work/notes/setup-shots"))
ADMIN_PASSWORD = "first-admin-password-1"
DANA_PASSWORD = "dana-sets-this-2026"
SLUG = "knee-grand-rounds"


def liveq_init(directory: Path) -> Path:
    """`liveq init` as an operator runs it: config, database and the first admin."""
    env = {**os.environ, "LIVEQ_ADMIN_PASSWORD": ADMIN_PASSWORD}
    done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "liveq", "init", "--dir", str(directory), "--admin", "admin"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Admin user 'admin' created" in done.stdout
    return directory / "liveq.toml"


async def shot(page, name: str) -> None:
    """The whole page (the set-up page is long), if the screenshot folder exists."""
    if SHOTS.is_dir():
        await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_empty_database_to_a_running_session_in_the_browser(tmp_path, browser):
    server = LiveServer(load_config(liveq_init(tmp_path)))
    await server.start()
    states = States()
    try:
        assert await store.list_events(server.db, archived=True) == []
        # The admin's browser may use the clipboard (as a person who allowed it would).
        admin_ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
        await admin_ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
        admin = states.watch(await admin_ctx.new_page())
        await admin.goto(f"{server.url}/")
        await expect(admin).to_have_url(f"{server.url}/login")
        await admin.fill("#username", "admin")
        await admin.fill("#password", ADMIN_PASSWORD)
        await admin.click("button[type=submit]")
        await expect(admin.locator("main")).to_contain_text("No events yet")
        await states.check(admin, "events index, empty, admin")
        await admin.click("text=Set up events and people")
        await expect(admin).to_have_url(f"{server.url}/admin")
        await expect(admin.locator("#admin[data-ready]")).to_be_attached()
        await expect(admin.locator("#events-empty")).to_be_visible()
        await states.check(admin, "set-up page, empty")
        await shot(admin, "01-admin-empty")

        # A bad address comes back as a sentence, nothing is created.
        await admin.fill("#event-slug", "Knee Rounds!")
        await admin.fill("#event-title", "Knee surgery: your questions")
        await admin.click("#event-submit")
        await expect(admin.locator("#notice-text")).to_contain_text("not a usable event name")
        await states.check(admin, "set-up page, error notice")
        await shot(admin, "02-admin-bad-slug")

        await admin.fill("#event-slug", SLUG)
        await admin.fill("#event-hashtag", "#KneeQA")
        await admin.check("#event-form input[name=networks][value=bluesky]")
        await admin.select_option("#event-moderation", "pre")
        await admin.click("#event-submit")
        item = admin.locator(f"li[data-slug={SLUG}]")
        await expect(item).to_contain_text("Knee surgery: your questions")
        await expect(item).to_contain_text("#KneeQA")
        await expect(item).to_contain_text("posts to bluesky")
        await expect(admin.locator("#notice-text")).to_contain_text("created")
        # "Archive" and "New overlay key" ask once more, in place, only when pressed.
        await expect(item.locator(".confirm-ask")).to_have_count(2)
        for ask in await item.locator(".confirm-ask").all():
            await expect(ask).to_be_hidden()

        # Invite a moderator: a one-time link, copied with its button.
        await admin.fill("#invite-username", "dana")
        await admin.select_option("#invite-role", "moderator")
        await admin.click("#invite-form button[type=submit]")
        await expect(admin.locator("#link-box")).to_be_visible()
        link = await admin.input_value("#link-url")
        assert link.startswith(f"{server.url}/invite/")
        await admin.click("#link-copy")
        await expect(admin.locator("#notice-text")).to_have_text("The link copied.")
        assert await admin.evaluate("navigator.clipboard.readText()") == link
        await expect(admin.locator("li[data-username=dana]")).to_contain_text("invited")
        await states.check(admin, "set-up page, event and invite link")
        await shot(admin, "03-admin-event-and-invite")

        # The overlay URL, copied with the copy button and read back from the clipboard.
        await item.locator("button.copy-overlay").click()
        await expect(admin.locator("#notice-text")).to_contain_text("overlay URL")
        overlay_url = await admin.evaluate("navigator.clipboard.readText()")
        event = await store.get_event(server.db, SLUG)
        assert overlay_url == f"{server.url}/overlay/{SLUG}?key={event.overlay_key}"

        # The moderator opens the link, sets a password, and is in.
        mod = states.watch(await (await browser.new_context()).new_page())
        await mod.goto(link)
        await expect(mod.locator("h1")).to_have_text("Set your password")
        await expect(mod.locator("main")).to_contain_text("dana")
        await states.check(mod, "invite link page")
        await shot(mod, "04-invite-page")
        # (A too-short one the browser itself stops, from minlength.) Two different ones:
        await mod.fill("#password", DANA_PASSWORD)
        await mod.fill("#confirm", DANA_PASSWORD + "x")
        await mod.click("button[type=submit]")
        await expect(mod.locator("p.error")).to_contain_text("are not the same")
        await states.check(mod, "invite link page, error")
        await mod.fill("#password", DANA_PASSWORD)
        await mod.fill("#confirm", DANA_PASSWORD)
        await mod.click("button[type=submit]")
        await expect(mod).to_have_url(f"{server.url}/")
        await mod.click(f"a[href='/mod/{SLUG}']")
        await expect(mod.locator("#conn")).to_have_text("Connected")
        await shot(mod, "05-moderator-console")
        # The link worked once.
        again = await (await browser.new_context()).new_page()
        response = await again.goto(link)
        assert response is not None and response.status == 410

        # The copied overlay URL opens; a question goes from the form to it.
        overlay_ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
        overlay = states.watch(await overlay_ctx.new_page())
        response = await overlay.goto(overlay_url)
        assert response is not None and response.status == 200
        async with aiohttp.ClientSession() as audience:
            question = {"text": "How soon can I walk after a knee replacement?", "name": "Maria"}
            async with audience.post(f"{server.url}/e/{SLUG}/questions", json=question) as r:
                assert r.status == 201, await r.text()
        row = mod.locator("#queue li.q").first
        await expect(row).to_contain_text("How soon can I walk")
        await row.locator("button.act-approve").click()
        await mod.click("#tab-approved")
        await mod.locator("#queue li.q").first.locator("button.act-on_air").click()
        await expect(overlay.locator("#onair-text")).to_have_text(question["text"])
        await shot(overlay, "06-overlay-on-air")
        states.assert_clean()
    finally:
        await server.stop()
