"""Log out everywhere from the events page: every session of the account ends."""

from playwright.async_api import expect

from liveq.web.auth import SESSION_COOKIE
from tests.browser.test_browser_qa import login_console


async def test_log_out_everywhere_button_ends_other_sessions(server, browser):
    laptop = await browser.new_context()
    phone = await browser.new_context()
    await login_console(laptop, server)
    # The phone's console is closed first: an open one leaves by itself (the next test),
    # and that navigation would race this one's.
    await (await login_console(phone, server)).close()

    page = await laptop.new_page()
    await page.goto(f"{server.url}/")
    await page.click("button[name=everywhere]")
    await expect(page).to_have_url(f"{server.url}/login")

    # The phone still holds its session cookie, but the server has ended that session:
    # opening the console again asks for the login.
    assert SESSION_COOKIE in {c["name"] for c in await phone.cookies()}
    phone_page = await phone.new_page()
    await phone_page.goto(f"{server.url}/mod/grand-rounds")
    await expect(phone_page).to_have_url(f"{server.url}/login?next=/mod/grand-rounds")
    await laptop.close()
    await phone.close()


async def test_an_open_console_leaves_at_once_when_logged_out_everywhere(server, browser):
    """Its websocket is closed by the logout (issue 12 item 3): the page goes to the
    login page by itself, and shows no more pending questions meanwhile."""
    laptop = await browser.new_context()
    phone = await browser.new_context()
    await login_console(laptop, server)
    phone_page = await login_console(phone, server)

    page = await laptop.new_page()
    await page.goto(f"{server.url}/")
    await page.click("button[name=everywhere]")
    await expect(page).to_have_url(f"{server.url}/login")
    await expect(phone_page).to_have_url(
        f"{server.url}/login?next=%2Fmod%2Fgrand-rounds", timeout=3000
    )
    await laptop.close()
    await phone.close()
