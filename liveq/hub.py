"""Websocket fan-out: typed JSON events to every client watching an event.

Each event is encoded once per audience (moderators see everything, the public
and overlays see a projection). Each client has its own bounded queue and
sender task, so a slow phone never delays the others; a client whose queue
fills up is disconnected and resyncs from a fresh snapshot when it reconnects.

The common case skips the queue: a client that is keeping up (nothing queued,
nothing waiting in its socket's buffer) gets the frame written straight to its
transport, and that frame is built once for all such clients (server frames are
unmasked and uncompressed, so they are the same bytes for everyone). Waking one
sender task per client cost about twice what ``websockets.broadcast()`` spends
per client; see docs/performance.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import struct
from dataclasses import dataclass, field

from aiohttp import WSCloseCode, web

from liveq.domain.events import Event
from liveq.domain.questions import PUBLIC_STATUSES, Question

log = logging.getLogger(__name__)

MODERATOR = "moderator"
PUBLIC = "public"


def encode(message: dict) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def text_frame(text: str) -> bytes:
    """One unmasked, uncompressed websocket text frame (RFC 6455 5.2), as a server sends."""
    payload = text.encode("utf-8")
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x81, n)
    elif n < 65536:
        header = struct.pack("!BBH", 0x81, 126, n)
    else:
        header = struct.pack("!BBQ", 0x81, 127, n)
    return header + payload


def _raw_transport(ws: web.WebSocketResponse) -> asyncio.Transport | None:
    """The socket under an uncompressed server websocket, for writing whole frames to.

    None (so the client uses its queue and sender task) whenever aiohttp's internals
    are not as expected, or compression is on.
    """
    writer = getattr(ws, "_writer", None)
    if writer is None or getattr(writer, "compress", 1) or getattr(writer, "use_mask", True):
        return None
    transport = getattr(writer, "transport", None)
    return transport if isinstance(transport, asyncio.WriteTransport) else None


@dataclass(eq=False)
class Client:
    ws: web.WebSocketResponse
    event_id: int
    role: str  # MODERATOR or PUBLIC
    queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    overflowed: bool = False
    # Set while the sender task runs: before it starts (the snapshot is still being
    # sent), every message waits in the queue so none overtakes the snapshot.
    live: bool = False
    transport: asyncio.Transport | None = None

    async def pump(self) -> None:
        """Send queued messages in order until cancelled or the socket closes."""
        self.transport = _raw_transport(self.ws)
        self.live = True
        try:
            while True:
                text = await self.queue.get()
                if self.ws.closed:
                    return
                await self.ws.send_str(text)
        finally:
            self.live = False

    def send_now(self, frame: bytes) -> bool:
        """Write a prepared frame at once if this client is keeping up; else False.

        Keeping up: the sender task runs, nothing is queued (an item stays in the
        queue until the task takes it), nothing is waiting in the socket's buffer.
        Frames are written whole, so they never interleave with the task's.
        """
        transport = self.transport
        if (
            not self.live
            or transport is None
            or not self.queue.empty()
            or transport.get_write_buffer_size()
            or transport.is_closing()
            or self.ws.closed
        ):
            return False
        transport.write(frame)
        return True


class Hub:
    def __init__(self, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        self._clients: dict[int, set[Client]] = {}

    def connect(self, ws: web.WebSocketResponse, event: Event, role: str) -> Client:
        client = Client(ws, event.id, role, asyncio.Queue(self.queue_size))
        self._clients.setdefault(event.id, set()).add(client)
        return client

    def disconnect(self, client: Client) -> None:
        clients = self._clients.get(client.event_id)
        if clients is not None:
            clients.discard(client)
            if not clients:
                del self._clients[client.event_id]

    def count(self, event_id: int | None = None) -> int:
        if event_id is not None:
            return len(self._clients.get(event_id, ()))
        return sum(len(c) for c in self._clients.values())

    def publish(self, event_id: int, moderator: dict | None, public: dict | None) -> None:
        """Queue one message for each client of the event; encode each form once."""
        clients = self._clients.get(event_id)
        if not clients:
            return
        texts = {
            MODERATOR: encode(moderator) if moderator is not None else None,
            PUBLIC: encode(public) if public is not None else None,
        }
        frames: dict[str, bytes] = {}
        for client in list(clients):
            text = texts[client.role]
            if text is None:
                continue
            frame = frames.get(client.role)
            if frame is None:
                frame = frames[client.role] = text_frame(text)
            if client.send_now(frame):
                continue
            try:
                client.queue.put_nowait(text)
            except asyncio.QueueFull:
                self._drop(client)

    def _drop(self, client: Client) -> None:
        client.overflowed = True
        self.disconnect(client)
        log.warning("dropping a websocket client that fell %d messages behind", self.queue_size)
        # The client reconnects and gets a fresh snapshot; TRY_AGAIN_LATER tells it so.
        asyncio.get_running_loop().create_task(
            client.ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"too slow, resync")
        )

    def question_changed(self, question: Question) -> None:
        if question.event_id not in self._clients:
            return  # nobody watching: skip building the views
        public: dict
        if question.status in PUBLIC_STATUSES:
            public = {"type": "question", "question": question.public()}
        else:
            public = {"type": "question_removed", "id": question.id}
        self.publish(question.event_id, {"type": "question", "question": question.full()}, public)

    def event_changed(self, event: Event) -> None:
        self.publish(
            event.id,
            {"type": "event", "event": event.full()},
            {"type": "event", "event": event.public()},
        )

    async def close_all(self) -> None:
        """Close every socket with GOING_AWAY (server shutting down)."""
        clients = [c for cs in self._clients.values() for c in cs]
        self._clients.clear()
        await asyncio.gather(
            *(
                c.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")
                for c in clients
            ),
            return_exceptions=True,
        )
