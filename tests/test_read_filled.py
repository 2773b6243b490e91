"""`read` on numbers whose digits were stretched to fill square cells (a 1 becomes a slab), as
some collections and form scanners store them: the line reader was taught such numbers
(`bench/build/make_line_reader.py --sources ... mnist-filled usps-filled ...`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitcli.reading.read import read

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


@pytest.mark.parametrize("number", ["2106", "1250", "7171"])  # before: 2806, 12250
def test_a_number_of_filled_digits_is_read(digits, tmp_path, number):
    path = tmp_path / f"{number}.png"
    write_filled(digits, number, path)
    (reading,) = read([str(path)], model=str(MODEL))
    assert reading.number == number


FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize(
    "name, number",  # tests/generators/make_numbers.py --style filled, seed 10; read 4978 in 0.5.0
    [("filled-4971.jpg", "4971")],
)
def test_a_slab_on_a_filled_line_is_read_as_a_1(name, number):
    (reading,) = read([str(FIXTURES / name)], model=str(MODEL))
    assert reading.number == number
