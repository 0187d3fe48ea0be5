"""The brand colour's contrast check against WCAG's own figures. Pure."""

import pytest

from liveq.domain.branding import check_brand_colour, contrast


def test_contrast_matches_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is 4.54:1, the lightest grey that passes AA.
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#777777", "#ffffff") < 4.5


def test_a_dark_enough_colour_is_kept_lowercase_and_empty_means_none():
    assert check_brand_colour("#0B6BCB") == "#0b6bcb"
    assert check_brand_colour("  ") == ""


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("#ffcc00", "#ffcc00 has a contrast of 1.5:1 with white button text"),
        ("#777777", "with white button text on it; WCAG AA needs 4.5:1"),
        ("red", "is not a colour"),
        ("#12345", "is not a colour"),
        ("#0b6bcbff", "is not a colour"),
    ],
)
def test_a_colour_that_fails_says_why(value, words):
    with pytest.raises(ValueError) as info:
        check_brand_colour(value)
    assert words in str(info.value)
