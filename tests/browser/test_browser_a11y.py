"""Zero axe-core violations (WCAG 2.2 A and AA, and axe's best practices) on every page
and state a person meets: the audience form, its errors, thanks and votes; login and the
events list; the console with a busy queue, its findings, each dialog and a question on
air; the overlay's views, idle and on air, and its locked notice; the report; the error
page. The procedure page, for each role, is in test_browser_a11y_procedure.py.

Each test walks its pages in one browser and collects every state's violations, so a
failure lists all of them at once.
"""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import expect

from tests.browser.test_browser_qa import login_console
from tests.fixtures_browser import axe_violations, collect_problems
from tests.fixtures_server import bearer, start_server, write_config

SLUG = "grand-rounds"
SHOTS = Path("/work/notes/a11y-shots")

QUESTIONS = [
    ("How soon can I walk after a knee replacement?", "Maria"),
    ("¿Cuánto dura la rehabilitación después de la cirugía?", "José"),
    ("ما هي مدة التعافي بعد جراحة الركبة؟", "ليلى"),
    ("Is physiotherapy covered before the operation?", ""),
    # A possible patient identifier: held with a finding for the console.
    ("My mother was in room 412 last week, call me on 617-555-0142 about her knee", "Ann"),
    # Near the first one: a duplicate finding.
    ("How soon can I walk after a knee replacement surgery?", "Sam"),
]


@pytest.fixture
async def server(tmp_path):
    """The test server, without the per-browser question limit (the tests ask many)."""
    live = await start_server(write_config(tmp_path, limits={"questions_per_minute": 0}))
    yield live
    await live.stop()


async def ask(http: aiohttp.ClientSession, server, text: str, name: str) -> dict:
    body = {"text": text, "name": name}
    async with http.post(f"{server.url}/e/{SLUG}/questions", json=body) as r:
        assert r.status == 201, await r.text()
        return await r.json()


async def moderate(http, server, qid: int, action: str, **body) -> dict:
    url = f"{server.url}/api/v1/events/{SLUG}/questions/{qid}/{action}"
    async with http.post(url, json=body, headers=bearer(server)) as r:
        assert r.status == 200, await r.text()
        return (await r.json())["question"]


async def busy_event(http, server) -> list[int]:
    """Six questions: three approved (one with votes), the rest pending with findings."""
    ids = [(await ask(http, server, text, name))["id"] for text, name in QUESTIONS]
    for qid in ids[:3]:
        await moderate(http, server, qid, "approve")
    return ids


class States:
    """Every state's violations, and every page's script errors, asserted at the end."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}
        self.problems: list[str] = []

    def watch(self, page):
        collect_problems(page, self.problems)
        return page

    async def page(self, browser, **context):
        """A new page in a new context (viewport, locale...), watched for problems."""
        return self.watch(await (await browser.new_context(**context)).new_page())

    async def check(self, page, state: str) -> None:
        self.found[state] = await axe_violations(page)

    def assert_clean(self) -> None:
        bad = {s: v for s, v in self.found.items() if v}
        report = "\n".join(f"[{s}]\n  " + "\n  ".join(v) for s, v in bad.items())
        assert not bad, f"axe violations in {len(bad)} of {len(self.found)} states:\n{report}"
        assert self.problems == []


async def test_audience_login_events_and_error_pages(server, http, browser):
    await busy_event(http, server)
    states = States()
    page = await states.page(browser, viewport={"width": 390, "height": 844})

    # The form, with the live list of approved questions and their votes.
    await page.goto(f"{server.url}/e/{SLUG}")
    votes = page.locator("#public-questions button.vote")
    await expect(votes).to_have_count(3)
    await states.check(page, "audience form and votes")
    await votes.first.click()
    await expect(votes.first).to_be_disabled()
    await states.check(page, "audience after a vote")

    # An error: a question of only spaces passes `required` and comes back with a sentence.
    await page.fill("#text", "   ")
    await page.click("form.ask button[type=submit]")
    await expect(page.locator("#form-error")).to_be_visible()
    await states.check(page, "audience error")

    await page.fill("#text", "Will there be a recording of this session?")
    await page.click("form.ask button[type=submit]")
    await expect(page.locator("#thanks")).to_contain_text("waiting for a moderator")
    await states.check(page, "thanks")

    await page.goto(f"{server.url}/e/no-such-event")
    await expect(page.locator("h1")).to_be_visible()
    await states.check(page, "error page")

    page = await states.page(browser, viewport={"width": 1280, "height": 900})
    await page.goto(f"{server.url}/login")
    await states.check(page, "login")
    await page.fill("#username", "alice")
    await page.fill("#password", "wrong-password-0")
    await page.click("button[type=submit]")
    await expect(page.locator("p.error")).to_be_visible()
    await states.check(page, "login error")
    await page.fill("#password", "moderator-password-123")
    await page.click("button[type=submit]")
    await expect(page.locator("ul.events")).to_be_visible()
    await states.check(page, "events index")

    states.assert_clean()


async def test_console_busy_queue_findings_dialogs_and_on_air(server, http, browser):
    ids = await busy_event(http, server)
    # A long list: 40 more pending questions.
    for i in range(40):
        await ask(http, server, f"Question number {i} about the knee operation and recovery?", "")
    states = States()
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = states.watch(await login_console(ctx, server))
    await expect(page.locator("[data-count=pending]")).to_have_text("43")
    held = page.locator("#queue li.q", has_text="room 412")
    await expect(held.locator("mark.finding").first).to_be_visible()
    await states.check(page, "console: busy pending queue with findings")

    if SHOTS.is_dir():
        await page.screenshot(path=str(SHOTS / "console-busy.png"))

    # An error notice (it stays until dismissed).
    await page.locator("#queue li.q", has_text="physiotherapy covered").click()
    await page.keyboard.press("g")
    await expect(page.locator("#notice")).to_contain_text("does not look like another one")
    await states.check(page, "console: error notice")
    await page.click("#notice-close")
    await expect(page.locator("#notice")).to_be_hidden()

    await held.locator("button.act-edit").click()
    await expect(page.locator("#dialog")).to_be_visible()
    await states.check(page, "console: edit dialog")
    await page.keyboard.press("Escape")
    await expect(page.locator("#dialog")).to_be_hidden()

    await page.click("#accepting")
    await expect(page.locator("#confirm")).to_be_visible()
    await states.check(page, "console: confirm dialog")
    await page.click("#confirm-cancel")
    await expect(page.locator("#confirm")).to_be_hidden()

    await page.locator("[data-tab=approved]").click()
    await expect(page.locator("#queue li.q")).to_have_count(3)
    await states.check(page, "console: approved tab")

    await moderate(http, server, ids[0], "on_air")
    await expect(page.locator("#onair.onair-card")).to_be_visible()
    await states.check(page, "console: on air")
    await page.locator("#onair button.act-answer").click()
    await expect(page.locator("#dialog")).to_be_visible()
    # The answer goes into the thread: its reading grade shows as it is typed.
    await page.fill(
        "#dialog-input",
        "Most people walk with a frame on the day of surgery. Many walk alone within weeks.",
    )
    grade = page.locator("#dialog-grade")
    await expect(grade).to_have_text(re.compile(r"^Reading grade \d+\.\d$"), timeout=20_000)
    await states.check(page, "console: answer dialog with its reading grade")
    await page.click("#dialog-ok")
    await expect(page.locator("#dialog")).to_be_hidden()
    await page.locator("[data-tab=answered]").click()
    await expect(page.locator("#queue li.q")).to_have_count(1)
    await states.check(page, "console: answered tab")

    async with http.get(f"{server.url}/mod/{SLUG}/report") as r:
        assert r.status in (200, 303)
    await page.goto(f"{server.url}/mod/{SLUG}/report")
    await expect(page.locator("h1")).to_be_visible()
    await states.check(page, "report")

    states.assert_clean()


async def test_overlay_views_idle_on_air_and_locked(server, http, browser):
    ids = await busy_event(http, server)
    states = States()
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    key = server.event.overlay_key
    pages = {}
    for view in ("program", "presenter", "thread"):
        page = states.watch(await ctx.new_page())
        suffix = "" if view == "program" else f"&view={view}"
        await page.goto(f"{server.url}/overlay/{SLUG}?key={key}{suffix}")
        await expect(page.locator("#idle")).to_be_visible()
        pages[view] = page
        await states.check(page, f"overlay {view}: idle")

    # An Arabic question on air: the overlay shows it right to left.
    await moderate(http, server, ids[2], "on_air")
    for view, page in pages.items():
        if view == "thread":
            continue  # the thread view shows the live thread, not questions
        await expect(page.locator("#onair")).to_be_visible()
        await states.check(page, f"overlay {view}: on air")

    page = await ctx.new_page()
    await page.goto(f"{server.url}/overlay/{SLUG}?key=wrong")
    await expect(page.locator("#locked")).to_be_attached()
    await states.check(page, "overlay: locked")

    states.assert_clean()
