"""`bench/build/make_count.py`: the count network's pictures, a cell's rule beside the ink in a
share of them (`--ruled`), in one digit and several alike."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "build"))

import make_count  # noqa: E402


def _ink() -> np.ndarray:
    ink = np.zeros((20, 12), np.float32)
    ink[2:18, 5:8] = 255.0  # a 1, cropped to its ink
    return ink


def test_a_rule_is_drawn_beside_the_ink_in_the_share_asked_and_never_through_it() -> None:
    rng = np.random.default_rng(0)
    ink = _ink()
    drawn = [make_count.beside_a_rule(rng, ink, 0.3) for _ in range(400)]
    margin = (drawn[0].shape[0] - ink.shape[0]) // 2
    inside = (slice(margin, margin + ink.shape[0]), slice(margin, margin + ink.shape[1]))
    ruled = [canvas for canvas in drawn if canvas.sum() > ink.sum()]
    assert 0.25 < len(ruled) / len(drawn) < 0.35
    for canvas in drawn:
        np.testing.assert_array_equal(canvas[inside], ink)  # the digit itself untouched
    for canvas in ruled:  # a straight rule: a whole row or column of ink beyond the digit
        outside = canvas.copy()
        outside[inside] = 0
        rows, cols = (outside > 0).mean(axis=1), (outside > 0).mean(axis=0)
        assert rows.max() > 0.6 or cols.max() == 1.0


def test_without_rules_no_rule_is_drawn_nor_asked_for(monkeypatch) -> None:
    """`--ruled 0` (the default) leaves the generator's draws as the recipe before made them:
    the network shipped before is made again by its recorded command."""

    def asked(*_):
        raise AssertionError("beside_a_rule asked with --ruled 0")

    monkeypatch.setattr(make_count, "beside_a_rule", asked)
    digits = np.zeros((4, 28, 28), np.uint8)
    digits[:, 4:24, 10:16] = 255
    pictures, classes = make_count.made(3, 40, digits, 0.0)
    assert pictures.shape == (40, 28, 28) and 0 < classes.sum() < len(classes)
