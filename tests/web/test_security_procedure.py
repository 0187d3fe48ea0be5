"""Procedure mode's outgoing material: the holding statement is screened at sign-off and
when Pause sends it (issue 12 item 5); photos are what they claim to be, within limits
(issue 12 item 9)."""

import asyncio
import base64
import io
import struct
import zlib

import aiohttp
from PIL import Image

from liveq.storage import accounts as auth
from liveq.storage import store
from tests.fixtures_server import start_server, write_config, x_section
from tests.waiting import eventually
from tests.web.test_procedure import (
    PNG,
    SLUG,
    account_texts,
    all_posted,
    call,
    consent_all,
    get_state,
    hdr,
    outbox,
    proc_server,  # noqa: F401 - a fixture
    script,
    sign_all,
)

LEAKY_HOLDING = "We are pausing for a moment. Family: call 617-555-0143 or mail jo.k@example.org"


async def test_a_holding_statement_with_identifiers_cannot_be_signed(proc_server, http):  # noqa: F811
    server = proc_server
    await script(http, server, 1, holding=LEAKY_HOLDING)
    st = await get_state(http, server)
    holding = st["holding"][0]
    data = await call(
        http,
        server,
        f"/posts/{holding['id']}/sign",
        {"version": holding["version"]},
        role="approver",
        status=409,
    )
    assert "holding statement" in data["error"] and "phone" in data["error"].lower()
    st = await get_state(http, server)
    assert not st["holding"][0]["signed"]
    assert "The holding statement is not signed off." in st["problems"]
    # Once edited clean, it signs like any post.
    await call(http, server, f"/posts/{holding['id']}", {"text": "We are pausing for a moment."})
    st = await sign_all(http, server)
    assert st["holding"][0]["signed"]


async def test_pause_screens_the_holding_statement_before_it_goes_out(
    tmp_path, x_emulator, x_state, http
):
    """Signed while clean; the day's watch list then flags it: Pause holds it, X gets nothing."""
    x = x_section(x_emulator, outbox_interval_seconds=0.05, timeout_seconds=2)
    config = write_config(tmp_path, x=x, limits={"questions_per_minute": 0})
    server = await start_server(config)
    try:
        server.event = await store.create_event(
            server.db, SLUG, "Knee, live", kind="procedure", hashtag="KneeLive", moderation="pre"
        )
        await auth.create_user(server.db, "carol", "approver-password-123", "approver")
        server.tokens["approver"] = await auth.create_api_token(server.db, "approver")
        await script(http, server, 1, holding="We are pausing: the surgeon is taking a break.")
        await sign_all(http, server)
        await consent_all(http, server)
        await call(http, server, "/live")
        await call(http, server, "/next", status=201)
        await all_posted(http, server, 1)

        # The watch list is updated on the day and liveq restarted with it.
        await server.stop()
        server.config = write_config(
            tmp_path, x=x, limits={"questions_per_minute": 0}, screening={"watch_list": ["break"]}
        )
        await server.start()
        await call(http, server, "/pause")

        async def holding_item():
            items = await outbox(http, server)
            return next((i for i in items if i["kind"] == "holding"), None)

        item = await eventually(holding_item)
        await asyncio.sleep(0.5)  # the outbox has had every chance to send it
        item = await holding_item()
        assert item["state"] == "held"
        assert [f["kind"] for f in item["findings"]] == ["watch_list"]
        assert len(account_texts(x_state)) == 1
        # A moderator may still send it, with a reason, like any held post.
        async with http.post(
            f"{server.url}/api/v1/events/{SLUG}/outbox/{item['id']}/override",
            json={"reason": "a break in the procedure, not a fracture"},
            headers=hdr(server),
        ) as resp:
            assert resp.status == 200
        await eventually(lambda: _posted_count(http, server, 2))
    finally:
        await server.stop()


async def _posted_count(http, server, n):
    items = await outbox(http, server)
    return len([i for i in items if i["state"] == "posted"]) >= n


# -- photos ---------------------------------------------------------------------------


def image_bytes(fmt: str, size=(64, 48), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, format=fmt)
    return buf.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that says it is width×height, with a tiny (truncated) body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


async def upload(http, server, post_id, data: bytes, media_type: str):
    form = aiohttp.FormData()
    form.add_field("photo", io.BytesIO(data), filename="p", content_type=media_type)
    form.add_field("alt", "The operating room.")
    async with http.post(
        f"{server.url}/api/v1/events/{SLUG}/procedure/posts/{post_id}/photos",
        data=form,
        headers=hdr(server),
    ) as resp:
        return resp.status, await resp.json()


async def first_post(http, server) -> int:
    await script(http, server, 1)
    return (await get_state(http, server))["script"][0]["id"]


async def stored_types(server) -> list[str]:
    rows = await server.db.fetchall("SELECT media_type FROM media_files ORDER BY id")
    return [r[0] for r in rows]


async def test_photos_that_are_not_real_images_are_refused(proc_server, http):  # noqa: F811
    server = proc_server
    post_id = await first_post(http, server)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    fakes = [
        (svg, "image/png"),
        (b"GIF89a<html><script>alert(document.cookie)</script></html>", "image/gif"),
        (b"PK\x03\x04" + b"\x00" * 200, "image/jpeg"),
        (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20, "image/jpeg"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 junk", "image/webp"),
        (PNG[:40], "image/png"),  # cut short
        (png_header_only(20_000, 20_000), "image/png"),
    ]
    for data, media_type in fakes:
        status, body = await upload(http, server, post_id, data, media_type)
        assert status == 400, (data[:20], status, body)
        assert "photo" in body["error"].lower()
    assert await stored_types(server) == []

    huge = png_header_only(20_000, 20_000)
    status, body = await upload(http, server, post_id, huge, "image/png")
    assert "20000×20000" in body["error"] and "40 megapixels" in body["error"]


async def test_real_photos_are_kept_with_their_true_type(proc_server, http):  # noqa: F811
    server = proc_server
    post_id = await first_post(http, server)
    for fmt, declared in [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif")]:
        status, body = await upload(http, server, post_id, image_bytes(fmt), declared)
        assert status == 201, body
    # A WebP whose file was named .png is still a WebP.
    status, body = await upload(http, server, post_id, image_bytes("WEBP"), "image/png")
    assert status == 201, body
    assert await stored_types(server) == ["image/png", "image/jpeg", "image/gif", "image/webp"]


async def test_pixel_limit_is_configurable(tmp_path, x_emulator, http):
    big = image_bytes("PNG", size=(7000, 7000), mode="1")  # 49 megapixels, a few KB
    for limit, expected in [(None, 400), (50_000_000, 201)]:
        folder = tmp_path / str(limit)
        folder.mkdir()
        limits = {"questions_per_minute": 0}
        if limit:
            limits["max_photo_pixels"] = limit
        server = await start_server(write_config(folder, x=x_section(x_emulator), limits=limits))
        try:
            server.event = await store.create_event(
                server.db, SLUG, "Knee", kind="procedure", hashtag="KneeLive", moderation="pre"
            )
            post_id = await first_post(http, server)
            status, body = await upload(http, server, post_id, big, "image/png")
            assert status == expected, body
        finally:
            await server.stop()


async def test_a_photo_over_5_mb_is_refused_naming_the_photo_limit(proc_server, http):  # noqa: F811
    server = proc_server
    post_id = await first_post(http, server)
    huge = PNG + b"\x00" * (6 * 1024 * 1024)
    status, body = await upload(http, server, post_id, huge, "image/png")
    assert status == 413
    assert "5 MB" in body["error"] and "16,384" not in body["error"]


async def test_imported_photos_are_checked_the_same_way(proc_server, http):  # noqa: F811
    server = proc_server
    source = '[[post]]\ntext = "Good morning."\nphotos = [{ file = "or.png", alt = "The OR." }]\n'
    svg = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()
    photos = {"or.png": {"media_type": "image/png", "data": svg}}
    data = await call(http, server, "/import", {"source": source, "photos": photos}, status=400)
    assert "photo" in data["error"].lower()
    assert await stored_types(server) == []
