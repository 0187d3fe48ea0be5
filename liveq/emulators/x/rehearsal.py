"""What `liveq x-emulator` prints: how to point your own liveq at it.

The keys are the emulator's obvious fakes (only it accepts them), so printing
them is safe and saves everyone from reading the source to rehearse.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from liveq.networks.x.client import XCredentials
from liveq.networks.x.settings import SECRET_ENV


def rehearsal_instructions(
    base_url: str, port: int, username: str, ca_file: Path, credentials: XCredentials
) -> str:
    """The export lines and the [x] table that make liveq talk to this emulator."""
    keys = asdict(credentials)
    exports = "\n".join(f"  export {var}={keys[name]}" for name, var in SECRET_ENV.items())
    # json.dumps quotes a path the way TOML reads it back (backslashes too).
    ca = json.dumps(str(ca_file.resolve()))
    return f"""X API emulator on {base_url}
CA certificate (trust this): {ca_file.resolve()}
account: @{username}
controls: {base_url}/_emulator/state (inject tweets, faults)

To rehearse with your own liveq.toml, run in the shell that starts `liveq serve`:

{exports}

and put this in liveq.toml (then `liveq check-config` says "X: enabled ... emulator"):

  [x]
  enabled = true
  username = "{username}"
  emulator_port = {port}
  emulator_ca_file = {ca}

These keys are fakes that only this emulator accepts; never give it real X keys.
Ctrl-C stops the emulator.
"""
