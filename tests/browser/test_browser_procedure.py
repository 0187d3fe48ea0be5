"""A live-tweeted procedure end to end in a real browser against the X emulator:
import a 12-post script with two photos, sign-off by an approver, consent, go
live, post next ×12 with an unscripted post, an answered question and a pause
with its holding statement in between; then the emulator's thread is exactly
the expected posts, in order, with the photos and their alt text."""

import asyncio

from playwright.async_api import expect

from tests.fixtures_browser import collect_problems
from tests.fixtures_server import MOD_PASSWORD
from tests.web.test_procedure import PNG, SLUG, TAG, account_texts, assert_chain, hdr, proc_server

__all__ = ["proc_server"]

ALT = {
    3: "The surgical team scrubbing in before the operation.",
    8: "The knee implant, held up to the camera.",
}
SCRIPT = "\n".join(
    [
        'physician = "Dr. Ana Okafor"',
        'holding = "We are pausing the live thread for a moment. Back soon."',
        *[f'[[post]]\ntext = "Scripted post {i}."' for i in range(1, 13)],
        '[[fact]]\ntext = "Most knee patients walk on the day of surgery."',
    ]
)


async def login(context, server, user, password, path):
    page = await context.new_page()
    await page.goto(f"{server.url}{path}")
    await page.fill("#username", user)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await expect(page).to_have_url(f"{server.url}{path}")
    await expect(page.locator("#conn")).to_have_text("Connected")
    return page


async def wait_posts(x_state, count, timeout=15):
    async with asyncio.timeout(timeout):
        while len(account_texts(x_state)) < count:
            await asyncio.sleep(0.05)
    return account_texts(x_state)


async def test_a_twelve_post_procedure_end_to_end(proc_server, browser, http, x_state):
    server = proc_server
    problems: list[str] = []
    path = f"/mod/{SLUG}/procedure"
    comms = await login(await browser.new_context(), server, "alice", MOD_PASSWORD, path)
    collect_problems(comms, problems)

    # The day before: import, photos with alt text.
    await comms.click(".import summary")
    await comms.fill("#import-source", SCRIPT)
    await comms.click("#import-send")
    await expect(comms.locator("#script > li")).to_have_count(12)
    for n, alt in ALT.items():
        row = comms.locator("#script > li").nth(n - 1)
        await row.locator(".add-photo summary").click()
        await row.locator(".photo-file").set_input_files(
            {"name": f"photo{n}.png", "mimeType": "image/png", "buffer": PNG}
        )
        await row.locator(".photo-alt").fill(alt)
        await expect(row.locator(".photo-alt")).to_have_value(alt)
        await row.locator(".photo-add").click()
        await expect(row.locator(".photo")).to_contain_text(alt)
    await expect(comms.locator("#go-live")).to_be_disabled()
    await expect(comms.locator("#problems")).to_contain_text("Script post 12 is not signed off")

    # The approver signs every post (12 scripted, the holding statement, the fact).
    approver = await login(
        await browser.new_context(), server, "carol", "approver-password-123", path
    )
    collect_problems(approver, problems)
    await expect(approver.locator("button.sign")).to_have_count(14)
    for left in range(14, 0, -1):
        await approver.locator("button.sign").first.click()
        await expect(approver.locator("button.sign")).to_have_count(left - 1)

    # Consent, then live.
    await comms.reload()
    boxes = comms.locator("#consents input[type=checkbox]")
    await expect(boxes).to_have_count(2)
    for i in range(2):
        await boxes.nth(i).check()
        await expect(comms.locator("#consents li.done")).to_have_count(i + 1)
    await expect(comms.locator("#problems li")).to_have_count(0)
    await comms.click("#go-live")
    await expect(comms.locator("#phase")).to_have_text("Procedure: live")

    async def post_next(expected_count, shortcut=False):
        if shortcut:
            await comms.keyboard.press("Alt+n")
        else:
            await comms.click("#post-next")
        return await wait_posts(x_state, expected_count)

    for i in range(1, 4):
        await post_next(i, shortcut=i == 2)
    # An unscripted post from the composer, with the live counter.
    await comms.fill("#compose-text", "The team is closing the incision now.")
    await expect(comms.locator("#compose-count")).to_have_text(
        f"{len('999/ The team is closing the incision now. #') + len(TAG)}/280"
    )
    await comms.click("#compose-send")
    await wait_posts(x_state, 4)
    await post_next(5)
    await post_next(6)
    # A hashtag-style question arrives in the queue and is answered.
    async with http.post(
        f"{server.url}/e/{SLUG}/questions", json={"text": "How long is the recovery?"}
    ) as resp:
        qid = (await resp.json())["id"]
    for action, body in (
        ("approve", {}),
        ("on_air", {}),
        ("answer", {"answer": "About six weeks."}),
    ):
        async with http.post(
            f"{server.url}/api/v1/events/{SLUG}/questions/{qid}/{action}",
            json=body,
            headers=hdr(server),
        ) as resp:
            assert resp.status == 200, await resp.text()
    await wait_posts(x_state, 7)
    await post_next(8)
    await post_next(9)
    # Pause: the holding statement goes out; what is queued after it waits.
    await comms.click("#pause")
    await expect(comms.locator("#phase")).to_have_text("Procedure: paused")
    await wait_posts(x_state, 10)
    await comms.click("#post-next")
    await expect(comms.locator("#next-pos")).to_contain_text("(9 of 12")
    await comms.click("#post-next")
    await expect(comms.locator("#next-pos")).to_contain_text("(10 of 12")
    await asyncio.sleep(0.5)
    assert len(account_texts(x_state)) == 10
    await comms.click("#resume")
    await expect(comms.locator("#phase")).to_have_text("Procedure: live")
    await wait_posts(x_state, 12)
    for n in range(13, 16):
        await post_next(n)

    s = [f"Scripted post {i}." for i in range(1, 13)]
    body = [
        s[0],
        s[1],
        s[2],
        "The team is closing the incision now.",
        s[3],
        s[4],
        "Q: “How long is the recovery?”\nA: About six weeks. — Dr. Ana Okafor",
        s[5],
        s[6],
        "We are pausing the live thread for a moment. Back soon.",
        s[7],
        s[8],
        s[9],
        s[10],
        s[11],
    ]
    expected = [f"{n}/ {text} #{TAG}" for n, text in enumerate(body, 1)]
    assert account_texts(x_state) == expected
    assert_chain(x_state)
    posts = [t for t in x_state.posts_by() if not t.injected]
    media = {n: [m.alt_text for m in x_state.media_of(p.id)] for n, p in enumerate(posts, 1)}
    assert media[3] == [ALT[3]]
    assert media[11] == [ALT[8]]
    assert all(not alts for n, alts in media.items() if n not in (3, 11))

    # The in-room screen shows the latest post.
    screen = await (await browser.new_context()).new_page()
    collect_problems(screen, problems)
    await screen.goto(f"{server.url}/overlay/{SLUG}?key={server.event.overlay_key}&view=thread")
    await expect(screen.locator("#thread-text")).to_have_text(expected[-1])
    await expect(comms.locator("#thread > li")).to_have_count(15)
    assert problems == []
