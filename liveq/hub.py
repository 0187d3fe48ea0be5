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

Vote counts travel apart from everything else. A vote only marks its count as
changed; every ``vote_interval`` the hub sends each event's audience one small
``{"type": "votes", "counts": {id: n}}`` frame with the counts that changed
(moderators get theirs every ``moderator_vote_interval``). A client that is behind
does not queue vote frames: its pending counts are merged, newer values replacing
older ones, and sent as one frame when it catches up. So control frames (on air,
answered, approved, removed) never wait behind vote traffic, and the work per vote
does not grow with the audience.

Poll results travel the same way: an answer only marks its key's count as
changed, and each interval one ``{"type": "poll_counts", "polls": {poll: {key: n}}}``
frame carries what changed. The public gets a poll's counts only while the
moderator shows its results; moderators always.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import WSCloseCode, web

from liveq.domain.events import Event
from liveq.domain.polls import Poll
from liveq.domain.questions import PUBLIC_STATUSES, Question

log = logging.getLogger(__name__)

MODERATOR = "moderator"
# The overlay's presenter view: the public's messages, plus the timer and backstage
# messages the program overlay and the audience never get.
PRESENTER = "presenter"
# Clients written to per turn of the event loop when a change goes to a large audience.
FANOUT_SLICE = 500
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


# In a client's queue: "send the vote counts pending for you now".
_VOTES: str = object()  # type: ignore[assignment]  # compared by identity only
# In a client's queue: "send the poll counts pending for you now".
_POLLS: str = object()  # type: ignore[assignment]


@dataclass(eq=False)
class Client:
    ws: web.WebSocketResponse
    event_id: int
    role: str  # MODERATOR, PRESENTER or PUBLIC
    queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    overflowed: bool = False
    # Counts this client has not been sent yet (only while it is behind): the
    # latest value per question, superseded ones dropped.
    pending_votes: dict[int, int] = field(default_factory=dict)
    # The same for poll counts: poll -> key -> latest count.
    pending_polls: dict[int, dict[str, int]] = field(default_factory=dict)
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
                if text is _VOTES:
                    if not self.pending_votes:
                        continue
                    text = votes_message(self.pending_votes)
                    self.pending_votes = {}
                elif text is _POLLS:
                    if not self.pending_polls:
                        continue
                    text = polls_message(self.pending_polls)
                    self.pending_polls = {}
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


    def add_votes(self, counts: dict[int, int]) -> bool:
        """Merge counts to send when the client catches up; False if it is hopeless."""
        if not self.pending_votes:
            try:
                self.queue.put_nowait(_VOTES)
            except asyncio.QueueFull:
                return False
        self.pending_votes.update(counts)
        return True

    def add_polls(self, polls: dict[int, dict[str, int]]) -> bool:
        """As add_votes, for poll counts."""
        if not self.pending_polls:
            try:
                self.queue.put_nowait(_POLLS)
            except asyncio.QueueFull:
                return False
        for poll_id, counts in polls.items():
            self.pending_polls.setdefault(poll_id, {}).update(counts)
        return True


# As a presenter's form of a message: "the same as the public's".
AS_PUBLIC: dict = {}  # compared by identity only


def votes_message(counts: dict[int, int]) -> str:
    return encode({"type": "votes", "counts": {str(k): v for k, v in counts.items()}})


def polls_message(polls: dict[int, dict[str, int]]) -> str:
    return encode({"type": "poll_counts", "polls": {str(k): v for k, v in polls.items()}})


class Hub:
    def __init__(
        self,
        queue_size: int = 256,
        *,
        vote_interval: float = 1.0,
        moderator_vote_interval: float = 0.25,
    ) -> None:
        self.queue_size = queue_size
        self.vote_interval = vote_interval
        self.moderator_vote_interval = moderator_vote_interval
        self.fanout_slice = FANOUT_SLICE
        self._clients: dict[int, set[Client]] = {}
        # The latest vote count this process knows per event and question; sent to
        # a client that joins after its snapshot, which may be older.
        self._counts: dict[int, dict[int, int]] = {}
        # Counts changed since they were last sent, per role.
        self._changed: dict[str, dict[int, dict[int, int]]] = {
            MODERATOR: {},
            PRESENTER: {},
            PUBLIC: {},
        }
        # The same for polls: event -> poll -> key -> count; and per event the polls
        # whose results the public is shown.
        self._poll_counts: dict[int, dict[int, dict[str, int]]] = {}
        self._poll_changed: dict[str, dict[int, dict[int, dict[str, int]]]] = {
            MODERATOR: {},
            PRESENTER: {},
            PUBLIC: {},
        }
        self._poll_public: dict[int, set[int]] = {}
        # Bumped by every change except votes: a snapshot built at one generation
        # is current while the generation stays the same.
        self._generation: dict[int, int] = {}
        # Deliveries to large audiences still being written, oldest first.
        self._backlog: deque[tuple[list[Client], Callable[[Client], None]]] = deque()
        self._fanout: asyncio.Task[None] | None = None

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

    def generation(self, event_id: int) -> int:
        return self._generation.get(event_id, 0)

    def _bump(self, event_id: int) -> None:
        self._generation[event_id] = self._generation.get(event_id, 0) + 1

    @property
    def accepting(self) -> bool:
        """Whether new sockets may join (a process cut off from the others may not)."""
        return True

    def count(self, event_id: int | None = None) -> int:
        if event_id is not None:
            return len(self._clients.get(event_id, ()))
        return sum(len(c) for c in self._clients.values())

    def publish(
        self,
        event_id: int,
        moderator: dict | None,
        public: dict | None,
        presenter: dict | None = AS_PUBLIC,
    ) -> None:
        """Send a message to each client of the event (moderators', the public's form;
        the presenter view's, the public's unless given)."""
        self.fan_out(event_id, moderator, public, presenter)

    def fan_out(
        self,
        event_id: int,
        moderator: dict | None,
        public: dict | None,
        presenter: dict | None = AS_PUBLIC,
    ) -> None:
        """Queue one message for each client of this process; encode each form once."""
        clients = self._clients.get(event_id)
        if not clients:
            return
        texts = {
            MODERATOR: encode(moderator) if moderator is not None else None,
            PUBLIC: encode(public) if public is not None else None,
        }
        if presenter is AS_PUBLIC:
            texts[PRESENTER] = texts[PUBLIC]
        else:
            texts[PRESENTER] = encode(presenter) if presenter is not None else None
        frames: dict[str, bytes] = {}
        for role, text in texts.items():
            if text is not None:
                frames[role] = text_frame(text)

        def send(client: Client) -> None:
            text = texts[client.role]
            if text is None or client.send_now(frames[client.role]):
                return
            try:
                client.queue.put_nowait(text)
            except asyncio.QueueFull:
                self._drop(client)

        self._deliver(list(clients), send)

    def _deliver(self, clients: list[Client], send: Callable[[Client], None]) -> None:
        """Run `send` for each client, after every delivery before it.

        A large audience is served in slices, the event loop answering requests
        (votes, the moderator's own call) between them: writing a frame to 5,000
        sockets takes about 0.1 s of the loop, and nothing else ran meanwhile.
        """
        if not self._backlog and len(clients) <= self.fanout_slice:
            for client in clients:
                send(client)
            return
        self._backlog.append((clients, send))
        if self._fanout is None or self._fanout.done():
            self._fanout = asyncio.get_running_loop().create_task(
                self._drain(), name="liveq-hub-fanout"
            )

    async def _drain(self) -> None:
        while self._backlog:
            clients, send = self._backlog[0]
            step = self.fanout_slice
            for start in range(0, len(clients), step):
                for client in clients[start : start + step]:
                    if not client.overflowed:
                        send(client)
                await asyncio.sleep(0)
            self._backlog.popleft()

    def _drop(self, client: Client) -> None:
        if client.overflowed:
            return  # dropped already (a later slice of the same delivery)
        client.overflowed = True
        self.disconnect(client)
        log.warning("dropping a websocket client that fell %d messages behind", self.queue_size)
        # The client reconnects and gets a fresh snapshot; TRY_AGAIN_LATER tells it so.
        asyncio.get_running_loop().create_task(
            client.ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"too slow, resync")
        )

    def question_changed(self, question: Question) -> None:
        self._bump(question.event_id)
        if question.event_id not in self._clients:
            return  # nobody watching: skip building the views
        public = question.public() if question.status in PUBLIC_STATUSES else None
        self.question_views(question.event_id, question.id, question.full(), public)

    def question_views(
        self, event_id: int, question_id: int, full: dict, public: dict | None
    ) -> None:
        """Send a question's views (``public`` None: the public no longer sees it)."""
        known = self._counts.get(event_id, {}).get(question_id)
        if known is not None and known > full["votes"]:
            # A vote counted after this question was read: never show a count go back.
            full = {**full, "votes": known}
            if public is not None:
                public = {**public, "votes": known}
        self.fan_out(
            event_id,
            {"type": "question", "question": full},
            {"type": "question", "question": public}
            if public is not None
            else {"type": "question_removed", "id": question_id},
        )

    # -- votes -----------------------------------------------------------------------

    def vote_counted(self, event_id: int, question_id: int, votes: int) -> None:
        """A vote was stored; its count goes out with the next votes frame."""
        counts = self._counts.setdefault(event_id, {})
        if counts.get(question_id, -1) >= votes:
            return  # an older count arriving late
        counts[question_id] = votes
        if event_id not in self._clients:
            return
        for changed in self._changed.values():
            changed.setdefault(event_id, {})[question_id] = votes

    def counts_message(self, event_id: int) -> str | None:
        """Every count this process knows for the event (for a client that just joined)."""
        counts = self._counts.get(event_id)
        return votes_message(counts) if counts else None

    # -- polls -------------------------------------------------------------------------

    def poll_changed(self, poll: Poll) -> None:
        self.poll_views(poll.event_id, poll.id, poll.full(), poll.public())

    def poll_views(self, event_id: int, poll_id: int, full: dict, public: dict | None) -> None:
        """Send a poll's views (``public`` None: a draft, which the public does not see)."""
        self._bump(event_id)
        shown = self._poll_public.setdefault(event_id, set())
        if public is not None and public.get("results_visible"):
            shown.add(poll_id)
        else:
            shown.discard(poll_id)
            for role in (PUBLIC, PRESENTER):
                self._poll_changed[role].get(event_id, {}).pop(poll_id, None)
        known = self._poll_counts.get(event_id, {}).get(poll_id)
        if known:
            # An answer counted after this poll was read: never show a count go back.
            full = {**full, "counts": _newest(full.get("counts", {}), known)}
            if public is not None and "counts" in public:
                public = {**public, "counts": _newest(public["counts"], known)}
        if event_id not in self._clients:
            return
        self.fan_out(
            event_id,
            {"type": "poll", "poll": full},
            {"type": "poll", "poll": public}
            if public is not None
            else {"type": "poll_removed", "id": poll_id},
        )

    def poll_removed(self, event_id: int, poll_id: int) -> None:
        """A draft was deleted: only moderators saw it."""
        self._bump(event_id)
        self.fan_out(event_id, {"type": "poll_removed", "id": poll_id}, None)

    def poll_counted(
        self, event_id: int, poll_id: int, key: str, count: int, public: bool = False
    ) -> None:
        """An answer was stored; its count goes out with the next poll_counts frame.

        `public`: the poll's results were shown when the answer read it (this process may
        have started since they were shown, and not know it from a poll change).
        """
        counts = self._poll_counts.setdefault(event_id, {}).setdefault(poll_id, {})
        if counts.get(key, -1) >= count:
            return  # an older count arriving late
        counts[key] = count
        if event_id not in self._clients:
            return
        roles = [MODERATOR]
        if public or poll_id in self._poll_public.get(event_id, ()):
            roles += [PUBLIC, PRESENTER]
        for role in roles:
            self._poll_changed[role].setdefault(event_id, {}).setdefault(poll_id, {})[key] = count

    def poll_counts_message(self, event_id: int, role: str) -> str | None:
        """The poll counts this process knows that a client of `role` may see."""
        polls = self._poll_counts.get(event_id)
        if not polls:
            return None
        if role != MODERATOR:
            shown = self._poll_public.get(event_id, set())
            polls = {p: c for p, c in polls.items() if p in shown}
        return polls_message(polls) if polls else None

    def flush_polls(self, role: str) -> None:
        """Send each event's changed poll counts to its clients of `role`, one frame each."""
        changed, self._poll_changed[role] = self._poll_changed[role], {}
        for event_id, polls in changed.items():
            clients = [c for c in self._clients.get(event_id, ()) if c.role == role]
            if not clients or not polls:
                continue
            frame = text_frame(polls_message(polls))

            def send(client: Client, frame: bytes = frame, polls: dict = polls) -> None:
                if not client.send_now(frame) and not client.add_polls(polls):
                    self._drop(client)

            self._deliver(clients, send)

    def flush_votes(self, role: str) -> None:
        """Send each event's changed counts to its clients of `role`, one frame each."""
        changed, self._changed[role] = self._changed[role], {}
        for event_id, counts in changed.items():
            clients = [c for c in self._clients.get(event_id, ()) if c.role == role]
            if not clients:
                continue
            frame = text_frame(votes_message(counts))

            def send(client: Client, frame: bytes = frame, counts: dict = counts) -> None:
                if not client.send_now(frame) and not client.add_votes(counts):
                    self._drop(client)

            self._deliver(clients, send)

    async def run(self) -> None:
        """Send the vote frames on their intervals, until cancelled."""
        ticks_per_public = max(1, round(self.vote_interval / self.moderator_vote_interval))
        tick = 0
        while True:
            await asyncio.sleep(self.moderator_vote_interval)
            tick += 1
            try:
                self.flush_votes(MODERATOR)
                self.flush_polls(MODERATOR)
                if tick % ticks_per_public == 0:
                    self.flush_votes(PUBLIC)
                    self.flush_votes(PRESENTER)
                    self.flush_polls(PUBLIC)
                    self.flush_polls(PRESENTER)
            except Exception:
                log.exception("hub: sending vote counts failed; trying again next tick")

    def event_changed(self, event: Event) -> None:
        self.event_views(event.id, event.full(), event.public())

    def event_views(self, event_id: int, full: dict, public: dict) -> None:
        self._bump(event_id)
        self.fan_out(event_id, {"type": "event", "event": full}, {"type": "event", "event": public})

    def close_public(self, event_id: int, slug: str) -> int:
        """Close the event's public sockets (its overlay key changed); how many here."""
        return self.close_public_here(event_id)

    def close_public_here(self, event_id: int) -> int:
        # The presenter view opens with the same key.
        clients = [c for c in self._clients.get(event_id, ()) if c.role != MODERATOR]
        for client in clients:
            self.disconnect(client)
            client.overflowed = True
            asyncio.get_running_loop().create_task(
                client.ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"overlay key changed")
            )
        return len(clients)

    def resync(self, event_id: int | None = None) -> None:
        """Close the sockets of one event (or all): each reconnects to a fresh snapshot.

        For a process that may have missed changes (the bus between processes
        lost messages); a socket told TRY_AGAIN_LATER reconnects at once.
        """
        events = [event_id] if event_id is not None else list(self._clients)
        for eid in events:
            self._bump(eid)
            for client in list(self._clients.get(eid, ())):
                self.disconnect(client)
                client.overflowed = True  # nothing more is written to it
                asyncio.get_running_loop().create_task(
                    client.ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"resync")
                )

    async def close_all(self) -> None:
        """Close every socket with GOING_AWAY (server shutting down)."""
        clients = [c for cs in self._clients.values() for c in cs]
        self._clients.clear()
        self._backlog.clear()
        if self._fanout is not None:
            self._fanout.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._fanout
        await asyncio.gather(
            *(
                c.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")
                for c in clients
            ),
            return_exceptions=True,
        )


def _newest(counts: dict[str, int], known: dict[str, int]) -> dict[str, int]:
    merged = dict(counts)
    for key, n in known.items():
        if n > merged.get(key, -1):
            merged[key] = n
    return merged
