"""The two switches that change a live event ("Show questions without approval",
"Taking questions") ask first, in an accessible dialog; cancelling changes nothing."""

import pytest
from playwright.async_api import expect

from tests.browser.test_browser_qa import login_console
from tests.fixtures_server import bearer


async def event_state(http, server) -> dict:
    async with http.get(
        f"{server.url}/api/v1/events/grand-rounds", headers=bearer(server)
    ) as resp:
        assert resp.status == 200
        return await resp.json()


SWITCHES = [
    # (checkbox, field in the event, its value when the box is checked, value after
    # switching, words the dialog must say)
    ("#post-moderation", "moderation", "post", "post", "without a moderator"),
    ("#accepting", "accepting", True, False, "stop taking questions"),
]


@pytest.mark.parametrize(("switch", "field", "on", "after", "words"), SWITCHES)
async def test_live_switch_asks_first_and_cancel_changes_nothing(
    server, browser, http, switch, field, on, after, words
):
    before = (await event_state(http, server))["event"][field]
    context = await browser.new_context()
    console = await login_console(context, server)
    box = console.locator(switch)
    # The box shows the event's state once the console has it: "Connected" can come
    # just before the state does, so wait for the box rather than read it at once.
    checked = before == on
    await expect(box).to_be_checked(checked=checked)

    # Cancel with the button: the switch and the event stay as they were, focus returns.
    await box.click()
    dialog = console.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text(words)
    assert await box.is_checked() == checked
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(dialog).to_be_hidden()
    assert await box.is_checked() == checked
    assert await box.evaluate("(el) => el === document.activeElement")
    assert (await event_state(http, server))["event"][field] == before

    # Escape cancels too (keyboard users): still nothing changed.
    await box.press("Space")
    await expect(dialog).to_be_visible()
    await console.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    assert await box.is_checked() == checked
    assert (await event_state(http, server))["event"][field] == before

    # Confirm: now it changes, on the page and on the server.
    await box.click()
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("button", name="Yes").click()
    await expect(dialog).to_be_hidden()
    await expect(box).to_be_checked(checked=not checked)
    for _ in range(50):
        if (await event_state(http, server))["event"][field] == after:
            break
        await console.wait_for_timeout(100)
    assert (await event_state(http, server))["event"][field] == after
    assert await box.evaluate("(el) => el === document.activeElement")
    await context.close()
