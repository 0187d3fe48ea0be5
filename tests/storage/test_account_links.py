"""One-time invite and reset links, disabling, archiving: on a real sqlite file, audited."""

import time

import pytest

from liveq.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from liveq.storage import accounts, store
from liveq.storage.db import Database

GOOD = "a-long-enough-password"


pytestmark = pytest.mark.engines("sqlite", "postgresql")


@pytest.fixture
async def db(db_target):
    async with Database(db_target) as database:
        yield database


async def actions(db) -> list[tuple[str, str]]:
    rows = await db.fetchall("SELECT actor, action FROM audit ORDER BY id")
    return [(r["actor"], r["action"]) for r in rows]


async def test_invite_link_sets_a_password_once_then_login_works(db):
    token = await accounts.invite_user(db, "dana", "moderator", "admin")
    # Before the link is used the account has no password that works.
    assert await accounts.login(db, "dana", "") is None
    assert await accounts.link_user(db, token) == {
        "username": "dana",
        "role": "moderator",
        "purpose": "invite",
        "expires_at": pytest.approx(time.time() + accounts.LINK_SECONDS, abs=5),
    }
    assert await accounts.use_link(db, token, GOOD) == "dana"
    assert await accounts.login(db, "dana", GOOD) is not None
    # The link worked once.
    assert await accounts.link_user(db, token) is None
    with pytest.raises(NotFound, match="has been used"):
        await accounts.use_link(db, token, "another-password-1")
    assert await actions(db) == [("admin", "user_invite"), ("dana", "user_password_set")]
    # Sealed into the chain of rows without an event, like every audit row.
    hashes = await db.fetchall("SELECT hash FROM audit WHERE event_id IS NULL")
    assert len(hashes) == 2 and all(len(r["hash"]) == 64 for r in hashes)


async def test_short_password_is_refused_and_the_link_still_works(db):
    token = await accounts.invite_user(db, "dana", "presenter", "admin")
    with pytest.raises(InvalidInput, match="at least 10 characters"):
        await accounts.use_link(db, token, "short")
    assert await accounts.link_user(db, token) is not None


async def test_expired_link_does_not_work(db, monkeypatch):
    token = await accounts.invite_user(db, "dana", "moderator", "admin")
    later = time.time() + accounts.LINK_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert await accounts.link_user(db, token) is None
    with pytest.raises(NotFound):
        await accounts.use_link(db, token, GOOD)


async def test_reset_replaces_the_earlier_link_and_ends_sessions(db):
    first = await accounts.invite_user(db, "dana", "moderator", "admin")
    await accounts.use_link(db, first, GOOD)
    session = await accounts.login(db, "dana", GOOD)
    one = await accounts.reset_link(db, "dana", "admin")
    two = await accounts.reset_link(db, "dana", "admin")
    assert await accounts.link_user(db, one) is None  # replaced by the second
    assert (await accounts.link_user(db, two))["purpose"] == "reset"
    # The old password works until the new one is set.
    assert await accounts.session_identity(db, session) is not None
    await accounts.use_link(db, two, "a-new-password-2")
    assert await accounts.session_identity(db, session) is None
    assert await accounts.login(db, "dana", GOOD) is None
    assert await accounts.login(db, "dana", "a-new-password-2") is not None
    with pytest.raises(NotFound, match="no user"):
        await accounts.reset_link(db, "nobody", "admin")


async def test_disable_ends_sessions_and_links_and_refuses_login(db):
    await accounts.create_user(db, "erin", GOOD, "moderator")
    session = await accounts.login(db, "erin", GOOD)
    link = await accounts.reset_link(db, "erin", "admin")
    await accounts.set_disabled(db, "erin", True, "admin")
    assert await accounts.session_identity(db, session) is None
    assert await accounts.login(db, "erin", GOOD) is None
    assert await accounts.link_user(db, link) is None
    with pytest.raises(Conflict, match="already disabled"):
        await accounts.set_disabled(db, "erin", True, "admin")
    with pytest.raises(Conflict, match="enable the account first"):
        await accounts.reset_link(db, "erin", "admin")
    await accounts.set_disabled(db, "erin", False, "admin")
    assert await accounts.login(db, "erin", GOOD) is not None
    users = {u["username"]: u for u in await accounts.list_users(db)}
    assert users["erin"]["disabled"] is False and users["erin"]["has_password"] is True


async def test_invite_refuses_bad_role_name_and_taken_name(db):
    with pytest.raises(InvalidInput, match="role should be one of"):
        await accounts.invite_user(db, "dana", "owner", "admin")
    with pytest.raises(InvalidInput, match="username"):
        await accounts.invite_user(db, "  ", "moderator", "admin")
    await accounts.invite_user(db, "dana", "moderator", "admin")
    with pytest.raises(AlreadyExists):
        await accounts.invite_user(db, "dana", "admin", "admin")
    users = await accounts.list_users(db)
    assert [(u["username"], u["has_password"]) for u in users] == [("dana", False)]
    assert users[0]["link_expires_at"] is not None


async def test_tokens_created_and_revoked_with_an_actor_are_audited(db):
    await accounts.create_api_token(db, "moderator", label="deck", actor="admin")
    (token,) = await accounts.list_api_tokens(db)
    await accounts.revoke_api_token(db, token["id"], actor="admin")
    assert await actions(db) == [("admin", "token_create"), ("admin", "token_revoke")]


async def test_archived_event_leaves_the_list_and_cannot_reopen(db):
    event = await store.create_event(
        db, "gr", "Grand Rounds", kind="webinar", hashtag="", moderation="pre", actor="admin"
    )
    archived = await store.archive_event(db, event, "admin")
    assert archived.archived_at is not None and not archived.accepting
    assert await store.list_events(db) == []
    assert [e.slug for e in await store.list_events(db, archived=True)] == ["gr"]
    with pytest.raises(Conflict, match="archived"):
        await store.update_event(db, archived, "admin", accepting=1)
    with pytest.raises(Conflict, match="already archived"):
        await store.archive_event(db, archived, "admin")
    assert await actions(db) == [("admin", "event_create"), ("admin", "event_archive")]
