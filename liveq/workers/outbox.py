"""The outbox worker: posts each event's thread to X in order, exactly once.

Every post is a row before it is a request (see outbox_store). Before each
request the row is marked ``posting`` and committed; if the answer never
comes (timeout, dropped connection, 5xx, or liveq itself killed), the next
attempt first looks at the account's recent posts and records the tweet if it
is there. X's duplicate-content refusal is the second guard: a post that did
go out cannot go out again. 429 waits for the reset X names.

A procedure's thread (liveq/procedure/) is numbered: every post goes out as
"5/ text #Tag", the counter being its place among the posts that went out,
fixed when it is sent (so a skipped or held post never leaves a gap). The
row keeps the text without them; ``sent_text`` records what X got. Such a
thread never needs the stand-alone fallback's own numbering. Media are
uploaded (with their alt text) just before the post, once: their ids are
stored on the row before the post is created.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from collections.abc import Callable, Sequence

import aiohttp
import tweepy.errors

from liveq.domain.events import Event
from liveq.domain.procedure import text as procedure_text
from liveq.networks.x.client import XClient
from liveq.networks.x.settings import XSettings
from liveq.storage import outbox as ob
from liveq.storage import procedure as procedure_store
from liveq.storage import store
from liveq.storage.fences import Fence, Fenced, claim
from liveq.tweettext import thread

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0
# A duplicate-content refusal whose original we cannot see yet (search lags):
# look again this many times before asking a person.
DUPLICATE_LOOKUPS = 3


def _refused_reply(exc: tweepy.errors.Forbidden) -> bool:
    text = " ".join([*exc.api_messages, str(exc)]).lower()
    return "reply" in text or "quot" in text or "conversation" in text


def _duplicate(exc: tweepy.errors.Forbidden) -> bool:
    return "duplicate" in " ".join([*exc.api_messages, str(exc)]).lower()


def _reset_at(exc: tweepy.errors.TooManyRequests) -> float:
    try:
        return float(exc.response.headers["x-rate-limit-reset"])
    except (KeyError, TypeError, ValueError):
        return time.time() + 60.0  # no reset named: a minute, never a hot loop


# Text in, findings out: the app's screening with the config's rules (app[SCREEN]).
Screen = Callable[[str], Sequence[dict]]


def screen_post(
    screen: Screen, text: str, counter: str = "", known: Sequence[str] = ()
) -> list[dict]:
    """Findings for an outgoing text; a post with any is held for a person.

    `counter` is the "2/5 " liveq itself put in front of a split post: not
    screened (it reads like a date), and spans still count from the start.
    `known` are names liveq itself put in the post (the asker's name, already
    screened when the question came in; the signature): no "name" finding for them.
    """
    shift = len(counter) if counter and text.startswith(counter) else 0
    found = [
        {**f, "start": f["start"] + shift, "end": f["end"] + shift}
        for f in screen(text[shift:])
    ]
    if known:
        words = {w.casefold() for name in known for w in _WORDS.findall(name)}
        found = [
            f for f in found
            if f.get("kind") != "name"
            or not {w.casefold() for w in _WORDS.findall(text[f["start"]:f["end"]])} <= words
        ]
    return found


_WORDS = re.compile(r"[^\W\d_]+")


def screened_parts(
    screen: Screen, parts: list[str], known: Sequence[str] = ()
) -> list[tuple[str, tuple[dict, ...]]]:
    """Each part of a split post with its findings."""
    counters = [f"{i}/{len(parts)} " if len(parts) > 1 else "" for i in range(1, len(parts) + 1)]
    return [
        (part, tuple(screen_post(screen, part, c, known)))
        for part, c in zip(parts, counters, strict=True)
    ]


class Outbox:
    """Turns answered questions into thread posts and sends them."""

    def __init__(
        self,
        db,
        hub,
        client: XClient,
        settings: XSettings,
        screen: Screen,
        interval: float = 0.5,
    ):
        self.db = db
        self.hub = hub
        self.client = client
        self.settings = settings
        self.screen = screen
        self.interval = interval
        self._wake = asyncio.Event()
        # Answers are numbered from the outbox ("Q7"): queue one at a time.
        self._enqueueing = asyncio.Lock()
        self._stopping = False
        self._me: tuple[str, str] | None = None  # (id, username)
        self._fence: Fence | None = None  # this holder's lease token (a cluster)

    def wake(self) -> None:
        self._wake.set()

    # -- announcing ------------------------------------------------------------

    def announce(self, item: ob.OutboxItem) -> None:
        url = self.settings.post_url(item.tweet_id) if item.tweet_id else None
        public = None
        if item.state == ob.POSTED:
            # Overlays (an in-room screen) show the latest post of the thread.
            public = {"type": "thread_post", "post": public_post(item, url)}
        self.hub.publish(item.event_id, {"type": "outbox", "item": item.view(url)}, public)

    def views(self, items: list[ob.OutboxItem]) -> list[dict]:
        return [i.view(self.settings.post_url(i.tweet_id) if i.tweet_id else None) for i in items]

    async def _set(self, item: ob.OutboxItem, **changes: object) -> ob.OutboxItem:
        item = await ob.update(self.db, item, fence=self._fence, **changes)
        self.announce(item)
        return item

    # -- turning answers into posts ---------------------------------------------

    async def enqueue_answers(self) -> None:
        """Queue the posts of every answer not in the outbox yet.

        Answering wakes the outbox (``wake()``); the answered_at column makes
        this durable: an answer given while the outbox was down or X was off is
        found here at the next start."""
        events: dict[int, Event] = {}
        for event_id, question_id in await ob.answered_without_posts(self.db):
            if event_id not in events:
                events[event_id] = await store.get_event_by_id(self.db, event_id)
            event = events[event_id]
            question = await store.get_question(self.db, event, question_id)
            await self.enqueue_answer(event, question)

    async def enqueue_answer(self, event: Event, question) -> list[ob.OutboxItem]:
        """Queue an answered question's posts (nothing if they are queued already)."""
        async with self._enqueueing:
            return await self._enqueue_answer(event, question)

    async def _enqueue_answer(self, event: Event, question) -> list[ob.OutboxItem]:
        if event.kind != "procedure" and not event.uses("x"):
            return []  # the event's networks leave X out (a procedure's thread is mirrored)
        known = [question.author or "", self.settings.signature]
        if event.kind == "procedure":
            parts = await self._procedure_answer(event, question)
            known.append(await procedure_store.physician(self.db, event))
        else:
            parts = thread.split_post(await self._webinar_answer(event, question))
        posts = [
            ob.NewPost(
                text=part,
                kind="answer",
                key=f"{event.id}:answer:{question.id}:{i}",
                question_id=question.id,
                findings=findings,
                created_by="outbox",
            )
            for i, (part, findings) in enumerate(
                screened_parts(self.screen, parts, [k for k in known if k])
            )
        ]
        items = await ob.enqueue(self.db, event, posts)
        for item in items:
            self.announce(item)
        return items

    async def _procedure_answer(self, event: Event, question) -> list[str]:
        """The question quoted (shortened to fit), the answer signed by the physician."""
        physician = await procedure_store.physician(self.db, event) or self.settings.signature
        return procedure_text.answer_parts(question.text, question.answer, physician, event.hashtag)

    async def _webinar_answer(self, event: Event, question) -> str:
        number = await ob.answered_count(self.db, event.id) + 1
        return thread.render_answer(
            self.settings.answer_template,
            thread.AnswerContext(
                number=number,
                question=question.text,
                answer=question.answer,
                asker=question.author,
                hashtag=event.hashtag,
                signature=self.settings.signature,
                disclaimer=self.settings.disclaimer,
            ),
        )

    # -- sending -------------------------------------------------------------------

    def stop(self) -> None:
        """Finish the post in hand, then return from run() (a graceful shutdown)."""
        self._stopping = True
        self._wake.set()

    async def run(self, fence: Fence | None = None) -> None:
        """Work until stopped or cancelled: enqueue new answers, post what is due, sleep.

        In a cluster, `fence` is this holder's lease: once a newer holder has
        started, the store refuses this one's writes and it returns (``Fenced``)."""
        self._fence = fence
        try:
            await claim(self.db, fence)
            await self._work()
        except Fenced as exc:
            log.warning("outbox: stopped, fenced out: %s", exc)

    async def _work(self) -> None:
        while not self._stopping:
            try:
                await self.enqueue_answers()
                while not self._stopping and (item := await ob.next_due(self.db, time.time())):
                    await self.send(item)
            except (asyncio.CancelledError, Fenced):
                raise
            except Exception:
                log.exception("outbox: unexpected error; trying again shortly")
            wake = await ob.next_wake(self.db)
            delay = (
                self.interval if wake is None else max(0.05, min(self.interval, wake - time.time()))
            )
            self._wake.clear()
            try:
                async with asyncio.timeout(delay):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _whoami(self) -> tuple[str, str]:
        if self._me is None:
            resp = await self.client.api.get_me(user_auth=True)
            self._me = (str(resp.data.id), resp.data.username)
        return self._me

    async def find_posted(
        self, item: ob.OutboxItem, after: str | None, expected: str = ""
    ) -> str | None:
        """The id of our post with this item's text (or `expected`), if X has it already."""
        _, username = await self._whoami()
        resp = await self.client.api.search_recent_tweets(
            query=f"from:{username}",
            since_id=after,
            max_results=100,
            tweet_fields=["referenced_tweets", "created_at"],
            user_auth=True,
        )
        for tweet in resp.data or []:
            # X escapes &, < and > in what it returns; a stand-alone post has "N/ " before.
            text = html.unescape(tweet.text)
            if expected and text == expected:
                return str(tweet.id)
            if not expected and (text == item.text or text.partition("/ ")[2] == item.text):
                return str(tweet.id)
        return None

    async def send(self, item: ob.OutboxItem) -> ob.OutboxItem:
        if item.scripted and not item.signed and item.state != ob.POSTING:
            # Nothing unsigned leaves as signed: a scripted post waits for its approver.
            return await self._set(item, state=ob.HELD, error=unsigned_error(item))
        previous = await ob.previous_posted(self.db, item)
        parent = previous.tweet_id if previous else None
        mode = item.mode or (previous.mode if previous else "") or thread.REPLY
        expected = await self._numbered_text(item)
        numbered = bool(expected)
        if item.state == ob.POSTING:
            # A request may have reached X last time: look before sending again.
            try:
                found = await self.find_posted(item, parent, expected)
            except (tweepy.errors.TweepyException, aiohttp.ClientError, TimeoutError) as exc:
                return await self._later(item, f"Could not check X for an earlier attempt: {exc}")
            if found:
                return await self._posted(item, found, parent, mode, expected)
        if any(not m.get("media_id") for m in item.media):
            try:
                item = await self._upload_media(item)
            except tweepy.errors.BadRequest as exc:
                return await self._set(item, state=ob.FAILED, error=f"X refused the photo: {exc}")
            except (tweepy.errors.TweepyException, aiohttp.ClientError, TimeoutError) as exc:
                return await self._later(item, f"Could not upload the photo ({exc}); retrying.")
        item = await self._set(item, state=ob.POSTING, attempts=item.attempts + 1, mode=mode)
        text = expected or item.text
        kwargs: dict[str, object] = {}
        if item.media:
            kwargs["media_ids"] = [m["media_id"] for m in item.media]
        if parent and mode == thread.REPLY:
            kwargs["in_reply_to_tweet_id"] = parent
        elif parent and mode == thread.QUOTE:
            kwargs["quote_tweet_id"] = parent
        elif mode == thread.STANDALONE and not numbered:
            text = thread.standalone_text(text, await ob.thread_position(self.db, item))
        if self._fence is not None:
            self._fence.check()  # woken from a freeze past the lease: send nothing
        try:
            resp = await self.client.api.create_tweet(text=text, user_auth=True, **kwargs)
        except tweepy.errors.TooManyRequests as exc:
            reset = _reset_at(exc)
            when = time.strftime("%H:%M:%S", time.localtime(reset))
            # A 429 means X did not take the post: back to the queue until the reset.
            return await self._set(
                item,
                state=ob.QUEUED,
                not_before=reset,
                error=f"X rate limit reached; waiting until {when}.",
            )
        except tweepy.errors.Forbidden as exc:
            return await self._refused(item, exc, parent, mode)
        except (
            tweepy.errors.Unauthorized,
            tweepy.errors.BadRequest,
            tweepy.errors.NotFound,
        ) as exc:
            return await self._set(item, state=ob.FAILED, error=f"X refused the post: {exc}")
        except (tweepy.errors.TwitterServerError, aiohttp.ClientError, TimeoutError) as exc:
            return await self._later(item, f"X did not answer ({type(exc).__name__}); retrying.")
        return await self._posted(item, str(resp.data["id"]), parent, mode, expected)

    async def _numbered_text(self, item: ob.OutboxItem) -> str:
        """A procedure post's text as sent ("5/ text #Tag"); "" for other threads."""
        numbered, hashtag = await ob.thread_style(self.db, item.event_id)
        if not numbered:
            return ""
        position = await ob.thread_position(self.db, item)
        return procedure_text.decorate(item.text, position, hashtag)

    async def _upload_media(self, item: ob.OutboxItem) -> ob.OutboxItem:
        """Upload each image not uploaded yet, recording its id at once."""
        media = [dict(m) for m in item.media]
        for entry in media:
            if entry.get("media_id"):
                continue
            data, media_type = await ob.media_file(self.db, int(entry["file_id"]))
            uploaded = await self.client.upload_media(
                data, media_type=media_type, alt_text=entry.get("alt") or None
            )
            entry["media_id"] = uploaded.id
            item = await ob.update(self.db, item, fence=self._fence, media=media)
        return item

    async def _posted(
        self, item: ob.OutboxItem, tweet_id: str, parent: str | None, mode: str, text: str = ""
    ) -> ob.OutboxItem:
        return await self._set(
            item,
            state=ob.POSTED,
            thread_number=await ob.thread_position(self.db, item),
            tweet_id=tweet_id,
            reply_to=parent,
            mode=mode,
            posted_at=time.time(),
            error="",
            not_before=0,
            sent_text=text,
        )

    async def _later(self, item: ob.OutboxItem, error: str) -> ob.OutboxItem:
        """An answer that may or may not have reached X: stay 'posting', look next time."""
        delay = min(MAX_BACKOFF, 0.5 * 2 ** max(0, item.attempts - 1))
        return await self._set(item, error=error, not_before=time.time() + delay)

    async def _refused(
        self, item: ob.OutboxItem, exc: tweepy.errors.Forbidden, parent: str | None, mode: str
    ) -> ob.OutboxItem:
        if _duplicate(exc):
            # Our earlier attempt went out (or a person posted the same words).
            expected = await self._numbered_text(item)
            found = await self.find_posted(item, parent, expected)
            if found:
                return await self._posted(item, found, parent, mode, expected)
            if item.attempts < DUPLICATE_LOOKUPS:
                return await self._later(item, "X says this post exists already; looking for it.")
            return await self._set(
                item,
                state=ob.FAILED,
                error="X refused this as a duplicate of an earlier post; edit the text or skip it.",
            )
        if parent and _refused_reply(exc):
            next_mode = thread.fallback(mode)
            if next_mode is not None:
                log.warning("outbox: X refused a %s; falling back to %s", mode, next_mode)
                return await self._set(
                    item, state=ob.QUEUED, mode=next_mode, error=thread.mode_notice(next_mode)
                )
        return await self._set(item, state=ob.FAILED, error=f"X refused the post: {exc}")


def unsigned_error(item: ob.OutboxItem) -> str:
    """Why a scripted post is held: it is not the text an approver signed."""
    return (
        f"Post {item.seq} was changed after sign-off: it waits until an approver signs"
        " the new text on the procedure page (or skip it)."
    )


def public_post(item: ob.OutboxItem, url: str | None) -> dict:
    """What an overlay may show of a posted item."""
    return {
        "id": item.id,
        "text": item.sent_text or item.text,
        "url": url,
        "posted_at": item.posted_at,
        "photos": len(item.media),
        # Each photo's alt text; the overlay fetches photo n with its key
        # (web/overlay_media.py). Audience sockets get this too: no key in it.
        "images": [{"n": n, "alt": m.get("alt", "")} for n, m in enumerate(item.media)],
    }
