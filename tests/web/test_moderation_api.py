"""The JSON API a Stream Deck or script uses: auth, every action, conflicts, audit."""

import asyncio

import pytest

from liveq.storage import accounts as auth
from liveq.storage import store
from tests.fixtures_server import bearer, login

# Both store engines (tests/fixtures_database.py).
pytestmark = pytest.mark.engines("sqlite", "postgresql")


async def ask(http, server, text="What is the infection risk?", **extra):
    async with http.post(
        f"{server.url}/e/grand-rounds/questions", json={"text": text, **extra}
    ) as resp:
        assert resp.status == 201
        return (await resp.json())["id"]


async def act(http, server, qid, action, body=None, headers=None, status=200):
    async with http.post(
        f"{server.url}/api/v1/events/grand-rounds/questions/{qid}/{action}",
        json=body or {},
        headers=headers if headers is not None else bearer(server),
    ) as resp:
        data = await resp.json()
        assert resp.status == status, data
        return data


async def test_api_needs_a_valid_token(server, http):
    url = f"{server.url}/api/v1/events/grand-rounds/questions"
    async with http.get(url) as resp:
        assert resp.status == 401
        assert "API token" in (await resp.json())["error"]
    async with http.get(url, headers={"Authorization": "Bearer lq_wrong"}) as resp:
        assert resp.status == 401
    presenter = await auth.create_api_token(server.db, "presenter")
    async with http.get(url, headers={"Authorization": f"Bearer {presenter}"}) as resp:
        assert resp.status == 403


async def test_token_scoped_to_another_event_is_refused(server, http):
    other = await store.create_event(
        server.db, "other", "Other", kind="webinar", hashtag="", moderation="pre"
    )
    scoped = await auth.create_api_token(server.db, "moderator", event_id=other.id)
    headers = {"Authorization": f"Bearer {scoped}"}
    async with http.get(f"{server.url}/api/v1/events/grand-rounds/questions", headers=headers) as r:
        assert r.status == 403
    async with http.get(f"{server.url}/api/v1/events/other/questions", headers=headers) as r:
        assert r.status == 200


async def test_revoked_token_stops_working(server, http):
    token = await auth.create_api_token(server.db, "moderator", label="old")
    row = await server.db.fetchone("SELECT id FROM api_tokens WHERE label = 'old'")
    await auth.revoke_api_token(server.db, row["id"])
    async with http.get(
        f"{server.url}/api/v1/events/grand-rounds/questions",
        headers={"Authorization": f"Bearer {token}"},
    ) as resp:
        assert resp.status == 401


async def test_full_lifecycle_with_audit(server, http):
    q1 = await ask(http, server, "Question one?")
    q2 = await ask(http, server, "Question two?")
    assert (await act(http, server, q1, "approve"))["question"]["status"] == "approved"
    edited = await act(http, server, q1, "edit", {"text": "Question one, tidied?"})
    assert edited["question"]["text"] == "Question one, tidied?"
    assert edited["question"]["original_text"] == "Question one?"
    assert (await act(http, server, q1, "star"))["question"]["starred"] is True
    assert (await act(http, server, q1, "on_air"))["question"]["status"] == "on_air"
    await act(http, server, q2, "approve")
    # Sending q2 on air takes q1 off air: one question on air at a time.
    data = await act(http, server, q2, "on-air")
    assert data["question"]["status"] == "on_air"
    assert [(q["id"], q["status"]) for q in data["changed"]] == [(q1, "approved")]
    answered = await act(http, server, q2, "answer", {"answer": "About 1 in 100."})
    assert answered["question"]["status"] == "answered"
    assert answered["question"]["answer"] == "About 1 in 100."
    declined = await act(http, server, q1, "decline", {"reason": "already covered"})
    assert declined["question"]["decline_reason"] == "already covered"

    async with http.get(
        f"{server.url}/api/v1/events/grand-rounds/questions?status=answered,declined",
        headers=bearer(server),
    ) as resp:
        listed = (await resp.json())["questions"]
    assert sorted(q["id"] for q in listed) == [q1, q2]

    async with http.get(
        f"{server.url}/api/v1/events/grand-rounds/audit", headers=bearer(server)
    ) as resp:
        rows = (await resp.json())["audit"]
    actions = [(r["question_id"], r["action"]) for r in rows]
    assert actions == [
        (q1, "approve"),
        (q1, "edit"),
        (q1, "star"),
        (q1, "on_air"),
        (q2, "approve"),
        (q1, "off_air"),
        (q2, "on_air"),
        (q2, "answer"),
        (q1, "decline"),
    ]
    assert all(r["actor"] == "token:deck" for r in rows)
    edit_row = rows[1]
    assert edit_row["before"]["text"] == "Question one?"
    assert edit_row["after"]["text"] == "Question one, tidied?"


async def test_illegal_moves_are_409_with_a_reason(server, http):
    qid = await ask(http, server)
    data = await act(http, server, qid, "on_air", status=409)
    assert "pending cannot be sent on air" in data["error"]
    data = await act(http, server, qid, "frobnicate", status=404)
    assert "Unknown action" in data["error"]
    data = await act(http, server, 99999, "approve", status=404)
    assert "no question 99999" in data["error"]
    data = await act(http, server, qid, "edit", {"text": ""}, status=400)
    assert "empty" in data["error"]
    data = await act(http, server, qid, "approve", {"version": "one"}, status=400)
    assert "whole number" in data["error"]


async def test_two_moderators_at_once_get_one_winner_and_a_clear_notice(server, http):
    qid = await ask(http, server)
    version = (await act(http, server, qid, "star"))["question"]["version"]
    alice = await auth.create_api_token(server.db, "moderator", label="alice")
    bob = await auth.create_api_token(server.db, "moderator", label="bob")

    async def try_act(token, action, extra):
        async with http.post(
            f"{server.url}/api/v1/events/grand-rounds/questions/{qid}/{action}",
            json={"version": version, **extra},
            headers={"Authorization": f"Bearer {token}"},
        ) as resp:
            return resp.status, await resp.json()

    results = await asyncio.gather(
        try_act(alice, "approve", {}), try_act(bob, "decline", {"reason": "dupe"})
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409]
    loser = next(body for status, body in results if status == 409)
    winner = next(body for status, body in results if status == 200)
    assert "first" in loser["error"] and "was not applied" in loser["error"]
    final = await store.get_question(server.db, server.event, qid)
    assert final.status.value == winner["question"]["status"]
    # The notice says who won and what they did.
    who = "approved by token:alice" if final.status.value == "approved" else "declined by token:bob"
    assert who in loser["error"]
    assert f"it is now {final.status.value}" in loser["error"]


async def test_merge_keeps_both_texts_and_counts_askers(server, http):
    keep = await ask(http, server, "Is the vaccine safe for kids?")
    dupe = await ask(http, server, "is the vaccine safe for children??")
    await act(http, server, keep, "approve")
    data = await act(http, server, dupe, "merge", {"into": keep})
    assert data["question"]["status"] == "archived"
    assert data["question"]["merged_into"] == keep
    assert data["question"]["text"] == "is the vaccine safe for children??"
    assert data["changed"][0]["id"] == keep
    assert data["changed"][0]["merged_count"] == 1
    await act(http, server, keep, "merge", {"into": keep}, status=409)


async def test_next_on_air_picks_starred_then_votes(server, http):
    a = await ask(http, server, "A?")
    b = await ask(http, server, "B?")
    c = await ask(http, server, "C?")
    for qid in (a, b, c):
        await act(http, server, qid, "approve")
    await store.vote(server.db, server.event, b, "voter-1")
    await act(http, server, c, "star")
    url = f"{server.url}/api/v1/events/grand-rounds/on-air/next"
    async with http.post(url, headers=bearer(server)) as resp:
        assert (await resp.json())["question"]["id"] == c
    async with http.post(url, headers=bearer(server)) as resp:
        assert (await resp.json())["question"]["id"] == b


async def test_console_session_needs_csrf_header_for_actions(server, http):
    qid = await ask(http, server)
    token = await login(http, server, "alice")
    url = f"{server.url}/api/v1/events/grand-rounds/questions/{qid}/approve"
    async with http.post(url, json={}) as resp:
        assert resp.status == 403
        assert "security token" in (await resp.json())["error"]
    async with http.post(url, json={}, headers={"X-CSRF-Token": token}) as resp:
        assert resp.status == 200
        assert (await resp.json())["question"]["status"] == "approved"
    rows = await store.audit_rows(server.db, server.event)
    assert rows[-1]["actor"] == "alice"


async def test_admin_creates_events_moderators_cannot(server, http):
    body = {"slug": "cardiac-live", "title": "Cardiac surgery live", "kind": "procedure"}
    async with http.post(
        f"{server.url}/api/v1/events", json=body, headers=bearer(server)
    ) as resp:
        assert resp.status == 403
    async with http.post(
        f"{server.url}/api/v1/events", json=body, headers=bearer(server, "admin")
    ) as resp:
        assert resp.status == 201
        assert (await resp.json())["event"]["kind"] == "procedure"
    async with http.post(
        f"{server.url}/api/v1/events", json=body, headers=bearer(server, "admin")
    ) as resp:
        assert resp.status == 409
    bad = {"slug": "Bad Slug!", "title": "x"}
    async with http.post(
        f"{server.url}/api/v1/events", json=bad, headers=bearer(server, "admin")
    ) as resp:
        assert resp.status == 400
        assert "lowercase letters" in (await resp.json())["error"]
