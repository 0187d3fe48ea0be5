"""Bluesky through the atproto SDK (MarshalX), unmodified.

The SDK's ``AsyncClient`` takes its ``AsyncRequest`` from us: an httpx client
that, for the local emulator, trusts only the emulator's CA and nothing from
the environment. Each post's record key (a TID) is chosen before the first
request and kept on the outbox row; a retry first asks ``getRecord`` for that
key, so a post that went out is recorded, never sent twice.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx
from atproto import AsyncClient, exceptions
from atproto_client.request import AsyncRequest

from liveq.networks.base import Image, Incoming, Posted, RateLimited, Refused, Unavailable
from liveq.networks.bluesky.settings import BlueskySettings
from liveq.tweettext.bluesky import facets, mentions, split_for_bluesky

POST = "app.bsky.feed.post"
PAGE = 100
MAX_IMAGES = 4  # app.bsky.embed.images allows four
_B32 = "234567abcdefghijklmnopqrstuvwxyz"


def new_tid(now_us: int | None = None, clock_id: int = 0) -> str:
    """A timestamp identifier: 53 bits of microseconds, 10 of clock id, base32-sortable."""
    value = ((now_us or int(time.time() * 1_000_000)) << 10) | (clock_id & 1023)
    out = ""
    for _ in range(13):
        out = _B32[value & 31] + out
        value >>= 5
    return out


def _iso(epoch: float) -> str:
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _epoch(value: str | None) -> float | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class BlueskyClient:
    name = "bluesky"

    def __init__(self, settings: BlueskySettings, base: Path) -> None:
        self.settings = settings
        ca = settings.ca_path(base)
        kwargs: dict = {"timeout": float(settings.timeout_seconds)}
        if ca is not None:
            kwargs.update(verify=ssl.create_default_context(cafile=str(ca)), trust_env=False)
        self._request = AsyncRequest(**kwargs)
        self.api = AsyncClient(base_url=settings.service_url, request=self._request)
        self._did: str | None = None
        self._cids: dict[str, str] = {}  # uri -> cid of our posts (replies need both)
        self._dids: dict[str, str] = {}  # handle -> DID ("" if it does not resolve)
        self._last_tid = 0

    def new_key(self) -> str:
        now = max(int(time.time() * 1_000_000), self._last_tid + 1)
        self._last_tid = now
        return new_tid(now)

    async def _call(self, coro):
        try:
            return await coro
        except exceptions.RateLimitExceededError as exc:
            reset_at = exc.reset_at
            reset = reset_at.timestamp() if reset_at else time.time() + 60.0
            when = time.strftime("%H:%M:%S", time.localtime(reset))
            raise RateLimited(f"Bluesky rate limit reached; waiting until {when}.", reset) from exc
        except (exceptions.NetworkError, httpx.TransportError) as exc:
            # The SDK passes on a connection dropped mid-answer as httpx's own error.
            raise Unavailable(f"Bluesky did not answer ({type(exc).__name__}).") from exc
        except exceptions.RequestErrorBase as exc:
            status = exc.response.status_code if exc.response is not None else 0
            content = exc.response.content if exc.response is not None else None
            detail = getattr(content, "message", None) or getattr(content, "error", None) or ""
            if status >= 500:
                raise Unavailable(f"Bluesky answered {status}.") from exc
            raise Refused(f"Bluesky refused: {detail or status}") from exc

    async def me(self) -> tuple[str, str]:
        if self._did is None:
            await self._call(
                self.api.login(
                    self.settings.handle, self.settings.app_password, fetch_bsky_profile=False
                )
            )
            self._did = self.api.me.did if self.api.me else self.api._session.did
        return self._did, self.settings.handle

    async def _ref(self, uri: str) -> dict:
        if uri not in self._cids:
            did, _, rkey = uri.removeprefix("at://").split("/")
            got = await self._call(
                self.api.com.atproto.repo.get_record(
                    {"repo": did, "collection": POST, "rkey": rkey}
                )
            )
            self._cids[uri] = got.cid
        return {"uri": uri, "cid": self._cids[uri]}

    def url(self, uri: str) -> str:
        did, _, rkey = uri.removeprefix("at://").split("/")
        return f"https://bsky.app/profile/{self.settings.handle or did}/post/{rkey}"

    async def post(
        self,
        text: str,
        reply_to: str | None,
        key: str,
        root: str | None = None,
        retry: bool = False,
        media: Sequence[Image] = (),
    ) -> Posted:
        """Create the post with record key `key`; on a retry, look it up first.

        Images (at most four) are uploaded as blobs first; a retry uploads them
        again, which makes no second post (a blob is kept only once a record uses it)."""
        did, _ = await self.me()
        if retry:
            try:
                got = await self.api.com.atproto.repo.get_record(
                    {"repo": did, "collection": POST, "rkey": key}
                )
            except exceptions.BadRequestError:
                got = None  # RecordNotFound: the earlier attempt did not go out
            except Exception as exc:  # noqa: BLE001 - the same mapping as every call
                await self._call(_raise(exc))
            if got is not None:
                self._cids[got.uri] = got.cid
                return Posted(id=got.uri, url=self.url(got.uri))
        record: dict = {"$type": POST, "text": text, "createdAt": _iso(time.time())}
        found = facets(text, await self.resolve(h for _, _, h in mentions(text)))
        if found:
            record["facets"] = found
        if len(media) > MAX_IMAGES:
            raise Refused(f"Bluesky takes at most {MAX_IMAGES} images a post.")
        if media:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [
                    {"alt": image.alt, "image": await self._upload(image)} for image in media
                ],
            }
        if reply_to:
            record["reply"] = {
                "root": await self._ref(root or reply_to),
                "parent": await self._ref(reply_to),
            }
        made = await self._call(
            self.api.com.atproto.repo.create_record(
                {"repo": did, "collection": POST, "rkey": key, "record": record}
            )
        )
        self._cids[made.uri] = made.cid
        return Posted(id=made.uri, url=self.url(made.uri))

    async def _upload(self, image: Image) -> dict:
        # The bytes go as httpx's `content`: the SDK hands `data` to httpx, which
        # deprecates raw bytes there (a DeprecationWarning on every upload).
        made = await self._call(
            self.api.com.atproto.repo.upload_blob(
                None, content=image.data, headers={"Content-Type": image.media_type}
            )
        )
        return made.blob.model_dump(mode="json", by_alias=True)

    async def resolve(self, handles: Iterable[str]) -> dict[str, str]:
        """handle -> DID for each handle that resolves (com.atproto.identity.resolveHandle).

        A handle that does not (an X or Mastodon name, a typo) stays plain text;
        either answer is remembered for the session."""
        out = {}
        for handle in handles:
            if handle not in self._dids:
                try:
                    got = await self._call(
                        self.api.com.atproto.identity.resolve_handle({"handle": handle})
                    )
                    self._dids[handle] = got.did
                except Refused:
                    self._dids[handle] = ""
            if self._dids[handle]:
                out[handle] = self._dids[handle]
        return out

    async def split(self, text: str) -> list[str]:
        return split_for_bluesky(text)

    async def hashtag_posts(
        self, tag: str, since_id: str | None
    ) -> tuple[list[Incoming], str | None]:
        """Posts with the tag newer than `since_id` (an indexedAt|uri mark), oldest first."""
        did, _ = await self.me()
        seen: list[dict] = []
        cursor = None
        stop = False
        while not stop:
            params = {"q": f"#{tag}", "tag": [tag], "sort": "latest", "limit": PAGE}
            if cursor:
                params["cursor"] = cursor
            page = await self._call(self.api.app.bsky.feed.search_posts(params))
            for post in page.posts:
                mark = f"{post.indexed_at}|{post.uri}"
                if since_id and mark <= since_id:
                    stop = True
                    break
                seen.append({"post": post, "mark": mark})
            cursor = page.cursor
            if not cursor:
                break
        newest = max((s["mark"] for s in seen), default=None)
        incoming = [
            Incoming(
                id=s["post"].uri,
                text=str(getattr(s["post"].record, "text", "") or ""),
                handle=s["post"].author.handle,
                url=f"https://bsky.app/profile/{s['post'].author.handle}/post/"
                + s["post"].uri.rsplit("/", 1)[1],
                created_at=_epoch(s["post"].indexed_at),
            )
            for s in reversed(seen)
            if s["post"].author.did != did
        ]
        return incoming, newest

    async def close(self) -> None:
        await self._request.close()


async def _raise(exc: Exception):
    raise exc
