"""A local Bluesky (atproto PDS + AppView) emulator over HTTPS, for tests, demo, rehearsals.

What liveq uses, with the real shapes: ``com.atproto.server.createSession`` (an
app password; a JWT the SDK can read), ``com.atproto.repo.createRecord`` (a
chosen ``rkey``; the same rkey again is ``InvalidRequest``),
``com.atproto.repo.getRecord`` (``RecordNotFound``),
``com.atproto.repo.uploadBlob`` (the bytes kept; a record's ``app.bsky.embed.images``
must name uploaded blobs, at most four, each with ``alt``),
``com.atproto.identity.resolveHandle`` (the account, the audience's handles, and
handles added with ``POST /_emulator/handles``),
``app.bsky.feed.searchPosts`` (``tag``, ``sort=latest``, ``cursor``), errors as
``{"error", "message"}``, and ``ratelimit-limit/remaining/reset/policy`` headers
(the reset in epoch seconds). Faults (``POST /_emulator/faults``): ``rate_limit``
(429 with a reset), ``server_error`` (500), ``commit_then_drop`` (the record
is written, the connection closed), ``slow`` (written, answered late).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import libipld
from aiohttp import web

from liveq.emulators.common import (
    FAULT_KINDS,
    Fault,
    RateWindow,
    RunningEmulator,
    fault_switch,
    remember_transport,
    serve_https,
    take_fault,
)
from liveq.networks.tls import EmulatorCA

POST = "app.bsky.feed.post"
__all__ = ["FAULT_KINDS", "BlueskyState", "Fault", "RunningBluesky", "serve_bluesky"]


def _iso(epoch: float) -> str:
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _jwt(did: str, ttl: float) -> str:
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    now = int(time.time())
    payload = {"scope": "com.atproto.appPass", "sub": did, "iat": now, "exp": now + int(ttl)}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(payload)}.{secrets.token_hex(16)}"


@dataclass
class Record:
    uri: str
    cid: str
    did: str
    handle: str
    value: dict
    indexed_at: float


@dataclass
class BlueskyState(RateWindow):
    handle: str = "liveq.bsky.social"
    did: str = "did:plc:liveqemulator0000000000"
    app_password: str = field(
        default_factory=lambda: "-".join(secrets.token_hex(2) for _ in range(4))
    )
    slow_seconds: float = 1.0
    rate_limit: int = 3000  # per 5 minutes (RateWindow's), like Bluesky's per-IP limit
    records: dict[str, Record] = field(default_factory=dict)  # uri -> record
    faults: list[Fault] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    blobs: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # cid -> bytes, type
    handles: dict[str, str] = field(default_factory=dict)  # handle -> DID, besides ours

    def add(self, did: str, handle: str, rkey: str, value: dict) -> Record:
        uri = f"at://{did}/{POST}/{rkey}"
        cid = (
            "bafyrei" + hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:52]
        )
        record = Record(uri, cid, did, handle, value, time.time())
        self.records[uri] = record
        return record

    def audience_post(self, handle: str, text: str, tags: tuple[str, ...] = ()) -> Record:
        """A post by someone in the audience (a hashtag facet for each `#tag` in text)."""
        did = self.add_handle(handle)
        value = {
            "$type": POST,
            "text": text,
            "createdAt": _iso(time.time()),
            "facets": hashtag_facets(text),
        }
        if tags:
            value["tags"] = list(tags)
        return self.add(did, handle, tid(), value)

    def own_thread(self) -> list[Record]:
        return sorted(
            (r for r in self.records.values() if r.did == self.did),
            key=lambda r: r.uri.rsplit("/", 1)[1],
        )

    def add_handle(self, handle: str) -> str:
        """An account on the network (its DID made from the handle)."""
        did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        self.handles[handle.lower()] = did
        return did

    def take_fault(self, endpoint: str) -> Fault | None:
        return take_fault(self.faults, endpoint)


_B32 = "234567abcdefghijklmnopqrstuvwxyz"
_last_tid = 0


def tid() -> str:
    """A record key as a PDS makes one (microseconds, a clock id), for audience posts."""
    global _last_tid
    now = max(int(time.time() * 1_000_000), _last_tid + 1)
    _last_tid = now
    value, out = (now << 10) | 7, ""
    for _ in range(13):
        out = _B32[value & 31] + out
        value >>= 5
    return out


def hashtag_facets(text: str) -> list[dict]:
    facets = []
    for m in re.finditer(r"(?<![\w])#(\w+)", text):
        start = len(text[: m.start()].encode())
        end = len(text[: m.end()].encode())
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": m.group(1)}],
            }
        )
    return facets


STATE = web.AppKey("bluesky_state", BlueskyState)


def _error(status: int, error: str, message: str) -> web.Response:
    return web.json_response({"error": error, "message": message}, status=status)


@web.middleware
async def _xrpc(request: web.Request, handler) -> web.StreamResponse:
    if request.path.startswith("/_emulator"):
        return await handler(request)
    state = request.app[STATE]
    remember_transport(request)
    now = time.time()
    remaining, reset = state.spend()
    headers = {
        "ratelimit-limit": str(state.rate_limit),
        "ratelimit-remaining": str(remaining),
        "ratelimit-reset": str(int(reset)),
        "ratelimit-policy": f"{state.rate_limit};w={int(state.rate_window)}",
    }
    nsid = request.path.removeprefix("/xrpc/")
    if nsid != "com.atproto.server.createSession":
        auth = request.headers.get("Authorization", "")
        if auth.removeprefix("Bearer ") not in state.tokens:
            resp = _error(401, "AuthenticationRequired", "Authentication Required")
            resp.headers.update(headers)
            return resp
    fault = state.take_fault(nsid)
    if fault is not None and fault.kind == "rate_limit":
        resp = _error(429, "RateLimitExceeded", "Rate Limit Exceeded")
        resp.headers.update(
            {
                **headers,
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(now + fault.reset_after)),
            }
        )
        return resp
    if fault is not None and fault.kind == "server_error":
        return _error(500, "InternalServerError", "Internal Server Error")
    resp = await handler(request)
    if fault is not None and fault.kind == "slow":
        await asyncio.sleep(state.slow_seconds)
    if fault is not None and fault.kind == "commit_then_drop":
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
    resp.headers.update(headers)
    return resp


async def create_session(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await request.json()
    if (
        body.get("identifier") not in (state.handle, state.did)
        or body.get("password") != state.app_password
    ):
        return _error(401, "AuthenticationRequired", "Invalid identifier or password")
    access = _jwt(state.did, 7200)
    state.tokens.add(access)
    return web.json_response(
        {
            "did": state.did,
            "handle": state.handle,
            "accessJwt": access,
            "refreshJwt": _jwt(state.did, 86400),
            "active": True,
        }
    )


async def create_record(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await request.json()
    if body.get("repo") not in (state.did, state.handle) or body.get("collection") != POST:
        return _error(400, "InvalidRequest", "Invalid repo or collection")
    rkey = body.get("rkey") or tid()
    if f"at://{state.did}/{POST}/{rkey}" in state.records:
        return _error(400, "InvalidRequest", f"Record already exists: {rkey}")
    value = body.get("record") or {}
    text = str(value.get("text", ""))
    if len(text.encode()) > 3000 or _graphemes(text) > 300:
        return _error(
            400,
            "InvalidRequest",
            "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
        )
    reply = value.get("reply")
    if reply and reply["parent"]["uri"] not in state.records:
        return _error(400, "InvalidRequest", "Reply parent not found")
    problem = _embed_problem(state, value.get("embed"))
    if problem:
        return _error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {problem}")
    record = state.add(state.did, state.handle, rkey, value)
    return web.json_response({"uri": record.uri, "cid": record.cid, "validationStatus": "valid"})


def _embed_problem(state: BlueskyState, embed: Any) -> str:
    """What is wrong with a post's images, as the PDS's lexicon check says it ("" if nothing)."""
    if not embed:
        return ""
    if embed.get("$type") != "app.bsky.embed.images":
        return "Record/embed is not a supported embed type"
    images = embed.get("images")
    if not isinstance(images, list) or not 1 <= len(images) <= 4:
        return "Record/embed/images must not be longer than 4 elements"
    for n, image in enumerate(images):
        if not isinstance(image.get("alt"), str):
            return f'Record/embed/images/{n} must have the property "alt"'
        blob = image.get("image") or {}
        if (blob.get("ref") or {}).get("$link") not in state.blobs:
            return f"Record/embed/images/{n}/image: Could not find blob"
    return ""


async def upload_blob(request: web.Request) -> web.Response:
    state = request.app[STATE]
    data = await request.read()
    if not data:
        return _error(400, "InvalidRequest", "Request body is empty")
    media_type = _sniff(data) or request.content_type
    # A CIDv1 of the raw bytes (codec 0x55, SHA-256), as a PDS names a blob.
    cid = libipld.encode_cid(bytes([1, 0x55, 0x12, 0x20]) + hashlib.sha256(data).digest())
    state.blobs[cid] = (data, media_type)
    return web.json_response(
        {
            "blob": {
                "$type": "blob",
                "ref": {"$link": cid},
                "mimeType": media_type,
                "size": len(data),
            }
        }
    )


def _sniff(data: bytes) -> str:
    """The type a PDS finds in the bytes (it does not trust the header)."""
    for magic, media_type in (
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"\x89PNG", "image/png"),
        (b"GIF8", "image/gif"),
    ):
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


async def resolve_handle(request: web.Request) -> web.Response:
    state = request.app[STATE]
    handle = request.query.get("handle", "").lower()
    did = state.did if handle == state.handle.lower() else state.handles.get(handle)
    if did is None:
        return _error(400, "InvalidRequest", "Unable to resolve handle")
    return web.json_response({"did": did})


async def control_handle(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response({"did": request.app[STATE].add_handle(str(body["handle"]))})


def _graphemes(text: str) -> int:
    from liveq.tweettext.graphemes import grapheme_spans

    return len(grapheme_spans(text))


async def get_record(request: web.Request) -> web.Response:
    state = request.app[STATE]
    q = request.query
    repo = state.did if q.get("repo") in (state.did, state.handle) else q.get("repo")
    uri = f"at://{repo}/{q.get('collection')}/{q.get('rkey')}"
    record = state.records.get(uri)
    if record is None:
        return _error(400, "RecordNotFound", f"Could not locate record: {uri}")
    return web.json_response({"uri": record.uri, "cid": record.cid, "value": record.value})


def post_view(r: Record) -> dict[str, Any]:
    return {
        "uri": r.uri,
        "cid": r.cid,
        "author": {"did": r.did, "handle": r.handle, "displayName": r.handle.split(".")[0]},
        "record": r.value,
        "indexedAt": _iso(r.indexed_at),
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 0,
    }


async def search_posts(request: web.Request) -> web.Response:
    state = request.app[STATE]
    tags = {t.lower() for t in request.query.getall("tag", [])}
    q = request.query.get("q", "").lower().lstrip("#")
    limit = max(1, min(100, int(request.query.get("limit", "25"))))
    offset = int(request.query.get("cursor") or 0)

    def matches(r: Record) -> bool:
        facet_tags = {
            f.get("tag", "").lower()
            for facet in r.value.get("facets") or []
            for f in facet.get("features", [])
        }
        own = {t.lower() for t in r.value.get("tags") or []}
        found = facet_tags | own
        return (not tags or bool(tags & found)) and (
            not q or q in found or q in r.value.get("text", "").lower()
        )

    hits = sorted(
        (r for r in state.records.values() if matches(r)), key=lambda r: r.indexed_at, reverse=True
    )
    page = hits[offset : offset + limit]
    body: dict[str, Any] = {"posts": [post_view(r) for r in page], "hitsTotal": len(hits)}
    if offset + limit < len(hits):
        body["cursor"] = str(offset + limit)
    return web.json_response(body)


async def control_post(request: web.Request) -> web.Response:
    body = await request.json()
    r = request.app[STATE].audience_post(str(body["handle"]), str(body["text"]))
    return web.json_response(post_view(r), status=201)


def create_app(state: BlueskyState) -> web.Application:
    app = web.Application(middlewares=[_xrpc])
    app[STATE] = state
    r = app.router
    r.add_post("/xrpc/com.atproto.server.createSession", create_session)
    r.add_post("/xrpc/com.atproto.repo.createRecord", create_record)
    r.add_get("/xrpc/com.atproto.repo.getRecord", get_record)
    r.add_post("/xrpc/com.atproto.repo.uploadBlob", upload_blob)
    r.add_get("/xrpc/com.atproto.identity.resolveHandle", resolve_handle)
    r.add_get("/xrpc/app.bsky.feed.searchPosts", search_posts)
    r.add_post("/_emulator/posts", control_post)
    r.add_post("/_emulator/handles", control_handle)
    r.add_post(
        "/_emulator/faults",
        fault_switch(lambda app: app[STATE].faults, FAULT_KINDS, "com.atproto.repo.createRecord"),
    )
    return app


RunningBluesky = RunningEmulator[BlueskyState]


async def serve_bluesky(
    host: str = "127.0.0.1",
    port: int = 0,
    state: BlueskyState | None = None,
    *,
    ca: EmulatorCA | None = None,
    ca_file: str | Path | None = None,
) -> RunningBluesky:
    state = state or BlueskyState()
    return await serve_https(
        create_app(state), state, "bluesky", host, port, ca=ca, ca_file=ca_file
    )
