"""bench/build/cell_numbers.py: the numbers and single digits in a form's cells the judge
learns to count."""

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import cell_numbers  # noqa: E402


def _ones(count: int) -> np.ndarray:
    digits = np.zeros((count, 28, 28), np.uint8)
    digits[:, 4:24, 12:16] = 255  # a 1
    return digits


def _cell(seed: int, count: int) -> np.ndarray:
    return np.asarray(cell_numbers.cell(np.random.default_rng(seed), _ones(count)), np.int16)


def test_a_seed_draws_the_same_cell_again() -> None:
    """The judge's record names its folders by seed: a seed must draw the same pictures."""
    assert (_cell(5, 2) == _cell(5, 2)).all()
    assert _cell(5, 2).shape != _cell(6, 2).shape or (_cell(5, 2) != _cell(6, 2)).any()


def test_the_digits_stand_in_a_row_inside_the_cell() -> None:
    """The digits' ink lies within the cell (its rules are not crossed) and three digits
    span more columns than one, each written as a dark stroke."""
    cell = (20, 30, 60, 150)  # top, left, height, width
    for seed in range(8):
        spans = []
        for count in (1, 3):
            ink = cell_numbers._row(np.random.default_rng(seed), _ones(count), (120, 220), cell, 40)
            rows, cols = np.nonzero(ink > 0.5)
            assert rows.min() >= 20 - 2 and rows.max() < 80 + 2  # (a row wavers by 2 px)
            assert cols.min() >= 30 and cols.max() < 180
            spans.append(cols.max() - cols.min())
        assert spans[1] > spans[0]
