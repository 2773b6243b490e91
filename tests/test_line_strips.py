"""The line reader's strip holds the line's digits whole, wherever its other ink reaches."""

from __future__ import annotations

import numpy as np

from digitcli.reading.render import line_strips


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
    strips, _ = line_strips(_digits_and_a_side(), height=40.0)
    digits = strips[0][:, 20:] > 0  # right of the side
    rows = np.flatnonzero(digits.any(axis=1))
    assert rows.size > 0, "the digits are not in the strip"
    assert rows[0] > 0 and rows[-1] < strips.shape[1] - 1, "the digits are cut off"


def test_a_plain_line_is_centred_as_before():
    ink = np.zeros((120, 300), np.float32)
    ink[40:80, 60:90] = ink[40:80, 130:160] = 255.0
    strips, _ = line_strips(ink, height=40.0)
    rows = np.flatnonzero((strips[0] > 0).any(axis=1))
    assert abs((rows[0] + rows[-1]) / 2 - strips.shape[1] / 2) <= 1
