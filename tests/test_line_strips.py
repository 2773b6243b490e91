"""The line reader's strip holds the line's digits whole, wherever its other ink reaches."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from test_read import write_number

from digitcli.reading.render import line_strips
from digitcli.reading.segment import find_line


def _digits_and_a_side() -> np.ndarray:
    """A line's ink: three digit-sized blobs high in the picture, and a thin side of its
    cell running the whole height at its left, as on a turned register page."""
    ink = np.zeros((200, 300), np.float32)
    for left in (60, 130, 200):
        ink[20:60, left : left + 30] = 255.0
    ink[:, 5:7] = 255.0
    return ink


def test_a_strip_is_centred_on_the_digits_not_on_a_side_that_runs_the_lines_height():
    """A turned register page's 129243 was read 43: the strip was centred halfway between the
    ends of the side, and the digits were cut off at its top."""
    strips, _ = line_strips(_digits_and_a_side(), height=40.0, digits=(20.0, 60.0))
    digits = strips[0][:, 20:] > 0  # right of the side
    rows = np.flatnonzero(digits.any(axis=1))
    assert rows.size > 0, "the digits are not in the strip"
    assert rows[0] > 0 and rows[-1] < strips.shape[1] - 1, "the digits are cut off"


def test_a_plain_line_is_centred_on_its_ink():
    """Where the ink fits the strip, the strip is centred on all of it, whatever its digits'
    rows are said to be."""
    ink = np.zeros((120, 300), np.float32)
    ink[40:80, 60:90] = ink[40:80, 130:160] = 255.0
    strips, _ = line_strips(ink, height=40.0, digits=(0.0, 50.0))
    rows = np.flatnonzero((strips[0] > 0).any(axis=1))
    assert abs((rows[0] + rows[-1]) / 2 - strips.shape[1] / 2) <= 1


def _lifted_over_a_rule(digits, number: str, path, lift: int) -> None:
    """`number` as `test_read.write_number` writes it, its first digit written `lift` px
    higher than the rest, and a register's rule in two short pieces under the digits."""
    boxes = write_number(digits, number, path)
    paper = np.asarray(Image.open(path).convert("L")).copy()
    left, top, right, bottom = boxes[0]
    first = paper[top:bottom, left:right].copy()
    paper[top:bottom, left:right] = 235
    window = paper[top - lift : bottom - lift, left:right]
    np.minimum(window, first, out=window)
    width = paper.shape[1]
    paper[158:170, 10 : int(0.35 * width)] = 110
    paper[158:170, int(0.6 * width) : int(0.85 * width)] = 110
    Image.fromarray(paper).save(path)


@pytest.mark.parametrize(("number", "lift"), [("144", 20), ("14", 20)])
def test_a_digit_written_high_over_a_rule_is_not_cut_off(mnist_test_digits, tmp_path, number, lift):
    """A register cell's 144 was read 44: its 1 stood higher than the 4s, a rule ran under
    them, and the strip was centred on the rows holding the most ink, the rule's: the 1's top
    was cut off at the strip's edge. The strip is centred on the digits' rows now."""
    path = tmp_path / "lifted.png"
    _lifted_over_a_rule(mnist_test_digits, number, path, lift)
    line = find_line(Image.open(path).convert("L"), invert="auto")
    assert line.strips is not None
    assert not (line.strips[0][0] > 40).any(), "the first digit is cut off at the strip's top"
