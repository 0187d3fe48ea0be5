"""Our own web origins, from the configuration only (public_url, allowed_origins).

Never from the request: a Host header is whatever the client wrote, and a page
on another site whose name points at us (DNS rebinding) sends a matching one.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from liveq.config import ServerConfig


def origin_of(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


@functools.cache
def configured(server: ServerConfig) -> frozenset[str]:
    """The origins whose pages may open our websockets."""
    urls = (server.public_url, *server.allowed_origins)
    # An unset public_url ("") names no origin (never a bare "ws:" in the CSP).
    return frozenset(origin_of(u) for u in urls if urlsplit(u.strip()).netloc)


@functools.cache
def websocket_sources(server: ServerConfig) -> tuple[str, ...]:
    """ws:// or wss:// for each configured origin, for the CSP's connect-src."""
    sources = []
    for origin in sorted(configured(server)):
        scheme, _, rest = origin.partition("://")
        sources.append(f"{'wss' if scheme == 'https' else 'ws'}://{rest}")
    return tuple(sources)
