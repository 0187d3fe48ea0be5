"""`liveq event create --language es`: stored with the event, refused without a catalog."""

from __future__ import annotations

from tests.cli.test_cli import liveq
from tests.cli.test_procedure_import import rows


def test_event_create_with_a_language(tmp_path):
    assert liveq("init", "--dir", "site", cwd=tmp_path).returncode == 0
    config = str(tmp_path / "site" / "liveq.toml")
    made = liveq(
        "event",
        "create",
        "charla",
        "--title",
        "Charla",
        "--language",
        "es",
        "--config",
        config,
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    assert "Language:  es" in made.stdout
    refused = liveq(
        "event",
        "create",
        "causerie",
        "--title",
        "Causerie",
        "--language",
        "fr",
        "--config",
        config,
        cwd=tmp_path,
    )
    assert refused.returncode == 1
    assert "no catalog for the language 'fr'" in refused.stderr
    assert rows(tmp_path / "site" / "liveq.toml", "SELECT slug, language FROM events") == [
        ("charla", "es")
    ]
