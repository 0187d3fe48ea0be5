"""The tweepy client factory against the local emulator: tweepy unmodified."""

from __future__ import annotations

import dataclasses
import logging
import time

import aiohttp
import pytest
import tweepy
import yarl
from oauthlib.oauth1 import Client as OAuth1Client

from liveq.emulators.x.server import RunningEmulator
from liveq.emulators.x.state import EmulatorState
from liveq.networks.tls import EmulatorCA
from liveq.networks.x.client import XClient, XCredentials, XEndpoint, create_x_client

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_create_tweet_answers_201_shape_and_stores_it(
    x_client: XClient, x_state: EmulatorState
) -> None:
    resp = await x_client.api.create_tweet(text="Live from theatre 3 #HeartOps")
    assert set(resp.data) == {"id", "text", "edit_history_tweet_ids"}
    assert resp.data["text"] == "Live from theatre 3 #HeartOps"
    assert resp.data["edit_history_tweet_ids"] == [resp.data["id"]]
    stored = x_state.tweets[resp.data["id"]]
    assert stored.author_id == x_state.account_id
    assert stored.text == "Live from theatre 3 #HeartOps"


async def test_reply_chain_keeps_conversation(x_client: XClient, x_state: EmulatorState) -> None:
    root = (await x_client.api.create_tweet(text="1/ We begin")).data["id"]
    second = (await x_client.api.create_tweet(text="2/ Incision", in_reply_to_tweet_id=root)).data[
        "id"
    ]
    third = (await x_client.api.create_tweet(text="3/ Done", in_reply_to_tweet_id=second)).data[
        "id"
    ]

    assert [t.id for t in x_state.reply_chain(third)] == [root, second, third]
    got = await x_client.api.get_tweet(
        third, tweet_fields=["conversation_id", "referenced_tweets", "in_reply_to_user_id"]
    )
    # tweepy's Tweet turns ids into ints
    assert got.data.conversation_id == int(root)
    assert got.data.in_reply_to_user_id == int(x_state.account_id)
    assert [(r.type, r.id) for r in got.data.referenced_tweets] == [("replied_to", int(second))]
    assert int(root) < int(second) < int(third)  # snowflakes grow with time


async def test_quote_post(x_client: XClient, x_state: EmulatorState) -> None:
    original = (await x_client.api.create_tweet(text="Original")).data["id"]
    quote = (await x_client.api.create_tweet(text="Quoting", quote_tweet_id=original)).data["id"]
    assert x_state.tweets[quote].quote_tweet_id == original
    got = await x_client.api.get_tweet(quote, tweet_fields=["referenced_tweets"])
    assert [(r.type, r.id) for r in got.data.referenced_tweets] == [("quoted", int(original))]


async def test_delete_tweet(x_client: XClient, x_state: EmulatorState) -> None:
    tid = (await x_client.api.create_tweet(text="Oops #HeartOps")).data["id"]
    resp = await x_client.api.delete_tweet(tid)
    assert resp.data == {"deleted": True}
    assert x_state.tweets[tid].deleted
    missing = await x_client.api.get_tweet(tid)
    assert missing.data is None
    assert missing.errors[0]["title"] == "Not Found Error"
    search = await x_client.api.search_recent_tweets("#HeartOps")
    assert search.meta == {"result_count": 0}
    with pytest.raises(tweepy.NotFound):
        await x_client.api.delete_tweet(tid)


async def test_get_tweets_by_ids_reports_missing(x_client: XClient) -> None:
    tid = (await x_client.api.create_tweet(text="Here")).data["id"]
    resp = await x_client.api.get_tweets([tid, "12345"])
    assert [t.id for t in resp.data] == [int(tid)]
    assert resp.errors[0]["resource_id"] == "12345"


async def test_users_me(x_client: XClient, x_state: EmulatorState) -> None:
    me = await x_client.api.get_me(user_fields=["created_at", "description"])
    assert me.data.id == int(x_state.account_id)
    assert me.data.username == "liveq_demo"
    assert me.data.created_at is not None


async def test_bad_oauth_signature_is_401(
    x_emulator: RunningEmulator, x_state: EmulatorState
) -> None:
    wrong = dataclasses.replace(x_emulator.credentials(), consumer_secret="not-the-secret")
    async with create_x_client(wrong, x_emulator.endpoint(timeout=5)) as client:
        with pytest.raises(tweepy.Unauthorized) as err:
            await client.api.create_tweet(text="should not post")
    assert err.value.response.status == 401
    assert "Unauthorized" in err.value.api_messages
    assert err.value.response.headers["x-rate-limit-limit"] == "100"  # headers even on a 401
    assert x_state.tweets == {}


async def test_wrong_access_token_secret_is_401(x_emulator: RunningEmulator) -> None:
    wrong = dataclasses.replace(x_emulator.credentials(), access_token_secret="nope")
    async with create_x_client(wrong, x_emulator.endpoint(timeout=5)) as client:
        with pytest.raises(tweepy.Unauthorized):
            await client.api.get_me()


async def test_bearer_only_client_can_search_but_not_post(
    x_emulator: RunningEmulator, x_state: EmulatorState
) -> None:
    x_state.inject_tweet("Is it safe? #HeartOps", author_username="amy")
    bearer_only = XCredentials(
        consumer_key="unused",
        consumer_secret="unused",
        access_token="unused",
        access_token_secret="unused",
        bearer_token=x_state.bearer_token,
    )
    async with create_x_client(bearer_only, x_emulator.endpoint(timeout=5)) as client:
        found = await client.api.search_recent_tweets("#HeartOps")
        assert [t.text for t in found.data] == ["Is it safe? #HeartOps"]
        with pytest.raises(tweepy.Forbidden) as err:
            await client.api.get_me(user_auth=False)  # bearer on a user-context endpoint
        assert err.value.response.status == 403
        assert "Application-Only is forbidden for this endpoint" in str(err.value)
        with pytest.raises(tweepy.Unauthorized):
            await client.api.create_tweet(text="signed with the wrong keys")


async def test_wrong_bearer_token_is_401(x_emulator: RunningEmulator) -> None:
    wrong = dataclasses.replace(x_emulator.credentials(), bearer_token="AAAAwrong")
    async with create_x_client(wrong, x_emulator.endpoint(timeout=5)) as client:
        with pytest.raises(tweepy.Unauthorized):
            await client.api.search_recent_tweets("#HeartOps")


async def test_replayed_oauth_nonce_is_401(x_emulator: RunningEmulator, x_client: XClient) -> None:
    creds = x_emulator.credentials()
    url = "https://api.twitter.com/2/users/me"
    signer = OAuth1Client(
        creds.consumer_key,
        creds.consumer_secret,
        creds.access_token,
        creds.access_token_secret,
    )
    _, headers, _ = signer.sign(url, "GET")
    async with x_client.session.get(url, headers=headers) as first:
        assert first.status == 200
    async with x_client.session.get(url, headers=headers) as replay:
        assert replay.status == 401
        assert (await replay.json())["title"] == "Unauthorized"


async def test_stale_oauth_timestamp_is_401(x_emulator: RunningEmulator, x_client: XClient) -> None:
    creds = x_emulator.credentials()
    url = "https://api.twitter.com/2/users/me"
    signer = OAuth1Client(
        creds.consumer_key,
        creds.consumer_secret,
        creds.access_token,
        creds.access_token_secret,
        timestamp=str(int(time.time()) - 3600),
    )
    _, headers, _ = signer.sign(url, "GET")
    async with x_client.session.get(url, headers=headers) as resp:
        assert resp.status == 401


async def test_session_is_injected_with_a_total_timeout(x_emulator: RunningEmulator) -> None:
    async with create_x_client(x_emulator.credentials(), x_emulator.endpoint(timeout=7)) as client:
        assert client.api.session is client.session
        assert client.session.timeout.total == 7
        assert client.api.wait_on_rate_limit is False
    assert client.session.closed


async def test_resolver_refuses_hosts_that_are_not_pinned(x_client: XClient) -> None:
    with pytest.raises(aiohttp.ClientConnectorError) as err:
        async with x_client.session.get("https://example.com/"):
            pass
    assert "not pinned" in str(err.value.os_error)


async def test_client_trusts_only_the_emulator_ca(x_emulator: RunningEmulator, tmp_path) -> None:
    other_ca = EmulatorCA().write_ca_pem(tmp_path / "other.pem")
    endpoint = dataclasses.replace(x_emulator.endpoint(timeout=5), ca_file=other_ca)
    async with create_x_client(x_emulator.credentials(), endpoint) as client:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await client.api.get_me()


def test_emulated_endpoint_needs_a_ca_file() -> None:
    with pytest.raises(ValueError, match="ca_file"):
        XClient(XCredentials("k", "s", "t", "ts"), XEndpoint(emulator_port=1))


def test_credentials_repr_hides_secrets() -> None:
    creds = XCredentials("ckey", "csecret", "atoken", "asecret", "bearer")
    text = repr(creds)
    assert "ckey" in text
    for secret in ("csecret", "asecret", "bearer"):
        assert secret not in text


async def test_tweepy_and_oauthlib_debug_logs_do_not_leak_secrets(
    x_client: XClient, x_state: EmulatorState, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("tweepy.asynchronous.client").setLevel(logging.DEBUG)
    try:
        await x_client.api.search_recent_tweets("#HeartOps")
        await x_client.api.create_tweet(text="logged?")
        await x_client.upload_media(PNG, media_type="image/png", alt_text="chart")
    finally:
        logging.getLogger("tweepy.asynchronous.client").setLevel(logging.NOTSET)
    assert x_state.bearer_token not in caplog.text
    assert "Making API request" not in caplog.text
    assert "signature base string" not in caplog.text.lower()
    assert x_state.consumer_key not in caplog.text


async def test_media_upload_with_alt_text_attaches_to_post(
    x_client: XClient, x_state: EmulatorState
) -> None:
    media = await x_client.upload_media(
        PNG, media_type="image/png", alt_text="Surgeons at the table, faces not shown"
    )
    assert media.media_key == f"3_{media.id}"
    tid = (await x_client.api.create_tweet(text="Step 2", media_ids=[media.id])).data["id"]

    attached = x_state.media_of(tid)
    assert [(m.id, m.alt_text, m.media_type) for m in attached] == [
        (media.id, "Surgeons at the table, faces not shown", "image/png")
    ]
    got = await x_client.api.get_tweet(
        tid, expansions=["attachments.media_keys"], media_fields=["alt_text"]
    )
    assert got.includes["media"][0].alt_text == "Surgeons at the table, faces not shown"
    assert got.includes["media"][0].type == "photo"


async def test_media_upload_errors_raise_tweepy_exceptions(
    x_emulator: RunningEmulator, x_client: XClient
) -> None:
    media = await x_client.upload_media(PNG, media_type="image/png")
    with pytest.raises(tweepy.BadRequest):
        await x_client.set_alt_text(media.id, "x" * 1001)
    with pytest.raises(tweepy.BadRequest):
        await x_client.api.create_tweet(text="unknown media", media_ids=["999"])
    wrong = dataclasses.replace(x_emulator.credentials(), access_token_secret="nope")
    async with create_x_client(wrong, x_emulator.endpoint(timeout=5)) as client:
        with pytest.raises(tweepy.Unauthorized):
            await client.upload_media(PNG, media_type="image/png")


async def test_user_context_search_signs_query_parameters(
    x_client: XClient, x_state: EmulatorState
) -> None:
    # tweepy signs the query string itself (and re-encodes ':' afterwards):
    # the emulator must verify that, and refuse a query changed after signing.
    asked = x_state.inject_tweet("When? #HeartOps", author_username="amy")
    resp = await x_client.api.search_recent_tweets(
        "#HeartOps -is:retweet", user_auth=True, since_id=1, tweet_fields=["created_at"]
    )
    assert [t.id for t in resp.data] == [int(asked.id)]

    creds = x_client.credentials
    signer = OAuth1Client(
        creds.consumer_key,
        creds.consumer_secret,
        creds.access_token,
        creds.access_token_secret,
    )
    signed_url, headers, _ = signer.sign(
        "https://api.twitter.com/2/tweets/search/recent?query=%23HeartOps", "GET"
    )
    tampered = signed_url.replace("%23HeartOps", "%23KneeOps")
    async with x_client.session.get(yarl.URL(tampered, encoded=True), headers=headers) as resp:
        assert resp.status == 401
