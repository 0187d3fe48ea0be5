"""Waiting for something a server does in its own time (a poll, an outbox, a check)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], timeout: float = 15.0) -> T:
    """Await `check()` until it returns something truthy, and return that; fail, naming
    the check, after `timeout` seconds (a check that hangs is cancelled)."""
    try:
        async with asyncio.timeout(timeout):
            while not (result := await check()):
                await asyncio.sleep(0.02)
            return result
    except TimeoutError:
        name = getattr(check, "__name__", repr(check))
        raise AssertionError(f"not true within {timeout} s: {name}") from None
