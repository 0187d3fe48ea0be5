"""`liveq screen`: one text per line in, its findings as one JSON object per line out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from liveq.cli.main import CommandError


def cmd_screen(args: argparse.Namespace) -> int:
    """One text per line on stdin -> one JSON object per line on stdout."""
    import json
    import tomllib

    from liveq.ingest.screener import ScreeningSettings, screen_outgoing

    rules = None
    if args.config:
        # Only [screening] is read, so a config whose secret lives in the environment
        # (or a file with nothing but a [screening] table) works too.
        path = Path(args.config)
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("screening", {})
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CommandError(f"{path}: cannot be read as TOML: {exc}") from None
        try:
            rules = ScreeningSettings.from_mapping(table).rules
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from None
    for stream in (sys.stdin, sys.stdout):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        findings = screen_outgoing(text, rules)
        sys.stdout.write(json.dumps({"text": text, "findings": findings}, ensure_ascii=False))
        sys.stdout.write("\n")
        sys.stdout.flush()
    return 0
