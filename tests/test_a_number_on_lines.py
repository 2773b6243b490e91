"""A number the judge takes for lines (a small number in a wide ruled cell, the edges of the
paper it was written on around it) is read where the line reader is sure of two digits or
more: `predict`'s own count makes ink on lines that stands in one row of two digits or more a
number (`verdict.kind`), and `read` asked three, as of blank paper's ruled lines. Real numbers
in ruled cells at their own contrast, refused as lines: `98` and `57`, read since round 58."""

from __future__ import annotations

import numpy as np

from digitcli.imaging.images import Prepared
from digitcli.imaging.verdict import Kind
from digitcli.reading.picture import _not_blank
from digitcli.reading.segment import Line


def _line(refused: Kind, digits: list[int], *, sure: bool) -> Line:
    """A line `predict` refused as `refused`, its line reader reading `digits`, `sure` or not."""
    whole = Prepared(np.zeros((28, 28), np.uint8), has_ink=False, inverted=False, refused=refused)
    read = [(digit, 0.99, (0, 0, 1, 1), None) for digit in digits]
    return Line(whole=whole, read=read, sure=sure)


def test_two_digits_the_line_reader_is_sure_of_on_lines_are_read():
    assert _not_blank(_line(Kind.LINES, [9, 8], sure=True))


def test_one_digit_or_an_unsure_reading_on_lines_is_not():
    assert not _not_blank(_line(Kind.LINES, [9], sure=True))
    assert not _not_blank(_line(Kind.LINES, [9, 8], sure=False))


def test_blank_paper_still_asks_a_rows_worth():
    """Blank paper's ruled lines and a shadow's edge: the line reader is sure of two digits
    there too; three (`row_digits`) make a number."""
    assert not _not_blank(_line(Kind.BLANK, [1, 1], sure=True))
    assert _not_blank(_line(Kind.BLANK, [1, 2, 3], sure=True))
