"""An event's brand colour over real HTTP: refused with its contrast ratio when too light,
served as a stylesheet (the CSP allows no inline style), copied by a duplicate."""

import aiohttp
import pytest

from tests.fixtures_server import bearer

pytestmark = pytest.mark.engines("sqlite", "postgresql")

SLUG = "grand-rounds"


async def patch(http, server, body, status=200) -> dict:
    async with http.patch(
        f"{server.url}/api/v1/events/{SLUG}", json=body, headers=bearer(server, "admin")
    ) as resp:
        data = await resp.json()
        assert resp.status == status, data
    return data


async def get(server, path) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as anyone:
        async with anyone.get(server.url + path) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), await resp.text()


async def test_a_light_colour_is_refused_with_its_ratio(server, http):
    data = await patch(http, server, {"brand_colour": "#ffcc00"}, status=400)
    assert data["error"] == (
        "#ffcc00 has a contrast of 1.5:1 with white button text on it; WCAG AA needs "
        "4.5:1 for text. Choose a darker colour."
    )
    data = await patch(http, server, {"brand_colour": "purple"}, status=400)
    assert "is not a colour" in data["error"]
    # Nothing was set: no stylesheet link on the audience page.
    _, _, html = await get(server, f"/e/{SLUG}")
    assert "brand.css" not in html


async def test_a_dark_colour_is_served_as_a_stylesheet_and_copied(server, http):
    event = (await patch(http, server, {"brand_colour": "#7A1F5C"}))["event"]
    assert event["brand_colour"] == "#7a1f5c"
    _, _, html = await get(server, f"/e/{SLUG}")
    assert f'href="/e/{SLUG}/brand.css?v=7a1f5c"' in html
    status, kind, css = await get(server, f"/e/{SLUG}/brand.css")
    assert (status, kind.split(";")[0]) == (200, "text/css")
    assert css == ":root { --accent: #7a1f5c; }\n"
    async with http.post(
        f"{server.url}/api/v1/events/{SLUG}/duplicate",
        json={"slug": "next-rounds"},
        headers=bearer(server, "admin"),
    ) as resp:
        assert resp.status == 201
        assert (await resp.json())["event"]["brand_colour"] == "#7a1f5c"
    # Cleared with "": the stylesheet is empty, the page links none.
    await patch(http, server, {"brand_colour": ""})
    _, _, css = await get(server, f"/e/{SLUG}/brand.css")
    assert css == ""
    status, _, _ = await get(server, "/e/no-such-event/brand.css")
    assert status == 404


async def test_an_event_is_created_with_its_colour_or_refused(server, http):
    for colour, status in [("#2e7d32", 201), ("#eeeeee", 400)]:
        body = {"slug": f"c-{colour[1:]}", "title": "C", "brand_colour": colour}
        async with http.post(
            f"{server.url}/api/v1/events", json=body, headers=bearer(server, "admin")
        ) as resp:
            data = await resp.json()
            assert resp.status == status, data
    assert data["error"].startswith("#eeeeee has a contrast of")
