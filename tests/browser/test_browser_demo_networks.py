"""`liveq demo` with X, Mastodon and Bluesky in a real browser: questions arrive from
each network and the form; one is answered, and its post appears in the X, Mastodon
and Bluesky threads of the console, each posted with its link."""

import os
import re

from playwright.async_api import expect

from liveq.cli.demo import running_demo
from tests.fixtures_browser import collect_problems
from tests.ports import free_port

SHOTS = "/work/shots"


async def test_demo_questions_from_every_network_answer_goes_to_every_thread(tmp_path, browser):
    port = free_port()
    async with running_demo(tmp_path, port, pace=0.2) as setup:
        base = setup.config.server.public_url
        problems: list[str] = []
        context = await browser.new_context(viewport={"width": 1280, "height": 1400})
        page = await context.new_page()
        collect_problems(page, problems)
        await page.goto(f"{base}/mod/demo")
        await page.fill("#username", "admin")
        await page.fill("#password", setup.password)
        await page.click("button[type=submit]")
        await expect(page.locator("#conn")).to_have_text("Connected")

        # Every source lands in the one queue.
        await expect(page.locator("#queue .source-web").first).to_be_visible(timeout=10_000)
        await expect(page.locator("#queue .source-x").first).to_be_visible(timeout=15_000)
        toot = page.locator("#queue li.q", has=page.locator(".source-mastodon")).first
        await expect(toot).to_be_visible(timeout=15_000)
        await expect(toot.locator(".source-mastodon")).to_have_text("Mastodon")
        await expect(toot.locator(".author")).to_have_text(re.compile(r"^@\w+"))
        skeet = page.locator("#queue li.q", has=page.locator(".source-bluesky")).first
        await expect(skeet).to_be_visible(timeout=15_000)
        await expect(skeet.locator(".source-bluesky")).to_have_text("Bluesky")
        await expect(skeet.locator(".author")).to_have_text(re.compile(r"^@\w+\.bsky\.social$"))

        await toot.locator("button.act-approve").click()
        await page.keyboard.press("2")
        approved = page.locator("#queue li.q", has=page.locator(".source-mastodon")).first
        question_text = await approved.locator(".qtext").text_content()
        await approved.locator("button.act-on_air").click()
        await expect(page.locator("#onair .onair-text")).to_have_text(question_text)
        await page.locator("#onair button.act-answer").click()
        await page.fill("#dialog-input", "About 1 in 100; we watch closely for it.")
        await page.click("#dialog-ok")

        x_post = page.locator("#thread li.post").first
        await expect(x_post).to_have_attribute("data-state", "posted", timeout=10_000)
        await expect(x_post.locator(".post-text")).to_contain_text(question_text)
        x_link = await x_post.locator("a.post-link").get_attribute("href")
        assert re.fullmatch(r"https://x\.com/liveq_demo/status/\d+", x_link)

        thread = page.locator(".network-thread[data-network=mastodon]")
        await expect(thread.locator("h2")).to_have_text("Live thread on Mastodon")
        m_post = thread.locator("li.post").first
        await expect(m_post).to_have_attribute("data-state", "posted", timeout=10_000)
        await expect(m_post.locator(".post-text")).to_contain_text(question_text)
        await expect(m_post.locator(".post-text")).to_contain_text("About 1 in 100")
        await expect(m_post.locator("a.post-link")).to_have_text("view on Mastodon")
        m_link = await m_post.locator("a.post-link").get_attribute("href")
        assert re.fullmatch(r"https://127\.0\.0\.1:\d+/@liveq/\d+", m_link)
        await expect(thread.locator(".network-state")).to_have_text("1 of 1 posted")

        sky = page.locator(".network-thread[data-network=bluesky]")
        await expect(sky.locator("h2")).to_have_text("Live thread on Bluesky")
        b_post = sky.locator("li.post").first
        await expect(b_post).to_have_attribute("data-state", "posted", timeout=10_000)
        await expect(b_post.locator(".post-text")).to_contain_text(question_text)
        await expect(b_post.locator("a.post-link")).to_have_text("view on Bluesky")
        b_link = await b_post.locator("a.post-link").get_attribute("href")
        assert re.fullmatch(r"https://bsky\.app/profile/liveq\.bsky\.social/post/\w{13}", b_link)

        if os.path.isdir(SHOTS):
            await page.locator("#thread-panel").scroll_into_view_if_needed()
            await page.screenshot(path=f"{SHOTS}/networks-console.png", full_page=True)
            await page.locator("#networks-panel").screenshot(path=f"{SHOTS}/networks-threads.png")
        assert problems == []
        await context.close()
