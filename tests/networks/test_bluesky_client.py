"""liveq's Bluesky client (the atproto SDK, unmodified) against the emulator:
mention facets from resolveHandle at UTF-8 byte offsets, images as blobs with
alt text, and the mention rules themselves (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from liveq.networks.base import Image, Refused
from liveq.networks.bluesky.client import BlueskyClient
from liveq.networks.bluesky.settings import BlueskySettings
from liveq.tweettext.bluesky import facets, mentions
from tests.fixtures_bluesky import fail_next_bluesky
from tests.web.test_procedure import PNG


def span(text: str, part: str) -> dict:
    """The UTF-8 byte offsets of `part` in `text` (what a facet's index must be)."""
    start = text.index(part)
    return {
        "byteStart": len(text[:start].encode()),
        "byteEnd": len(text[: start + len(part)].encode()),
    }


def test_mentions_are_handles_with_a_domain():
    text = "Thanks @Nurse.bsky.social, @alice and (@dr-lee.example.org). mail a@b.org"
    assert [h for _, _, h in mentions(text)] == ["nurse.bsky.social", "dr-lee.example.org"]
    assert mentions("@alice: a question from X") == []


def test_mention_facets_count_bytes_not_characters():
    text = "Café ☕ — merci @nurse.bsky.social! #GénéRounds 👩🏽‍⚕️ @other.bsky.social"
    found = facets(text, {"nurse.bsky.social": "did:plc:nurse"})
    assert found == [
        {
            "index": span(text, "@nurse.bsky.social"),
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:nurse"}],
        },
        {
            "index": span(text, "#GénéRounds"),
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "GénéRounds"}],
        },
    ]
    # Characters and bytes differ before the mention: the offsets are bytes.
    assert found[0]["index"]["byteStart"] != text.index("@nurse")


@pytest.fixture
async def client(bluesky_emulator, bluesky_password):
    settings = BlueskySettings(
        enabled=True,
        handle=bluesky_emulator.state.handle,
        service_url=bluesky_emulator.base_url,
        ca_file=str(bluesky_emulator.ca_file),
        timeout_seconds=2,
        app_password=bluesky_password,
    )
    c = BlueskyClient(settings, Path("."))
    yield c
    await c.close()


async def test_a_mention_that_resolves_gets_its_did_and_others_stay_text(client, bluesky_emulator):
    state = bluesky_emulator.state
    did = state.add_handle("nurse.bsky.social")
    text = "Q1 from @nurse.bsky.social: thé ou café? @ghost.bsky.social asked too. #GR26"
    posted = await client.post(text, None, client.new_key())
    record = state.records[posted.id].value
    # The SDK adds each object's $type as it sends it; what matters is the index and DID.
    found = [
        ({k: f["index"][k] for k in ("byteStart", "byteEnd")}, f["features"][0].get("did"))
        for f in record["facets"]
        if f["features"][0]["$type"].endswith("#mention")
    ]
    assert found == [(span(text, "@nurse.bsky.social"), did)]
    index = found[0][0]
    # What the bytes at that index say is the handle itself.
    assert text.encode()[index["byteStart"] : index["byteEnd"]] == b"@nurse.bsky.social"


async def test_images_go_as_blobs_with_alt_text_and_five_are_refused(client, bluesky_emulator):
    state = bluesky_emulator.state
    images = [Image(PNG, "image/png", f"Photo {n}.") for n in range(4)]
    posted = await client.post("Four photos.", None, client.new_key(), media=images)
    embed = state.records[posted.id].value["embed"]
    assert [i["alt"] for i in embed["images"]] == [f"Photo {n}." for n in range(4)]
    for image in embed["images"]:
        assert state.blobs[image["image"]["ref"]["$link"]] == (PNG, "image/png")
        assert image["image"]["mimeType"] == "image/png"
        assert image["image"]["size"] == len(PNG)
    with pytest.raises(Refused, match="at most 4 images"):
        await client.post("Five.", None, client.new_key(), media=images + images[:1])
    assert len(state.own_thread()) == 1


async def test_a_post_with_images_dropped_after_commit_is_found_not_sent_again(
    client, bluesky_emulator
):
    from liveq.networks.base import Unavailable

    state = bluesky_emulator.state
    key = client.new_key()
    image = [Image(PNG, "image/png", "The theatre.")]
    fail_next_bluesky(state, "commit_then_drop")
    with pytest.raises(Unavailable):
        await client.post("With a photo.", None, key, media=image)
    again = await client.post("With a photo.", None, key, retry=True, media=image)
    assert [r.uri for r in state.own_thread()] == [again.id]
    assert state.own_thread()[0].value["embed"]["images"][0]["alt"] == "The theatre."
