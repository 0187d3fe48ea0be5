"""Two audience pages and the presenter view follow a vote storm: counts and order
change on every screen from the coalesced votes frames."""

from __future__ import annotations

import asyncio

from playwright.async_api import expect

from tests.fixtures_browser import collect_problems
from tests.web.test_moderation_api import act, ask
from tests.web.test_townhall import audience


async def test_counts_and_order_change_on_audience_pages_and_the_presenter_view(
    server, browser, http
):
    ids = []
    for text in ("Parking for night staff?", "Will the cafeteria open late?", "Pay raises?"):
        qid = await ask(http, server, text)
        await act(http, server, qid, "approve")
        ids.append(qid)
    first, second, third = ids
    problems: list[str] = []
    pages = []
    for _ in range(2):
        page = await (await browser.new_context()).new_page()
        collect_problems(page, problems)
        await page.goto(f"{server.url}/e/grand-rounds")
        pages.append(page)
    screen = await browser.new_context(viewport={"width": 1280, "height": 720})
    presenter = await screen.new_page()
    collect_problems(presenter, problems)
    await presenter.goto(
        f"{server.url}/overlay/grand-rounds?key={server.event.overlay_key}&view=presenter"
    )
    for page in pages:
        await expect(page.locator("#public-questions li")).to_have_count(3)
        await expect(page.locator("#public-questions li").first).to_have_attribute(
            "data-id", str(first)
        )
    await expect(presenter.locator("#next li").first).to_contain_text("Parking")

    # Twelve people vote from their phones: the third question 7 times, the second 5.
    async with audience(server, 12) as voters:
        await asyncio.gather(*(v.vote(third) for v in voters[:7]))
        await asyncio.gather(*(v.vote(second) for v in voters[7:]))

    for page in pages:
        rows = page.locator("#public-questions li")
        await expect(rows.nth(0)).to_have_attribute("data-id", str(third))
        await expect(rows.nth(1)).to_have_attribute("data-id", str(second))
        await expect(rows.nth(2)).to_have_attribute("data-id", str(first))
        await expect(rows.nth(0).locator("button.vote")).to_have_text("▲ 7")
        await expect(rows.nth(1).locator("button.vote")).to_have_text("▲ 5")
    nxt = presenter.locator("#next li")
    await expect(nxt.nth(0)).to_contain_text("Pay raises?")
    await expect(nxt.nth(0)).to_contain_text("▲ 7")
    await expect(nxt.nth(1)).to_contain_text("cafeteria")
    await expect(nxt.nth(2)).to_contain_text("Parking")

    # A person's own vote shows at once on their page, from the vote's answer.
    own = pages[0].locator(f"#public-questions li[data-id='{first}'] button.vote")
    await own.click()
    await expect(own).to_have_text("▲ 1")
    await expect(
        pages[1].locator(f"#public-questions li[data-id='{first}'] button.vote")
    ).to_have_text("▲ 1")
    assert problems == []
