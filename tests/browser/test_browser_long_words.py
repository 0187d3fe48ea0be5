"""A word without spaces never widens a page (issue 12 item 10): every list of user text
wraps anywhere. Measured in Chromium: nothing lies right of the viewport."""

from playwright.async_api import expect

from liveq.storage import store
from tests.browser.test_browser_qa import login_console
from tests.fixtures_server import bearer

WORD = ("Pneumonoultramicroscopicsilicovolcanoconiosis" * 12)[:500]
NAME = ("Bartholomew-Montgomery" * 3)[:60]

# The right edge of the furthest visible text on the page (text can overflow its box,
# and the overlay hides overflow, so boxes and scrollWidth alone could miss it).
MEASURE = """() => {
  let right = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim() || !node.parentElement.getClientRects().length) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) right = Math.max(right, rect.right);
  }
  return {right, scroll: document.documentElement.scrollWidth, width: innerWidth};
}"""


async def assert_fits(page, what: str) -> None:
    box = await page.evaluate(MEASURE)
    assert box["scroll"] <= box["width"], (what, box)
    assert box["right"] <= box["width"] + 1, (what, box)


async def api(http, server, method, path, body=None):
    async with http.request(
        method, f"{server.url}/api/v1{path}", json=body or {}, headers=bearer(server)
    ) as resp:
        assert resp.status < 300, await resp.text()
        return await resp.json()


async def test_long_words_wrap_on_every_page(server, browser, http):
    slug = server.event.slug
    ids = []
    for text in (WORD, "Next: " + WORD[:400], "Later: " + WORD[:300]):
        async with http.post(
            f"{server.url}/e/{slug}/questions", json={"text": text, "name": NAME}
        ) as resp:
            ids.append((await resp.json())["id"])
    for qid in ids:
        await api(http, server, "POST", f"/events/{slug}/questions/{qid}/approve")
    await api(http, server, "POST", f"/events/{slug}/questions/{ids[0]}/on_air")

    phone = await (await browser.new_context(viewport={"width": 390, "height": 844})).new_page()
    await phone.goto(f"{server.url}/e/{slug}")
    await expect(phone.locator("#public-questions li")).to_have_count(3)
    await assert_fits(phone, "audience page")

    for width in (1280, 390):
        ctx = await browser.new_context(viewport={"width": width, "height": 900})
        console = await login_console(ctx, server)
        await expect(console.locator("#onair-text, .onair-text").first).to_contain_text(WORD[:40])
        await console.keyboard.press("2")  # the approved tab: the long names and texts
        await expect(console.locator("#queue li.q").first).to_be_visible()
        await assert_fits(console, f"console at {width}px")

    for view in ("program", "presenter"):
        ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
        overlay = await ctx.new_page()
        await overlay.goto(
            f"{server.url}/overlay/{slug}?key={server.event.overlay_key}&view={view}"
        )
        await expect(overlay.locator("#onair")).to_be_visible()
        if view == "presenter":
            await expect(overlay.locator("#next li")).to_have_count(2)
        await assert_fits(overlay, f"overlay {view}")


async def test_long_words_wrap_on_the_procedure_page(server, browser, http):
    event = await store.create_event(
        server.db, "knee-live", "Knee replacement, live", kind="procedure", hashtag="KneeLive",
        moderation="pre",
    )  # fmt: skip
    base = f"/events/{event.slug}/procedure"
    await api(http, server, "POST", f"{base}/posts", {"text": WORD[:230]})
    await api(http, server, "POST", f"{base}/posts", {"role": "fact", "text": WORD[:200]})
    await api(http, server, "POST", f"{base}/posts", {"role": "holding", "text": WORD[:180]})
    await api(http, server, "POST", f"{base}/consents", {"label": WORD[:200]})
    await api(http, server, "POST", f"{base}/options", {"physician": NAME})

    for width in (1280, 390):
        ctx = await browser.new_context(viewport={"width": width, "height": 900})
        page = await login_console(ctx, server)
        await page.goto(f"{server.url}/mod/{event.slug}/procedure")
        await expect(page.locator("#script li")).to_have_count(1)
        await expect(page.locator("#consents li").last).to_contain_text(WORD[:30])
        await assert_fits(page, f"procedure page at {width}px")
