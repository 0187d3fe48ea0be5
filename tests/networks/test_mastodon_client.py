"""liveq's Mastodon client (Mastodon.py, unmodified) against the emulator: photos
go as media with their descriptions, and a status dropped after it was made is
not made twice when sent again with its Idempotency-Key."""

from __future__ import annotations

from pathlib import Path

import pytest

from liveq.networks.base import Image, Refused, Unavailable
from liveq.networks.mastodon.client import MastodonClient
from liveq.networks.mastodon.settings import MastodonSettings
from tests.fixtures_mastodon import fail_next
from tests.web.test_procedure import PNG


@pytest.fixture
async def client(mastodon_emulator, mastodon_token):
    settings = MastodonSettings(
        enabled=True,
        instance_url=mastodon_emulator.base_url,
        ca_file=str(mastodon_emulator.ca_file),
        timeout_seconds=2,
        access_token=mastodon_token,
    )
    c = MastodonClient(settings, Path("."))
    yield c
    await c.close()


async def test_photos_go_as_media_with_descriptions(client, mastodon_state):
    images = [Image(PNG, "image/png", f"Photo {n}.") for n in range(2)]
    posted = await client.post("Two photos.", None, "key-1", media=images)
    status = mastodon_state.statuses[posted.id]
    assert [m["description"] for m in status.media] == ["Photo 0.", "Photo 1."]
    assert [mastodon_state.media_files[m["id"]] for m in status.media] == [(PNG, "image/png")] * 2


async def test_five_photos_are_refused_with_mastodons_sentence(client, mastodon_state):
    images = [Image(PNG, "image/png", "A photo.")] * 5
    with pytest.raises(Refused, match="Media attachments maximum 4"):
        await client.post("Too many.", None, "key-5", media=images)
    assert mastodon_state.own_thread() == []


async def test_a_status_with_media_dropped_after_commit_is_not_made_twice(client, mastodon_state):
    image = [Image(PNG, "image/png", "The theatre.")]
    fail_next(mastodon_state, "commit_then_drop")
    with pytest.raises(Unavailable):
        await client.post("With a photo.", None, "key-drop", media=image)
    again = await client.post("With a photo.", None, "key-drop", retry=True, media=image)
    own = mastodon_state.own_thread()
    assert [s.id for s in own] == [again.id]
    assert [m["description"] for m in own[0].media] == ["The theatre."]
