"""The console's queue tools and the presenter view in Chromium: search and filters,
labels and notes, the session timer and backstage messages (the moderator sets them in
the console; the presenter view shows them; the program overlay never does), each new
state with zero axe violations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from liveq.storage import store
from tests.browser.test_browser_a11y import States, ask, moderate
from tests.browser.test_browser_qa import login_console
from tests.fixtures_server import start_server, write_config

SLUG = "grand-rounds"


@pytest.fixture
async def server(tmp_path):
    live = await start_server(write_config(tmp_path, limits={"questions_per_minute": 0}))
    yield live
    await live.stop()


async def test_search_filters_labels_and_notes(server, http, browser):
    knee = (await ask(http, server, "How soon can I walk after a knee replacement?", "Maria"))["id"]
    hip = (await ask(http, server, "Is a hip replacement painful?", "Sam"))["id"]
    phone = (await ask(http, server, "Call me on 617-555-0142 about my knee", "Ann"))["id"]
    tweet = await store.insert_question(
        server.db,
        server.event,
        store.NewQuestion(text="Any news on vaccines?", author="@nurse_jo", source="x"),
        store.Status.PENDING,
    )
    states = States()
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = states.watch(await login_console(ctx, server))
    rows = page.locator("#queue li.q")
    await expect(rows).to_have_count(4)

    # Search: the text, the asker's name, a handle with or without its @.
    await page.fill("#search", "knee")
    await expect(rows).to_have_count(2)
    await expect(page.locator("#filter-summary")).to_have_text(re.compile(r"Showing 2 of 4"))
    await states.check(page, "console: search on")
    await page.fill("#search", "maria")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_have_attribute("data-id", str(knee))
    await page.fill("#search", "@nurse_jo")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_have_attribute("data-id", str(tweet.id))
    await page.fill("#search", "")
    await expect(rows).to_have_count(4)
    # Filters: source, finding kind, starred.
    await page.select_option("#filter-source", "x")
    await expect(rows).to_have_count(1)
    await page.select_option("#filter-source", "")
    await page.select_option("#filter-kind", "phone")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_have_attribute("data-id", str(phone))
    await page.select_option("#filter-kind", "")
    await moderate(http, server, hip, "star")
    await page.check("#filter-starred")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_have_attribute("data-id", str(hip))
    await page.uncheck("#filter-starred")
    await expect(rows).to_have_count(4)
    assert await page.locator("#filter-summary").text_content() == ""

    # Labels: typed in the dialog, shown on the row, offered in the label filter.
    row = page.locator(f"#queue li.q[data-id='{hip}']")
    await row.locator("button.act-labels").click()
    await expect(page.locator("#dialog")).to_be_visible()
    await page.fill("#dialog-input", "Dr Lee, hips")
    await states.check(page, "console: labels dialog")
    await page.click("#dialog-ok")
    await expect(row.locator("ul.labels li")).to_have_text(["Dr Lee", "hips"])
    await expect(row.locator("ul.labels li").first).to_have_attribute("dir", "auto")
    await page.select_option("#filter-label", "Dr Lee")
    await expect(rows).to_have_count(1)
    await page.select_option("#filter-label", "")
    # A second console sees the labels live (through the hub).
    other = states.watch(await login_console(await browser.new_context(), server, "bob"))
    await expect(other.locator(f"#queue li.q[data-id='{hip}'] ul.labels li")).to_have_count(2)

    # The note: moderators only.
    await row.click()
    await page.keyboard.press("t")
    await expect(page.locator("#dialog")).to_be_visible()
    await page.fill("#dialog-input", "Asked twice last week; caller is staff")
    await page.click("#dialog-ok")
    note = row.locator("p.mod-note")
    await expect(note).to_contain_text("Asked twice last week")
    await expect(note.locator("bdi")).to_have_attribute("dir", "auto")
    await states.check(page, "console: labels and a note on a row")
    await expect(other.locator(f"#queue li.q[data-id='{hip}'] p.mod-note")).to_contain_text(
        "caller is staff"
    )
    # The export link downloads what `liveq export` writes.
    async with page.expect_download() as info:
        await page.click("#export-csv")
    download = await info.value
    assert download.suggested_filename == "grand-rounds.questions.csv"
    body = Path(await download.path()).read_text(encoding="utf-8")
    assert "Dr Lee" in body and "How soon can I walk" in body

    # Approved and on the overlay: the note is nowhere on the public pages.
    await moderate(http, server, hip, "approve")
    overlay = states.watch(await (await browser.new_context()).new_page())
    await overlay.goto(
        f"{server.url}/overlay/{SLUG}?key={server.event.overlay_key}&view=presenter"
    )
    await expect(overlay.locator("#next li")).to_have_count(1)
    audience = states.watch(await (await browser.new_context()).new_page())
    await audience.goto(f"{server.url}/e/{SLUG}")
    await expect(audience.locator("#public-questions li")).to_have_count(1)
    for public in (overlay, audience):
        assert "caller is staff" not in await public.content()
    states.assert_clean()


async def test_timer_and_backstage_messages_reach_the_presenter_view_only(server, http, browser):
    ids = [(await ask(http, server, f"Question {n} about the knee?", ""))["id"] for n in range(3)]
    for qid in ids:
        await moderate(http, server, qid, "approve")
    states = States()
    console = states.watch(
        await login_console(await browser.new_context(viewport={"width": 1280, "height": 900}),
                            server)
    )
    key = server.event.overlay_key
    presenter = await states.page(browser, viewport={"width": 1280, "height": 720})
    await presenter.goto(f"{server.url}/overlay/{SLUG}?key={key}&view=presenter")
    program = await states.page(browser, viewport={"width": 1280, "height": 720})
    await program.goto(f"{server.url}/overlay/{SLUG}?key={key}")
    await expect(presenter.locator("#next li")).to_have_count(3)
    await expect(presenter.locator("#timer")).to_be_hidden()

    # The timer: set to 2 minutes, started; the presenter view counts down.
    await console.fill("#timer-minutes", "2")
    await console.click("#timer-set")
    await expect(console.locator("#timer-shown")).to_have_text("2:00")
    await expect(presenter.locator("#timer-left")).to_have_text("2:00")
    await console.click("#timer-start")
    await expect(presenter.locator("#timer-left")).to_have_text(re.compile(r"^1:5\d$"))
    await expect(presenter.locator("#timer")).to_have_attribute("data-state", "running")
    await states.check(presenter, "presenter view: timer running")
    await states.check(console, "console: timer running")
    # A reload keeps it: the state is on the server, the clock counts here.
    await presenter.reload()
    await expect(presenter.locator("#timer-left")).to_have_text(re.compile(r"^1:5\d$"))
    await console.click("#timer-pause")
    await expect(presenter.locator("#timer")).to_have_attribute("data-state", "paused")
    paused = await presenter.locator("#timer-left").text_content()
    await presenter.wait_for_timeout(1500)
    await expect(presenter.locator("#timer-left")).to_have_text(paused)
    await console.click("#timer-reset")
    await expect(presenter.locator("#timer-left")).to_have_text("2:00")

    # Backstage: typed, and a quick button; the presenter view shows the latest.
    await console.fill("#backstage-text", "Two more questions, then the sponsor slide")
    await console.press("#backstage-text", "Enter")
    backstage = presenter.locator("#backstage-text")
    await expect(backstage).to_have_text("Two more questions, then the sponsor slide")
    await expect(backstage).to_have_attribute("dir", "auto")
    await expect(console.locator("#backstage-text")).to_have_value("")
    await states.check(presenter, "presenter view: backstage message")
    await console.locator(".backstage-quick", has_text="Wrap up").click()
    await expect(backstage).to_have_text("Wrap up")
    await expect(console.locator("#backstage-last")).to_contain_text("Wrap up")

    # The presenter filters "up next" by a label.
    await console.locator("[data-tab=approved]").click()
    row = console.locator(f"#queue li.q[data-id='{ids[1]}']")
    await row.locator("button.act-labels").click()
    await console.fill("#dialog-input", "Dr Lee")
    await console.click("#dialog-ok")
    await expect(presenter.locator("#label-filter option")).to_have_count(2)
    await presenter.select_option("#label-filter", "Dr Lee")
    await expect(presenter.locator("#next li")).to_have_count(1)
    await expect(presenter.locator("#next li")).to_contain_text("Question 1 about")
    await states.check(presenter, "presenter view: filtered by a label")
    await presenter.reload()  # the choice stays in this browser
    await expect(presenter.locator("#next li")).to_have_count(1)

    # The program overlay never got any of it.
    await moderate(http, server, ids[0], "on_air")
    await expect(program.locator("#onair")).to_be_visible()
    html = await program.content()
    assert "Wrap up" not in html and "sponsor slide" not in html
    assert await program.locator("#timer, #backstage").count() == 0
    states.assert_clean()
