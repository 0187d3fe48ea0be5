"""Issue 19, done: a photo with a wristband and a face goes out with neither.

In Chromium: the comms lead uploads a phone photo (full of metadata) showing a
patient's wristband and a face; the approver sees each finding boxed on the photo,
blurs them all in one action, signs the new version; the X emulator receives a
photo with no metadata, in which the same check (OCR, faces) finds nothing.
Screenshots go to /work/shots/photos-*.png.
"""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from liveq.screening.photos.scan import scan_photo
from tests.browser.test_browser_procedure import login
from tests.fixtures_browser import collect_problems
from tests.fixtures_server import MOD_PASSWORD
from tests.screening.photo_samples import (
    BLOCK_SIGNATURES,
    MARKERS,
    phone_jpeg,
    with_face,
    wristband,
)
from tests.web.test_procedure import (
    SLUG,
    all_posted,
    call,
    consent_all,
    get_state,
    proc_server,
    script,
)

__all__ = ["proc_server"]

SHOTS = Path("/work/shots")
APPROVER_PASSWORD = "approver-password-123"
PATH = f"/mod/{SLUG}/procedure"


async def shot(page, name):
    if SHOTS.is_dir():
        await page.screenshot(path=str(SHOTS / f"photos-{name}.png"), full_page=True)


async def test_a_wristband_and_a_face_are_boxed_blurred_signed_and_x_gets_neither(
    proc_server, browser, http, x_state
):
    server = proc_server
    await script(http, server, 1)
    problems: list[str] = []
    comms = await login(await browser.new_context(viewport={"width": 1280, "height": 1000}),
                        server, "alice", MOD_PASSWORD, PATH)
    collect_problems(comms, problems)
    photo = phone_jpeg(with_face(wristband((1600, 1200), 48), at=(0.64, 0.45), face_px=200))
    row = comms.locator("#script > li").first
    await row.locator(".add-photo summary").click()
    await row.locator("input.photo-file").set_input_files(
        {"name": "arm.jpg", "mimeType": "image/jpeg", "buffer": photo}
    )
    await row.locator("input.photo-alt").fill("The patient's arm on the table, a nurse beside.")
    await row.locator("button.photo-add").click()

    approver = await login(await browser.new_context(viewport={"width": 1280, "height": 1000}),
                           server, "carol", APPROVER_PASSWORD, PATH)
    collect_problems(approver, problems)
    fig = approver.locator("#script > li").first.locator("figure.photo-review")
    # The check runs off the page's way; then both are boxed on the photo.
    await expect(fig.locator(".finding-box.face")).to_have_count(1, timeout=60_000)
    await expect(fig.locator(".finding-box.text").first).to_be_visible()
    texts = await fig.locator(".findings-list li .what").all_inner_texts()
    assert any("wristband" in t for t in texts), texts
    sign = approver.locator("#script > li").first.locator("button.sign")
    await expect(sign).to_be_disabled()
    # Boxes sit on the picture (placed in % of the photo once it has loaded).
    box = await fig.locator(".finding-box.face").bounding_box()
    pic = await fig.locator("img.photo-thumb").bounding_box()
    assert box and pic and pic["x"] <= box["x"]
    assert box["x"] + box["width"] <= pic["x"] + pic["width"] + 1
    await shot(approver, "boxes")

    # One action blurs every finding: a new version of the photo.
    await fig.locator("button.blur-all").click()
    await expect(fig.locator(".finding-box.redacted")).to_have_count(
        await fig.locator(".finding-box").count()
    )
    await expect(fig.locator(".check-summary")).to_have_text("Every finding is resolved.")
    new_src = await version_url(http, server)
    await expect(fig.locator("img.photo-thumb")).to_have_attribute("src", new_src)
    await shot(approver, "blurred")
    await expect(sign).to_be_enabled()
    await sign.click()
    await expect(approver.locator("#script > li").first).to_have_attribute("data-signed", "yes")

    # The rest through the API: the holding statement, the checklist, live, post next.
    st = await get_state(http, server)
    holding = st["holding"][0]
    await call(http, server, f"/posts/{holding['id']}/sign", {"version": holding["version"]},
               role="approver")
    await consent_all(http, server)
    await call(http, server, "/live")
    await call(http, server, "/next", status=201)
    await all_posted(http, server, 1)
    [tweet] = [t for t in x_state.posts_by() if not t.injected]
    [media] = x_state.media_of(tweet.id)
    sent = media.data
    leftovers = [k for k, v in {**MARKERS, **BLOCK_SIGNATURES}.items() if v in sent]
    assert leftovers == [] and sent.count(b"\xff\xd8") == 1
    # The same check on what X got: no readable identifier, no face.
    assert scan_photo(sent) == []
    assert problems == []


async def version_url(http, server):
    st = await get_state(http, server)
    photo = st["script"][0]["photos"][0]
    return f"{photo['url']}?v={photo['version']}"
