"""The Bluesky emulator answers as a PDS does: uploadBlob, resolveHandle, a post's
images checked against the lexicon, errors as {"error", "message"}, ratelimit-* headers."""

import aiohttp
import pytest

from tests.web.test_procedure import PNG


@pytest.fixture
async def api(bluesky_emulator):
    state = bluesky_emulator.state
    async with aiohttp.ClientSession(
        base_url=bluesky_emulator.base_url,
        connector=aiohttp.TCPConnector(ssl=bluesky_emulator.ca.client_ssl_context()),
    ) as session:
        async with session.post(
            "/xrpc/com.atproto.server.createSession",
            json={"identifier": state.handle, "password": state.app_password},
        ) as resp:
            token = (await resp.json())["accessJwt"]
        session.headers["Authorization"] = f"Bearer {token}"
        yield session


async def upload(api, data=PNG):
    async with api.post(
        "/xrpc/com.atproto.repo.uploadBlob", data=data, headers={"Content-Type": "*/*"}
    ) as resp:
        assert resp.status == 200
        assert resp.headers["ratelimit-policy"] == "3000;w=300"
        return (await resp.json())["blob"]


async def create(api, state, embed):
    record = {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "2026-01-01T00:00:00Z"}
    if embed is not None:
        record["embed"] = embed
    body = {"repo": state.did, "collection": "app.bsky.feed.post", "record": record}
    async with api.post("/xrpc/com.atproto.repo.createRecord", json=body) as resp:
        return resp.status, await resp.json()


async def test_an_uploaded_blob_is_typed_from_its_bytes_and_named_by_its_cid(api, bluesky_state):
    blob = await upload(api)
    assert blob["mimeType"] == "image/png" and blob["size"] == len(PNG)
    assert blob["ref"]["$link"].startswith("bafkrei")  # CIDv1, raw, SHA-256
    assert bluesky_state.blobs[blob["ref"]["$link"]] == (PNG, "image/png")
    assert (await upload(api))["ref"] == blob["ref"]  # the same bytes, the same CID


async def test_post_images_are_checked_like_the_lexicon(api, bluesky_state):
    blob = await upload(api)
    ok = {"$type": "app.bsky.embed.images", "images": [{"alt": "A knee.", "image": blob}]}
    status, body = await create(api, bluesky_state, ok)
    assert status == 200, body
    five = {**ok, "images": ok["images"] * 5}
    status, body = await create(api, bluesky_state, five)
    assert status == 400 and body["error"] == "InvalidRequest"
    assert "must not be longer than 4" in body["message"]
    no_alt = {**ok, "images": [{"image": blob}]}
    status, body = await create(api, bluesky_state, no_alt)
    assert status == 400 and 'must have the property "alt"' in body["message"]
    unknown = {**ok, "images": [{"alt": "", "image": {**blob, "ref": {"$link": "bafkreinope"}}}]}
    status, body = await create(api, bluesky_state, unknown)
    assert status == 400 and "Could not find blob" in body["message"]


async def test_resolve_handle(api, bluesky_state):
    async def resolve(handle):
        async with api.get(
            "/xrpc/com.atproto.identity.resolveHandle", params={"handle": handle}
        ) as resp:
            return resp.status, await resp.json()

    assert await resolve(bluesky_state.handle) == (200, {"did": bluesky_state.did})
    assert await resolve("ghost.bsky.social") == (
        400,
        {"error": "InvalidRequest", "message": "Unable to resolve handle"},
    )
    async with api.post("/_emulator/handles", json={"handle": "Nurse.bsky.social"}) as resp:
        did = (await resp.json())["did"]
    assert await resolve("nurse.bsky.social") == (200, {"did": did})
    bluesky_state.audience_post("kim.bsky.social", "Hello #GR26")
    status, body = await resolve("kim.bsky.social")
    assert status == 200 and body["did"].startswith("did:plc:")


async def test_a_fault_switched_on_over_http_answers_like_bluesky(api, bluesky_state):
    async with api.post("/_emulator/faults", json={"kind": "explode"}) as resp:
        assert resp.status == 422
        assert "rate_limit" in (await resp.json())["error"]
    async with api.post(
        "/_emulator/faults", json={"kind": "rate_limit", "reset_after": 30}
    ) as resp:
        assert resp.status == 201
    status, body = await create(api, bluesky_state, None)
    assert status == 429
    assert body == {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
    status, body = await create(api, bluesky_state, None)  # used up: the next one goes
    assert status == 200, body
