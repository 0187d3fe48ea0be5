"""POST /api/v1/events/{slug}/reading-grade: the reading grade of posts (a hint)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from liveq.domain.roles import APPROVING_ROLES, MODERATING_ROLES
from liveq.tweettext.readability import TARGET_GRADE, reading_grade
from liveq.web.audience import load_event
from liveq.web.auth import require_role
from liveq.web.responses import read_json_object

routes = web.RouteTableDef()

MAX_TEXTS = 100
MAX_CHARS = 5_000


def _grades(texts: list[str]) -> list[float | None]:
    return [reading_grade(t) for t in texts]


@routes.post("/api/v1/events/{slug}/reading-grade")
async def grades(request: web.Request) -> web.Response:
    """{"texts": [...]} -> {"grades": [8.2, null, ...], "target": 8}; null: too short."""
    event = await load_event(request)
    await require_role(request, event, MODERATING_ROLES | APPROVING_ROLES)
    data = await read_json_object(request)
    texts = data.get("texts")
    if not (
        isinstance(texts, list)
        and len(texts) <= MAX_TEXTS
        and all(isinstance(t, str) and len(t) <= MAX_CHARS for t in texts)
    ):
        raise web.HTTPBadRequest(
            text=f'Send {{"texts": [...]}}: up to {MAX_TEXTS} texts of up to {MAX_CHARS:,} '
            "characters each."
        )
    # In a thread: the first call loads the pronouncing dictionary (seconds).
    return web.json_response(
        {"grades": await asyncio.to_thread(_grades, texts), "target": TARGET_GRADE}
    )
