"""The in-room screen (view=thread) fills the screen with the latest post and its photos,
each with its alt text, in a normal browser."""

import io
import re

from PIL import Image
from playwright.async_api import expect

from tests.web.test_procedure import (
    SLUG,
    all_posted,
    call,
    consent_all,
    get_state,
    proc_server,  # noqa: F401 - fixture
    sign_all,
)
from tests.web.test_procedure import (
    add_photo as add_checked_photo,
)

ALTS = ["The team scrubbing in.", "The operating room, lights on."]


def png(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (600, 400), color).save(buf, "PNG")
    return buf.getvalue()


async def add_photo(http, server, post_id: int, alt: str, data: bytes) -> None:
    """Upload a photo and wait for its check (faces, text): it is signed after."""
    await add_checked_photo(http, server, post_id, alt, data=data)


async def test_thread_view_shows_the_post_with_its_photos(
    proc_server, browser, http  # noqa: F811
):
    server = proc_server

    text = "Good morning from the operating room. The team is getting ready."
    await call(http, server, "/posts", {"text": text}, status=201)
    await call(http, server, "/posts", {"role": "holding", "text": "Pausing."}, status=201)
    post_id = (await get_state(http, server))["script"][0]["id"]
    for alt, color in zip(ALTS, [(200, 40, 40), (40, 40, 200)], strict=True):
        await add_photo(http, server, post_id, alt, png(color))
    await sign_all(http, server)
    await consent_all(http, server)
    await call(http, server, "/live")

    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    await page.goto(f"{server.url}/overlay/{SLUG}?key={server.event.overlay_key}&view=thread")
    await call(http, server, "/next", status=201)
    await all_posted(http, server, 1)
    await expect(page.locator("#thread-text")).to_contain_text(text)
    images = page.locator("#thread-photos img")
    await expect(images).to_have_count(2)
    for n, alt in enumerate(ALTS):
        image = images.nth(n)
        await expect(image).to_have_attribute("alt", alt)
        await expect(image).to_have_js_property("complete", True)
        assert await image.evaluate("(img) => img.naturalWidth") == 600
        box = await image.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 200, box  # big on a TV
        assert box["y"] + box["height"] <= 1080 and box["x"] + box["width"] <= 1920
    # Photos, not a count of them ("1 photo").
    assert not re.search(r"\d photos?", await page.locator("#thread-post").inner_text())
    # Full screen and opaque: the page's background is not the browser's white.
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    post_box = await page.locator("#thread-post").bounding_box()
    assert post_box["height"] > 1080 / 2, post_box
    await context.close()
