"""The X API emulator's behaviour: search, limits, faults, policies, controls.

Everything goes through tweepy's ``AsyncClient`` (unmodified) or plain HTTP,
over real TLS to a real server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
import tweepy
from tweepy.asynchronous import AsyncClient

from liveq.emulators.x.server import (
    DUPLICATE_CONTENT,
    REPLY_NOT_ALLOWED,
    RunningEmulator,
    run_emulator,
)
from liveq.emulators.x.state import (
    POST_TWEETS,
    SEARCH_RECENT,
    USERS_ME,
    EmulatorState,
    FaultKind,
)
from liveq.networks.x.client import XClient, XEndpoint, create_x_client

# -- recent search ---------------------------------------------------------------


async def test_search_newest_first_with_authors_and_fields(
    x_client: XClient, x_state: EmulatorState
) -> None:
    older = x_state.inject_tweet(
        "Will it hurt? #HeartOps", author_username="amy", author_name="Amy"
    )
    newer = x_state.inject_tweet("How long? #heartops", author_username="bo", author_name="Bo B")
    x_state.inject_tweet("Unrelated #Other", author_username="cy")

    resp = await x_client.api.search_recent_tweets(
        "#HeartOps -is:retweet",
        expansions=["author_id"],
        tweet_fields=["created_at", "author_id", "conversation_id", "referenced_tweets"],
        user_fields=["username", "name"],
    )
    assert [t.id for t in resp.data] == [int(newer.id), int(older.id)]
    assert resp.data[0].author_id == int(newer.author_id)
    assert resp.data[0].conversation_id == int(newer.id)
    assert resp.data[0].created_at.tzinfo is not None
    users = {u.id: (u.username, u.name) for u in resp.includes["users"]}
    assert users == {int(newer.author_id): ("bo", "Bo B"), int(older.author_id): ("amy", "Amy")}
    assert resp.meta == {"newest_id": newer.id, "oldest_id": older.id, "result_count": 2}


async def test_search_since_id_returns_only_newer(
    x_client: XClient, x_state: EmulatorState
) -> None:
    first = x_state.inject_tweet("one #HeartOps", author_username="amy")
    resp = await x_client.api.search_recent_tweets("#HeartOps")
    assert resp.meta["newest_id"] == first.id
    second = x_state.inject_tweet("two #HeartOps", author_username="amy")

    newer = await x_client.api.search_recent_tweets("#HeartOps", since_id=resp.meta["newest_id"])
    assert [t.text for t in newer.data] == [second.text]
    nothing = await x_client.api.search_recent_tweets("#HeartOps", since_id=second.id)
    assert nothing.data is None
    assert nothing.meta == {"result_count": 0}


async def test_search_paginates_with_next_token(x_client: XClient, x_state: EmulatorState) -> None:
    posted = [
        x_state.inject_tweet(f"question {i} #HeartOps", author_username=f"user{i % 3}")
        for i in range(25)
    ]
    pages, token = [], None
    while True:
        kwargs = {"next_token": token} if token else {}
        resp = await x_client.api.search_recent_tweets("#HeartOps", max_results=10, **kwargs)
        pages.append([str(t.id) for t in resp.data])
        token = resp.meta.get("next_token")
        if token is None:
            break
    assert [len(p) for p in pages] == [10, 10, 5]
    flat = [i for page in pages for i in page]
    assert flat == [t.id for t in reversed(posted)]  # newest first, no overlap, none lost


async def test_search_never_returns_retweets(x_client: XClient, x_state: EmulatorState) -> None:
    original = x_state.inject_tweet("Original #HeartOps", author_username="amy")
    x_state.inject_tweet(
        "RT @amy: Original #HeartOps", author_username="bo", retweet_of=original.id
    )
    for query in ("#HeartOps", "#HeartOps is:retweet"):
        resp = await x_client.api.search_recent_tweets(query)
        assert [t.id for t in resp.data or []] == ([int(original.id)] if "is:" not in query else [])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("#HeartOps OR #KneeOps", {"heart", "knee", "both"}),
        ("#HeartOps #KneeOps", {"both"}),
        ("#HeartOps -#KneeOps", {"heart"}),
        ("anaesthesia", {"knee"}),
        ('"how long"', {"heart"}),
        ("from:bo (#HeartOps OR #KneeOps)", {"knee"}),
        ("@liveq_demo", {"both"}),
    ],
)
async def test_search_query_operators(
    x_client: XClient, x_state: EmulatorState, query: str, expected: set[str]
) -> None:
    ids = {
        "heart": x_state.inject_tweet("How long does it take? #HeartOps", author_username="amy"),
        "knee": x_state.inject_tweet("Local anaesthesia? #KneeOps", author_username="bo"),
        "both": x_state.inject_tweet("@liveq_demo #HeartOps and #KneeOps", author_username="cy"),
    }
    resp = await x_client.api.search_recent_tweets(query)
    got = {str(t.id) for t in resp.data or []}
    assert got == {ids[name].id for name in expected}


async def test_search_skips_posts_older_than_seven_days(
    x_client: XClient, x_state: EmulatorState
) -> None:
    x_state.inject_tweet(
        "Old #HeartOps", author_username="amy", created_at=datetime.now(UTC) - timedelta(days=8)
    )
    recent = x_state.inject_tweet("New #HeartOps", author_username="amy")
    resp = await x_client.api.search_recent_tweets("#HeartOps")
    assert [t.id for t in resp.data] == [int(recent.id)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_results": 5}, "is not between 10 and 100"),
        ({"max_results": 101}, "is not between 10 and 100"),
        ({"next_token": "garbage!"}, "next_token"),
    ],
)
async def test_search_rejects_bad_parameters(x_client: XClient, kwargs: dict, message: str) -> None:
    with pytest.raises(tweepy.BadRequest) as err:
        await x_client.api.search_recent_tweets("#HeartOps", **kwargs)
    assert any(message in m for m in err.value.api_messages)


@pytest.mark.parametrize("query", ["-is:retweet", "(#HeartOps", "#HeartOps foo:bar"])
async def test_search_rejects_bad_queries(x_client: XClient, query: str) -> None:
    with pytest.raises(tweepy.BadRequest) as err:
        await x_client.api.search_recent_tweets(query)
    assert err.value.api_errors[0]["parameters"] == {"query": [query]}


# -- rate limits -------------------------------------------------------------------


async def test_rate_limit_headers_on_every_response(
    x_client: XClient, x_state: EmulatorState
) -> None:
    x_state.set_rate_limit(SEARCH_RECENT, 450, 900)
    raw = AsyncClient(bearer_token=x_state.bearer_token, return_type=aiohttp.ClientResponse)
    raw.session = x_client.session  # the same pinned session; tweepy unmodified
    before = time.time()
    first = await raw.search_recent_tweets("#HeartOps")
    second = await raw.search_recent_tweets("#HeartOps")
    assert first.headers["x-rate-limit-limit"] == "450"
    assert first.headers["x-rate-limit-remaining"] == "449"
    assert second.headers["x-rate-limit-remaining"] == "448"
    reset = int(first.headers["x-rate-limit-reset"])
    assert before + 890 <= reset <= time.time() + 900


async def test_429_after_the_limit_with_reset(x_client: XClient, x_state: EmulatorState) -> None:
    x_state.set_rate_limit(POST_TWEETS, 2, 900)
    await x_client.api.create_tweet(text="one")
    await x_client.api.create_tweet(text="two")
    with pytest.raises(tweepy.TooManyRequests) as err:
        await x_client.api.create_tweet(text="three")
    headers = err.value.response.headers
    assert headers["x-rate-limit-remaining"] == "0"
    assert headers["x-rate-limit-limit"] == "2"
    assert err.value.reset_time == int(headers["x-rate-limit-reset"])
    assert err.value.reset_time > time.time() + 800
    assert [t.text for t in x_state.posts_by()] == ["one", "two"]
    # Other endpoints have their own windows.
    assert (await x_client.api.get_me()).data.username == "liveq_demo"


# -- injected faults -----------------------------------------------------------------


async def test_injected_429_carries_its_reset_time(
    x_client: XClient, x_state: EmulatorState
) -> None:
    x_state.fail_next(POST_TWEETS, FaultKind.RATE_LIMIT, reset_after=30)
    with pytest.raises(tweepy.TooManyRequests) as err:
        await x_client.api.create_tweet(text="held back")
    assert abs(err.value.reset_time - (time.time() + 30)) <= 2
    assert x_state.tweets == {}
    await x_client.api.create_tweet(text="held back")  # the fault was used up
    assert [t.text for t in x_state.posts_by()] == ["held back"]


@pytest.mark.parametrize(
    ("kind", "status"), [(FaultKind.SERVER_ERROR, 500), (FaultKind.SERVICE_UNAVAILABLE, 503)]
)
async def test_injected_5xx(
    x_client: XClient, x_state: EmulatorState, kind: FaultKind, status: int
) -> None:
    x_state.fail_next(POST_TWEETS, kind, count=2)
    for _ in range(2):
        with pytest.raises(tweepy.TwitterServerError) as err:
            await x_client.api.create_tweet(text="retry me")
        assert err.value.response.status == status
        assert "x-rate-limit-remaining" in err.value.response.headers
    assert x_state.tweets == {}
    await x_client.api.create_tweet(text="retry me")
    assert len(x_state.posts_by()) == 1


async def test_commit_then_hang_stores_the_post_and_times_out(
    x_emulator: RunningEmulator, x_state: EmulatorState
) -> None:
    x_state.fail_next(POST_TWEETS, FaultKind.COMMIT_THEN_HANG)
    async with create_x_client(x_emulator.credentials(), x_emulator.endpoint(timeout=0.5)) as c:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await c.api.create_tweet(text="Did this go out?")
        assert time.monotonic() - started < 3
        assert [t.text for t in x_state.posts_by()] == ["Did this go out?"]
        # The naive retry meets X's duplicate check: the signal that it did go out.
        with pytest.raises(tweepy.Forbidden) as err:
            await c.api.create_tweet(text="Did this go out?")
        assert DUPLICATE_CONTENT in err.value.api_messages


async def test_commit_then_drop_stores_the_post_and_closes(
    x_client: XClient, x_state: EmulatorState
) -> None:
    x_state.fail_next(POST_TWEETS, FaultKind.COMMIT_THEN_DROP)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await x_client.api.create_tweet(text="Dropped answer")
    assert [t.text for t in x_state.posts_by()] == ["Dropped answer"]


async def test_hang_without_commit_stores_nothing(
    x_emulator: RunningEmulator, x_state: EmulatorState
) -> None:
    x_state.fail_next(POST_TWEETS, FaultKind.HANG)
    async with create_x_client(x_emulator.credentials(), x_emulator.endpoint(timeout=0.5)) as c:
        with pytest.raises(TimeoutError):
            await c.api.create_tweet(text="never stored")
    assert x_state.tweets == {}


async def test_wildcard_fault_hits_any_endpoint(x_client: XClient, x_state: EmulatorState) -> None:
    x_state.fail_next("*", FaultKind.SERVICE_UNAVAILABLE)
    with pytest.raises(tweepy.TwitterServerError):
        await x_client.api.get_me()
    assert (await x_client.api.get_me()).data is not None


async def test_shutdown_releases_hanging_requests(
    x_emulator: RunningEmulator, x_client: XClient, x_state: EmulatorState
) -> None:
    # A test that forgets a hanging request must not stall teardown.
    x_state.fail_next(POST_TWEETS, FaultKind.HANG)
    pending = asyncio.create_task(x_client.api.create_tweet(text="stuck"))
    while x_state.request_counts[POST_TWEETS] == 0:
        await asyncio.sleep(0.01)
    started = time.monotonic()
    await x_emulator.close()
    assert time.monotonic() - started < 0.5  # not the 1 s shutdown_timeout
    with pytest.raises(aiohttp.ClientError):
        await pending


def test_fail_next_rejects_unknown_endpoints_and_kinds(x_state: EmulatorState) -> None:
    with pytest.raises(ValueError, match="unknown endpoint"):
        x_state.fail_next("POST /2/tweet", FaultKind.HANG)
    with pytest.raises(ValueError):
        x_state.fail_next(POST_TWEETS, "explode")


# -- duplicate content and the reply policy ----------------------------------------------


async def test_duplicate_content_is_403(x_client: XClient, x_state: EmulatorState) -> None:
    first = (await x_client.api.create_tweet(text="Same words")).data["id"]
    with pytest.raises(tweepy.Forbidden) as err:
        await x_client.api.create_tweet(text="Same words")
    assert err.value.api_messages == [DUPLICATE_CONTENT]
    # Someone else saying the same thing does not count; deleting ours frees the text.
    x_state.inject_tweet("Another line", author_username="amy")
    await x_client.api.create_tweet(text="Another line")
    await x_client.api.delete_tweet(first)
    await x_client.api.create_tweet(text="Same words")
    assert [t.text for t in x_state.posts_by()] == ["Another line", "Same words"]


async def test_reply_policy_refuses_unless_mentioned_or_quoted(
    x_client: XClient, x_state: EmulatorState
) -> None:
    x_state.reply_policy = True
    plain = x_state.inject_tweet("Nice #HeartOps", author_username="amy")
    mentioning = x_state.inject_tweet("@liveq_demo how long?", author_username="bo")

    with pytest.raises(tweepy.Forbidden) as err:
        await x_client.api.create_tweet(text="Thanks!", in_reply_to_tweet_id=plain.id)
    assert err.value.api_messages == [REPLY_NOT_ALLOWED]
    # A quote post is allowed where the reply was refused.
    await x_client.api.create_tweet(text="Thanks!", quote_tweet_id=plain.id)
    await x_client.api.create_tweet(text="About 3 hours.", in_reply_to_tweet_id=mentioning.id)

    ours = (await x_client.api.create_tweet(text="1/ Starting")).data["id"]
    quoting_us = x_state.inject_tweet("Good luck!", author_username="cy", quote_tweet_id=ours)
    await x_client.api.create_tweet(text="Thank you", in_reply_to_tweet_id=quoting_us.id)

    x_state.reply_policy = False
    await x_client.api.create_tweet(text="Welcome", in_reply_to_tweet_id=plain.id)
    assert [t.text for t in x_state.posts_by()] == [
        "Thanks!",
        "About 3 hours.",
        "1/ Starting",
        "Thank you",
        "Welcome",
    ]


async def test_self_replies_follow_their_own_switch(
    x_client: XClient, x_state: EmulatorState
) -> None:
    root = (await x_client.api.create_tweet(text="1/ Thread")).data["id"]
    x_state.reply_policy = True
    x_state.self_replies_exempt = False
    with pytest.raises(tweepy.Forbidden):
        await x_client.api.create_tweet(text="2/ Thread", in_reply_to_tweet_id=root)
    x_state.self_replies_exempt = True
    await x_client.api.create_tweet(text="2/ Thread", in_reply_to_tweet_id=root)
    assert len(x_state.posts_by()) == 2


async def test_reply_to_a_deleted_post_is_403(x_client: XClient) -> None:
    gone = (await x_client.api.create_tweet(text="Temporary")).data["id"]
    await x_client.api.delete_tweet(gone)
    with pytest.raises(tweepy.Forbidden, match="deleted or not visible"):
        await x_client.api.create_tweet(text="Reply", in_reply_to_tweet_id=gone)


# -- control endpoints over HTTP ----------------------------------------------------------


async def test_control_inject_and_list_tweets(
    x_control: aiohttp.ClientSession, x_client: XClient
) -> None:
    async with x_control.post(
        "/_emulator/tweets",
        json={
            "text": "Is recovery long? #HeartOps",
            "author_username": "@amy",
            "author_name": "Amy",
        },
    ) as resp:
        assert resp.status == 201
        injected = (await resp.json())["data"]
    assert injected["author_username"] == "amy"

    found = await x_client.api.search_recent_tweets(
        "#HeartOps", expansions=["author_id"], user_fields=["name"]
    )
    assert [str(t.id) for t in found.data] == [injected["id"]]
    assert found.includes["users"][0].name == "Amy"

    media = await x_client.upload_media(b"GIF89a....", media_type="image/gif", alt_text="A loop")
    await x_client.api.create_tweet(text="Answer", media_ids=[media.id])
    async with x_control.get("/_emulator/tweets", params={"author": "liveq_demo"}) as resp:
        listed = (await resp.json())["data"]
    assert [(t["text"], t["media"][0]["alt_text"], t["media"][0]["type"]) for t in listed] == [
        ("Answer", "A loop", "animated_gif")
    ]


async def test_control_faults_and_settings(
    x_control: aiohttp.ClientSession, x_client: XClient, x_state: EmulatorState
) -> None:
    async with x_control.post(
        "/_emulator/faults", json={"endpoint": POST_TWEETS, "kind": "service_unavailable"}
    ) as resp:
        assert resp.status == 201
    async with x_control.post(
        "/_emulator/faults", json={"endpoint": POST_TWEETS, "kind": "explode"}
    ) as resp:
        assert resp.status == 400
        assert "rate_limit" in (await resp.json())["detail"]
    with pytest.raises(tweepy.TwitterServerError):
        await x_client.api.create_tweet(text="first try")

    async with x_control.post(
        "/_emulator/settings",
        json={"reply_policy": True, "rate_limits": {USERS_ME: {"limit": 1, "window_seconds": 60}}},
    ) as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["reply_policy"] is True
    assert x_state.reply_policy is True
    assert x_state.rate_limits[USERS_ME] == (1, 60)
    await x_client.api.get_me()
    with pytest.raises(tweepy.TooManyRequests):
        await x_client.api.get_me()

    async with x_control.get("/_emulator/state") as resp:
        state = await resp.json()
    assert state["request_counts"][POST_TWEETS] == 1
    assert state["account"]["username"] == "liveq_demo"

    async with x_control.post("/_emulator/reset") as resp:
        assert resp.status == 200
    assert x_state.reply_policy is False
    assert x_state.request_counts == {}
    await x_client.api.get_me()  # limits back to defaults


async def test_unknown_api_path_is_json_404(x_client: XClient) -> None:
    async with x_client.session.get("https://api.twitter.com/2/nope") as resp:
        assert resp.status == 404
        assert (await resp.json())["status"] == 404


# -- running it ------------------------------------------------------------------------------


async def test_run_emulator_prints_where_it_is(tmp_path: Path) -> None:
    out = io.StringIO()
    ca_file = tmp_path / "ca.pem"
    task = asyncio.create_task(run_emulator("127.0.0.1", 0, ca_file=ca_file, out=out))
    try:
        for _ in range(100):
            if "controls:" in out.getvalue():
                break
            await asyncio.sleep(0.02)
        text = out.getvalue()
        port = int(re.search(r"https://127\.0\.0\.1:(\d+)", text).group(1))
        assert str(ca_file) in text
        assert ca_file.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
        state = EmulatorState()  # run_emulator's default state has these default keys
        async with create_x_client(
            state.credentials(), XEndpoint(emulator_port=port, ca_file=ca_file, timeout=5)
        ) as client:
            assert (await client.api.get_me()).data.username == "liveq_demo"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_emulator_in_another_process(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    code = (
        "import asyncio, sys; from liveq.emulators.x.server import run_emulator; "
        f"asyncio.run(run_emulator('127.0.0.1', 0, ca_file={str(ca_file)!r}))"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE
    )
    try:
        lines = []
        while not lines or not lines[-1].startswith("controls:"):
            line = await asyncio.wait_for(proc.stdout.readline(), 15)
            assert line, "the emulator process ended early"
            lines.append(line.decode().strip())
        port = int(re.search(r":(\d+)$", lines[0]).group(1))
        endpoint = XEndpoint(emulator_port=port, ca_file=ca_file, timeout=5)
        async with create_x_client(EmulatorState().credentials(), endpoint) as client:
            posted = await client.api.create_tweet(text="From the other side")
            async with client.session.get("https://api.twitter.com/_emulator/tweets") as resp:
                listed = (await resp.json())["data"]
        assert [t["id"] for t in listed] == [posted.data["id"]]
    finally:
        proc.terminate()
        await proc.wait()


async def test_posts_over_the_weighted_limit_are_refused(x_client, x_state):
    import tweepy

    # 140 CJK characters weigh 280: allowed. One more is over.
    ok = await x_client.api.create_tweet(text="漢" * 140, user_auth=True)
    assert ok.data["id"]
    with pytest.raises(tweepy.errors.Forbidden) as info:
        await x_client.api.create_tweet(text="字" * 141, user_auth=True)
    assert "too long" in str(info.value)
    assert [t.text for t in x_state.posts_by()] == ["漢" * 140]
