"""The one path every question takes, whatever its source: screen, store, announce."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from liveq.domain.events import Event
from liveq.domain.questions import Question, Status
from liveq.hub import Hub
from liveq.ingest.screener import ScreeningService
from liveq.storage.db import Database
from liveq.storage.store import NewQuestion, insert_question

# Text in, findings out (dicts with kind, start, end, reason). Pure. A
# ScreeningService is one too, and ingest also gives it the event and the author
# (near-duplicates of the event's questions, floods per author and IP address).
Screen = Callable[[str], Sequence[dict]]


def no_screening(text: str) -> Sequence[dict]:
    return ()


async def ingest(
    db: Database, hub: Hub, event: Event, new: NewQuestion, screen: Screen = no_screening
) -> Question | None:
    """Store one question and tell the consoles; None if this source_id was seen before.

    Findings never drop a question: they hold it for a moderator, even when the
    event shows questions without moderation.
    """
    if isinstance(screen, ScreeningService):
        screened = await screen.screen_question(db, event, new)
        findings = screened.findings
        question = None
        try:
            question = await _store(db, event, new, findings)
        finally:
            screened.stored(question)
    else:
        question = await _store(db, event, new, list(screen(new.text)))
    if question is not None:
        hub.question_changed(question)
    return question


async def _store(
    db: Database, event: Event, new: NewQuestion, findings: list[dict]
) -> Question | None:
    held = event.moderation == "pre" or bool(findings)
    status = Status.PENDING if held else Status.APPROVED
    return await insert_question(db, event, new, status, findings)
