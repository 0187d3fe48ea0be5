"""The idle card's QR code scans: a real decoder reads it from a screenshot of the overlay."""

import io

import pytest
import zxingcpp
from PIL import Image
from playwright.async_api import expect

SIZES = [(1920, 1080), (1280, 720)]


def decode_qr(png: bytes) -> list[str]:
    """Every QR code zxing-cpp finds in a PNG screenshot."""
    image = Image.open(io.BytesIO(png)).convert("L")
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in found]


@pytest.mark.parametrize("view", ["", "&view=presenter"], ids=["program", "presenter"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_idle_card_qr_code_decodes_to_the_audience_url(server, browser, size, view):
    width, height = size
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    await page.goto(f"{server.url}/overlay/grand-rounds?key={server.event.overlay_key}{view}")
    await expect(page.locator("#idle .qr svg")).to_be_visible()
    audience = f"{server.config.server.public_url}/e/grand-rounds"
    assert decode_qr(await page.screenshot()) == [audience]
    # The whole code is inside its box: nothing of it is cut off.
    box = await page.locator("#idle .qr").bounding_box()
    svg = await page.locator("#idle .qr svg").bounding_box()
    assert box and svg
    assert svg["width"] <= box["width"] + 0.5 and svg["height"] <= box["height"] + 0.5
    await context.close()
