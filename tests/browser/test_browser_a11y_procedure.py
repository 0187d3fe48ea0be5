"""Zero axe-core violations on the procedure page for each role: the moderator preparing
(a script awaiting a photo, the import box open), the approver signing off, the admin,
and the moderator on the day (live, with the thread)."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.test_browser_a11y import States
from tests.browser.test_browser_procedure_page import APPROVER_PASSWORD, open_page
from tests.fixtures_server import ADMIN_PASSWORD, MOD_PASSWORD
from tests.web.test_procedure import (
    PNG,
    add_photo,
    consent_all,
    photos_checked,
    proc_server,
    script,
    sign_all,
)
from tests.web.test_procedure_import import readme_script

__all__ = ["proc_server"]

PLAIN = "The team is ready. The patient is asleep and doing well. We start in five minutes."
JARGON = (
    "Arthroplasty necessitates comprehensive postoperative rehabilitation incorporating "
    "progressive proprioceptive exercises under physiotherapeutic supervision."
)


async def test_procedure_page_for_each_role(proc_server, browser, http):
    server = proc_server
    st = await script(http, server, 3)
    await add_photo(http, server, st["script"][0]["id"], "The surgical team scrubbing in.")
    states = States()

    page = states.watch(await open_page(browser, server, "alice", MOD_PASSWORD))
    await expect(page.locator("#script > li")).to_have_count(3)
    await states.check(page, "moderator: before the day")
    await page.click(".import summary")
    await page.fill("#import-source", readme_script())
    await page.click("#import-send")
    await expect(page.locator("#missing-photos li")).to_have_count(1)
    await states.check(page, "moderator: imported script awaiting its photo")

    approver = states.watch(await open_page(browser, server, "carol", APPROVER_PASSWORD))
    await expect(approver.locator("#script > li button.sign").first).to_be_visible()
    await states.check(approver, "approver: signing off")

    admin = states.watch(await open_page(browser, server, "admin", ADMIN_PASSWORD))
    await expect(admin.locator("#script > li").first).to_be_visible()
    await states.check(admin, "admin: before the day")

    # The awaited photo uploaded on the page; signed and consented: live.
    awaited = page.locator("#missing-photos li")
    await awaited.first.locator("input[type=file]").set_input_files(
        {"name": "or.png", "mimeType": "image/png", "buffer": PNG}
    )
    await awaited.first.locator("button.upload").click()
    await expect(awaited).to_have_count(0)
    await photos_checked(http, server)
    await sign_all(http, server)
    await consent_all(http, server)
    await page.reload()
    await expect(page.locator("#go-live")).to_be_enabled()
    await page.click("#go-live")
    await expect(page.locator("#phase")).to_have_text("Procedure: live")
    await expect(page.locator("#day")).to_be_visible()
    await states.check(page, "moderator: on the day")

    # The composer's reading grade: a hint beside the counter, never a block.
    await page.fill("#compose-text", JARGON)
    grade = page.locator("#compose-grade")
    # The server's first grade loads the pronouncing dictionary (seconds, in a thread).
    await expect(grade).to_contain_text("aim for 8 or lower", timeout=20_000)
    await expect(grade).to_have_class(re.compile(r"\bover\b"))
    await expect(page.locator("#compose-send")).to_be_enabled()
    await states.check(page, "moderator: composer with its reading grade")
    await page.fill("#compose-text", PLAIN)
    await expect(grade).to_have_text(re.compile(r"^Reading grade \d+\.\d$"))
    await page.click("#compose-send")
    # The thread shows each post's grade too.
    post = page.locator("#thread li.post", has_text="We start in five minutes")
    await expect(post.locator(".grade")).to_have_text(re.compile(r"^Reading grade \d+\.\d$"))
    await states.check(page, "moderator: thread with reading grades")

    states.assert_clean()
