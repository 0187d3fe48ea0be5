"""A long question: the presenter reads all of it (the type scales down); the lower third
may cut it, and the console says so before it goes on air."""

import re

import pytest
from playwright.async_api import expect

from tests.browser.test_browser_qa import login_console
from tests.fixtures_server import start_server, write_config
from tests.web.test_moderation_api import act, ask

LONG = (
    "I have had arthritis in both knees for about fifteen years and my surgeon has now "
    "suggested replacing the right one first and the left one a few months later, but I "
    "look after my grandchildren three days a week and I am worried about how long I will "
    "be unable to lift them, drive them to school or get down on the floor to play. Would "
    "it be better to have both knees done at the same time so that the recovery is over in "
    "one go, or is the risk of complications too high for someone who is sixty-eight years old and "
    "otherwise healthy, and what would the first six weeks look like for rehabilitation?"
)
LAST_WORD = "rehabilitation?"


@pytest.fixture
async def long_server(tmp_path):
    config = write_config(tmp_path, limits={"max_question_chars": 1000})
    live = await start_server(config)
    yield live
    await live.stop()


LAST_WORD_BOX = """(el, n) => {
    const text = el.firstChild;
    const range = document.createRange();
    range.setStart(text, text.length - n);
    range.setEnd(text, text.length);
    const word = range.getBoundingClientRect();
    const box = el.getBoundingClientRect();
    return {word: [word.top, word.bottom, word.left, word.right],
            box: [box.top, box.bottom, box.left, box.right],
            clipped: el.scrollHeight > el.clientHeight + 1,
            viewport: [innerWidth, innerHeight],
            size: parseFloat(getComputedStyle(el).fontSize)};
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)], ids=["1080p", "720p"])
async def test_presenter_view_shows_the_whole_long_question(long_server, browser, http, size):
    server = long_server
    assert 590 <= len(LONG) <= 610 and LONG.endswith(LAST_WORD)
    qid = await ask(http, server, LONG, name="Margaret")
    await act(http, server, qid, "approve")
    await act(http, server, qid, "on_air")
    context = await browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = await context.new_page()
    key = server.event.overlay_key
    await page.goto(f"{server.url}/overlay/grand-rounds?key={key}&view=presenter")
    text = page.locator("#onair-text")
    await expect(text).to_have_text(LONG)
    await page.wait_for_timeout(300)  # fitting runs after the text lands
    m = await text.evaluate(LAST_WORD_BOX, len(LAST_WORD))
    top, bottom, left, right = m["word"]
    width, height = m["viewport"]
    assert not m["clipped"], m
    assert 0 <= top and bottom <= height and 0 <= left and right <= width, m
    assert bottom <= m["box"][1] + 1, m  # inside its own box, not hidden below it
    assert m["size"] >= 18, m  # smaller, still readable from a lectern
    await context.close()


async def test_lower_third_may_cut_but_console_says_how_much(long_server, browser, http):
    server = long_server
    long_id = await ask(http, server, LONG, name="Margaret")
    short_id = await ask(http, server, "How long is the hospital stay?", name="Sam")
    context = await browser.new_context()
    console = await login_console(context, server)
    long_row = console.locator(f"#queue li.q[data-id='{long_id}']")
    short_row = console.locator(f"#queue li.q[data-id='{short_id}']")
    await expect(long_row).to_be_visible()
    warning = long_row.locator(".overlay-cut")
    await expect(warning).to_have_text(
        re.compile(r"The overlay will cut this question after about \d+ characters \(4 lines\)")
    )
    shown = int(re.search(r"after about (\d+)", await warning.text_content()).group(1))
    await expect(short_row).to_be_visible()
    assert await short_row.locator(".overlay-cut").count() == 0

    # The figure is what the lower third really shows at 1920x1080.
    await act(http, server, long_id, "approve")
    await act(http, server, long_id, "on_air")
    await expect(console.locator("#onair .overlay-cut")).to_be_visible()
    overlay_ctx = await browser.new_context(viewport={"width": 1920, "height": 1080})
    overlay = await overlay_ctx.new_page()
    await overlay.goto(f"{server.url}/overlay/grand-rounds?key={server.event.overlay_key}")
    await expect(overlay.locator("#onair-text")).to_have_text(LONG)
    visible = await overlay.locator("#onair-text").evaluate(
        """(el) => {
            const text = el.firstChild, box = el.getBoundingClientRect();
            const range = document.createRange();
            let n = 0;
            for (let i = 1; i <= text.length; i++) {
                range.setStart(text, i - 1); range.setEnd(text, i);
                const r = range.getBoundingClientRect();
                if (r.height && r.bottom <= box.bottom + 1) n = i;
            }
            return n;
        }"""
    )
    assert abs(visible - shown) <= 12, (visible, shown)
    await context.close()
    await overlay_ctx.close()
