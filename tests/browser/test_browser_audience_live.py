"""The audience page's live list: the version check and resync after a server restart."""

import json

from playwright.async_api import expect

from liveq.storage import store
from liveq.storage.db import Database
from tests.web.test_moderation_api import act, ask


async def test_a_stale_change_does_not_overwrite_a_newer_state(server, browser, http):
    """A change can reach the page after a newer one (e.g. one a snapshot already held).

    The page's socket goes through the browser's websocket routing, which passes every
    server frame on and keeps a copy; replaying an old frame later must change nothing.
    """
    frames: list[dict] = []

    def through(route):
        upstream = route.connect_to_server()

        def forward(message):
            frames.append(json.loads(message))
            route.send(message)

        upstream.on_message(forward)
        routes.append(route)

    routes = []
    context = await browser.new_context()
    page = await context.new_page()
    await page.route_web_socket("**/ws/grand-rounds", through)
    qid = await ask(http, server, "Will the scar fade?")
    await page.goto(f"{server.url}/e/grand-rounds")
    await expect(page.locator("#live")).to_be_visible()  # connected

    await act(http, server, qid, "approve")
    item = page.locator(f"#public-questions li[data-id='{qid}']")
    await expect(item).to_have_class("pq pq-approved")
    approved = next(f for f in frames if f["type"] == "question")
    assert approved["question"]["status"] == "approved"

    await act(http, server, qid, "on_air")
    await expect(item).to_have_class("pq pq-on_air")
    await expect(item.locator(".meta")).to_contain_text("on air now")

    # The old "approved" frame arrives late, then a real change behind it.
    routes[0].send(json.dumps(approved))
    later = await ask(http, server, "Is physiotherapy covered?")
    await act(http, server, later, "approve")
    await expect(page.locator(f"#public-questions li[data-id='{later}']")).to_be_visible()
    await expect(item).to_have_class("pq pq-on_air")
    await expect(item.locator(".meta")).to_contain_text("on air now")
    await context.close()


async def test_audience_page_reconnects_and_resyncs_after_a_restart(server, browser, http):
    kept = await ask(http, server, "Asked before the restart")
    await act(http, server, kept, "approve")
    gone = await ask(http, server, "Declined while the server was down")
    await act(http, server, gone, "approve")

    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{server.url}/e/grand-rounds")
    root = page.locator("#audience")
    await expect(root).to_have_attribute("data-connection", "live")
    await expect(page.locator("#public-questions li")).to_have_count(2)
    await expect(page.locator("#conn")).to_be_hidden()

    await server.stop()
    await expect(root).to_have_attribute("data-connection", "down")
    await expect(page.locator("#conn")).to_have_text("Reconnecting…")
    # Changed with nobody connected: only a fresh snapshot can tell the page.
    async with Database(server.config.database_target) as db:
        await store.moderate(db, server.event, gone, store.Moderation("decline", "alice"))
    await server.start()
    new = await ask(http, server, "Asked after the restart")
    await act(http, server, new, "approve")

    await expect(root).to_have_attribute("data-connection", "live", timeout=8000)
    await expect(page.locator("#conn")).to_be_hidden()
    texts = page.locator("#public-questions li p:not(.meta)")
    await expect(texts).to_have_text(["Asked before the restart", "Asked after the restart"])
    await context.close()
