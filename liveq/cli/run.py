"""Running liveq: `liveq serve`, `liveq demo`, `liveq x-emulator`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from pathlib import Path

from liveq.config import ConfigError, listening_at, load_config, public_url_warnings
from liveq.screening.photos.memory import keep_large_buffers


def cmd_serve(args: argparse.Namespace) -> int:
    keep_large_buffers()  # before any thread starts: the server checks photos
    config = load_config(args.config)
    host = args.host or config.server.host
    port = args.port or config.server.port
    # --host/--port move an unset public_url with them: the QR code follows.
    config = listening_at(config, host, port)
    workers = getattr(args, "workers", 1)
    if workers < 1:
        raise ConfigError("--workers should be 1 or more")
    if workers > 1:
        if not config.cluster.redis_url:
            raise ConfigError(
                f"--workers {workers} needs [cluster] redis_url in {config.path}: the "
                "processes share changes, background jobs and rate limits through Redis "
                "(or run one worker)"
            )
        from liveq.cli.workers import supervise

        return supervise(config, host, port, workers)
    from aiohttp import web

    from liveq.web.access_log import AccessLogger
    from liveq.web.app import create_app

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for warning in public_url_warnings(config):
        logging.getLogger("liveq.config").warning("%s", warning)
    # aiosqlite logs every statement and its parameters (question texts) at DEBUG.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    web.run_app(
        create_app(config),
        host=host,
        port=port,
        shutdown_timeout=10,
        print=lambda _: print(
            f"liveq serving on http://{host}:{port}; links and the QR code say "
            f"{config.server.public_url} (Ctrl-C to stop)",
            flush=True,
        ),
        access_log_class=AccessLogger,
        # Set by the supervisor of `--workers N`: its processes share one port.
        reuse_port=bool(os.environ.get("LIVEQ_WORKER_ID")) or None,
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from liveq.cli import demo

    keep_large_buffers()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(demo.run(args.port, Path(args.dir) if args.dir else None, args.pace))
    except KeyboardInterrupt:
        print("\nliveq demo stopped.")
    return 0


def cmd_x_emulator(args: argparse.Namespace) -> int:
    from liveq.emulators.x.server import run_emulator

    try:
        asyncio.run(run_emulator(args.host, args.port, ca_file=args.ca_file))
    except KeyboardInterrupt:
        print("\nX API emulator stopped.")
    return 0
