"""Shared fixtures. Fixture modules live beside this file and are registered here."""

pytest_plugins: list[str] = ["tests.fixtures_server", "tests.fixtures_x", "tests.fixtures_browser"]
