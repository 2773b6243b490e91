"""`read` on numbers whose digits were stretched to fill square cells (a 1 becomes a slab), as
some collections and form scanners store them: the line is drawn back as `predict` draws one
such digit (`segment.filled_line`, `images.drawn_back`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_read import mnist_test_digits  # noqa: F401 (a fixture, used below)

from digitcli.reading.read import read
from digitcli.reading.segment import filled_line
from digitcli.reading.slabs import is_slab, slabs_as_strokes

MODEL = Path(__file__).resolve().parent.parent / "digitcli" / "models" / "pretrained"


@pytest.fixture(scope="module")
def digits(request: pytest.FixtureRequest) -> dict[int, list[np.ndarray]]:
    """test_read's MNIST test digits of each class, in one piece each."""
    return request.getfixturevalue("mnist_test_digits")


def filled(digit: np.ndarray, side: int = 80) -> np.ndarray:
    """A digit's ink box stretched to fill a 16x16 cell, binarised, enlarged to side x side."""
    rows, cols = np.flatnonzero(digit.max(1) >= 128), np.flatnonzero(digit.max(0) >= 128)
    crop = Image.fromarray(digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    cells = np.asarray(crop.resize((16, 16), Image.Resampling.BOX)) >= 128
    big = Image.fromarray((cells * 255).astype(np.uint8)).resize((side, side), Image.BICUBIC)
    return np.asarray(big, np.float32) / 255


def write_filled(digits: dict[int, list[np.ndarray]], number: str, path: Path) -> None:
    """`number` in filled digits, 80 px squares 24 px apart, dark ink on light paper."""
    paper = np.full((160, 104 * len(number) + 56), 235.0)
    for i, char in enumerate(number):
        ink = filled(digits[int(char)][number[:i].count(char)])
        window = paper[40:120, 40 + 104 * i : 120 + 104 * i]
        np.minimum(window, 235.0 - 210.0 * ink, out=window)
    Image.fromarray(paper.astype(np.uint8), "L").save(path)


@pytest.mark.parametrize("number", ["2106", "1250"])  # before: 2806, 12250
def test_a_number_of_filled_digits_is_read(digits, tmp_path, number):
    path = tmp_path / f"{number}.png"
    write_filled(digits, number, path)
    (reading,) = read([str(path)], model=str(MODEL))
    assert reading.number == number


def pieces_of(widths: list[int], height: int = 60) -> list[tuple[np.ndarray, np.ndarray]]:
    """Solid full-height pieces of these widths side by side, as (rows, columns)."""
    pieces, left = [], 0
    for width in widths:
        ys, xs = np.mgrid[0:height, left : left + width]
        pieces.append((ys.ravel(), xs.ravel()))
        left += width + 20
    return pieces


def test_a_line_of_square_digits_is_filled_and_one_of_written_digits_is_not():
    assert filled_line(pieces_of([60, 58, 62, 60]), 60.0)
    assert not filled_line(pieces_of([12, 40, 36, 44]), 60.0)  # a 1 among them
    assert not filled_line(pieces_of([150]), 60.0)  # digits touching: no say
    assert not filled_line(pieces_of([60, 150]), 60.0)  # one square piece is not enough


FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize(
    "name, number",  # bench/make_numbers.py --style filled, seed 10; before: 524963778, 4978
    [("filled-521963778.jpg", "521963778"), ("filled-4971.jpg", "4971")],
)
def test_a_slab_on_a_filled_line_is_read_as_a_1(name, number):
    (reading,) = read([str(FIXTURES / name)], model=str(MODEL))
    assert reading.number == number


def piece(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.nonzero(mask)
    return ys, xs


def test_a_slab_is_a_solid_piece_and_a_filled_digit_is_not():
    ys, xs = np.mgrid[0:60, 0:60]
    assert is_slab(*piece(xs < 40))  # a 1 stretched upright
    assert is_slab(*piece(np.abs(xs - 40 + ys // 2) < 16))  # slanted: a staircase
    assert not is_slab(*piece(np.abs(xs - 30) < 4))  # a 1 as written: a stroke
    ring = np.hypot(xs - 30, ys - 30)
    assert not is_slab(*piece((ring < 29) & (ring > 15)))  # a 0 filled out: a hole
    three = (xs > 15) & ((xs > 45) | (ys < 10) | (ys > 50) | (np.abs(ys - 30) < 5))
    assert not is_slab(*piece(three))  # a bold 3: paper between its strokes


def test_a_slab_becomes_a_stroke_as_wide_as_the_others():
    mask = np.zeros((80, 200), bool)
    mask[10:70, 20:70] = True  # the slab
    mask[10:70, 120:126] = True  # another digit's stroke, 6 px wide
    flat = mask * 200.0
    pieces = [piece(mask[:, :100]), (lambda ys, xs: (ys, xs + 100))(*piece(mask[:, 100:]))]
    drawn_flat, drawn = slabs_as_strokes(flat, mask, pieces, 60.0)
    assert drawn[10:70, 120:126].all()  # the other stroke stays
    widths = drawn[10:70, :100].sum(axis=1)
    assert widths.min() >= 5 and widths.max() <= 7  # the slab: a stroke down its middle
    assert drawn[40, 44] and not drawn[40, 25] and not drawn[40, 65]
    assert drawn_flat[40, 25] == 0.0 and mask[40, 25]  # the caller's arrays are not changed
    assert slabs_as_strokes(flat, mask, pieces[1:], 60.0) is None
