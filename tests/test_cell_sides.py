"""A number in a cell whose two sides, darker than its writing, run down the picture's edges
(a register's cell cut out with them): `form_rules` measures each piece against the tallest
other one, and each side was as tall as the other, so both stayed; where they had set the ink's
threshold, they were all the ink. `read` read `11` for a `76` (issue 87 item 2). `find_line`
now takes straight pieces running the picture's height out as a cell's sides when they are
`row_digit_wide` times as tall as the rest, or as what is found without them."""

from __future__ import annotations

import numpy as np
from PIL import Image

from digitcli.reading.formlines import cell_sides, taller_than_the_rest
from digitcli.reading.segment import find_line

from mnist_png import digit_row, mnist_test


def _cell(dark: float, chosen: np.ndarray, digits: np.ndarray, at: tuple[int, int]) -> Image.Image:
    """A 70x300 cell of grey paper, its sides 100 levels dark down both edges, a rule along its
    top short of them, two MNIST digits 14 px high and `dark` levels dark at `at` (row, column)."""
    rng = np.random.default_rng(int(at[1]))
    cell = np.full((70, 300), 205.0) + rng.normal(0, 1.2, (70, 300))
    top, left = at
    cell[top : top + 14, left : left + 20] -= dark * digit_row(digits, chosen, (20, 14))
    cell[:, :2], cell[:, -2:] = 105.0, 105.0  # the cell's sides
    cell[:2, 6:-6] = 55.0  # its top rule
    return Image.fromarray(np.clip(cell, 0, 255).astype(np.uint8))


def _atom_columns(image: Image.Image) -> list[tuple[int, int]]:
    """The first and last input columns of each of the line's atoms of a digit's height."""
    line = find_line(image)
    assert line.ink is not None
    scale = line.ink.frame.sx
    tall = [atom for atom in line.ink.atoms if not atom.small]
    return [(int(a.xs.min() / scale), int(a.xs.max() / scale)) for a in tall]


def test_a_cells_sides_are_not_its_number():
    """Twelve faint numbers: on main before this change, every line's atoms were the two
    sides (columns 0-1 and 298-299); now none are, and each number's digits are its atoms."""
    digits, _ = mnist_test(1000)
    rng = np.random.default_rng(5)
    for _ in range(12):
        at = (10 + int(rng.integers(0, 30)), 30 + int(rng.integers(0, 150)))
        chosen = rng.integers(0, len(digits), 2)
        columns = _atom_columns(_cell(16.0, chosen, digits, at))
        assert columns, "no atom found"
        assert all(at[1] - 3 <= left and right <= at[1] + 23 for left, right in columns)


def test_a_straight_piece_as_tall_as_its_neighbour_is_no_side():
    """A tight crop: a thin 1 running the picture's height is straight, but no taller than the
    digit beside it (a ring as tall); beside two digits half the height, the same line and one
    on the other edge are a cell's sides."""
    mask = np.zeros((96, 200), bool)
    mask[:, 10:12] = True  # straight, the picture's height
    ring = np.zeros((96, 60), bool)
    ring[:, :6] = ring[:, -6:] = ring[:6] = ring[-6:] = True  # as tall, not straight
    mask[:, 100:160] = ring
    sides = cell_sides(mask)
    assert sides[:, 10:12].all() and not sides[:, 100:160].any()
    assert not taller_than_the_rest(sides, mask & ~sides)
    low = mask.copy()
    low[:, 100:160] = False
    low[30:70, 100:130] = ring[::2, ::2][:40, :30]  # a digit 40 px high
    low[:, -2:] = True  # the other side
    sides = cell_sides(low)
    assert sides[:, 10:12].all() and sides[:, -2:].all()
    assert taller_than_the_rest(sides, low & ~sides)
