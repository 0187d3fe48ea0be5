"""The report in a real browser: the console's Report link, the page under its own CSP
(no scripts, one stylesheet by hash), what a reader sees, and a screenshot."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from liveq.after import report
from tests.after.test_export import EVENT, build_event, serving
from tests.browser.test_browser_qa import login_console
from tests.fixtures_browser import collect_problems


@pytest.fixture
async def after_server(tmp_path, x_emulator, x_state):
    async with serving(tmp_path, x_emulator, x_state) as live:
        yield live


async def test_report_page_from_the_console(after_server, http, x_state, browser, tmp_path):
    built = await build_event(after_server, http, x_state)
    # Only moderators: anyone else is sent to log in.
    async with http.get(f"{after_server.url}/mod/{EVENT}/report", allow_redirects=False) as resp:
        assert resp.status == 303 and resp.headers["Location"].startswith("/login")

    problems: list[str] = []
    ctx = await browser.new_context(viewport={"width": 1100, "height": 900})
    console = await login_console(ctx, after_server)
    collect_problems(console, problems)
    # The console's own panels fetch their state once the live snapshot arrives;
    # let them finish, so only what the report page itself asks for is counted.
    await console.wait_for_load_state("networkidle")
    requests: list[str] = []
    console.on("request", lambda r: requests.append(r.url))
    async with console.expect_navigation() as nav:
        await console.click("nav.links a:has-text('Report')")
    response = await nav.value
    await expect(console).to_have_url(f"{after_server.url}/mod/{EVENT}/report")
    assert response.headers["content-security-policy"] == report.CSP
    assert "script-src" not in report.CSP and "unsafe-inline" not in report.CSP

    page = console
    await expect(page.locator("h1")).to_have_text("Grand Rounds: Knee Surgery Q&A")
    await expect(page.locator("#fig-total")).to_have_text("10")
    await expect(page.locator("#fig-participants")).to_have_text("7")
    await expect(page.locator("#fig-answered")).to_have_text("44 %")
    charts = page.locator("svg.chart")
    await expect(charts).to_have_count(4)
    for i in range(4):
        await expect(charts.nth(i)).to_be_visible()
    # The stylesheet applied (allowed by its hash): web-form bars are blue.
    fill = await page.locator("svg.chart rect.s0").first.evaluate("e => getComputedStyle(e).fill")
    assert fill == "rgb(29, 78, 216)"
    links = page.locator("#thread ol.transcript a")
    await expect(links).to_have_count(5)
    for i, post in enumerate(built.posts):
        await expect(links.nth(i)).to_have_attribute("href", post["url"])
    await expect(page.locator("#thread")).to_contain_text(built.answers["X3"])
    await expect(page.locator("#top-askers")).to_contain_text("@kneefan")
    await expect(page.locator("#findings")).to_contain_text("room number")
    await expect(page.locator("#audit .ok")).to_have_text("Intact.")

    shot = tmp_path / "report.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    # As it prints: the same page in print media still shows every chart.
    await page.emulate_media(media="print")
    await expect(charts.nth(0)).to_be_visible()
    await page.screenshot(path=str(tmp_path / "report-print.png"), full_page=True)

    # Nothing was fetched but the page itself; nothing was blocked by the CSP.
    assert [u for u in requests if not u.startswith(after_server.url)] == []
    assert [u for u in requests if u.startswith(after_server.url)] == [
        f"{after_server.url}/mod/{EVENT}/report"
    ]
    assert problems == [], problems
    await ctx.close()
