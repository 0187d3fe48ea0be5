"""The procedure page as a person works it (issue 11 items 1, 2, 5, 7, 8, 13).

Set up through the API where the setting up is not the point; then Chromium,
looking at what the page shows: one "live" that means the event (the
connection says "Connected"), photos the approver can see, the photos an
imported script asks for, Post next disabled with its reason, the thread
numbered as on X, buttons named for what they do, checkboxes beside their
labels and a readable Alt+N hint. Screenshots go to /work/shots/proc-*.png.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import expect

from tests.browser.test_browser_procedure import login
from tests.fixtures_browser import collect_problems
from tests.fixtures_server import MOD_PASSWORD
from tests.waiting import eventually
from tests.web.test_procedure import (
    PNG,
    SLUG,
    TAG,
    account_texts,
    add_photo,
    call,
    consent_all,
    get_state,
    hdr,
    outbox,
    proc_server,
    ready_and_live,
    script,
    sign_all,
)
from tests.web.test_procedure_import import readme_script

__all__ = ["proc_server"]

SHOTS = Path("/work/shots")
APPROVER_PASSWORD = "approver-password-123"


async def open_page(browser, server, user, password, path=f"/mod/{SLUG}/procedure"):
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    return await login(context, server, user, password, path)


async def shot(page, name):
    if SHOTS.is_dir():
        await page.screenshot(path=str(SHOTS / f"proc-{name}.png"), full_page=True)


def luminance(rgb: str) -> float:
    parts = [int(float(x)) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]

    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in parts)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


async def effective_background(locator) -> str:
    """The first non-transparent background colour from the element up."""
    return await locator.evaluate(
        """(node) => {
          for (let n = node; n; n = n.parentElement) {
            const bg = getComputedStyle(n).backgroundColor;
            if (bg && bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
          }
          return 'rgb(255, 255, 255)';
        }"""
    )


async def test_connection_and_event_state_are_named_apart(proc_server, browser, http):
    """Item 7: "live" means the event, and only once."""
    server = proc_server
    await script(http, server, 2)
    problems: list[str] = []
    page = await open_page(browser, server, "alice", MOD_PASSWORD)
    collect_problems(page, problems)
    await expect(page.locator("#phase")).to_have_text("Procedure: preparing")
    await sign_all(http, server)
    await consent_all(http, server)
    await page.click("#go-live")
    await expect(page.locator("#phase")).to_have_text("Procedure: live")
    await expect(page.locator("#conn")).to_have_text("Connected")
    badges = await page.locator("header .badge").all_inner_texts()
    assert sum("live" in b.lower() for b in badges) == 1, badges
    await page.click("#pause")
    await expect(page.locator("#phase")).to_have_text("Procedure: paused")
    assert problems == []


async def test_the_approver_sees_each_photo_where_they_sign_it(proc_server, browser, http):
    """Item 2: a thumbnail of the photo itself, with its alt text, beside Sign off."""
    server = proc_server
    st = await script(http, server, 1)
    post_id = st["script"][0]["id"]
    await add_photo(http, server, post_id, "The surgical team scrubbing in.")
    problems: list[str] = []
    page = await open_page(browser, server, "carol", APPROVER_PASSWORD)
    collect_problems(page, problems)
    row = page.locator("#script > li").first
    img = row.locator("img.photo-thumb")
    await expect(img).to_have_count(1)
    await expect(img).to_have_attribute("alt", "The surgical team scrubbing in.")
    await expect(row.locator("button.sign")).to_be_visible()
    assert await img.evaluate("(i) => i.complete && i.naturalWidth") == 1
    await shot(page, "approver")
    assert problems == []


async def test_an_imported_script_asks_for_its_photos(proc_server, browser, http):
    """Item 5: the README's example imports on the page, then its photo is uploaded."""
    server = proc_server
    problems: list[str] = []
    page = await open_page(browser, server, "alice", MOD_PASSWORD)
    collect_problems(page, problems)
    await page.click(".import summary")
    await page.fill("#import-source", readme_script())
    await page.click("#import-send")
    await expect(page.locator("#script > li")).to_have_count(2)
    awaited = page.locator("#missing-photos li")
    await expect(awaited).to_have_count(1)
    await expect(awaited.first).to_contain_text("or.png")
    await expect(awaited.first).to_contain_text("The empty operating room, lights on.")
    await expect(page.locator("#problems")).to_contain_text("or.png")
    await shot(page, "import-photos-to-upload")
    await awaited.first.locator("input[type=file]").set_input_files(
        {"name": "or.png", "mimeType": "image/png", "buffer": PNG}
    )
    await awaited.first.locator("button.upload").click()
    await expect(awaited).to_have_count(0)
    await expect(page.locator("#missing-photos-box")).to_be_hidden()
    thumb = page.locator("#script > li").first.locator("img.photo-thumb")
    await expect(thumb).to_have_attribute("alt", "The empty operating room, lights on.")
    assert problems == []


async def test_post_next_is_disabled_with_its_reason(proc_server, browser, http):
    """Item 8: not clickable when the next post is not signed, and it says why."""
    server = proc_server
    await ready_and_live(http, server, 1)
    problems: list[str] = []
    page = await open_page(browser, server, "alice", MOD_PASSWORD)
    collect_problems(page, problems)
    await expect(page.locator("#post-next")).to_be_enabled()
    await expect(page.locator("#next-blocked")).to_be_hidden()
    await page.click("#post-next")
    await expect(page.locator("#post-next")).to_be_disabled()
    await expect(page.locator("#next-blocked")).to_contain_text("script is done")
    await call(http, server, "/posts", {"text": "A late addition."}, status=201)
    await expect(page.locator("#next-text")).to_have_text("A late addition.")
    await expect(page.locator("#post-next")).to_be_disabled()
    await expect(page.locator("#next-blocked")).to_contain_text("not signed off")
    await shot(page, "moderator-next-blocked")
    # Alt+N does nothing either, and says why.
    await page.keyboard.press("Alt+n")
    await asyncio.sleep(0.3)
    assert len(await outbox(http, server)) == 1
    assert problems == []


async def test_the_page_is_compact_aligned_and_readable(proc_server, browser, http, x_state):
    """Item 8: checkboxes beside their labels, a readable Alt+N hint, X's numbers."""
    server = proc_server
    await script(http, server, 3)
    problems: list[str] = []
    page = await open_page(browser, server, "alice", MOD_PASSWORD)
    collect_problems(page, problems)
    await expect(page.locator("#consents input[type=checkbox]")).to_have_count(2)
    await shot(page, "moderator-before")
    # Measured in one script run: the state sent on connect draws the rows again, and a
    # checkbox replaced between finding it and measuring it has no box.
    measured = await page.locator("#consents input[type=checkbox]").evaluate_all(
        """(boxes) => boxes.map((box) => {
             const b = box.getBoundingClientRect(), r = document.createRange();
             r.selectNodeContents(box.parentElement.lastChild);
             return {right: b.right, width: b.width, text_left: r.getBoundingClientRect().left};
           })"""
    )
    assert len(measured) == 2
    for m in measured:
        assert 0 <= m["text_left"] - m["right"] <= 12, m
        assert m["width"] <= 24, m
    await sign_all(http, server)
    await consent_all(http, server)
    await call(http, server, "/live")
    await page.reload()
    kbd = page.locator("#post-next kbd")
    color = await kbd.evaluate("(k) => getComputedStyle(k).color")
    assert contrast(color, await effective_background(kbd)) >= 4.5

    # A post held by screening and skipped: X's numbers skip nothing, and so does the page.
    await page.click("#post-next")
    await eventually(lambda: _has_texts(x_state, 1))
    held = await call(http, server, "/compose", {"text": "Call 555-201-3344"}, status=201)
    url = f"{server.url}/api/v1/events/{SLUG}/outbox/{held['item']['id']}/skip"
    async with http.post(url, json={}, headers=hdr(server)) as resp:
        assert resp.status == 200
    await page.click("#post-next")
    await eventually(lambda: _has_texts(x_state, 2))
    rows = page.locator("#thread > li")
    await expect(rows).to_have_count(3)
    await expect(rows.nth(2).locator(".seq")).to_have_text("2/")
    assert account_texts(x_state)[1].startswith("2/ ")
    await expect(rows.nth(1).locator(".seq")).to_have_text("")
    await shot(page, "moderator-live")
    assert problems == []


async def _has_texts(x_state, n):
    return len(account_texts(x_state)) >= n


async def test_buttons_are_named_for_what_they_do(proc_server, browser, http):
    """Item 13: two different pauses, two different names; no stale "Queued" notice."""
    server = proc_server
    await ready_and_live(http, server, 3)
    problems: list[str] = []
    page = await open_page(browser, server, "alice", MOD_PASSWORD)
    collect_problems(page, problems)
    await expect(page.locator("#pause")).to_have_text("Pause thread (post holding statement)")
    await page.click("#post-next")
    await expect(page.locator("#notice")).to_contain_text("Queued")
    await page.click("#pause")
    await expect(page.locator("#notice")).not_to_contain_text("Queued")
    await expect(page.locator("#notice")).to_contain_text("holding statement")
    await expect(page.locator("#resume")).to_have_text("Resume thread")
    console = await open_page(browser, server, "bob", MOD_PASSWORD, f"/mod/{SLUG}")
    collect_problems(console, problems)
    toggle = console.locator("#x-source-toggle")
    await expect(toggle).to_have_text("Pause hashtag reading")
    await toggle.click()
    await expect(toggle).to_have_text("Resume hashtag reading")
    await shot(console, "console")
    assert problems == []


async def test_an_edit_in_the_thread_goes_back_to_the_approver(proc_server, browser, http, x_state):
    """Item 1 where a person sees it: the edit says it needs a new sign-off, the
    approver sees it to sign, nobody can post it anyway."""
    server = proc_server
    await ready_and_live(http, server, 2)
    await call(http, server, "/pause")
    await call(http, server, "/next", status=201)
    problems: list[str] = []
    page = await open_page(browser, server, "alice", MOD_PASSWORD)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    messages: list[str] = []

    async def on_dialog(dialog):
        messages.append(dialog.message)
        await dialog.accept("Scripted post 1, reworded.")

    page.on("dialog", on_dialog)
    scripted = page.locator("#thread > li[data-kind=script]")
    await expect(scripted).to_have_count(1)
    await scripted.locator("button.act-edit").click()
    await expect(scripted).to_contain_text("waiting for an approver")
    assert any("sign-off" in m for m in messages), messages
    await expect(scripted.locator("button.act-override")).to_have_count(0)
    approver = await open_page(browser, server, "carol", APPROVER_PASSWORD)
    to_sign = approver.locator("#to-sign")
    await expect(to_sign).to_contain_text("Script post 1 (edited after sign-off)")
    await shot(approver, "approver-live-to-sign")
    row = approver.locator("#script > li").first
    await expect(row).to_contain_text("Scripted post 1, reworded.")
    await expect(row).to_contain_text("edited after sign-off")
    await row.locator("button.sign").click()
    await call(http, server, "/resume")

    async def sent():
        return f"2/ Scripted post 1, reworded. #{TAG}" in account_texts(x_state)

    await eventually(sent)
    st = await get_state(http, server)
    assert st["script"][0]["signed"] is True
    assert problems == []


async def test_an_approver_finds_the_procedure_from_the_events_page(proc_server, browser):
    """Item 6: from the home page to the script to sign, in one click."""
    server = proc_server
    page = await (await browser.new_context(viewport={"width": 1000, "height": 500})).new_page()
    problems: list[str] = []
    collect_problems(page, problems)
    await page.goto(f"{server.url}/")
    await page.fill("#username", "carol")
    await page.fill("#password", APPROVER_PASSWORD)
    await page.click("button[type=submit]")
    await expect(page.locator("main")).not_to_contain_text("No events yet")
    await shot(page, "approver-events")
    await page.get_by_role("link", name="Sign off the script").click()
    await expect(page).to_have_url(f"{server.url}/mod/{SLUG}/procedure")
    await expect(page.locator("#conn")).to_have_text("Connected")
    assert problems == []


async def test_typing_alt_text_survives_a_change_made_by_someone_else(proc_server, browser, http):
    """A teammate's change draws the script again while someone types a photo's alt
    text: the typing goes on in the same field, nothing lost."""
    server = proc_server
    await script(http, server, 2)
    page = await open_page(browser, server, "alice", MOD_PASSWORD)
    row = page.locator("#script > li").first
    await row.locator(".add-photo summary").click()
    alt = row.locator(".photo-alt")
    await alt.click()
    await page.keyboard.type("The surgical")
    await call(http, server, "/posts", {"text": "A post added by a teammate."}, status=201)
    await expect(page.locator("#script > li")).to_have_count(3)  # drawn again
    await page.keyboard.type(" team scrubbing in.")
    await expect(alt).to_have_value("The surgical team scrubbing in.")
    await expect(alt).to_be_focused()
