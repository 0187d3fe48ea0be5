"""Access log lines without query strings: overlay keys and tokens never reach a log."""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


class AccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %d %.1fms",
            request.remote,
            request.method,
            request.path,  # no query string: /overlay/x?key=... logs as /overlay/x
            response.status,
            time * 1000,
        )
