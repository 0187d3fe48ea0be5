"""Right-to-left and mixed-language text: an Arabic question reads right to left, aligned
right, on the overlay, the presenter's screen, the console and the audience page, while
an English one beside it stays left to right."""

import asyncio

from playwright.async_api import expect

from tests.browser.test_browser_qa import login_console
from tests.web.test_moderation_api import act, ask

ARABIC = "كم من الوقت يستغرق التعافي بعد استبدال الركبة؟"
ARABIC_NEXT = "هل يمكنني قيادة السيارة بعد العملية؟"
ARABIC_NAME = "فاطمة"
ENGLISH = "How long is the hospital stay?"

# The text's direction, and where its line sits inside the element's content box.
LAYOUT = """(el) => {
    if (!el.isConnected) return null;  // replaced by a re-render since it was found
    const cs = getComputedStyle(el), box = el.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(el);
    const text = range.getBoundingClientRect();
    return {
        direction: cs.direction,
        gapRight: box.right - parseFloat(cs.paddingRight) - parseFloat(cs.borderRightWidth)
            - text.right,
        gapLeft: text.left - box.left - parseFloat(cs.paddingLeft)
            - parseFloat(cs.borderLeftWidth),
    };
}"""


async def assert_rtl_right_aligned(locator):
    # The pages re-render lists as changes stream in: read an element still on the page.
    await expect(locator).to_be_visible()
    for _ in range(50):
        layout = await locator.evaluate(LAYOUT)
        if layout is not None:
            break
        await asyncio.sleep(0.1)
    assert layout["direction"] == "rtl", layout
    assert abs(layout["gapRight"]) <= 2 and layout["gapLeft"] > 20, layout


async def assert_direction(locator, direction):
    await expect(locator).to_have_css("direction", direction)


async def test_arabic_is_right_to_left_everywhere(server, browser, http):
    arabic = await ask(http, server, ARABIC, name=ARABIC_NAME)
    arabic_next = await ask(http, server, ARABIC_NEXT)
    english = await ask(http, server, ENGLISH, name="Sam")
    for qid in (arabic, arabic_next, english):
        await act(http, server, qid, "approve")
    await act(http, server, arabic, "on_air")
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})

    overlay = await context.new_page()
    await overlay.goto(f"{server.url}/overlay/grand-rounds?key={server.event.overlay_key}")
    await expect(overlay.locator("#onair-text")).to_have_text(ARABIC)
    await assert_rtl_right_aligned(overlay.locator("#onair-text"))
    await assert_direction(overlay.locator("#onair-author"), "rtl")

    presenter = await context.new_page()
    key = server.event.overlay_key
    await presenter.goto(f"{server.url}/overlay/grand-rounds?key={key}&view=presenter")
    await expect(presenter.locator("#onair-text")).to_have_text(ARABIC)
    await assert_rtl_right_aligned(presenter.locator("#onair-text"))
    upcoming = presenter.locator("#next li", has_text=ARABIC_NEXT).locator("[dir=auto]").first
    await expect(upcoming).to_have_text(ARABIC_NEXT)
    await assert_direction(upcoming, "rtl")
    english_next = presenter.locator("#next li", has_text=ENGLISH).locator("[dir=auto]").first
    await assert_direction(english_next, "ltr")

    console = await login_console(context, server)
    await assert_rtl_right_aligned(console.locator("#onair .onair-text"))
    await console.keyboard.press("2")  # approved
    row = console.locator(f"#queue li.q[data-id='{arabic_next}']")
    await assert_rtl_right_aligned(row.locator(".qtext"))
    await assert_direction(
        console.locator(f"#queue li.q[data-id='{english}'] .qtext"), "ltr"
    )

    phone = await context.new_page()
    await phone.goto(f"{server.url}/e/grand-rounds")
    item = phone.locator(f"#public-questions li[data-id='{arabic_next}'] p").first
    await expect(item).to_have_text(ARABIC_NEXT)
    await assert_rtl_right_aligned(item)
    await assert_direction(
        phone.locator(f"#public-questions li[data-id='{english}'] p").first, "ltr"
    )
    await context.close()
