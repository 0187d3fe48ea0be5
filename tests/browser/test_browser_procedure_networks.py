"""The procedure page with X, Mastodon and Bluesky: the approver reads how Bluesky
cuts a long post before signing it, signs in the browser, and the post goes out
on all three networks (tweepy, Mastodon.py and atproto against the emulators)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from tests.browser.test_browser_procedure import login
from tests.fixtures_browser import collect_problems
from tests.networks.test_procedure_networks import (
    bluesky_texts,
    mastodon_texts,
    networks_settled,
    procedure_server,
)
from tests.waiting import eventually
from tests.web.test_procedure import SLUG, call, consent_all, get_state, hdr

SHOTS = Path("/work/shots")


async def test_the_approver_reads_each_networks_cut_then_it_goes_everywhere(
    tmp_path,
    browser,
    http,
    x_emulator,
    x_state,
    mastodon_emulator,
    mastodon_token,
    bluesky_emulator,
    bluesky_password,
):
    server = await procedure_server(tmp_path, x_emulator, mastodon_emulator, bluesky_emulator)
    try:
        link = "https://hospital.example.org/" + "knee-replacement-" * 14
        text = "Our surgeons explain each step of the operation on the hospital's page " + link
        await call(http, server, "/posts", {"text": text}, status=201)
        await call(http, server, "/posts", {"role": "holding", "text": "Pausing."}, status=201)
        parts = (await get_state(http, server))["script"][0]["splits"]["bluesky"]

        problems: list[str] = []
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        page = await login(
            context, server, "carol", "approver-password-123", f"/mod/{SLUG}/procedure"
        )
        collect_problems(page, problems)
        post = page.locator("li.script-post").first
        split = post.locator("details.network-split[data-network=bluesky]")
        await expect(split.locator("summary")).to_have_text("On Bluesky: 2 posts")
        await expect(post.locator("details.network-split[data-network=mastodon]")).to_have_count(0)
        await split.locator("summary").click()
        items = split.locator("li")
        await expect(items).to_have_text(parts)
        assert await items.first.get_attribute("dir") == "auto"
        if SHOTS.is_dir():
            await page.screenshot(path=str(SHOTS / "proc-network-split.png"), full_page=True)
        await post.locator("button.sign").click()
        await expect(post).to_have_attribute("data-signed", "yes")
        holding = page.locator("li.script-post[data-signed=no]").first
        await holding.locator("button.sign").click()
        await expect(page.locator("li.script-post[data-signed=no]")).to_have_count(0)
        await context.close()

        await consent_all(http, server)
        await call(http, server, "/live")
        item = (await call(http, server, "/next", status=201))["item"]
        url = f"{server.url}/api/v1/events/{SLUG}/outbox/{item['id']}/override"
        async with http.post(url, json={"reason": "our page"}, headers=hdr(server)) as resp:
            assert resp.status == 200  # screening holds a web address for a person

        async def on_x():
            return [t for t in x_state.posts_by() if not t.injected]

        await eventually(on_x)
        await networks_settled(http, server, 1)
        assert bluesky_texts(bluesky_emulator.state) == parts
        assert len(mastodon_texts(mastodon_emulator.state)) == 1
        assert problems == []
    finally:
        await server.stop()
