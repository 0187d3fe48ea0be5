"""A click on a busy page is not lost: a moderator's in the console, a voter's on the
audience page.

At a town hall questions and votes arrive several times a second, and each one renders
the page again. A row rebuilt between the press and the release of the mouse button
takes the click with it: the button pressed is gone when the button is released. These
tests press, let the room change under the pointer, then release."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.test_browser_a11y import SLUG, ask, moderate, server
from tests.browser.test_browser_qa import login_console
from tests.fixtures_browser import collect_problems

__all__ = ["server"]  # the fixture: the test server without the per-browser question limit


async def press(page, locator) -> None:
    """Put the mouse button down over `locator`, and keep it down."""
    box = await locator.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await page.mouse.down()


async def vote_from_audience(browser, server, qid: int) -> None:
    """One person in the audience votes for question `qid` on the audience page."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{server.url}/e/{SLUG}")
    vote = page.locator(f"#public-questions li[data-id='{qid}'] button.vote")
    await vote.click()
    await expect(vote).to_be_disabled()
    await context.close()


async def test_on_air_click_survives_new_questions_and_votes(server, http, browser):
    knee = "How soon can I walk after a knee replacement?"
    first = (await ask(http, server, knee, "Maria"))["id"]
    second = (await ask(http, server, "Is physio covered before the operation?", "Sam"))["id"]
    for qid in (first, second):
        await moderate(http, server, qid, "approve")
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await login_console(context, server)
    problems: list[str] = []
    collect_problems(page, problems)
    await page.click("[data-tab=approved]")
    row = page.locator(f"#queue li.q[data-id='{first}']")
    await expect(row).to_be_visible()

    await press(page, row.locator("button.act-on_air"))
    # While the button is held: a new question arrives, and the audience votes for the
    # question under the pointer and for the other one.
    await ask(http, server, "Will I need crutches at home?", "Lee")
    await expect(page.locator("[data-count=pending]")).to_have_text("1")
    await vote_from_audience(browser, server, first)
    await expect(row.locator(".votes")).to_have_text("▲ 1")
    await vote_from_audience(browser, server, second)
    await expect(page.locator(f"#queue li.q[data-id='{second}'] .votes")).to_have_text("▲ 1")
    await page.mouse.up()

    await expect(page.locator("#onair .onair-text")).to_have_text(knee)
    await expect(page.locator("[data-count=approved]")).to_have_text("1")

    # The on-air card keeps its buttons too: take it off air while a question arrives
    # and someone votes for the question on air.
    await press(page, page.locator("#onair button.act-off_air"))
    await ask(http, server, "Can I drive after the operation?", "Kim")
    await expect(page.locator("[data-count=pending]")).to_have_text("2")
    await vote_from_audience(browser, server, first)
    await expect(page.locator("#onair .votes")).to_have_text("▲ 2")
    await page.mouse.up()
    await expect(page.locator("#onair")).to_have_text("Nothing on air.")
    await expect(page.locator("[data-count=approved]")).to_have_text("2")
    assert problems == []
    await context.close()


async def test_audience_vote_click_survives_other_votes_and_new_questions(server, http, browser):
    first = (await ask(http, server, "Will the scar fade?", "Maria"))["id"]
    second = (await ask(http, server, "How long is the wait for surgery?", "Sam"))["id"]
    for qid in (first, second):
        await moderate(http, server, qid, "approve")
    context = await browser.new_context()
    page = await context.new_page()
    problems: list[str] = []
    collect_problems(page, problems)
    await page.goto(f"{server.url}/e/{SLUG}")
    vote = page.locator(f"#public-questions li[data-id='{first}'] button.vote")
    await expect(vote).to_have_text("▲ 0")

    await press(page, vote)
    # While the button is held: someone else votes for the same question, and a new
    # question is approved.
    await vote_from_audience(browser, server, first)
    await expect(vote).to_have_text("▲ 1")
    await expect(vote).to_have_attribute("aria-label", re.compile(r"^1 "))
    third = (await ask(http, server, "Is there parking for visitors?", "Lee"))["id"]
    await moderate(http, server, third, "approve")
    await expect(page.locator("#public-questions li")).to_have_count(3)
    await page.mouse.up()

    await expect(vote).to_have_text("▲ 2")
    await expect(vote).to_be_disabled()
    other = page.locator(f"#public-questions li[data-id='{second}'] button.vote")
    await expect(other).to_be_enabled()
    assert problems == []
    await context.close()
