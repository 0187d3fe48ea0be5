"""The front end's house rules: one live connection module, one fetch helper, ES modules.

Read from the files, so nothing runs. The behaviour itself is proved in tests/browser.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "liveq" / "web" / "static"
SCRIPTS = sorted([*STATIC.glob("*.js"), *(ROOT / "overlays").glob("*.js")])
TEMPLATES = sorted(
    [*(ROOT / "liveq" / "web" / "templates").glob("*.html"), *(ROOT / "overlays").glob("*.html")]
)


def _with(pattern: str) -> list[str]:
    return [p.name for p in SCRIPTS if re.search(pattern, p.read_text(encoding="utf-8"))]


def test_only_live_js_opens_a_websocket():
    assert _with(r"new WebSocket\(") == ["live.js"]


def test_only_api_js_calls_fetch():
    assert _with(r"\bfetch\(") == ["api.js"]


def test_scripts_share_nothing_through_window():
    assert _with(r"window\.liveq|liveq:message") == []


def test_pages_load_their_scripts_as_modules_and_never_inline():
    tags = []
    for page in TEMPLATES:
        for tag in re.findall(r"<script\b[^>]*>", page.read_text(encoding="utf-8")):
            tags.append((page.name, tag))
            assert 'type="module"' in tag and re.search(r'\bsrc="/', tag), (page.name, tag)
    assert {name for name, _ in tags} >= {
        "audience.html",
        "console.html",
        "procedure.html",
        "overlay.html",
    }


def test_modules_import_only_same_origin_files_that_exist():
    for script in SCRIPTS:
        for spec in re.findall(r'^import .* from "([^"]+)";', script.read_text("utf-8"), re.M):
            if spec.startswith("/static/"):
                target = STATIC / spec.removeprefix("/static/")
            else:
                assert spec.startswith("./"), (script.name, spec)
                target = script.parent / spec
            assert target.is_file(), (script.name, spec)
