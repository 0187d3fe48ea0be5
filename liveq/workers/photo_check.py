"""The photo checker: cleans uploads and checks each photo for faces and text, off the loop.

Cleaning (re-encoding without metadata) and checking (OCR, faces) take from a
fraction of a second to a few seconds of CPU for a 12-megapixel photo; they run
in a thread pool, so the server keeps answering meanwhile (Tesseract itself
runs as child processes; OpenCV and Pillow release the interpreter's lock).
Every photo waits as ``pending`` until checked: one left so by a restart is
checked at the next start. While a check runs, consoles get ``photo_check``
frames with its progress; at the end a ``procedure_changed``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor

from liveq.domain.procedure.images import DEFAULT_MAX_PIXELS
from liveq.domain.procedure.script import check_image
from liveq.screening.photos.clean import CleanPhoto, clean_photo
from liveq.screening.photos.findings import Box
from liveq.screening.photos.redact import redact_photo
from liveq.screening.rules import ScreeningRules
from liveq.storage import procedure as ps
from liveq.storage import store
from liveq.storage.db import Database

log = logging.getLogger(__name__)


def checked_and_cleaned(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> CleanPhoto:
    """What every upload goes through: validation first, then cleaning."""
    return clean_photo(data, check_image(data, max_pixels))


class PhotoChecker:
    def __init__(self, db: Database, hub, rules: ScreeningRules | None = None, threads: int = 2):
        self.db = db
        self.hub = hub
        self.rules = rules
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="liveq-photo")
        self._wake = asyncio.Event()
        self._stopping = False
        self.checking: dict[int, dict] = {}  # photo id -> its progress, for late pages

    def wake(self) -> None:
        self._wake.set()

    async def _off_loop(self, fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, functools.partial(fn, *args, **kwargs))

    async def clean(self, data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> CleanPhoto:
        """The upload checked (script.check_image: its bytes' real type, size and pixels),
        then re-encoded without its metadata (screening.photos.clean)."""
        return await self._off_loop(checked_and_cleaned, data, max_pixels)

    async def redact(self, data: bytes, media_type: str, regions: list[dict]) -> CleanPhoto:
        boxes = [(Box(*r["box"]), r["style"]) for r in regions]
        return await self._off_loop(redact_photo, data, media_type, boxes)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def close(self) -> None:
        self.stop()
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def run(self) -> None:
        if any(event.kind == "procedure" for event in await store.list_events(self.db)):
            from liveq.screening.photos import faces, ppocr  # only when needed

            await self._off_loop(faces.warm_up)
            await self._off_loop(ppocr.warm_up)
        while not self._stopping:
            try:
                for item in await ps.photos_to_check(self.db):
                    if self._stopping:
                        break
                    await self.check(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("photo check: unexpected error; trying again shortly")
                await asyncio.sleep(1)
            self._wake.clear()
            try:
                async with asyncio.timeout(5):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def _progress(self, loop, item: ps.PhotoToCheck, done: float, what: str) -> None:
        """From the checking thread: tell the event's consoles how far it is."""
        frame = {"type": "photo_check", "photo_id": item.photo_id, "done": round(done, 2),
                 "what": what}
        self.checking[item.photo_id] = frame
        loop.call_soon_threadsafe(self.hub.publish, item.event_id, frame, None)

    async def check(self, item: ps.PhotoToCheck) -> None:
        from liveq.screening.photos.scan import scan_photo  # numpy, OpenCV: only when needed

        loop = asyncio.get_running_loop()
        self._progress(loop, item, 0.0, "Checking the photo for faces and text")
        error = ""
        findings: list[dict] = []
        try:
            data, media_type = await ps.media_bytes(self.db, item.media_file_id)
            if not item.cleaned:
                cleaned = await self._off_loop(clean_photo, data, media_type)
                await ps.adopt_uncleaned(self.db, item, cleaned)
                data = cleaned.data
            progress = functools.partial(self._progress, loop, item)
            found = await self._off_loop(scan_photo, data, rules=self.rules, progress=progress)
            findings = [f.as_dict() for f in found]
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # OCR missing, a file Pillow cannot read...
            log.warning("photo check failed for photo %s: %s", item.photo_id, exc)
            error = str(exc) or type(exc).__name__
        finally:
            self.checking.pop(item.photo_id, None)
        await ps.finish_check(self.db, item, findings, error)
        self.hub.publish(item.event_id, {"type": "procedure_changed"}, None)
