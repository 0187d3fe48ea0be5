"""The procedure page can be found (issue 11 item 6): the events page lists, for
every role, what that account may open, and the console links the procedure page."""

from __future__ import annotations

import re

from liveq.storage import accounts as auth
from tests.fixtures_server import MOD_PASSWORD, form_csrf
from tests.web.test_procedure import SLUG, proc_server

__all__ = ["proc_server"]


async def login_as(http, server, user, password):
    token = await form_csrf(http, f"{server.url}/login")
    async with http.post(
        f"{server.url}/login",
        data={"csrf": token, "username": user, "password": password, "next": "/"},
        allow_redirects=False,
    ) as resp:
        assert resp.status == 303, await resp.text()


async def page(http, server, path="/"):
    async with http.get(server.url + path, allow_redirects=False) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.text()


def hrefs(html):
    return re.findall(r'href="([^"]+)"', html)


async def test_an_approver_finds_the_procedure_to_sign(proc_server, http):
    await login_as(http, proc_server, "carol", "approver-password-123")
    html = await page(http, proc_server)
    assert "No events yet" not in html
    assert f"/mod/{SLUG}/procedure" in hrefs(html)
    # Nothing an approver may not open: no console, no webinar.
    assert f"/mod/{SLUG}" not in hrefs(html) and "/mod/grand-rounds" not in hrefs(html)
    assert "Knee replacement, live" in html


async def test_a_moderator_gets_console_and_procedure_links(proc_server, http):
    await login_as(http, proc_server, "alice", MOD_PASSWORD)
    links = hrefs(await page(http, proc_server))
    assert {f"/mod/{SLUG}", f"/mod/{SLUG}/procedure", "/mod/grand-rounds"} <= set(links)
    assert "/mod/grand-rounds/procedure" not in links
    console = hrefs(await page(http, proc_server, f"/mod/{SLUG}"))
    assert f"/mod/{SLUG}/procedure" in console
    webinar = hrefs(await page(http, proc_server, "/mod/grand-rounds"))
    assert "/mod/grand-rounds/procedure" not in webinar


async def test_a_presenter_finds_the_presenter_view(proc_server, http):
    await auth.create_user(proc_server.db, "pat", "presenter-password-123", "presenter")
    await login_as(http, proc_server, "pat", "presenter-password-123")
    html = await page(http, proc_server)
    links = hrefs(html)
    key = proc_server.event.overlay_key
    assert f"/overlay/{SLUG}?key={key}&amp;view=presenter" in links
    assert not any(link.startswith("/mod/") for link in links)
