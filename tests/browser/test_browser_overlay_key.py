"""An overlay link whose key is wrong or was rotated never fills the OBS frame: the page
stays transparent, says why on hover (or on the presenter's screen), and comes back by
itself once the link's key is valid again."""

import io

from PIL import Image
from playwright.async_api import expect

from liveq.storage import store
from liveq.web import pages
from liveq.web.keys import EVENTS


def transparent_share(png: bytes) -> float:
    """The share of a screenshot's pixels that are fully transparent."""
    alpha = Image.open(io.BytesIO(png)).convert("RGBA").getchannel("A")
    histogram = alpha.histogram()
    return histogram[0] / sum(histogram)


async def opacity(page, selector: str) -> float:
    return float(await page.locator(selector).evaluate("e => getComputedStyle(e).opacity"))


async def test_wrong_key_stays_transparent_with_a_notice_on_hover(server, browser):
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    response = await page.goto(f"{server.url}/overlay/grand-rounds?key=not-the-key")
    assert response.status == 403
    # What OBS composites: nothing at all (OBS does not hover; the pointer is off the page).
    await page.mouse.move(-1, -1)
    await page.wait_for_timeout(300)
    assert transparent_share(await page.screenshot(omit_background=True)) == 1.0
    assert "Grand Rounds" not in await page.content()  # a wrong key learns nothing

    # In OBS's Interact window, hovering shows why, and it can be hidden.
    await page.mouse.move(960, 540)
    await expect(page.locator(".locked-notice")).to_contain_text("key is missing or has changed")
    await page.wait_for_timeout(300)
    assert await opacity(page, ".locked-notice") == 1.0
    await page.locator(".locked-close").click()
    await expect(page.locator(".locked-notice")).to_be_hidden()
    await context.close()


async def test_presenter_view_with_a_wrong_key_says_so_without_hovering(server, browser):
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    await page.goto(f"{server.url}/overlay/grand-rounds?key=not-the-key&view=presenter")
    await page.wait_for_timeout(300)
    assert await opacity(page, ".locked-notice") == 1.0
    await expect(page.locator(".locked-notice h1")).to_have_text("This overlay link is not working")
    await context.close()


async def test_rotated_key_recovers_by_itself_when_the_key_is_valid_again(
    server, browser, monkeypatch
):
    monkeypatch.setattr(pages, "LOCKED_RETRY_SECONDS", 1)
    old_key = server.event.overlay_key
    event = await store.update_event(server.db, server.event, "test", overlay_key="rotated-away")
    server.app[EVENTS].invalidate(event.slug)
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    await page.goto(f"{server.url}/overlay/grand-rounds?key={old_key}")
    await expect(page.locator("#locked")).to_be_attached()
    await expect(page.locator("#idle")).to_have_count(0)

    # The key is put back (a restored backup, a rotation undone): nobody touches the page.
    await store.update_event(server.db, event, "test", overlay_key=old_key)
    server.app[EVENTS].invalidate(event.slug)
    await expect(page.locator("#idle .qr svg")).to_be_visible(timeout=5000)
    await context.close()


async def test_running_overlay_goes_transparent_when_its_key_is_rotated(
    server, browser, http, monkeypatch
):
    from tests.fixtures_server import bearer
    from tests.web.test_moderation_api import act, ask

    monkeypatch.setattr(pages, "LOCKED_RETRY_SECONDS", 1)
    qid = await ask(http, server, "Is the on-air question gone after a rotation?")
    await act(http, server, qid, "approve")
    await act(http, server, qid, "on_air")
    old_key = server.event.overlay_key
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    await page.goto(f"{server.url}/overlay/grand-rounds?key={old_key}")
    await expect(page.locator("#onair-text")).to_contain_text("on-air question gone")

    async with http.post(
        f"{server.url}/api/v1/events/grand-rounds/overlay-key", headers=bearer(server)
    ) as resp:
        assert resp.status == 200
    # The old link may no longer show the event: the page turns transparent by itself.
    await expect(page.locator("#locked")).to_be_attached(timeout=10_000)
    await page.mouse.move(-1, -1)
    await page.wait_for_timeout(300)
    assert transparent_share(await page.screenshot(omit_background=True)) == 1.0

    # Undone (a restored backup): it comes back, still without anyone touching it.
    event = await store.get_event(server.db, "grand-rounds")
    await store.update_event(server.db, event, "test", overlay_key=old_key)
    server.app[EVENTS].invalidate("grand-rounds")
    await expect(page.locator("#onair-text")).to_contain_text("on-air question gone", timeout=5000)
    await context.close()
