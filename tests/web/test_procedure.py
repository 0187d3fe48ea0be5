"""Procedure mode over the API against the X emulator: sign-off, consent, going
live, post next, pause/resume, photos with alt text, answers in the thread."""

from __future__ import annotations

import asyncio
import base64
import io
import json

import aiohttp
import pytest

from liveq.domain.procedure import text as words
from liveq.storage import accounts as auth
from liveq.storage import store
from tests.fixtures_server import start_server, write_config, x_section
from tests.waiting import eventually

# Both store engines (tests/fixtures_database.py).
pytestmark = pytest.mark.engines("sqlite", "postgresql")

SLUG = "knee-live"
TAG = "KneeLive"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def same_pixels(data: bytes, expected: bytes) -> bool:
    """Two encoded images show the same picture (liveq re-encodes every upload)."""
    from PIL import Image

    a, b = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(expected))
    return a.size == b.size and a.convert("RGBA").tobytes() == b.convert("RGBA").tobytes()


@pytest.fixture
async def proc_server(tmp_path, x_emulator):
    """X enabled (fast outbox), a procedure event, and an approver ('carol')."""
    config = write_config(
        tmp_path,
        x=x_section(x_emulator, outbox_interval_seconds=0.05, timeout_seconds=2),
        limits={"questions_per_minute": 0},
    )
    live = await start_server(config)
    db = live.db
    live.event = await store.create_event(
        db, SLUG, "Knee replacement, live", kind="procedure", hashtag=TAG, moderation="pre"
    )
    await auth.create_user(db, "carol", "approver-password-123", "approver")
    live.tokens["approver"] = await auth.create_api_token(db, "approver", label="carol")
    yield live
    await live.stop()


def hdr(server, role="moderator"):
    return {"Authorization": f"Bearer {server.tokens[role]}"}


async def call(http, server, path, body=None, *, role="moderator", status=200, method="POST"):
    url = f"{server.url}/api/v1/events/{SLUG}/procedure{path}"
    kwargs = {"headers": hdr(server, role)}
    if method == "POST":
        kwargs["json"] = body or {}
    async with http.request(method, url, **kwargs) as resp:
        data = await resp.json()
        assert resp.status == status, data
        return data


async def get_state(http, server):
    return await call(http, server, "", method="GET")


async def add_photo(http, server, post_id, alt, status=201, data=PNG, checked=True):
    """Upload a photo; with `checked`, wait until its check (faces, text) is done."""
    form = aiohttp.FormData()
    form.add_field("photo", data, filename="p.png", content_type="image/png")
    form.add_field("alt", alt)
    async with http.post(
        f"{server.url}/api/v1/events/{SLUG}/procedure/posts/{post_id}/photos",
        data=form,
        headers=hdr(server),
    ) as resp:
        answer = await resp.json()
        assert resp.status == status, answer
    return await photos_checked(http, server) if status == 201 and checked else answer


async def photos_checked(http, server, timeout=60.0):
    """The state once no uploaded photo is waiting for its check."""

    async def done():
        st = await get_state(http, server)
        photos = [ph for p in st["script"] + st["facts"] + st["holding"] for ph in p["photos"]]
        waiting = [ph for ph in photos if not ph["missing"] and ph["check"]["state"] == "pending"]
        return None if waiting else st

    return await eventually(done, timeout)


async def script(http, server, n=3, holding="We are pausing the thread for a moment."):
    for i in range(1, n + 1):
        await call(http, server, "/posts", {"text": f"Scripted post {i}."}, status=201)
    await call(http, server, "/posts", {"role": "holding", "text": holding}, status=201)
    return await get_state(http, server)


async def sign_all(http, server):
    st = await get_state(http, server)
    for post in st["script"] + st["facts"] + st["holding"]:
        if not post["signed"]:
            await call(
                http,
                server,
                f"/posts/{post['id']}/sign",
                {"version": post["version"]},
                role="approver",
            )
    return await get_state(http, server)


async def consent_all(http, server):
    st = await get_state(http, server)
    for item in st["consents"]:
        await call(http, server, f"/consents/{item['id']}", {"done": True, "note": "on file"})


async def ready_and_live(http, server, n=3):
    await script(http, server, n)
    await sign_all(http, server)
    await consent_all(http, server)
    return await call(http, server, "/live")


async def outbox(http, server):
    async with http.get(f"{server.url}/api/v1/events/{SLUG}/outbox", headers=hdr(server)) as resp:
        assert resp.status == 200
        return (await resp.json())["items"]


async def all_posted(http, server, count):
    async def check():
        items = await outbox(http, server)
        return items if len(items) >= count and all(i["state"] == "posted" for i in items) else None

    return await eventually(check)


def account_texts(x_state):
    return [t.text for t in x_state.posts_by() if not t.injected]


def assert_chain(x_state):
    posts = [t for t in x_state.posts_by() if not t.injected]
    for before, after in zip(posts, posts[1:], strict=False):
        assert after.in_reply_to_tweet_id == before.id


async def test_cannot_go_live_until_signed_and_checklist_done(proc_server, http):
    server = proc_server
    await script(http, server, 2)
    data = await call(http, server, "/live", status=409)
    assert "Patient authorization on file" in data["error"]
    assert "Script post 1 is not signed off" in data["error"]
    # A moderator cannot sign off: that is an approver's job.
    st = await get_state(http, server)
    first = st["script"][0]
    await call(http, server, f"/posts/{first['id']}/sign", {"version": 1}, status=403)
    await sign_all(http, server)
    data = await call(http, server, "/live", status=409)
    assert "not signed" not in data["error"]
    assert "Surgeon approval of the script" in data["error"]
    # The hospital's own checklist item counts too.
    await call(http, server, "/consents", {"label": "Legal review"}, status=201)
    await consent_all(http, server)
    st = await get_state(http, server)
    assert all(c["done"] and c["done_by"] and c["done_at"] for c in st["consents"])
    st = await call(http, server, "/live")
    assert st["live"] and st["problems"] == []
    # Posting before going live is refused: checked in the edit test below.


async def test_posting_needs_the_event_live(proc_server, http):
    await script(http, proc_server, 1)
    data = await call(http, proc_server, "/next", status=409)
    assert "not live" in data["error"]


async def test_edited_after_signoff_cannot_be_posted_until_signed_again(proc_server, http, x_state):
    server = proc_server
    await ready_and_live(http, server, 2)
    st = await get_state(http, server)
    first = st["script"][0]
    await call(http, server, f"/posts/{first['id']}", {"text": "Scripted post 1, reworded."})
    st = await get_state(http, server)
    assert st["script"][0]["signed"] is False and st["script"][0]["sign_cleared"] is True
    data = await call(http, server, "/next", status=409)
    assert "edited after sign-off" in data["error"]
    # Signing the old version the approver read is refused: they must read it again.
    await call(
        http, server, f"/posts/{first['id']}/sign", {"version": 1}, role="approver", status=409
    )
    await call(http, server, f"/posts/{first['id']}/sign", {"version": 2}, role="approver")
    await call(http, server, "/next", status=201)
    items = await all_posted(http, server, 1)
    assert account_texts(x_state) == [f"1/ Scripted post 1, reworded. #{TAG}"]
    assert items[0]["sent_text"] == f"1/ Scripted post 1, reworded. #{TAG}"
    # A queued post cannot be edited any more.
    await call(http, server, f"/posts/{first['id']}", {"text": "Again?"}, status=409)
    # The audit says who signed which version.
    rows = await server.db.fetchall(
        "SELECT actor, action, after FROM audit WHERE action = 'script_post_signed'"
    )
    signed = [(r["actor"], json.loads(r["after"])) for r in rows]
    mine = [a for a in signed if a[1]["post_id"] == first["id"]]
    assert [a[1]["version"] for a in mine] == [1, 2]
    assert mine[1][1]["text"] == "Scripted post 1, reworded."
    edits = await server.db.fetchall("SELECT detail FROM audit WHERE action = 'script_post_edited'")
    assert "Sign-off cleared." in edits[0]["detail"]


async def test_photos_need_alt_text_and_reach_x_with_it(proc_server, http, x_state):
    server = proc_server
    await script(http, server, 1)
    st = await get_state(http, server)
    post_id = st["script"][0]["id"]
    data = await add_photo(http, server, post_id, "  ", status=400)
    assert "alt text" in data["error"]
    await add_photo(http, server, post_id, "The surgical team scrubbing in.")
    await add_photo(http, server, post_id, "The knee implant before it is fitted.")
    await sign_all(http, server)
    await consent_all(http, server)
    await call(http, server, "/live")
    await call(http, server, "/next", status=201)
    items = await all_posted(http, server, 1)
    assert [m["uploaded"] for m in items[0]["media"]] == [True, True]
    tweet = items[0]["tweet_id"]
    media = x_state.media_of(tweet)
    assert [m.alt_text for m in media] == [
        "The surgical team scrubbing in.",
        "The knee implant before it is fitted.",
    ]
    # Uploaded once each: a retry would reuse the ids stored on the row.
    assert len(x_state.media) == 2


async def test_pause_posts_holding_statement_and_keeps_the_queue(proc_server, http, x_state):
    server = proc_server
    await ready_and_live(http, server, 3)
    await call(http, server, "/next", status=201)
    await all_posted(http, server, 1)
    # An unscripted post with a phone number is held by screening; the next
    # scripted posts queue behind it.
    held = await call(
        http, server, "/compose", {"text": "Call the desk at 555-201-3344"}, status=201
    )
    assert held["item"]["state"] == "held"
    await call(http, server, "/next", status=201)
    await call(http, server, "/next", status=201)
    st = await call(http, server, "/pause")
    assert st["paused"]
    await call(http, server, "/pause", status=409)

    async def holding_posted():
        items = await outbox(http, server)
        return (
            items if any(i["kind"] == "holding" and i["state"] == "posted" for i in items) else None
        )

    items = await eventually(holding_posted)
    assert [i["state"] for i in items] == ["posted", "posted", "held", "queued", "queued"]
    # Resolve the held post while paused: it stays queued, like everything else.
    await asyncio.sleep(0.3)
    url = f"{server.url}/api/v1/events/{SLUG}/outbox/{held['item']['id']}/override"
    async with http.post(
        url, json={"reason": "the hospital's public desk line"}, headers=hdr(server)
    ) as resp:
        assert resp.status == 200
    await asyncio.sleep(0.4)
    assert [i["state"] for i in await outbox(http, server)] == [
        "posted",
        "posted",
        "queued",
        "queued",
        "queued",
    ]
    assert len(account_texts(x_state)) == 2
    await call(http, server, "/resume")
    await all_posted(http, server, 5)
    assert account_texts(x_state) == [
        f"1/ Scripted post 1. #{TAG}",
        f"2/ We are pausing the thread for a moment. #{TAG}",
        f"3/ Call the desk at 555-201-3344 #{TAG}",
        f"4/ Scripted post 2. #{TAG}",
        f"5/ Scripted post 3. #{TAG}",
    ]
    assert_chain(x_state)
    actions = [r["action"] for r in await server.db.fetchall("SELECT action FROM audit")]
    assert "thread_paused" in actions and "thread_resumed" in actions


async def test_answers_and_facts_join_the_thread(proc_server, http, x_state):
    server = proc_server
    await script(http, server, 1)
    await call(
        http,
        server,
        "/posts",
        {"role": "fact", "text": "Most patients walk the same day."},
        status=201,
    )
    await call(http, server, "/options", {"physician": "Dr. Ana Okafor", "pacing_minutes": 4})
    await sign_all(http, server)
    await consent_all(http, server)
    st = await call(http, server, "/live")
    assert st["pacing_seconds"] == 240 and st["suggested_fact"]["text"].startswith("Most")
    await call(http, server, "/next", status=201)
    await call(http, server, f"/facts/{st['suggested_fact']['id']}/post", status=201)
    await call(http, server, f"/facts/{st['suggested_fact']['id']}/post", status=409)
    async with http.post(
        f"{server.url}/e/{SLUG}/questions", json={"text": "How long is the recovery?"}
    ) as resp:
        qid = (await resp.json())["id"]
    for action, body in (
        ("approve", {}),
        ("on_air", {}),
        ("answer", {"answer": "About six weeks."}),
    ):
        async with http.post(
            f"{server.url}/api/v1/events/{SLUG}/questions/{qid}/{action}",
            json=body,
            headers=hdr(server),
        ) as resp:
            assert resp.status == 200, await resp.text()
    await all_posted(http, server, 3)
    assert account_texts(x_state) == [
        f"1/ Scripted post 1. #{TAG}",
        f"2/ Most patients walk the same day. #{TAG}",
        f"3/ Q: “How long is the recovery?”\nA: About six weeks. — Dr. Ana Okafor #{TAG}",
    ]


async def test_import_toml_with_photos(proc_server, http):
    server = proc_server
    source = """
physician = "Dr. Ana Okafor"
pacing_minutes = 5
holding = "We are taking a short pause."
consents = ["Legal review"]

[[post]]
text = "Good morning from the OR."
photos = [{ file = "or.png", alt = "An empty operating room." }]

[[post]]
text = "The first incision."
warning = true

[[fact]]
text = "A knee implant lasts about 20 years."
"""
    photos = {"or.png": {"media_type": "image/png", "data": base64.b64encode(PNG).decode()}}
    st = await call(http, server, "/import", {"format": "toml", "source": source, "photos": photos})
    assert [p["body"] for p in st["script"]] == [
        "Good morning from the OR.",
        f"{words.WARNING}The first incision.",
    ]
    assert st["script"][0]["photos"][0]["alt_text"] == "An empty operating room."
    assert st["physician"] == "Dr. Ana Okafor" and st["pacing_seconds"] == 300
    assert [c["label"] for c in st["consents"]][-1] == "Legal review"
    bad = source.replace('alt = "An empty operating room."', 'alt = ""')
    data = await call(http, server, "/import", {"source": bad, "photos": photos}, status=400)
    assert "post 1, photo 1" in data["error"] and "alt text" in data["error"]
