"""Photos leave with no identifier in them (issue 19), over the API against the X emulator.

Each rule: the metadata is gone at the byte level (and what X receives has none);
a face or an identifier read in the photo holds the post (409 naming it) until it
is blurred, blacked out or (a face) approved by an approver with a reason; a
redaction makes a new version of the photo and clears the post's sign-off; the
original is never served and never sent.
"""

from __future__ import annotations

import io
import json

from PIL import Image

from liveq.screening.photos.faces import find_faces
from tests.screening.photo_samples import (
    BLOCK_SIGNATURES,
    MARKERS,
    encoded,
    halves,
    phone_jpeg,
    with_face,
    wristband,
)
from tests.waiting import eventually
from tests.web.test_procedure import (
    SLUG,
    add_photo,
    all_posted,
    call,
    consent_all,
    get_state,
    hdr,
    proc_server,
    script,
    sign_all,
)

__all__ = ["proc_server"]


def leftovers(data: bytes) -> list[str]:
    """Every planted marker and metadata block signature still in `data`."""
    return [k for k, v in {**MARKERS, **BLOCK_SIGNATURES}.items() if v in data]


async def served(http, server, photo) -> bytes:
    async with http.get(server.url + photo["url"], headers=hdr(server)) as resp:
        assert resp.status == 200
        return await resp.read()


async def first_post_with(http, server, data, alt="A photo."):
    st = await script(http, server, 1)
    post = st["script"][0]
    st = await add_photo(http, server, post["id"], alt, data=data)
    return st["script"][0]


async def test_metadata_is_stripped_at_the_byte_level_and_x_gets_none(proc_server, http, x_state):
    server = proc_server
    original = phone_jpeg(halves(), orientation=6)
    assert set(leftovers(original)) == set(MARKERS) | {"exif", "xmp", "iptc", "icc"}
    assert original.count(b"\xff\xd8") == 2  # the photo and its embedded thumbnail
    post = await first_post_with(http, server, original)
    [photo] = post["photos"]
    stored = await server.db.fetchall("SELECT data FROM media_files")
    for data in [await served(http, server, photo)] + [bytes(r["data"]) for r in stored]:
        assert leftovers(data) == []
        assert data.count(b"\xff\xd8") == 1  # the thumbnail is gone
        image = Image.open(io.BytesIO(data))
        assert image.getexif() == {} and "icc_profile" not in image.info
        assert "comment" not in image.info and "xmp" not in image.info
        # Orientation 6 applied: turned upright, the left (red) half is now on top.
        assert image.size == (20, 40)
        assert image.getpixel((10, 5))[0] > 200 and image.getpixel((10, 35))[2] > 200
    # What X receives is the cleaned file.
    await sign_all(http, server)
    await consent_all(http, server)
    await call(http, server, "/live")
    await call(http, server, "/next", status=201)
    await all_posted(http, server, 1)
    [tweet] = [t for t in x_state.posts_by() if not t.injected]
    [media] = x_state.media_of(tweet.id)
    assert media.data and leftovers(media.data) == [] and media.data.count(b"\xff\xd8") == 1


async def test_a_face_holds_the_post_until_blurred_in_a_new_version(proc_server, http, x_state):
    server = proc_server
    photo_bytes = encoded(with_face(Image.new("RGB", (1400, 1000), (60, 120, 110))))
    post = await first_post_with(http, server, photo_bytes, "The team at the table.")
    [photo] = post["photos"]
    assert photo["check"]["state"] == "done"
    faces = [f for f in photo["findings"] if f["kind"] == "face"]
    assert len(faces) == 1 and faces[0]["status"] == "open" and len(faces[0]["box"]) == 4
    before = await served(http, server, photo)
    assert find_faces(Image.open(io.BytesIO(before)))
    # Signing is refused, naming the photo and the finding (the same rule as for text).
    refused = await call(
        http, server, f"/posts/{post['id']}/sign", {"version": post["version"]},
        role="approver", status=409,
    )
    assert "photo 1" in refused["error"] and "a face" in refused["error"]
    assert "unresolved" in refused["error"]
    st = await get_state(http, server)
    assert any("a face" in p for p in st["problems"])
    # One action blurs it: a new version of the photo, the post's version moves on.
    base = f"/posts/{post['id']}/photos/{photo['id']}"
    st = await call(http, server, f"{base}/redact", {"findings": [faces[0]["id"]]},
                    role="approver")
    post2 = st["script"][0]
    [photo2] = post2["photos"]
    assert photo2["version"] == 2 and post2["version"] == post["version"] + 1
    assert [f["status"] for f in photo2["findings"] if f["kind"] == "face"] == ["redacted"]
    after = await served(http, server, photo2)
    assert after != before and not find_faces(Image.open(io.BytesIO(after)))
    await call(http, server, f"/posts/{post2['id']}/sign", {"version": post2["version"]},
               role="approver")
    # A redaction audited with who, which photo version and the region.
    rows = await server.db.fetchall("SELECT actor, detail FROM audit WHERE action ="
                                    " 'script_photo_redacted'")
    assert rows[0]["actor"] == "token:carol" and "version 2" in rows[0]["detail"]


async def test_a_new_version_clears_the_sign_off(proc_server, http):
    server = proc_server
    post = await first_post_with(http, server, encoded(halves(400, 300)))
    [photo] = post["photos"]
    assert photo["findings"] == []
    st = await sign_all(http, server)
    assert st["script"][0]["signed"]
    base = f"/posts/{post['id']}/photos/{photo['id']}"
    # A drawn box, blacked out: the approver signed the old picture, not this one.
    st = await call(http, server, f"{base}/redact",
                    {"regions": [{"box": [10, 10, 100, 80], "style": "black"}]})
    post2 = st["script"][0]
    assert post2["signed"] is False and post2["sign_cleared"] is True
    pixels = Image.open(io.BytesIO(await served(http, server, post2["photos"][0])))
    assert pixels.convert("RGB").getpixel((50, 50)) == (0, 0, 0)
    await consent_all(http, server)
    refused = await call(http, server, "/live", status=409)
    assert "Script post 1 is not signed off (edited after sign-off)" in refused["error"]
    # Bad regions are refused with a sentence.
    bad = await call(http, server, f"{base}/redact",
                     {"regions": [{"box": [5000, 5000, 10, 10]}]}, status=400)
    assert "not inside the photo" in bad["error"]
    bad = await call(http, server, f"{base}/redact", {}, status=400)
    assert "Say what to cover" in bad["error"]


async def test_text_in_the_photo_is_found_with_its_box_and_reason(proc_server, http):
    server = proc_server
    post = await first_post_with(http, server, encoded(wristband()), "The patient's arm.")
    [photo] = post["photos"]
    kinds = {f["kind"]: f for f in photo["findings"]}
    assert {"name", "date", "mrn"} <= kinds.keys(), photo["findings"]
    assert "on what looks like a wristband" in kinds["name"]["reason"]
    assert "a date of birth" in kinds["date"]["reason"]
    # The box is where the words are (the band is drawn at x 160-1056, y 240-520).
    x, y, w, h = kinds["mrn"]["box"]
    assert 160 <= x and x + w <= 1100 and 240 <= y and y + h <= 540
    refused = await call(http, server, f"/posts/{post['id']}/sign",
                         {"version": post["version"]}, role="approver", status=409)
    assert "unresolved findings" in refused["error"]
    assert "a name" in refused["error"] and "a medical record number" in refused["error"]
    # Text cannot be approved away: it is blurred or blacked out.
    base = f"/posts/{post['id']}/photos/{photo['id']}"
    bad = await call(http, server, f"{base}/findings/{kinds['mrn']['id']}/approve",
                     {"reason": "fine"}, role="approver", status=400)
    assert "Only a face" in bad["error"]
    ids = [f["id"] for f in photo["findings"]]
    st = await call(http, server, f"{base}/redact", {"findings": ids, "style": "black"})
    assert all(f["status"] == "redacted" for f in st["script"][0]["photos"][0]["findings"])
    await sign_all(http, server)


async def test_a_staff_face_is_approved_one_by_one_with_a_reason(proc_server, http):
    server = proc_server
    picture = with_face(with_face(Image.new("RGB", (1600, 1000), (60, 120, 110)),
                                  (0.05, 0.2)), (0.55, 0.2))
    post = await first_post_with(http, server, encoded(picture), "Two surgeons.")
    faces = [f for f in post["photos"][0]["findings"] if f["kind"] == "face"]
    assert len(faces) == 2
    base = f"/posts/{post['id']}/photos/{post['photos'][0]['id']}/findings"
    # Only an approver approves; a reason is required.
    await call(http, server, f"{base}/{faces[0]['id']}/approve", {"reason": "staff"},
               status=403)
    bad = await call(http, server, f"{base}/{faces[0]['id']}/approve", {"reason": " "},
                     role="approver", status=400)
    assert "Say why" in bad["error"]
    st = await call(http, server, f"{base}/{faces[0]['id']}/approve",
                    {"reason": "Dr. Okafor, staff, consent form 2231"}, role="approver")
    statuses = [f["status"] for f in st["script"][0]["photos"][0]["findings"]]
    assert sorted(statuses) == ["approved", "open"]  # one by one: the other is still open
    refused = await call(http, server, f"/posts/{post['id']}/sign",
                         {"version": st["script"][0]["version"]}, role="approver", status=409)
    assert "an unresolved finding" in refused["error"]
    await call(http, server, f"{base}/{faces[0]['id']}/approve", {"reason": "again"},
               role="approver", status=409)
    await call(http, server, f"{base}/{faces[1]['id']}/approve",
               {"reason": "Nurse Lin, staff, consented"}, role="approver")
    await sign_all(http, server)
    rows = await server.db.fetchall(
        "SELECT actor, after, detail FROM audit WHERE action = 'photo_face_approved'"
    )
    assert [(r["actor"], r["detail"]) for r in rows] == [
        ("token:carol", "Dr. Okafor, staff, consent form 2231"),
        ("token:carol", "Nurse Lin, staff, consented"),
    ]
    assert json.loads(rows[0]["after"])["status"] == "approved"


async def test_the_original_is_never_served_or_sent(proc_server, http, x_state):
    server = proc_server
    post = await first_post_with(http, server, encoded(with_face(halves(1200, 900))))
    [photo] = post["photos"]
    original = await served(http, server, photo)
    base = f"/posts/{post['id']}/photos/{photo['id']}"
    ids = [f["id"] for f in photo["findings"]]
    assert ids
    st = await call(http, server, f"{base}/redact", {"findings": ids})
    [photo2] = st["script"][0]["photos"]
    current = await served(http, server, photo2)
    assert current != original
    # Same address, any query: only the current version.
    for suffix in ("?v=1", "?version=1", "?original=1"):
        async with http.get(server.url + photo2["url"] + suffix, headers=hdr(server)) as resp:
            assert await resp.read() == current
    # The original is kept on the server (redactions start from it) ...
    row = await server.db.fetchone(
        "SELECT m.data FROM procedure_photos ph JOIN media_files m ON m.id = ph.original_file_id"
    )
    assert bytes(row["data"]) == original
    # ... and X gets the redacted version.
    await sign_all(http, server)
    await consent_all(http, server)
    await call(http, server, "/live")
    await call(http, server, "/next", status=201)
    await all_posted(http, server, 1)
    [tweet] = [t for t in x_state.posts_by() if not t.injected]
    [media] = x_state.media_of(tweet.id)
    assert media.data == current and media.data != original
    # A queued post's photo can no longer change.
    await call(http, server, f"{base}/redact", {"regions": [{"box": [0, 0, 50, 50]}]},
               status=409)


async def test_a_photo_being_checked_cannot_be_signed(proc_server, http):
    server = proc_server
    st = await script(http, server, 1)
    post = st["script"][0]
    # Not waiting for the check: sign at once (a 12-megapixel photo takes seconds).
    big = encoded(Image.linear_gradient("L").resize((4000, 3000)).convert("RGB"))
    st = await add_photo(http, server, post["id"], "A gradient.", data=big, checked=False)
    post = st["script"][0]
    assert post["photos"][0]["check"]["state"] == "pending"
    refused = await call(http, server, f"/posts/{post['id']}/sign",
                         {"version": post["version"]}, role="approver", status=409)
    assert "still being checked" in refused["error"]
    assert SLUG in post["photos"][0]["url"]


async def test_a_server_with_a_procedure_loads_the_face_detector_at_start(proc_server):
    """A server that has a procedure event loads the face detector when it starts, not at
    the first photo of the live day."""
    from liveq.screening.photos import faces

    await proc_server.stop()
    faces._detector.cache_clear()
    await proc_server.start()  # same database: the procedure event is there at start

    async def loaded() -> bool:
        return faces._detector.cache_info().currsize == 1

    await eventually(loaded, timeout=30)
