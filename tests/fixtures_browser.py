"""A real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = os.environ.get("LIVEQ_CHROMIUM", "/usr/bin/chromium")
# Screenshots for a person to look at, written only where this folder exists.
SHOTS = Path(os.environ.get("LIVEQ_TEST_SHOTS", "/work/shots"))
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        await browser.close()


def collect_problems(page, problems: list[str]) -> None:
    """Record script errors, dialogs (an XSS would alert) and CSP violations on a page."""
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))

    async def on_dialog(dialog):
        problems.append(f"dialog: {dialog.message}")
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )


# WCAG 2.2 A and AA (each version's tags) and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


async def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now, one line per rule and node.

    axe-core ships inside axe-playwright-python (a test dependency); it is evaluated
    through the DevTools protocol, which the page's CSP does not apply to.
    """
    from axe_playwright_python.async_playwright import Axe

    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        # Still "experimental" in axe 4.12, so off by default: a button's visible text must
        # be part of its accessible name (WCAG 2.5.3, level A), for voice control.
        "rules": {"label-content-name-mismatch": {"enabled": True}},
        "resultTypes": ["violations"],
    }
    results = await Axe().run(page, options=options)
    lines = []
    for rule in results.response["violations"]:
        for node in rule["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:300]
            lines.append(f"{rule['id']} ({rule['impact']}): {node['target']} {summary}")
    return lines


async def assert_accessible(page, state: str) -> None:
    """Zero axe violations in this state of the page."""
    found = await axe_violations(page)
    assert not found, f"{state}: {len(found)} axe violations\n" + "\n".join(found)


async def screenshot(target, name: str) -> None:
    """Save a screenshot of a page or locator as SHOTS/name, if SHOTS exists."""
    if SHOTS.is_dir():
        await target.screenshot(path=str(SHOTS / name))
