"""A workspace's brand colour never makes its help center unreadable (WCAG 2 AA, 4.5:1)."""

from __future__ import annotations

import pytest

from kefu.core.colors import (
    AA_TEXT_CONTRAST,
    LIGHT_BACKGROUNDS,
    brand_palette,
    contrast_ratio,
)


def test_contrast_ratio_matches_the_wcag_examples():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(
    "brand", ["#1f6feb", "#ffd700", "#00ff00", "#ffffff", "#ff6600", "#777777", "#000000"]
)
def test_link_text_and_button_text_pass_aa_for_any_brand(brand):
    palette = brand_palette(brand)
    for background in LIGHT_BACKGROUNDS:
        assert contrast_ratio(palette.text, background) >= AA_TEXT_CONTRAST
    assert contrast_ratio(palette.on_brand, palette.brand) >= AA_TEXT_CONTRAST


def test_a_dark_enough_brand_is_kept_and_a_light_one_darkened_in_its_own_hue():
    assert brand_palette("#0a3069").text == "#0a3069"
    yellow = brand_palette("#FFD700")
    assert yellow.brand == "#ffd700", "backgrounds keep the chosen colour"
    red, green, blue = (int(yellow.text[i : i + 2], 16) for i in (1, 3, 5))
    assert red > green > blue == 0, "still a yellow, only darker"
    assert yellow.on_brand == "#000000", "dark text on a yellow button"
    assert brand_palette("#1f6feb").on_brand == "#ffffff"


def test_the_default_css_colours_are_the_computed_ones():
    from pathlib import Path

    import kefu

    css = (Path(kefu.__file__).parent / "core" / "static" / "core" / "kefu.css").read_text()
    palette = brand_palette("#1f6feb")
    assert f"--brand-text: {palette.text};" in css
    assert f"--on-brand: {palette.on_brand};" in css
