"""bench/build/ruled_digits.py: the ruled pages the judge of round 13 learnt from."""

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import ruled_digits  # noqa: E402


@pytest.mark.parametrize("style", sorted(ruled_digits.STYLES))
def test_a_digit_darkens_its_page_and_nothing_else(style: str) -> None:
    """The same seed draws the same page with or without its digit: the digit only darkens
    it, where it is written; and a seed draws the same page again (the judge's record names
    its folders by seed)."""
    digits = np.full((3, 28, 28), 0, np.uint8)
    digits[:, 6:22, 12:16] = 255  # a 1
    page = lambda mnist: np.asarray(  # noqa: E731
        ruled_digits.picture(np.random.default_rng(3), style, mnist), np.int16
    )
    blank, written = page(None), page(digits)
    assert blank.shape == written.shape
    assert (written <= blank).all() and (written < blank - 20).sum() > 20
    assert (page(digits) == written).all()
