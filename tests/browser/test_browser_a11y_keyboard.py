"""Keyboard only, as a screen-reader user works: ask and vote on the audience page;
in the console, the selection is the focus, tabs follow the ARIA pattern, dialogs keep
and give back focus, results and new questions are announced; approve, redact, send on
air and answer without a mouse. Then the console's main flow as an ARIA snapshot (what
a screen reader is given)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.test_browser_a11y import SLUG, ask, moderate, server
from tests.browser.test_browser_qa import login_console
from tests.fixtures_browser import collect_problems

__all__ = ["server"]

PHONE = "617-555-0142"
HELD = f"Please call me on {PHONE} about my knee"
FIRST = "How soon can I walk after a knee replacement?"


async def focused(page) -> str:
    """A short description of the focused element: tag#id.class[data-id]."""
    return await page.evaluate(
        """() => { const e = document.activeElement;
          return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
            + (e.classList.length ? '.' + [...e.classList].join('.') : '')
            + (e.dataset.id ? '[' + e.dataset.id + ']' : ''); }"""
    )


async def tab_to(page, selector: str, *, limit: int = 25, back: bool = False) -> int:
    """Press Tab (or Shift+Tab) until `selector` has focus; how many presses it took."""
    for presses in range(1, limit + 1):
        await page.keyboard.press("Shift+Tab" if back else "Tab")
        if await page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} never took focus; focus is on {await focused(page)}")


async def test_ask_and_vote_with_the_keyboard(server, http, browser):
    approved = (await ask(http, server, FIRST, "Maria"))["id"]
    await moderate(http, server, approved, "approve")
    problems: list[str] = []
    ctx = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await ctx.new_page()
    collect_problems(page, problems)
    await page.goto(f"{server.url}/e/{SLUG}")
    await expect(page.locator("#public-questions li")).to_have_count(1)

    await tab_to(page, "#text")
    await page.keyboard.type("Can I kneel after the operation?")
    await tab_to(page, "#name")
    await page.keyboard.type("Ann")
    await tab_to(page, "form.ask button[type=submit]")
    await page.keyboard.press("Enter")
    await expect(page.locator("#thanks")).to_contain_text("waiting for a moderator")

    await tab_to(page, "a[href='/e/grand-rounds']")
    await page.keyboard.press("Enter")
    vote = page.locator("#public-questions button.vote")
    await expect(vote).to_have_attribute("aria-label", "0 votes, upvote")
    await tab_to(page, "#public-questions button.vote")
    await page.keyboard.press("Space")
    await expect(vote).to_have_attribute("aria-label", "1 vote, upvote")
    await expect(vote).to_be_disabled()
    assert problems == []


async def test_moderate_with_the_keyboard_only(server, http, browser):
    first = (await ask(http, server, FIRST, "Maria"))["id"]
    held = (await ask(http, server, HELD, "Ann"))["id"]
    problems: list[str] = []
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    await ctx.clock.install()  # the page's timers, moved on below without waiting
    page = await login_console(ctx, server)
    collect_problems(page, problems)
    rows = page.locator("#queue li.q")
    await expect(rows).to_have_count(2)

    # j: the first question takes focus (a roving tabindex: the one tab stop in the queue).
    await page.keyboard.press("j")
    assert await focused(page) == f"li.q.selected[{first}]"
    assert await rows.evaluate_all("(rs) => rs.map((r) => r.tabIndex)") == [0, -1]

    # a: approved, announced; focus moves on to the next question, not to <body>.
    await page.keyboard.press("a")
    await expect(page.locator("#announce")).to_have_text(f"#{first}: approved.")
    await expect(rows).to_have_count(1)
    assert await focused(page) == f"li.q.blocked.selected[{held}]"

    # The held question: Tab reaches its highlighted phone number; r redacts it.
    await page.keyboard.press("Tab")
    assert (await focused(page)).startswith("mark.finding")
    await page.keyboard.press("r")
    await expect(page.locator("#announce")).to_have_text(f"#{held}: redacted.")
    await expect(rows.first.locator(".qtext")).not_to_contain_text(PHONE)

    # A dialog keeps focus inside while open and gives it back when closed.
    await page.keyboard.press("j")
    assert await focused(page) == f"li.q.selected[{held}]"
    await page.keyboard.press("e")
    await expect(page.locator("#dialog")).to_be_visible()
    assert await focused(page) == "textarea#dialog-input"
    for _ in range(6):
        await page.keyboard.press("Tab")
        assert await page.evaluate(
            "() => document.querySelector('#dialog').contains(document.activeElement)"
        )
    await page.keyboard.press("Escape")
    await expect(page.locator("#dialog")).to_be_hidden()
    assert await focused(page) == f"li.q.selected[{held}]"

    # The tabs: one tab stop; arrow keys move between them and show their questions.
    await tab_to(page, "[role=tab]", back=True)
    assert await focused(page) == "button#tab-pending"
    await page.keyboard.press("ArrowRight")
    assert await focused(page) == "button#tab-approved"
    await expect(page.locator("#tab-approved")).to_have_attribute("aria-selected", "true")
    await expect(page.locator("#queue-panel")).to_have_attribute("aria-labelledby", "tab-approved")
    await page.keyboard.press("End")
    assert await focused(page) == "button#tab-declined"
    await page.keyboard.press("ArrowRight")  # wraps to the first
    assert await focused(page) == "button#tab-pending"
    await page.keyboard.press("ArrowRight")

    # Into the approved queue: o sends it on air; n answers it through the dialog.
    await tab_to(page, "#queue li.q")
    assert await focused(page) == f"li.q.selected[{first}]"
    await page.keyboard.press("o")
    await expect(page.locator("#announce")).to_have_text(f"#{first}: on air.")
    await expect(page.locator("#onair .onair-text")).to_have_text(FIRST)
    await page.keyboard.press("n")
    await expect(page.locator("#dialog")).to_be_visible()
    await page.keyboard.type("Most people walk with help the same day.")
    await page.keyboard.press("Control+Enter")
    await expect(page.locator("#dialog")).to_be_hidden()
    await expect(page.locator("#announce")).to_have_text(f"#{first}: marked answered.")
    assert await focused(page) != "body"

    # A new question from the audience is announced, not only drawn.
    third = (await ask(http, server, "Is the recovery different for both knees?", ""))["id"]
    await expect(page.locator("#announce")).to_have_text(
        f"New question #{third} (pending): Is the recovery different for both knees?"
    )

    # An error notice stays until it is dismissed.
    await page.keyboard.press("1")
    await page.keyboard.press("j")
    await page.keyboard.press("g")  # merge into a look-alike: there is none
    notice = page.locator("#notice")
    await expect(notice).to_contain_text("does not look like another one")
    await page.clock.fast_forward(60_000)  # the page's timers: a minute later
    await expect(notice).to_be_visible()
    await tab_to(page, "#notice-close", back=True, limit=40)
    await page.keyboard.press("Enter")
    await expect(notice).to_be_hidden()
    assert problems == []


async def test_console_main_flow_as_a_screen_reader_is_given_it(server, http, browser):
    first = (await ask(http, server, FIRST, "Maria"))["id"]
    await ask(http, server, HELD, "Ann")
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await login_console(ctx, server)
    await expect(page.locator("#queue li.q")).to_have_count(2)
    main = page.locator("main")
    await expect(main).to_match_aria_snapshot(
        f"""
        - region "On air":
          - heading "On air" [level=2]
          - text: Nothing on air.
        - heading "Questions" [level=2]
        - tablist "Questions":
          - tab "Pending 2" [selected]
          - tab "Approved 0"
          - tab "Answered 0"
          - tab "Declined 0"
        - text: Sort
        - combobox "Sort"
        - tabpanel "Pending 2":
          - list:
            - listitem:
              - paragraph: {FIRST}
              - paragraph: "#{first} Form Maria"
              - button "Approve (a)"
              - button "Decline (d)"
              - button "Edit (e)"
              - button "Star (s)"
              - button "Merge (m)"
            - listitem:
              - paragraph: /Please call me on/
        """
    )
    await moderate(http, server, first, "approve")
    await moderate(http, server, first, "on_air")
    await expect(main.locator("section.onair-panel")).to_match_aria_snapshot(
        f"""
        - region "On air":
          - heading "On air" [level=2]
          - paragraph: {FIRST}
          - paragraph: "#{first} Form Maria"
          - button "Mark answered (n)"
          - button "Take off air"
        """
    )
