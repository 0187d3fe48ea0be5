"""`liveq demo` in a real browser: questions arrive by form and tweet, one is answered,
and its post shows in the console's thread view with a link."""

import re

from playwright.async_api import expect

from liveq.cli.demo import running_demo
from tests.fixtures_browser import collect_problems
from tests.ports import free_port


async def test_demo_end_to_end(tmp_path, browser):
    port = free_port()
    async with running_demo(tmp_path, port, pace=0.3) as setup:
        base = setup.config.server.public_url
        problems: list[str] = []
        context = await browser.new_context()
        page = await context.new_page()
        collect_problems(page, problems)
        await page.goto(f"{base}/mod/demo")
        await page.fill("#username", "admin")
        await page.fill("#password", setup.password)
        await page.click("button[type=submit]")
        await expect(page.locator("#conn")).to_have_text("Connected")

        # Both sources land in the one queue: a form question and a hashtag tweet.
        await expect(page.locator("#queue .source-web").first).to_be_visible(timeout=10_000)
        x_row = page.locator("#queue li.q", has=page.locator(".source-x")).first
        await expect(x_row).to_be_visible(timeout=15_000)
        await expect(x_row.locator(".author")).to_have_text(re.compile(r"^@\w+"))

        await x_row.locator("button.act-approve").click()
        await page.keyboard.press("2")
        approved = page.locator("#queue li.q", has=page.locator(".source-x")).first
        question_text = await approved.locator(".qtext").text_content()
        await approved.locator("button.act-on_air").click()
        await expect(page.locator("#onair .onair-text")).to_have_text(question_text)
        await page.locator("#onair button.act-answer").click()
        await page.fill("#dialog-input", "About 1 in 100; we watch closely for it.")
        await page.click("#dialog-ok")

        post = page.locator("#thread li.post").first
        await expect(post).to_have_attribute("data-state", "posted", timeout=10_000)
        await expect(post.locator(".post-text")).to_contain_text(question_text)
        await expect(post.locator(".post-text")).to_contain_text("About 1 in 100")
        link = await post.locator("a.post-link").get_attribute("href")
        assert re.fullmatch(r"https://x\.com/liveq_demo/status/\d+", link)
        assert problems == []
        await context.close()
