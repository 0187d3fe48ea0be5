"""The one path every question takes, whatever its source: screen, store, announce."""

from __future__ import annotations

import dataclasses

from liveq.domain.events import Event
from liveq.domain.questions import Question, Status
from liveq.hub import Hub
from liveq.ingest.screener import Screener, no_screening
from liveq.screening import detect_language
from liveq.storage.db import Database
from liveq.storage.store import NewQuestion, insert_question


async def ingest(
    db: Database, hub: Hub, event: Event, new: NewQuestion, screen: Screener = no_screening
) -> Question | None:
    """Store one question and tell the consoles; None if this source_id was seen before.

    Findings never drop a question: they hold it for a moderator, even when the
    event shows questions without moderation.
    """
    screened = await screen.screen_question(db, event, new)
    if not new.lang:
        new = dataclasses.replace(new, lang=detect_language(new.text) or "")
    question = None
    try:
        question = await _store(db, event, new, screened.findings)
    finally:
        screened.stored(question)
    if question is not None:
        hub.question_changed(question)
    return question


async def _store(
    db: Database, event: Event, new: NewQuestion, findings: list[dict]
) -> Question | None:
    held = event.moderation == "pre" or bool(findings)
    status = Status.PENDING if held else Status.APPROVED
    return await insert_question(db, event, new, status, findings)
