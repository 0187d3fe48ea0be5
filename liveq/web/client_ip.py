"""The client's address, believing X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from aiohttp import web


@lru_cache(maxsize=64)
def _networks(
    trusted: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(t, strict=False) for t in trusted)


def _is_trusted(addr: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in _networks(trusted))


def client_ip(request: web.Request, trusted: tuple[str, ...]) -> str:
    """The nearest address that is not one of our proxies."""
    peer = request.remote or ""
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    # Walk the chain from the right: each hop appended the address it saw.
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a forged, malformed header: fall back to the proxy
    return peer


def forwarded_https(request: web.Request, trusted: tuple[str, ...]) -> bool:
    """True when one of our proxies says the client's connection was TLS."""
    if not trusted or request.secure or not _is_trusted(request.remote or "", trusted):
        return False
    proto = request.headers.get("X-Forwarded-Proto", "")
    return proto.split(",")[0].strip().lower() == "https"
