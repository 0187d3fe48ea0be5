"""The X hashtag source: one polling task per event, and a supervisor that runs them.

Each poller calls recent search (tweepy ``AsyncClient.search_recent_tweets``,
unmodified, app auth with the bearer token) for ``#hashtag -is:retweet
-from:<our account>``, follows ``next_token`` through every page, and hands
each post to :func:`liveq.ingest.pipeline.ingest` as a question (``source="x"``,
``source_id`` = the post id, so a post is stored once however often it is
read, across restarts too).

Where it got to is persisted in ``x_sources`` (:mod:`liveq.storage.x_sources`):
``since_id`` is the ``meta.newest_id`` of a poll's *first* page and is saved
only after every page of that poll has been ingested, so a crash mid-poll
re-reads instead of skipping. Reads are counted page by page as X returns
them: X charges per post read, each event has a read budget, and polling
stops before a request could go past it.

The interval adapts to X's ``x-rate-limit-*`` headers (the window is shared
by every poller of the app): it spreads the remaining requests over the time
to the reset, waits for the reset after a 429 (tweepy's own
``wait_on_rate_limit`` is never used: it retries a 429 without a reset at
once, forever), backs off exponentially on 5xx, timeouts and network errors
(resuming the same page, so nothing is read twice), and stops an event's
poller with a clear ``last_error`` on 400/401/403/404, which retrying will not
fix.

The filtered stream (``AsyncStreamingClient``) is not implemented: recent
search works on every paid tier, and the emulator has no stream endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
import tweepy.errors
from tweepy.asynchronous import AsyncClient

from liveq.domain.events import Event
from liveq.domain.invisible import strip_invisible
from liveq.hub import Hub
from liveq.ingest.pipeline import ingest
from liveq.ingest.screener import Screener
from liveq.networks.x.client import XClient
from liveq.networks.x.settings import XSettings
from liveq.storage import store
from liveq.storage import x_sources as x_state
from liveq.storage.db import Database
from liveq.storage.fences import Fence, Fenced, claim
from liveq.storage.store import NewQuestion

log = logging.getLogger(__name__)

#: X's bounds for ``max_results`` on recent search.
MIN_RESULTS, MAX_RESULTS = 10, 100
#: Seconds added to ``x-rate-limit-reset`` (whole seconds, possibly rounded down).
RESET_MARGIN = 1.0
#: Never wait longer than this for a reset (a wrong clock or header).
MAX_RESET_WAIT = 16 * 60.0
#: Ceiling for the error backoff.
MAX_BACKOFF = 300.0
#: How often the supervisor looks for new or changed events, at most.
RECHECK_SECONDS = 3.0


# -- pure helpers ------------------------------------------------------------------


def search_query(hashtag: str, own_username: str = "") -> str:
    """The recent-search query: the hashtag, no retweets, not our own posts."""
    query = f"#{hashtag} -is:retweet"
    if own_username:
        query += f" -from:{own_username}"
    return query


_LEADING_MENTIONS = re.compile(r"^(?:\s*@\w{1,15}\b)+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def question_text(text: str, hashtag: str, max_chars: int) -> str:
    """A post as a readable question: no event hashtag, no leading @-replies, no
    control or invisible characters (outside emoji sequences), one space between
    words; "" when nothing is left. Too long is cut with an ellipsis."""
    # X escapes these three in post text.
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = strip_invisible(_CONTROLS.sub("", text))
    text = re.sub(rf"(?<![\w&])#{re.escape(hashtag)}(?!\w)", " ", text, flags=re.IGNORECASE)
    text = _LEADING_MENTIONS.sub("", text)
    text = " ".join(text.split())
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text


def parse_time(value: str | None) -> float | None:
    """X's ``2026-03-01T12:00:00.000Z`` as epoch seconds."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True)
class RateInfo:
    """X's ``x-rate-limit-*`` headers of one response."""

    limit: int | None
    remaining: int | None
    reset: float | None  # epoch seconds

    @classmethod
    def from_headers(cls, headers: Any) -> RateInfo:
        def number(name: str) -> int | None:
            raw = headers.get(name) if headers is not None else None
            try:
                return int(raw) if raw is not None else None
            except (TypeError, ValueError):
                return None

        reset = number("x-rate-limit-reset")
        return cls(number("x-rate-limit-limit"), number("x-rate-limit-remaining"), reset)


def next_delay(base: float, rate: RateInfo | None, now: float, pollers: int = 1) -> float:
    """Seconds until the next poll: ``base``, or slower so that every poller
    together spreads the requests left in X's window over the time to its reset."""
    if rate is None or rate.remaining is None or rate.reset is None:
        return base
    reset_in = min(max(0.0, rate.reset - now), MAX_RESET_WAIT)
    if rate.remaining <= 0:
        return max(base, reset_in + RESET_MARGIN)
    return max(base, reset_in * max(1, pollers) / rate.remaining)


def backoff_delay(base: float, failures: int) -> float:
    """Exponential: base, 2·base, 4·base … capped (at least 1 s apart after a few)."""
    return min(MAX_BACKOFF, max(base, 0.05) * 2 ** max(0, failures - 1))


def budget_left(reads_used: int, budget: int) -> int:
    return max(0, budget - reads_used)


def budget_reached(reads_used: int, budget: int) -> bool:
    """True when one more request (at least MIN_RESULTS posts) could pass the budget."""
    return budget_left(reads_used, budget) < MIN_RESULTS


# -- shared state: X's rate window is per app, not per event -------------------------


class RateGate:
    """The latest rate headers seen by any poller, and "nobody calls before T"."""

    def __init__(self) -> None:
        self.latest: RateInfo | None = None
        self.blocked_until = 0.0

    def note(self, rate: RateInfo) -> None:
        if rate.remaining is not None:
            self.latest = rate
        if rate.remaining == 0 and rate.reset is not None:
            self.block_until(rate.reset + RESET_MARGIN)

    def block_until(self, when: float) -> None:
        self.blocked_until = max(self.blocked_until, min(when, time.time() + MAX_RESET_WAIT))

    async def wait(self) -> None:
        # Called before every request; a block extended meanwhile shows up as a 429.
        delay = self.blocked_until - time.time()
        if delay > 0:
            await asyncio.sleep(delay)


@dataclass
class Runtime:
    """What a poller is doing now (not persisted; the row in x_sources is)."""

    state: str = "idle"  # idle, polling, waiting, rate_limited, backoff, stopped, budget
    message: str = ""
    next_poll_at: float | None = None
    stopped_error: str = ""  # set when polling stopped for a reason retrying won't fix
    failures: int = 0


class StopPolling(Exception):
    """X refused in a way that retrying will not fix; the message says what to do."""


@dataclass
class _Poll:
    """One poll in progress: kept across retries so a failed page is asked again."""

    since_id: str | None
    newest_id: str | None = None
    next_token: str | None = None
    pages: int = 0
    tweets: list[tuple[dict, str]] = field(default_factory=list)  # (post, author handle)
    fetched: bool = False  # every page read (or the budget ended the poll)
    complete: bool = False  # every page read: since_id may move to newest_id


class _StalePage(Exception):
    """X refused a next_token we kept across a wait (it may have expired)."""


# -- one event's poller ------------------------------------------------------------------


class HashtagPoller:
    def __init__(self, sup: XPollers, event: Event) -> None:
        self.sup = sup
        self.event_id = event.id
        self.slug = event.slug
        self.hashtag = event.hashtag
        self.rt = sup.runtime(event.id)
        self._poll: _Poll | None = None

    @property
    def settings(self) -> XSettings:
        return self.sup.settings

    async def run(self) -> None:
        rt = self.rt
        rt.stopped_error = ""
        rt.failures = 0
        try:
            while True:
                await self.sup.gate.wait()
                row = await x_state.get(self.sup.db, self.event_id)
                if budget_reached(row.reads_used, self.settings.read_budget):
                    await self._stop_for_budget(row)
                    return
                rt.state, rt.message, rt.next_poll_at = "polling", "", None
                try:
                    await self.poll_once(row)
                except StopPolling as exc:
                    # The row first: whoever sees "stopped" also sees why.
                    await x_state.set_error(self.sup.db, self.event_id, str(exc))
                    rt.state, rt.stopped_error, rt.next_poll_at = "stopped", str(exc), None
                    await self.sup.publish(self.event_id)
                    log.warning("X hashtag source for %s stopped: %s", self.slug, exc)
                    return
                except asyncio.CancelledError:
                    raise
                except Fenced as exc:
                    # Another process holds the pollers now; what was read here and not
                    # recorded is read again there (questions are kept once per post).
                    self.sup.fenced = True
                    log.warning("X hashtag poller for %s stopped, fenced out: %s", self.slug, exc)
                    return
                except Exception as exc:  # noqa: BLE001 - every other failure is retried
                    delay = await self._failed(exc)
                else:
                    rt.failures = 0
                    delay = next_delay(
                        self.sup.interval, self.sup.gate.latest, time.time(), self.sup.active()
                    )
                    rt.state, rt.message = "waiting", ""
                    row = await x_state.get(self.sup.db, self.event_id)
                    if budget_reached(row.reads_used, self.settings.read_budget):
                        await self._stop_for_budget(row)
                        return
                rt.next_poll_at = time.time() + delay
                await self.sup.publish(self.event_id)
                await asyncio.sleep(delay)
        finally:
            if rt.state not in ("stopped", "budget"):
                rt.state, rt.next_poll_at = "idle", None

    async def _stop_for_budget(self, row: x_state.SourceRow) -> None:
        rt = self.rt
        rt.state, rt.next_poll_at = "budget", None
        spend = row.reads_used * self.settings.cost_per_read_usd
        rt.message = (
            f"Read budget reached: {row.reads_used:,} of {self.settings.read_budget:,} reads "
            f"used (about ${spend:,.2f}); polling stopped."
        )
        await self.sup.publish(self.event_id)

    async def _failed(self, exc: Exception) -> float:
        """Record a transient failure; return how long to wait before the retry."""
        rt = self.rt
        now = time.time()
        if isinstance(exc, tweepy.errors.TooManyRequests):
            rate = RateInfo.from_headers(getattr(exc.response, "headers", None))
            if rate.reset is not None:
                until = min(rate.reset + RESET_MARGIN, now + MAX_RESET_WAIT)
                self.sup.gate.block_until(until)
                delay = max(0.0, until - now)
                message = f"Rate limited by X (429); waiting {delay:.0f} s for the reset."
            else:
                # No reset header: never retry at once (tweepy would, forever).
                rt.failures += 1
                delay = backoff_delay(max(self.sup.interval, 5.0), rt.failures)
                message = f"Rate limited by X (429, no reset time); retrying in {delay:.0f} s."
            state = "rate_limited"
        else:
            rt.failures += 1
            delay = backoff_delay(self.sup.interval, rt.failures)
            if isinstance(exc, tweepy.errors.HTTPException):
                what = f"X answered {exc.response.status}"
                detail = "; ".join(exc.api_messages)[:200]
                what += f" ({detail})" if detail else ""
            elif isinstance(exc, TimeoutError):
                what = "X did not answer in time"
            elif isinstance(exc, aiohttp.ClientError | OSError):
                what = f"Could not reach X ({type(exc).__name__})"
            else:
                log.exception("hashtag poller for %s failed", self.slug, exc_info=exc)
                what = f"Unexpected error ({type(exc).__name__})"
            message = f"{what}; retrying in {delay:.1f} s (attempt {rt.failures + 1})."
            state = "backoff"
        await x_state.set_error(self.sup.db, self.event_id, message)
        rt.state, rt.message = state, message
        return delay

    async def poll_once(self, row: x_state.SourceRow) -> None:
        """Read every page newer than since_id, ingest it, then move since_id."""
        poll = self._poll
        if poll is None or poll.since_id != row.since_id:
            poll = self._poll = _Poll(since_id=row.since_id)
        budget = self.settings.read_budget
        reads_used = row.reads_used
        while not poll.fetched:
            left = budget_left(reads_used, budget)
            if left < MIN_RESULTS:
                # The budget ends this poll part-way: ingest what we have, keep since_id.
                poll.fetched = True
                break
            max_results = max(MIN_RESULTS, min(self.sup.max_results, left))
            try:
                payload = await self._search(poll, max_results)
            except _StalePage:
                log.warning("X refused a saved next_token for %s; starting over", self.slug)
                poll.fetched = True
                break
            posts = payload.get("data") or []
            meta = payload.get("meta") or {}
            if posts:
                reads_used += len(posts)
                await x_state.add_reads(self.sup.db, self.event_id, len(posts), self.sup.fence)
            users = {
                u.get("id"): u.get("username", "")
                for u in (payload.get("includes") or {}).get("users") or []
            }
            poll.tweets.extend((p, users.get(p.get("author_id"), "")) for p in posts)
            if poll.pages == 0:
                poll.newest_id = meta.get("newest_id")
            poll.pages += 1
            poll.next_token = meta.get("next_token")
            if not poll.next_token:
                poll.fetched = poll.complete = True
        await self._commit(poll)

    async def _search(self, poll: _Poll, max_results: int) -> dict:
        await self.sup.gate.wait()
        kwargs: dict[str, Any] = {
            "max_results": max_results,
            "expansions": ["author_id"],
            "user_fields": ["username", "name"],
            "tweet_fields": ["created_at", "author_id"],
            "user_auth": self.sup.user_auth,
        }
        if poll.since_id:
            kwargs["since_id"] = poll.since_id
        if poll.next_token:
            kwargs["next_token"] = poll.next_token
        query = search_query(self.hashtag, self.sup.own_username)
        try:
            resp = await self.sup.search.search_recent_tweets(query, **kwargs)
        except tweepy.errors.TooManyRequests as exc:
            self.sup.gate.note(RateInfo.from_headers(exc.response.headers))
            raise
        except tweepy.errors.HTTPException as exc:
            status = exc.response.status
            if status == 400 and poll.next_token:
                raise _StalePage from exc
            if status in _REFUSALS:
                raise StopPolling(_refusal(exc)) from exc
            raise
        self.sup.gate.note(RateInfo.from_headers(resp.headers))
        payload = await resp.json()
        if not isinstance(payload, dict):
            raise ValueError("X answered something that is not a JSON object")
        return payload

    async def _commit(self, poll: _Poll) -> None:
        # Shielded: a pause or shutdown arriving now waits for the posts already
        # paid for to be stored (and announced) instead of dropping them.
        task = asyncio.ensure_future(self._ingest_all(poll))
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await task
            raise

    async def _ingest_all(self, poll: _Poll) -> None:
        sup = self.sup
        event = await store.get_event(sup.db, self.slug)
        if event is None:
            return
        own = sup.own_username.lower()
        # Oldest first, so question numbers follow the order people asked in.
        for post, handle in sorted(poll.tweets, key=lambda pt: int(pt[0]["id"])):
            if own and handle.lower() == own:
                continue
            await self._ingest_one(event, post, handle)
        self._poll = None
        newest = poll.newest_id if poll.complete else None
        await x_state.finish_poll(sup.db, self.event_id, newest, sup.fence)

    async def _ingest_one(self, event: Event, post: dict, handle: str) -> None:
        sup = self.sup
        text = question_text(str(post.get("text", "")), self.hashtag, sup.max_chars)
        if not text:
            return
        tweet_id = str(post["id"])
        new = NewQuestion(
            text=text,
            author=f"@{handle}" if handle else "",
            source="x",
            source_id=tweet_id,
            source_url=f"https://x.com/{handle or 'i'}/status/{tweet_id}",
            created_at=parse_time(post.get("created_at")),
        )
        await ingest(sup.db, sup.hub, event, new, sup.screen)


#: Answers that retrying will not change: stop the event's poller and say why.
_REFUSALS = {
    400: "X did not accept the search (check the event's hashtag).",
    401: "X refused the credentials: check LIVEQ_X_BEARER_TOKEN.",
    402: "X says the account has no credit left for reads.",
    403: "X refused the search: check the app's access tier and credentials.",
    404: "X has no search endpoint at this address.",
}


def _refusal(exc: tweepy.errors.HTTPException) -> str:
    status = exc.response.status
    detail = "; ".join(exc.api_messages)[:300]
    hint = _REFUSALS.get(status, "X refused the search.")
    text = f"{hint} ({status}{': ' + detail if detail else ''})"
    return text + " Polling stopped; fix it and press Resume."


# -- the supervisor ----------------------------------------------------------------------


class XPollers:
    """Runs one :class:`HashtagPoller` per event that has a hashtag, takes
    questions, is not paused and has read budget left; re-checks the events
    table every few seconds, so events created while the server runs are picked up."""

    def __init__(
        self,
        *,
        db: Database,
        hub: Hub,
        client: XClient,
        settings: XSettings,
        screen: Screener,
        max_chars: int,
    ) -> None:
        self.db = db
        self.hub = hub
        self.client = client
        self.settings = settings
        self.screen = screen
        self.max_chars = max_chars
        self.interval = (
            settings.poll_interval_ms / 1000
            if settings.poll_interval_ms > 0
            else float(settings.poll_interval_seconds)
        )
        self.max_results = max(MIN_RESULTS, min(MAX_RESULTS, settings.search_max_results))
        self.recheck = max(0.05, min(RECHECK_SECONDS, self.interval))
        bearer = client.credentials.bearer_token
        # App auth (the bearer token) when we have one; the account's OAuth 1.0a otherwise.
        self.user_auth = not bearer
        # tweepy unmodified, on the XClient's session; raw responses for the rate headers.
        self.search = AsyncClient(
            bearer_token=bearer,
            consumer_key=client.credentials.consumer_key,
            consumer_secret=client.credentials.consumer_secret,
            access_token=client.credentials.access_token,
            access_token_secret=client.credentials.access_token_secret,
            return_type=aiohttp.ClientResponse,
            wait_on_rate_limit=False,
        )
        self.search.session = client.session
        self.own_username = settings.username.lstrip("@")
        self.gate = RateGate()
        self.tasks: dict[int, tuple[str, asyncio.Task[None]]] = {}
        self._runtime: dict[int, Runtime] = {}
        self._wake = asyncio.Event()
        # reconcile, pause and resume start and stop tasks: one at a time.
        self._lock = asyncio.Lock()
        self._main: asyncio.Task[None] | None = None
        self.fence: Fence | None = None  # this holder's lease token (a cluster)
        self.fenced = False  # a newer holder has started: nothing more is polled here

    # -- lifecycle ----------------------------------------------------------

    def start(self, fence: Fence | None = None) -> None:
        """Start polling; under a lease (a cluster) with its holder's `fence`."""
        self.fence = fence
        self._main = asyncio.create_task(self._supervise(), name="liveq-x-pollers")

    async def close(self) -> None:
        tasks = [t for _, t in self.tasks.values()]
        if self._main is not None:
            tasks.append(self._main)
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                log.error("X poller ended with an error", exc_info=result)
        self.tasks.clear()

    def wake(self) -> None:
        self._wake.set()

    async def _supervise(self) -> None:
        try:
            await claim(self.db, self.fence)  # older holders' cursor writes refused from now
        except Fenced as exc:
            log.warning("X pollers: not started, fenced out: %s", exc)
            return
        if not self.own_username:
            await self._learn_username()
        while True:
            try:
                await self.reconcile()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("X poller supervisor: could not check the events")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.recheck):
                    await self._wake.wait()

    async def _learn_username(self) -> None:
        """Without x.username we ask X who we are, to keep our own posts out."""
        try:
            me = await self.client.api.get_me(user_auth=True)
            self.own_username = me.data.username
        except Exception as exc:  # noqa: BLE001
            log.warning("could not ask X for the account's handle (%s); set x.username", exc)

    # -- what should run -----------------------------------------------------

    def runtime(self, event_id: int) -> Runtime:
        return self._runtime.setdefault(event_id, Runtime())

    def active(self) -> int:
        return sum(1 for _, t in self.tasks.values() if not t.done()) or 1

    def not_polling_because(self, event: Event, row: x_state.SourceRow) -> str | None:
        """Why this event has no poller, or None if it should have one."""
        rt = self.runtime(event.id)
        if not event.hashtag:
            return "No hashtag is set for this event."
        if not event.uses("x"):
            return "This event does not use X (its networks leave X out)."
        if row.paused:
            return "Paused by a moderator."
        if budget_reached(row.reads_used, self.settings.read_budget):
            spend = row.reads_used * self.settings.cost_per_read_usd
            return (
                f"Read budget reached: {row.reads_used:,} of {self.settings.read_budget:,} reads "
                f"used (about ${spend:,.2f}); polling stopped."
            )
        if rt.stopped_error:
            return f"Stopped: {rt.stopped_error}"
        if not event.accepting:
            return "Not polling: the event is not taking questions."
        return None

    async def reconcile(self) -> None:
        async with self._lock:
            await self._reconcile()

    async def _reconcile(self) -> None:
        if self.fenced:
            return  # the lease is lost: it stops this supervisor at its next renewal
        events = await store.list_events(self.db)
        rows = await x_state.all_rows(self.db)
        seen = set()
        for event in events:
            seen.add(event.id)
            row = rows.get(event.id) or x_state.SourceRow(event_id=event.id)
            want = self.not_polling_because(event, row) is None
            current = self.tasks.get(event.id)
            alive = current is not None and not current[1].done()
            if alive and (not want or current[0] != event.hashtag):
                await self._stop(event.id)
                await self.publish(event.id)
                alive = False
            if want and not alive:
                self._start(event)
        for event_id in set(self.tasks) - seen:
            await self._stop(event_id)

    def _start(self, event: Event) -> None:
        old = self.tasks.pop(event.id, None)
        if old is not None and old[1].done() and not old[1].cancelled():
            exc = old[1].exception()
            if exc is not None:
                log.error("X poller for event %s crashed", event.slug, exc_info=exc)
        poller = HashtagPoller(self, event)
        task = asyncio.create_task(poller.run(), name=f"liveq-x-poller-{event.slug}")
        self.tasks[event.id] = (event.hashtag, task)

    async def _stop(self, event_id: int) -> None:
        entry = self.tasks.pop(event_id, None)
        if entry is None:
            return
        task = entry[1]
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    # -- moderator actions --------------------------------------------------------

    async def pause(self, event: Event, actor: str) -> None:
        async with self._lock:
            await x_state.set_paused(self.db, event.id, True, actor)
            await self._stop(event.id)
        await self.publish(event.id)

    async def resume(self, event: Event, actor: str) -> None:
        await x_state.set_paused(self.db, event.id, False, actor)
        rt = self.runtime(event.id)
        if rt.stopped_error:
            rt.stopped_error = ""
            rt.state, rt.message = "idle", ""
            await x_state.set_error(self.db, event.id, "")
        await self.reconcile()
        await self.publish(event.id)

    # -- status ------------------------------------------------------------------

    async def view(self, event: Event) -> dict:
        row = await x_state.get(self.db, event.id)
        return self.view_of(event, row)

    def view_of(self, event: Event, row: x_state.SourceRow) -> dict:
        rt = self.runtime(event.id)
        entry = self.tasks.get(event.id)
        # A poller that has just stopped itself (budget, refusal) is on its way out.
        polling = entry is not None and not entry[1].done() and rt.state not in _ENDED
        reason = self.not_polling_because(event, row)
        settings = self.settings
        if reason is not None and not polling:
            status = reason
        elif rt.state == "rate_limited" or rt.state == "backoff":
            status = rt.message
        elif polling:
            # Times are left to the reader (next_poll_at): the server's clock and
            # time zone are not the moderator's.
            status = f"Polling #{event.hashtag} every {_seconds(self.interval)}."
        else:
            status = "Starting…"
        return {
            "hashtag": event.hashtag,
            "query": search_query(event.hashtag, self.own_username) if event.hashtag else "",
            "reads_used": row.reads_used,
            "read_budget": settings.read_budget,
            "spend_usd": round(row.reads_used * settings.cost_per_read_usd, 4),
            "cost_per_read_usd": settings.cost_per_read_usd,
            "polling": polling,
            "paused": row.paused,
            "state": "paused" if row.paused else rt.state,
            "status": status,
            "polls": row.polls,
            "since_id": row.since_id,
            "last_poll_at": row.last_poll_at,
            "last_error": row.last_error,
            "next_poll_at": rt.next_poll_at if polling else None,
            "interval_seconds": self.interval,
        }

    async def publish(self, event_id: int) -> None:
        """Tell the event's moderators (only them) how the source is doing."""
        event = await store.get_event_by_id(self.db, event_id)
        if event is None:
            return
        view = await self.view(event)
        self.hub.publish(event_id, {"type": "x_source", "source": view}, None)


_ENDED = frozenset({"budget", "stopped"})


def _seconds(value: float) -> str:
    return f"{value:g} s" if value < 60 else f"{value / 60:g} min"


__all__ = [
    "HashtagPoller",
    "RateInfo",
    "XPollers",
    "backoff_delay",
    "next_delay",
    "question_text",
    "search_query",
]
