"""The console's X source panel in a real browser: reads, spend, status, pause/resume."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from liveq.emulators.x.state import SEARCH_RECENT
from liveq.web.workers import pollers_of
from tests.browser.test_browser_qa import login_console
from tests.fixtures_browser import collect_problems
from tests.fixtures_server import start_server, write_config, x_section


async def test_x_source_panel_shows_reads_and_spend_and_pauses(tmp_path: Path, x_emulator, browser):
    x_state = x_emulator.state
    x_state.set_rate_limit(SEARCH_RECENT, 100_000, 900)
    x_state.inject_tweet("#GR26 Is <b>swelling</b> after surgery normal?", author_username="amy")
    config = write_config(
        tmp_path,
        x=x_section(x_emulator, poll_interval_ms=100),
        limits={"questions_per_minute": 0},
    )
    server = await start_server(config)
    try:
        pollers_of(server.app).wake()
        problems: list[str] = []
        context = await browser.new_context()
        console = await login_console(context, server)
        collect_problems(console, problems)

        panel = console.locator("#x-source")
        await expect(panel).to_be_visible()
        await expect(panel.locator("#x-source-hashtag")).to_have_text("#GR26")
        await expect(panel.locator("#x-source-reads")).to_have_text("1 / 2,000")
        await expect(panel.locator("#x-source-spend")).to_have_text("$0.005 spent")
        await expect(panel.locator("#x-source-state")).to_have_text("polling")
        await expect(panel.locator("#x-source-status")).to_contain_text("Polling #GR26 every 0.1 s")
        await expect(panel.locator("#x-source-error")).to_be_hidden()
        row = console.locator("#queue li.q", has_text="swelling")
        await expect(row).to_contain_text("<b>swelling</b>")  # shown as text
        await expect(row).to_contain_text("@amy")

        await panel.locator("#x-source-toggle").click()
        await expect(panel.locator("#x-source-state")).to_have_text("paused")
        await expect(panel.locator("#x-source-status")).to_contain_text("Paused by a moderator.")
        await expect(panel.locator("#x-source-toggle")).to_have_text("Resume hashtag reading")
        count = x_state.request_counts[SEARCH_RECENT]
        await console.wait_for_timeout(300)
        assert x_state.request_counts[SEARCH_RECENT] == count

        await panel.locator("#x-source-toggle").click()
        await expect(panel.locator("#x-source-state")).to_have_text("polling")
        await expect(panel.locator("#x-source-toggle")).to_have_text("Pause hashtag reading")
        x_state.inject_tweet("#GR26 And stairs?", author_username="ben")
        await expect(panel.locator("#x-source-reads")).to_have_text("2 / 2,000")
        await expect(console.locator("#queue li.q", has_text="And stairs?")).to_be_visible()
        assert problems == []
        await context.close()
    finally:
        await server.stop()
