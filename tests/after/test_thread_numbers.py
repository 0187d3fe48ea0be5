"""The export and the report number the thread's posts as X got them (issue 11, item 16).

The queue's order (seq) counts held and skipped posts too; the counter X got
("2/") counts only the posts that went out. A reader matching the report with
the account's thread needs X's numbers.
"""

from __future__ import annotations

import re

from liveq.after import export, report
from liveq.storage import audit
from tests.waiting import eventually
from tests.web.test_procedure import (
    SLUG,
    TAG,
    account_texts,
    all_posted,
    call,
    hdr,
    proc_server,
    ready_and_live,
)

__all__ = ["proc_server"]


async def test_export_and_report_use_the_numbers_x_got(proc_server, http, x_state):
    server = proc_server
    await ready_and_live(http, server, 3)
    await call(http, server, "/next", status=201)
    await all_posted(http, server, 1)
    # Held by screening (a phone number), then skipped: it never goes out.
    held = await call(http, server, "/compose", {"text": "Call 555-201-3344"}, status=201)
    url = f"{server.url}/api/v1/events/{SLUG}/outbox/{held['item']['id']}/skip"
    async with http.post(url, json={}, headers=hdr(server)) as resp:
        assert resp.status == 200
    await call(http, server, "/next", status=201)
    await call(http, server, "/next", status=201)

    sent = [f"{n}/ Scripted post {n}. #{TAG}" for n in (1, 2, 3)]

    async def all_sent():
        return await all_posted_outbox(server) and account_texts(x_state) == sent

    await eventually(all_sent)
    data = await export.load(server.db, server.event)
    records = export.post_records(data, str)
    assert [(r["number"], r["seq"], r["state"]) for r in records] == [
        (1, 1, "posted"),
        (None, 2, "skipped"),
        (2, 3, "posted"),
        (3, 4, "posted"),
    ]
    for r in records:
        if r["number"] is not None:
            assert r["sent_text"].startswith(f"{r['number']}/ ")
    csv_head, *csv_rows = export.posts_csv(data, str).splitlines()
    assert csv_head.startswith("number,seq,")
    assert [row.split(",")[0] for row in csv_rows] == ["1", "", "2", "3"]

    verdict = await audit.verify_event(server.db, server.event.id)
    html = report.render(data, str, verdict)
    post = r'<span class="num">([^<]*)</span>\s*<span class="text"[^>]*>([^<]*)<'
    numbered = re.findall(post, html)
    assert numbered == [
        ("1", "Scripted post 1."),
        ("–", "Call 555-201-3344"),
        ("2", "Scripted post 2."),
        ("3", "Scripted post 3."),
    ]


async def all_posted_outbox(server) -> bool:
    rows = await server.db.fetchall("SELECT state FROM outbox")
    return all(r["state"] in ("posted", "skipped") for r in rows)
