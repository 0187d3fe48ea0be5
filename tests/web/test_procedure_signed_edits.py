"""A signed script post changed in the live thread never goes out as signed.

Issue 11 item 1 and issue 12 item 4: pause, Post next, "Edit…" on the queued
post (POST /outbox/{id}/edit), resume. The edit is a new version of the
scripted post: it waits, held in its place in the thread, until an approver
signs that version; it cannot be posted "anyway"; the graphic warning the
approver signed stays; the audit and the export tell who signed what.
"""

from __future__ import annotations

import asyncio
import json

from liveq.after import export, report
from liveq.domain.procedure import text as words
from liveq.storage import audit
from liveq.storage import outbox as ob
from liveq.web.keys import OUTBOX
from tests.waiting import eventually
from tests.web.test_procedure import (
    SLUG,
    TAG,
    account_texts,
    all_posted,
    call,
    consent_all,
    get_state,
    hdr,
    outbox,
    proc_server,
    sign_all,
)

__all__ = ["proc_server"]


async def thread_action(http, server, item_id, action, body=None, status=200):
    url = f"{server.url}/api/v1/events/{SLUG}/outbox/{item_id}/{action}"
    async with http.post(url, json=body or {}, headers=hdr(server)) as resp:
        data = await resp.json()
        assert resp.status == status, data
        return data


async def live_with_a_graphic_post(http, server):
    await call(http, server, "/posts", {"text": "The first incision.", "warning": True}, status=201)
    await call(http, server, "/posts", {"text": "Scripted post 2."}, status=201)
    await call(http, server, "/posts", {"role": "holding", "text": "Pausing."}, status=201)
    await sign_all(http, server)
    await consent_all(http, server)
    await call(http, server, "/live")


async def holding_posted(http, server):
    async def check():
        items = await outbox(http, server)
        return any(i["kind"] == "holding" and i["state"] == "posted" for i in items)

    await eventually(check)


async def test_a_signed_post_edited_in_the_thread_waits_for_a_new_sign_off(
    proc_server, http, x_state
):
    server = proc_server
    await live_with_a_graphic_post(http, server)
    await call(http, server, "/pause")
    await holding_posted(http, server)
    queued = (await call(http, server, "/next", status=201))["item"]
    assert queued["text"] == f"{words.WARNING}The first incision."

    edited = await thread_action(
        http, server, queued["id"], "edit", {"text": "The first incision, edited."}
    )
    item = edited["item"]
    assert item["state"] == "held"
    assert "sign" in item["error"] and "version 2" in item["error"]
    # The approver signed the warning: it stays.
    assert item["text"] == f"{words.WARNING}The first incision, edited."
    assert item["signed"] is False
    # Nobody can post it "anyway": only an approver's sign-off releases it.
    refused = await thread_action(
        http, server, item["id"], "override", {"reason": "typo fix"}, status=409
    )
    assert "approver" in refused["error"]

    st = await get_state(http, server)
    first = st["script"][0]
    assert (first["version"], first["signed"], first["sign_cleared"]) == (2, False, True)
    assert first["text"] == "The first incision, edited."
    assert first["body"] == f"{words.WARNING}The first incision, edited."

    # Resumed: it stays held, and blocks the posts after it (the thread keeps its order).
    await call(http, server, "/resume")
    await asyncio.sleep(0.5)
    assert account_texts(x_state) == [f"1/ Pausing. #{TAG}"]

    # Signing the old version is refused; the new one releases the post.
    await call(
        http, server, f"/posts/{first['id']}/sign", {"version": 1}, role="approver", status=409
    )
    await call(http, server, f"/posts/{first['id']}/sign", {"version": 2}, role="approver")
    await call(http, server, "/next", status=201)
    items = await all_posted(http, server, 3)
    assert account_texts(x_state) == [
        f"1/ Pausing. #{TAG}",
        f"2/ {words.WARNING}The first incision, edited. #{TAG}",
        f"3/ Scripted post 2. #{TAG}",
    ]
    assert items[1]["signed"] is True

    # The audit: the edit in the thread cleared the sign-off; the approver signed version 2.
    rows = await server.db.fetchall(
        "SELECT actor, action, after, detail FROM audit WHERE action IN"
        " ('script_post_edited', 'script_post_signed') ORDER BY id"
    )
    trail = [(r["actor"], r["action"], json.loads(r["after"])["version"]) for r in rows]
    assert trail[-2:] == [
        ("token:deck", "script_post_edited", 2),
        ("token:carol", "script_post_signed", 2),
    ]
    assert "live thread" in rows[-2]["detail"] and "Sign-off cleared" in rows[-2]["detail"]

    # The export: the approver signed what went out; the editor is not a signer.
    data = await export.load(server.db, server.event)
    record = next(r for r in export.post_records(data, str) if r["kind"] == "script")
    assert record["signed_off_by"] == ["token:carol"]
    assert record["sign_off"]["by"] == "token:carol"
    assert record["sign_off"]["version"] == 2
    assert record["sent_text"] == f"2/ {words.WARNING}The first incision, edited. #{TAG}"


async def test_the_warning_typed_into_the_edit_is_not_doubled(proc_server, http, x_state):
    server = proc_server
    await live_with_a_graphic_post(http, server)
    await call(http, server, "/pause")
    queued = (await call(http, server, "/next", status=201))["item"]
    # The prompt shows the text as queued, warning included; a person edits after it.
    text = f"{words.WARNING}The first incision, reworded."
    item = (await thread_action(http, server, queued["id"], "edit", {"text": text}))["item"]
    assert item["text"] == text
    st = await get_state(http, server)
    assert st["script"][0]["text"] == "The first incision, reworded."


async def test_export_tells_signed_from_unsigned_text(proc_server, http, x_state):
    server = proc_server
    await live_with_a_graphic_post(http, server)
    await call(http, server, "/next", status=201)
    await call(http, server, "/compose", {"text": "The team is closing now."}, status=201)
    await all_posted(http, server, 2)
    # A scripted post edited in the thread (while paused) and then skipped never goes
    # out, and is not signed.
    await call(http, server, "/pause")
    await holding_posted(http, server)
    queued = (await call(http, server, "/next", status=201))["item"]
    await thread_action(http, server, queued["id"], "edit", {"text": "Scripted post 2, edited."})
    await thread_action(http, server, queued["id"], "skip")

    data = await export.load(server.db, server.event)
    records = export.post_records(data, str)
    rows = [(r["kind"], r["state"], r["sign_off"]) for r in records]
    script_sent, unscripted, holding, script_skipped = rows
    assert script_sent[2]["by"] == "token:carol" and script_sent[2]["version"] == 1
    assert unscripted[:2] == ("post", "posted") and unscripted[2] is None
    assert holding[:2] == ("holding", "posted") and holding[2]["by"] == "token:carol"
    assert script_skipped[:2] == ("script", "skipped") and script_skipped[2] is None
    assert [r["signed_off_by"] for r in records][3] == []
    header = export.posts_csv(data, str).splitlines()[0].split(",")
    assert {"signed_version", "signed_by"} <= set(header)
    html = report.render(data, str, await audit.verify_event(server.db, server.event.id))
    assert html.count("signed off by token:carol (version 1)") == 2
    assert html.count("<strong>not signed off</strong>") == 1


async def test_the_outbox_never_sends_a_scripted_row_without_a_sign_off(proc_server, http, x_state):
    """The last guard: whatever wrote the row, a scripted post without its approver's
    sign-off is held by the worker, not sent."""
    server = proc_server
    await live_with_a_graphic_post(http, server)
    rows = [ob.NewPost(text="Words nobody signed.", kind="script", key="unsigned-row")]
    await ob.enqueue(server.db, server.event, rows)
    server.app[OUTBOX].wake()

    async def held():
        items = await outbox(http, server)
        return items if items and items[0]["state"] == "held" else None

    items = await eventually(held)
    assert "sign" in items[0]["error"] and items[0]["signed"] is False
    await asyncio.sleep(0.3)
    assert account_texts(x_state) == []
