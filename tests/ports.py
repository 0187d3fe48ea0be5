"""Ports for the `liveq serve` children the tests start."""

import itertools
import os
import socket

# Each pytest-xdist worker hands out ports from its own block, below the kernel's
# ephemeral range (32768-60999 on Linux). A port from bind(0), closed and handed to a
# child, could meanwhile be taken by another worker's child: then "ready" meant
# another test's server, which refused this test's token (a 401 seen once in CI).
_FIRST = 20000
_BLOCK = 1000
_offsets = itertools.count()


def _worker() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # "gw0", "gw1", ...
    return int(name.removeprefix("gw") or 0) % 12  # 12 blocks fit below 32768


def free_port() -> int:
    """A port on 127.0.0.1 that is free now and no other worker of this run hands out."""
    base = _FIRST + _worker() * _BLOCK
    for _ in range(_BLOCK):
        port = base + next(_offsets) % _BLOCK  # never the same one twice in a row
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # in use, or in TIME_WAIT from an earlier test's child
                continue
            return port
    raise RuntimeError(f"no free port in {base}-{base + _BLOCK - 1}")
