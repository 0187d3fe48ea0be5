"""What the procedure page is told about the thread and the next post (issue 11 item 8).

A console keeps each outbox row it was told about; after a pause moved the
waiting posts back by one, it must be told their new places, or two rows show
the same number. The state says why Post next cannot be pressed.
"""

from __future__ import annotations

import asyncio
import json

import websockets

from tests.waiting import eventually
from tests.web.test_procedure import (
    TAG,
    account_texts,
    all_posted,
    call,
    consent_all,
    get_state,
    hdr,
    outbox,
    proc_server,
    ready_and_live,
    script,
    sign_all,
)

__all__ = ["proc_server"]


async def test_after_a_pause_every_console_knows_each_posts_new_place(proc_server, http):
    server = proc_server
    await ready_and_live(http, server, 4)
    await call(http, server, "/next", status=201)
    await all_posted(http, server, 1)
    # Two posts wait behind a held one, so they are still in the queue at the pause.
    await call(http, server, "/compose", {"text": "Call the desk at 555-201-3344"}, status=201)
    await call(http, server, "/next", status=201)
    await call(http, server, "/next", status=201)
    seen: dict[int, dict] = {}
    async with websockets.connect(
        f"{server.ws_url}/ws/knee-live", additional_headers=hdr(server)
    ) as ws:
        async with asyncio.timeout(5):
            while True:
                msg = json.loads(await ws.recv())
                if msg["type"] == "outbox_snapshot":
                    seen.update({i["id"]: i for i in msg["items"]})
                    break
        await call(http, server, "/pause")
        truth = {i["id"]: i["seq"] for i in await outbox(http, server)}

        async def caught_up():
            while True:
                try:
                    async with asyncio.timeout(0.3):
                        msg = json.loads(await ws.recv())
                except TimeoutError:
                    return {i: v["seq"] for i, v in seen.items()} == truth
                if msg["type"] == "outbox":
                    seen[msg["item"]["id"]] = msg["item"]

        assert await caught_up(), (seen, truth)
    seqs = [v["seq"] for v in seen.values()]
    assert len(seqs) == len(set(seqs))


async def test_posted_rows_carry_the_number_x_got(proc_server, http, x_state):
    server = proc_server
    await ready_and_live(http, server, 2)
    await call(http, server, "/next", status=201)
    held = await call(http, server, "/compose", {"text": "Ring 555-201-3344"}, status=201)
    url = f"{server.url}/api/v1/events/knee-live/outbox/{held['item']['id']}/skip"
    async with http.post(url, json={}, headers=hdr(server)) as resp:
        assert resp.status == 200
    await call(http, server, "/next", status=201)

    async def done():
        return account_texts(x_state) == [f"{n}/ Scripted post {n}. #{TAG}" for n in (1, 2)]

    await eventually(done)
    await eventually(lambda: _all_settled(http, server))
    items = await outbox(http, server)
    assert [(i["seq"], i["number"], i["state"]) for i in items] == [
        (1, 1, "posted"),
        (2, None, "skipped"),
        (3, 2, "posted"),
    ]


async def _all_settled(http, server):
    return all(i["state"] in ("posted", "skipped") for i in await outbox(http, server))


async def test_the_state_says_why_post_next_cannot_be_pressed(proc_server, http):
    server = proc_server
    st = await script(http, server, 2)
    assert "not live" in st["next_blocked"]
    await sign_all(http, server)
    await consent_all(http, server)
    st = await call(http, server, "/live")
    assert st["next_blocked"] == ""
    # A second, unsigned script post: once the first is queued, the next one is blocked.
    await call(http, server, "/next", status=201)
    st = await get_state(http, server)
    assert st["next_blocked"] == ""
    await call(http, server, "/next", status=201)
    st = await get_state(http, server)
    assert "script is done" in st["next_blocked"]


async def test_an_unsigned_next_post_blocks_the_button_with_the_reason(proc_server, http):
    server = proc_server
    await ready_and_live(http, server, 1)
    await call(http, server, "/next", status=201)
    # Another script post after going live: nobody has signed it.
    await call(http, server, "/posts", {"text": "A late addition."}, status=201)
    st = await get_state(http, server)
    assert st["next"]["text"] == "A late addition."
    assert "not signed off" in st["next_blocked"] and "approver" in st["next_blocked"]
