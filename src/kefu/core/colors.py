"""Readable colours from a workspace's brand colour (WCAG 2.x contrast, level AA).

A brand colour is chosen for looks, not for reading: a light one as link text on the help
center's pale background, or white text on a yellow button, fails AA. The brand colour stays
what backgrounds and borders use; text gets a colour derived from it that passes.
"""

from __future__ import annotations

from typing import NamedTuple

#: The light backgrounds links sit on in kefu.css: the page (``--bg``), cards, and the notices
#: (success, info, note, error); brand text must be readable on the darkest of them.
LIGHT_BACKGROUNDS = ("#f6f8fa", "#ffffff", "#dafbe1", "#ddf4ff", "#fff8c5", "#ffebe9")
#: WCAG 2 AA for body text.
AA_TEXT_CONTRAST = 4.5
_STEP = 0.04  # how much nearer to black each darkening step goes


class BrandPalette(NamedTuple):
    brand: str  # backgrounds and borders, as the workspace chose it
    text: str  # links and brand-coloured text on the page and on white cards
    on_brand: str  # text on a brand-coloured background (primary buttons)


def _rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(channel):02x}" for channel in rgb)


def relative_luminance(color: str) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _rgb(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_on(color: str, backgrounds: tuple[str, ...] = LIGHT_BACKGROUNDS) -> str:
    """``color``, darkened (same hue, towards black) just enough to be read on every one of
    ``backgrounds``."""
    background = min(backgrounds, key=relative_luminance)
    rgb = _rgb(color)
    amount = 0.0
    candidate = color.lower()
    while contrast_ratio(candidate, background) < AA_TEXT_CONTRAST and amount < 1:
        amount = min(1.0, amount + _STEP)
        candidate = _hex(tuple(channel * (1 - amount) for channel in rgb))
    return candidate


def text_on(background: str) -> str:
    """White or black text, whichever reads on ``background`` (one of them always passes AA)."""
    return "#ffffff" if contrast_ratio("#ffffff", background) >= AA_TEXT_CONTRAST else "#000000"


def brand_palette(brand_color: str) -> BrandPalette:
    return BrandPalette(
        brand=brand_color.lower(), text=readable_on(brand_color), on_brand=text_on(brand_color)
    )
