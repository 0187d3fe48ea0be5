"""Shared fixtures and markers.

Fixture modules live beside this file and are registered here. Every test gets
one marker from the folder it lives in, so `scripts/test -m unit` runs the pure
tests in seconds and `-m "not browser"` skips Chromium.
"""

import os

import pytest

# Test servers create users with argon2; at production cost that is ~0.3 s a
# user. Set before liveq is imported; subprocesses inherit it.
os.environ.setdefault("LIVEQ_TEST_CHEAP_PASSWORD_HASHES", "1")

pytest_plugins: list[str] = [
    "tests.fixtures_database",
    "tests.fixtures_server",
    "tests.fixtures_x",
    "tests.fixtures_mastodon",
    "tests.fixtures_bluesky",
    "tests.fixtures_browser",
]

# folder under tests/ -> marker
FOLDER_MARKERS = {
    "domain": "unit",
    "screening": "unit",
    "tweettext": "unit",
    "storage": "unit",
    "networks": "api",
    "emulators": "api",
    "workers": "api",
    "web": "api",
    "after": "api",
    "architecture": "unit",
    "config": "unit",
    "browser": "browser",
    "cli": "system",
    "system": "system",
    "cluster": "system",
}

BROWSER_FIXTURES = {"browser", "page"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.parent.name
        marker = FOLDER_MARKERS.get(folder)
        if marker is None:
            raise pytest.UsageError(f"{item.path}: put it in a folder named in FOLDER_MARKERS")
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            marker = "browser"  # a web or system test that also drives Chromium
        item.add_marker(getattr(pytest.mark, marker))
