"""`liveq x-emulator` tells how to rehearse against it: its keys as `export` lines and the
[x] lines for liveq.toml. Copied as printed, they let liveq post to it."""

import os
import re
import selectors
import subprocess
import sys
import time

from liveq.config import load_config
from liveq.networks.x.client import create_x_client
from liveq.networks.x.settings import load_x_settings
from tests.cli.test_cli import liveq
from tests.fixtures_server import SECRET


def read_until(proc: subprocess.Popen, marker: str, timeout: float = 20) -> str:
    """The emulator's output up to and including the line containing marker."""
    out = b""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    # Whole lines: the marker's line must be complete.
    while marker.encode() not in out or not out.endswith(b"\n"):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise AssertionError(f"no {marker!r} in the emulator's output:\n{out.decode()}")
        if sel.select(timeout=0.2):
            out += os.read(proc.stdout.fileno(), 65536)
    return out.decode()


async def test_x_emulator_prints_keys_and_config_that_work(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "liveq", "x-emulator", "--port", "0"]
        + ["--ca-file", str(tmp_path / "ca" / "x-ca.pem")],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        out = read_until(proc, "emulator_ca_file")
        exports = dict(re.findall(r"^\s*export (LIVEQ_X_[A-Z_]+)=(\S+)$", out, re.MULTILINE))
        assert set(exports) == {
            "LIVEQ_X_CONSUMER_KEY",
            "LIVEQ_X_CONSUMER_SECRET",
            "LIVEQ_X_ACCESS_TOKEN",
            "LIVEQ_X_ACCESS_TOKEN_SECRET",
            "LIVEQ_X_BEARER_TOKEN",
        }, out
        block = re.search(r"^\s*\[x\]\n(?:\s+\w+ = .+\n)+", out, re.MULTILINE)
        assert block, out
        x_lines = "\n".join(line.strip() for line in block.group(0).splitlines())
        assert "enabled = true" in x_lines and "emulator_port = " in x_lines

        # Paste them: the [x] block into a config, the exports into the environment.
        config_path = tmp_path / "site" / "liveq.toml"
        config_path.parent.mkdir()
        config_path.write_text(f'[server]\nsecret = "{SECRET}"\n\n{x_lines}\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEQ_X_")}
        checked = liveq(
            "check-config", "--config", str(config_path), cwd=tmp_path, env_extra=exports
        )
        assert checked.returncode == 0, checked.stderr
        assert "X: enabled as @liveq_demo, emulator on port" in checked.stdout

        settings = load_x_settings(load_config(config_path, env), {**env, **exports})
        async with create_x_client(
            settings.credentials, settings.endpoint(config_path.parent)
        ) as x:
            posted = await x.api.create_tweet(text="Rehearsal post from the printed keys")
            assert posted.data["id"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
