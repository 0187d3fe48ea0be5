"""The README's own script imports on the page, and then asks for its photos
(issue 11 item 5).

A script names its photos by file; the page sends only the text. The import is
accepted, each photo it names waits (file name and alt text kept) until someone
uploads it, and neither sign-off nor going live is possible while one waits.
"""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp

from tests.web.test_procedure import (
    PNG,
    SLUG,
    call,
    consent_all,
    get_state,
    hdr,
    photos_checked,
    proc_server,
    same_pixels,
)

__all__ = ["proc_server"]

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_script() -> str:
    """The TOML example in the README's procedure section, as a reader would copy it."""
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    script = next(b for b in blocks if "[[post]]" in b)
    return "\n".join(line.removeprefix("   ") for line in script.splitlines())


async def upload(http, server, post_id, photo_id, status=201, data=PNG, alt=None):
    form = aiohttp.FormData()
    form.add_field("photo", data, filename="or.png", content_type="image/png")
    if alt is not None:
        form.add_field("alt", alt)
    url = f"{server.url}/api/v1/events/{SLUG}/procedure/posts/{post_id}/photos/{photo_id}/upload"
    async with http.post(url, data=form, headers=hdr(server)) as resp:
        body = await resp.json()
        assert resp.status == status, body
    return await photos_checked(http, server) if status == 201 else body


async def test_the_readme_script_imports_and_then_asks_for_its_photo(proc_server, http):
    server = proc_server
    st = await call(http, server, "/import", {"format": "toml", "source": readme_script()})
    assert len(st["script"]) == 2 and len(st["facts"]) == 1 and len(st["holding"]) == 1
    first = st["script"][0]
    [photo] = first["photos"]
    assert photo["missing"] is True and photo["file"] == "or.png"
    assert photo["alt_text"] == "The empty operating room, lights on."
    assert "url" not in photo
    assert st["missing_photos"] == [
        {
            "post_id": first["id"],
            "role": "script",
            "position": 1,
            "photo_id": photo["id"],
            "file": "or.png",
            "alt_text": "The empty operating room, lights on.",
        }
    ]
    assert any("or.png" in p for p in st["problems"])

    # Nobody signs a photo they cannot see: sign-off waits for the upload.
    refused = await call(
        http,
        server,
        f"/posts/{first['id']}/sign",
        {"version": first["version"]},
        role="approver",
        status=409,
    )
    assert "or.png" in refused["error"]
    await consent_all(http, server)
    refused = await call(http, server, "/live", status=409)
    assert "or.png" in refused["error"]

    # A file that is not an image is refused and the photo still waits.
    await upload(http, server, first["id"], photo["id"], status=400, data=b"")
    st = await upload(http, server, first["id"], photo["id"])
    [photo] = st["script"][0]["photos"]
    assert photo["missing"] is False and photo["url"]
    assert photo["alt_text"] == "The empty operating room, lights on."
    assert st["missing_photos"] == []
    assert not any("or.png" in p for p in st["problems"])
    # Filled once: a second upload to the same photo is refused.
    await upload(http, server, first["id"], photo["id"], status=409)
    async with http.get(server.url + photo["url"], headers=hdr(server, "approver")) as resp:
        assert resp.status == 200 and same_pixels(await resp.read(), PNG)


async def test_the_alt_text_can_be_corrected_with_the_upload(proc_server, http):
    server = proc_server
    await call(http, server, "/import", {"format": "toml", "source": readme_script()})
    first = (await get_state(http, server))["script"][0]
    photo = first["photos"][0]
    st = await upload(http, server, first["id"], photo["id"], alt="The OR at 6 a.m., empty.")
    assert st["script"][0]["photos"][0]["alt_text"] == "The OR at 6 a.m., empty."


async def test_a_markdown_script_with_photos_to_come(proc_server, http):
    server = proc_server
    source = "\n".join(
        [
            "Physician: Dr. Ana Okafor",
            "## Post",
            "Good morning from the OR.",
            "![The team scrubbing in.](team.jpg)",
            "## Holding",
            "A short pause.",
        ]
    )
    st = await call(http, server, "/import", {"format": "markdown", "source": source})
    assert [m["file"] for m in st["missing_photos"]] == ["team.jpg"]
