"""Property-based fuzzing of the audience endpoint and the moderation API on a real server.

Hypothesis drives plain (sync) tests; the server runs on its own event loop in a
background thread and each case is a coroutine sent to that loop. Properties: never
a 5xx, never a hang (each request has a time limit), and every question answered
201 is in the database at the end.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveq.domain.questions import ACTIONS
from tests.fixtures_server import LiveServer, start_server, write_config

REQUEST_SECONDS = 5
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.too_slow],
)


class ThreadedServer:
    """A liveq server on its own loop in a thread, and an HTTP client on that loop."""

    def __init__(self, config) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: LiveServer = self.run(start_server(config), 30)
        self.http: aiohttp.ClientSession = self.run(self._session())
        self.accepted: list[int] = []

    async def _session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_SECONDS))

    def run(self, coro, timeout: float = REQUEST_SECONDS + 1):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def request(self, method: str, path: str, **kwargs) -> tuple[int, bytes]:
        async def go() -> tuple[int, bytes]:
            async with self.http.request(method, self.server.url + path, **kwargs) as resp:
                return resp.status, await resp.read()

        return self.run(go())

    def close(self) -> None:
        self.run(self.http.close())
        self.run(self.server.stop(), 30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[ThreadedServer]:
    config = write_config(
        tmp_path_factory.mktemp("fuzz"),
        limits={"questions_per_minute": 0, "api_requests_per_minute": 0, "votes_per_minute": 0},
    )
    threaded = ThreadedServer(config)
    yield threaded
    threaded.close()


def db_question_ids(live: ThreadedServer) -> set[int]:
    rows = live.run(live.server.db.fetchall("SELECT id FROM questions"))
    return {r[0] for r in rows}


# Any JSON value; text mixes every plane of Unicode, including lone surrogates
# (which json.dumps escapes as \udxxx), control and zero-width characters.
any_text = st.text(st.characters(codec=None), max_size=600) | st.sampled_from(
    ["", " ", "\x00", "\ud800", "a\u202eb", "\ufeff?", "x" * 501, "🩺" * 300, "<script>"]
)
json_scalar = st.none() | st.booleans() | st.integers() | st.floats() | any_text
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
question_body = st.fixed_dictionaries(
    {"text": json_value | any_text},
    optional={"name": json_value | any_text, "extra": json_value},
)


@FUZZ
@given(
    body=question_body | json_value,
    encoding=st.sampled_from(["json", "form", "raw"]),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", "", "a/b; x"]
    ),
    raw=st.binary(max_size=300),
)
def test_audience_endpoint_never_fails_and_never_loses_a_question(
    live, body, encoding, content_type, raw
):
    path = "/e/grand-rounds/questions"
    if encoding == "json":
        text = json.dumps(body)  # ensure_ascii: lone surrogates travel as \udxxx escapes
        kwargs = {"data": text.encode(), "headers": {"Content-Type": "application/json"}}
    elif encoding == "form" and isinstance(body, dict):
        form = urlencode({str(k): str(v) for k, v in body.items()}, errors="surrogatepass")
        kwargs = {
            "data": form.encode(),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        }
    else:
        kwargs = {"data": raw, "headers": {"Content-Type": content_type} if content_type else {}}
    status, payload = live.request("POST", path, **kwargs)
    assert status < 500, payload[:300]
    assert status in (201, 303, 400, 403, 413, 415), (status, payload[:300])
    if status == 201:
        answer = json.loads(payload)
        assert isinstance(answer["id"], int)
        live.accepted.append(answer["id"])


def test_every_accepted_question_is_stored(live):
    # Runs after the fuzz test above (same module, file order).
    assert live.accepted, "the fuzzer never got a question accepted"
    assert set(live.accepted) <= db_question_ids(live)


ids = st.integers(min_value=-2, max_value=40).map(str) | st.sampled_from(
    ["0", "1e3", "x", "%00", "9" * 30, "-0", " 1"]
)
actions = st.sampled_from(sorted(ACTIONS) + ["redact", "override"]) | st.text(
    st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters="/?#%"),
    min_size=1,
    max_size=12,
)
action_body = st.fixed_dictionaries(
    {},
    optional={
        "version": json_value,
        "reason": json_value,
        "text": json_value,
        "answer": json_value,
        "into": json_value,
        "kinds": json_value,
        "spans": json_value,
    },
)


@FUZZ
@given(qid=ids, action=actions, body=action_body | json_value, raw=st.booleans())
def test_moderation_api_never_fails(live, qid, action, body, raw):
    if len(db_question_ids(live)) < 5:
        for n in range(5):
            status, payload = live.request(
                "POST", "/e/grand-rounds/questions", json={"text": f"Seed question {n}?"}
            )
            assert status == 201, payload
            live.accepted.append(json.loads(payload)["id"])
    headers = {"Authorization": f"Bearer {live.server.tokens['moderator']}"}
    if raw:
        kwargs = {"data": json.dumps(body).encode(), "headers": {**headers}}
        kwargs["headers"]["Content-Type"] = "application/json"
    else:
        kwargs = {"json": body, "headers": headers} if body is not None else {"headers": headers}
    path = f"/api/v1/events/grand-rounds/questions/{qid}/{action}"
    status, payload = live.request("POST", path, **kwargs)
    assert status < 500, (path, body, payload[:300])
    # Every answer is a JSON error or result a script can read.
    data = json.loads(payload)
    if status >= 400:
        assert data["status"] == status and data["error"]
    # No action ever loses an accepted question (merges and archives keep rows).
    assert set(live.accepted) <= db_question_ids(live)


def test_numbers_too_large_for_the_database_are_a_clear_400(live):
    """Found by the fuzzer: a 30-digit id or version was a 500 (OverflowError)."""
    headers = {"Authorization": f"Bearer {live.server.tokens['moderator']}"}
    big = "9" * 30
    for path, body in [
        (f"/api/v1/events/grand-rounds/questions/{big}/approve", {}),
        (f"/api/v1/events/grand-rounds/questions/{min(live.accepted)}/approve", {"version": 2**70}),
        (f"/api/v1/events/grand-rounds/questions/{min(live.accepted)}/merge", {"into": 2**70}),
    ]:
        status, payload = live.request("POST", path, json=body, headers=headers)
        assert status in (400, 404, 409), (path, payload)
