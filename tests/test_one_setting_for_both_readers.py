"""A quantity `predict` and `read` both use is one setting of the preparation's: overriding it
moves `read`'s segmentation too (issue 86 item 4: `read` kept its own copies, `spread_above`,
`turn_step`, `join_gap`, equal in value, so a sweep of the preparation's moved only `predict`)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from digitcli.imaging import settings as preparation
from digitcli.reading.atoms import Atom, digit_spans
from digitcli.reading.frame import Frame, turn_level
from digitcli.reading.ink import ink_signal


def _digit_on_noisy_paper() -> Image.Image:
    """A bar 60 grey levels darker than paper with noise of 4 levels: clear ink at 6 spreads."""
    rng = np.random.default_rng(0)
    paper = 200.0 + rng.normal(0.0, 4.0, (96, 96))
    paper[20:76, 44:52] -= 60.0
    return Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L")


def test_the_preparations_noisy_contrast_decides_reads_ink() -> None:
    picture = _digit_on_noisy_paper()
    assert ink_signal(picture)[1].any()
    with preparation.overridden(noisy_contrast=40.0):  # 40 spreads of noise: no ink stands out
        assert not ink_signal(picture)[1].any()


def _tilted_line() -> tuple[np.ndarray, np.ndarray]:
    """A mask of a long line of ink rising by 3 degrees, and its float copy."""
    mask = np.zeros((96, 400), dtype=bool)
    xs = np.arange(20, 380)
    ys = np.round(60 - np.tan(np.radians(3.0)) * (xs - 20)).astype(int)
    for dy in range(-3, 4):
        mask[ys + dy, xs] = True
    return mask.astype(np.float32), mask


def test_the_preparations_line_step_is_reads_step_of_tilts() -> None:
    flat, mask = _tilted_line()
    turned = turn_level(flat, mask, Frame(1.0, 1.0, (400, 96)))[2]
    assert abs(math.degrees(turned.angle)) == pytest.approx(3.0)
    with preparation.overridden(line_step=5.0):  # tilts tried 5 degrees apart: 0 or 5, not 3
        coarse = turn_level(flat, mask, Frame(1.0, 1.0, (400, 96)))[2]
    assert abs(math.degrees(coarse.angle)) in (0.0, pytest.approx(5.0))


def _atom(left: int, right: int) -> Atom:
    ys, xs = np.mgrid[0:40, left:right]
    return Atom(ys.ravel(), xs.ravel(), xs.ravel().astype(float))


def test_the_preparations_group_gap_decides_which_pieces_read_joins() -> None:
    pieces = [_atom(0, 10), _atom(18, 28)]  # 8 px apart: 0.2 of a 40 px digit
    assert (0, 2) in [(start, stop) for start, stop, _ in digit_spans(pieces, 40.0)]
    with preparation.overridden(group_gap=0.1):
        assert (0, 2) not in [(start, stop) for start, stop, _ in digit_spans(pieces, 40.0)]
