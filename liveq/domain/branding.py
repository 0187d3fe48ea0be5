"""An event's brand colour, checked for WCAG 2.2 contrast before it is used. Pure."""

from __future__ import annotations

import re

_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")
# AA for normal text (WCAG 2.2, 1.4.3): the buttons' white text on the colour, and the
# colour as link text on the audience page's background.
MIN_RATIO = 4.5
WHITE = "#ffffff"
PAGE_BACKGROUND = "#f6f7f9"  # --bg in liveq/web/static/style.css


def _luminance(hex_colour: str) -> float:
    """Relative luminance (WCAG's definition, sRGB)."""
    channels = []
    for i in (1, 3, 5):
        c = int(hex_colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def check_brand_colour(value: str) -> str:
    """The colour as #rrggbb (lowercase), "" for none; ValueError saying what fails."""
    value = (value or "").strip()
    if not value:
        return ""
    if not _HEX.match(value):
        raise ValueError(
            f"{value!r} is not a colour: write it as # and six hex digits, e.g. #0b6bcb."
        )
    colour = value.lower()
    for other, role in ((WHITE, "white button text on it"), (PAGE_BACKGROUND, "the page")):
        ratio = contrast(colour, other)
        if ratio < MIN_RATIO:
            raise ValueError(
                f"{colour} has a contrast of {ratio:.1f}:1 with {role}; WCAG AA needs "
                f"{MIN_RATIO}:1 for text. Choose a darker colour."
            )
    return colour
