"""A decimal point the pen drew faint reaches the line reader (issue 87 item 1): the line's
ink keeps a piece only where some of it is as dark as a stroke's core, so a faint dot between
two digits (`12.5` in a clinic register's cell) was never in the strips the line reader reads,
and `text` said `125`. Faint specks in a gap between the line's digits are handed to it now,
as the specks of its ink are (`atoms.faint_specks`); the reader says whether they are marks."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from devsets import devset_file, needs_devsets
from test_read import write_number

from digitcli.imaging.opening import open_image
from digitcli.reading.atoms import components, faint_specks, line_atoms, line_height
from digitcli.reading.ink import ink_signal
from digitcli.reading.read import read
from digitcli.reading.segment import find_line
from digitcli.reading.settings import DEFAULT

DOT_LEVEL = 160  # on paper of 235 and digits down to 25: below a stroke's core, above its edges


def _number_with_a_dot(digits, path: Path, *, dot: bool) -> None:
    """`125` with a faint dot (or none) between its 2 and its 5, at their foot."""
    truth = write_number(digits, "125", path, gap=0.9)
    picture = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    centre = ((truth[1][2] + truth[2][0]) // 2, max(truth[1][3], truth[2][3]) - 8)
    if dot:
        cv2.circle(picture, centre, 6, DOT_LEVEL, -1, lineType=cv2.LINE_AA)
    cv2.imwrite(str(path), picture)


def _line(path: Path):
    return find_line(open_image(path, max_side=DEFAULT.work_width), invert="yes")


def test_a_faint_dot_between_two_digits_reaches_the_line_readers_strips(
    mnist_test_digits, tmp_path
):
    _number_with_a_dot(mnist_test_digits, tmp_path / "plain.png", dot=False)
    _number_with_a_dot(mnist_test_digits, tmp_path / "dot.png", dot=True)
    plain, dotted = _line(tmp_path / "plain.png"), _line(tmp_path / "dot.png")
    # the dot is too faint for the line's ink: its digits and their pieces are the same
    assert dotted.atoms == plain.atoms
    added = dotted.strips.astype(int) - plain.strips.astype(int)
    assert added.min() >= 0 and added.sum() > 0  # the strips gain the dot, nothing else


def _atoms_and_faint(faint_pieces: list[tuple[int, int, int, int]]):
    """Two digit-high bars (the line's atoms, 38 px high, at columns 20-31 and 60-71) and faint
    pieces (top, left, bottom, right) beside them, with what `faint_specks` needs."""
    mask = np.zeros((96, 120), bool)
    mask[30:68, 20:32] = True
    mask[30:68, 60:72] = True
    faint = np.zeros_like(mask)
    for top, left, bottom, right in faint_pieces:
        faint[top:bottom, left:right] = True
    pieces = components(mask)
    height = line_height(pieces)
    centre = float(np.nonzero(mask)[0].mean())
    atoms, _ = line_atoms(pieces, height, 0.0, centre)
    return faint, atoms, height, centre


def _found(faint_pieces):
    faint, atoms, height, centre = _atoms_and_faint(faint_pieces)
    return [
        (speck.top, int(speck.left)) for speck in faint_specks(faint, atoms, height, 0.0, centre)
    ]


def test_only_small_faint_pieces_on_the_line_in_a_gap_between_its_digits_are_specks():
    dot = (62, 44, 66, 48)  # in the gap, at the digits' foot
    assert _found([dot]) == [(62, 44)]
    assert _found([(62, 26, 66, 30)]) == []  # within a digit's columns: it would join it
    assert _found([(62, 4, 66, 8)]) == []  # before the first digit: no mark between digits
    assert _found([(2, 44, 6, 48)]) == []  # far above the line: not of the number
    assert _found([(40, 40, 60, 52)]) == []  # as large as a stroke: no speck


def test_the_faintest_ink_is_the_level_the_mask_keeps_ink_joined_to_strokes_at():
    paper = np.full((60, 120), 230, np.uint8)
    assert ink_signal(paper, "yes").faintest == np.inf  # no ink: nothing faint either
    paper[20:40, 30:34] = 40  # a stroke, and beside it a faint speck on its own
    paper[36:39, 60:63] = 185
    found = ink_signal(paper, "yes")
    speck = found.flat[36:39, 60:63]
    assert speck.max() > found.faintest and not found.mask[36:39, 60:63].any()
    assert found.mask[20:40, 30:34].all()


MEZA = "Charitable-Analytics-International+AI4Good---Meza-OCR-Challenge__cell_images_"


@needs_devsets
@pytest.mark.parametrize(("name", "text"), [("1124", "12.5"), ("2099", "12.2")])
def test_a_real_faint_decimal_point_is_in_the_text(name, text):
    """Two real clinic cells of the development numbers (`bench/checks/real_numbers.csv`):
    their decimal points are pencil taps too faint for the line's ink."""
    path = devset_file("numbers", f"*/{MEZA}training_set_{name}.jpg")
    (reading,) = read([str(path)])
    assert reading.number == text.replace(".", "") and reading.text == text
