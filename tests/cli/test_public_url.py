"""`liveq serve --port` moves the public URL with it, and a public URL that cannot be right is
said out loud: in the server's log, in `liveq check-config` and in the console."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

from liveq.config import derived_public_url, listening_at, public_url_warnings
from tests.cli.test_cli import liveq
from tests.fixtures_server import write_config
from tests.ports import free_port


def warnings_for(tmp_path: Path, host: str, port: int, public_url: str | None) -> list[str]:
    server = {"public_url": public_url} if public_url else {}
    config = write_config(tmp_path, server=server)
    return public_url_warnings(listening_at(config, host, port))


def test_unset_public_url_follows_host_and_port(tmp_path):
    config = write_config(tmp_path, server={"port": 8778})
    assert not config.public_url_set
    assert config.server.public_url == "http://127.0.0.1:8778"
    moved = listening_at(config, "192.0.2.10", 9000)
    assert moved.server.public_url == "http://192.0.2.10:9000"
    assert derived_public_url("::1", 80) == "http://[::1]:80"
    assert public_url_warnings(moved) == []


def test_which_public_urls_are_warned_about(tmp_path):
    # Set to the old port while liveq listens on another: the QR code would be wrong.
    (wrong_port,) = warnings_for(tmp_path, "127.0.0.1", 8778, "http://127.0.0.1:8080")
    assert "8778" in wrong_port and "http://127.0.0.1:8778" in wrong_port
    assert warnings_for(tmp_path, "127.0.0.1", 8778, "http://localhost:8080")
    # Loopback while the room's phones would connect over the network.
    (loopback,) = warnings_for(tmp_path, "0.0.0.0", 8080, "http://127.0.0.1:8080")
    assert "phones" in loopback
    # Unset while listening on every address: the derived URL names this machine only.
    (unset,) = warnings_for(tmp_path, "0.0.0.0", 8080, None)
    assert "server.public_url" in unset
    # Right, or behind a proxy (another host, another port): nothing to say.
    assert warnings_for(tmp_path, "127.0.0.1", 8778, "http://127.0.0.1:8778/") == []
    assert warnings_for(tmp_path, "127.0.0.1", 8778, "https://liveq.example.org") == []
    assert warnings_for(tmp_path, "10.0.0.5", 8080, "http://10.0.0.5:8080") == []


def test_check_config_warns_about_a_public_url_on_another_port(tmp_path):
    config = write_config(tmp_path, server={"port": 8778, "public_url": "http://127.0.0.1:8080"})
    checked = liveq("check-config", "--config", str(config.path), cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert re.search(r"warning: .*listens on port 8778", checked.stdout), checked.stdout


class Served:
    """`liveq serve` as a subprocess, with its log."""

    def __init__(self, config: Path, port: int):
        self.port = port
        self.log = config.parent / "serve.log"
        env = {k: v for k, v in os.environ.items() if k != "LIVEQ_SECRET"}
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "liveq", "serve", "--config", str(config)]
                + ["--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        for _ in range(200):
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"liveq serve did not start: {self.log.read_text()}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)
        return self.log.read_text()


def init_site(tmp_path: Path) -> tuple[Path, str, str]:
    """`liveq init` and an event: the config, the admin's password and the overlay path."""
    result = liveq("init", "--dir", "site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    password = re.search(r"Password \(shown once\): (\S+)", result.stdout).group(1)
    config = tmp_path / "site" / "liveq.toml"
    created = liveq(
        "event", "create", "gr", "--title", "Grand Rounds", "--config", str(config), cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    overlay = re.search(r"(/overlay/gr\?key=\S+)", created.stdout).group(1)
    return config, password, overlay


def test_serve_on_another_port_puts_that_port_in_the_overlay_and_qr(tmp_path):
    config, _, overlay = init_site(tmp_path)
    port = free_port()
    served = Served(config, port)
    try:
        with urllib.request.urlopen(served.url(overlay), timeout=5) as resp:
            page = resp.read().decode()
    finally:
        log = served.stop()
    assert f'<p class="url" dir="ltr">http://127.0.0.1:{port}/e/gr</p>' in page
    assert f"links and the QR code say http://127.0.0.1:{port}" in log
    assert "WARNING" not in log


def test_serve_warns_in_log_and_console_when_public_url_names_another_port(tmp_path):
    config, password, _ = init_site(tmp_path)
    text = config.read_text()
    config.write_text(text.replace("[server]\n", '[server]\npublic_url = "http://127.0.0.1:8080"\n'))
    port = free_port()
    served = Served(config, port)
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        with opener.open(served.url("/login"), timeout=5) as resp:
            csrf = re.search(r'name="csrf" value="([^"]+)"', resp.read().decode()).group(1)
        form = {"csrf": csrf, "username": "admin", "password": password, "next": "/mod/gr"}
        with opener.open(served.url("/login"), urlencode(form).encode(), timeout=5) as resp:
            console = resp.read().decode()
    finally:
        log = served.stop()
    assert re.search(rf"WARNING liveq.config: server.public_url is .*listens on port {port}", log)
    warning = re.search(r'<p class="notice error config-warning" role="alert">([^<]+)</p>', console)
    assert warning, console[:2000]
    assert f"listens on port {port}" in warning.group(1)

