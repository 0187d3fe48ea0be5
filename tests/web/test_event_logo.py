"""An event's logo over real HTTP: admins only, cleaned of its metadata by the photo
cleaning (so a PNG's text chunks and a JPEG's EXIF are gone), refused with a sentence
when it is not an image, served with its real type, copied by a duplicate, removable."""

import io

import aiohttp
import pytest
from PIL import Image, PngImagePlugin

from tests.fixtures_server import bearer

pytestmark = pytest.mark.engines("sqlite", "postgresql")

SLUG = "grand-rounds"


def png_with_metadata() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Dr Jane Secret, MRN 12345678")
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (122, 31, 92)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def form(data: bytes, name="logo.png", kind="image/png") -> aiohttp.FormData:
    body = aiohttp.FormData()
    body.add_field("photo", data, filename=name, content_type=kind)
    return body


async def upload(http, server, body, role="admin", status=201) -> dict:
    async with http.post(
        f"{server.url}/api/v1/events/{SLUG}/logo", data=body, headers=bearer(server, role)
    ) as resp:
        data = await resp.json()
        assert resp.status == status, data
    return data


async def test_logo_is_cleaned_served_and_shown(server, http):
    raw = png_with_metadata()
    assert b"MRN 12345678" in raw
    event = (await upload(http, server, form(raw)))["event"]
    assert event["logo"] is True
    async with http.get(f"{server.url}/e/{SLUG}/logo") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "image/png"
        served = await resp.read()
    assert b"MRN 12345678" not in served and b"Dr Jane" not in served
    assert Image.open(io.BytesIO(served)).size == (120, 40)
    async with http.get(f"{server.url}/e/{SLUG}") as resp:
        html = await resp.text()
    assert f'<img class="brand-logo" src="/e/{SLUG}/logo?v=' in html and 'alt=""' in html
    # A duplicate takes the logo along.
    async with http.post(
        f"{server.url}/api/v1/events/{SLUG}/duplicate",
        json={"slug": "next-rounds"},
        headers=bearer(server, "admin"),
    ) as resp:
        assert (await resp.json())["event"]["logo"] is True
    async with http.get(f"{server.url}/e/next-rounds/logo") as resp:
        assert await resp.read() == served
    # Removed: 404 and no image on the page.
    async with http.delete(
        f"{server.url}/api/v1/events/{SLUG}/logo", headers=bearer(server, "admin")
    ) as resp:
        assert resp.status == 200
    async with http.get(f"{server.url}/e/{SLUG}/logo") as resp:
        assert resp.status == 404
    rows = await server.db.fetchall(
        "SELECT action FROM audit WHERE event_id = ? ORDER BY id", (server.event.id,)
    )
    assert [r["action"] for r in rows] == ["event_logo_set", "event_logo_remove"]


async def test_logo_errors_and_auth(server, http):
    data = await upload(http, server, form(b"not an image at all"), status=400)
    assert "only PNG, JPEG, GIF and WebP images" in data["error"]
    no_file = aiohttp.FormData()
    no_file.add_field("alt", "x", content_type="text/plain")  # multipart, without a photo
    data = await upload(http, server, no_file, status=400)
    assert "Choose an image file" in data["error"]
    async with http.post(
        f"{server.url}/api/v1/events/{SLUG}/logo", json={}, headers=bearer(server, "admin")
    ) as resp:
        assert resp.status == 400
        assert "multipart/form-data" in (await resp.json())["error"]
    data = await upload(http, server, form(png_with_metadata()), role="moderator", status=403)
    assert data["error"] == "Only an administrator may do that."
    async with aiohttp.ClientSession() as anyone:
        async with anyone.post(
            f"{server.url}/api/v1/events/{SLUG}/logo", data=form(png_with_metadata())
        ) as resp:
            assert resp.status == 401
    async with http.get(f"{server.url}/e/{SLUG}/logo") as resp:
        assert resp.status == 404
