"""The line reader: CTC's likelihood of a number, its best path, and the readings by count."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from digitcli.reading.lines import BLANK, best_path, likelihood
from digitcli.reading.segment import Candidate, Line, best_reading, best_readings


def collapsed(path: tuple[int, ...]) -> str:
    """What a path of classes says: repeats merged, blanks dropped."""
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    return "".join(str(c - 1) for c in merged if c != BLANK)


def by_every_path(probabilities: np.ndarray, number: str, classes: int) -> float:
    """ln P(number): the sum over every path of `classes` classes that says it."""
    total = 0.0
    for path in itertools.product(range(classes), repeat=len(probabilities)):
        if collapsed(path) == number:
            total += np.prod(probabilities[np.arange(len(path)), path])
    return float(np.log(total))


@pytest.mark.parametrize("number", ["0", "1", "11", "101", "12", "211"])
def test_likelihood_is_the_sum_over_every_path(number):
    """Blank, 0, 1 and 2 over six columns: every path enumerated (4^6)."""
    rng = np.random.default_rng(len(number))
    probabilities = np.zeros((6, 11))
    probabilities[:, :4] = rng.dirichlet(np.ones(4), size=6)
    expected = by_every_path(probabilities[:, :4], number, 4)
    assert likelihood(probabilities, number) == pytest.approx(expected, rel=1e-9)


def test_a_number_longer_than_the_columns_allow_is_impossible():
    probabilities = np.full((3, 11), 1 / 11)
    assert likelihood(probabilities, "11") > -np.inf  # 1, blank, 1
    assert likelihood(probabilities, "111") == -np.inf


def test_best_path_merges_repeats_and_drops_blanks():
    classes = [0, 3, 3, 0, 3, 2, 2, 0, 0]
    probabilities = np.eye(11)[classes] * 0.5 + 0.5 / 11
    probabilities[2, 3] += 0.2
    assert best_path(probabilities) == [(2, pytest.approx(0.7 + 0.5 / 11), 1.5),
                                        (2, pytest.approx(0.5 + 0.5 / 11), 4.0),
                                        (1, pytest.approx(0.5 + 0.5 / 11), 5.5)]  # fmt: skip


def spans(*ranges: tuple[int, int]) -> list[Candidate]:
    return [Candidate(a, b, np.zeros((28, 28), np.uint8), (0, 0, 1, 1)) for a, b in ranges]


def test_readings_by_count_hold_the_best_reading_of_each_count():
    """Three atoms: each alone, the first two as one digit, or all three as one."""
    line = Line(atoms=3, skippable=[False, False, False])
    line.candidates = spans((0, 1), (1, 2), (2, 3), (0, 2), (0, 3))
    sure = np.full((5, 10), 0.01)
    sure[:, 0] = [0.9, 0.9, 0.9, 0.99, 0.3]
    readings = best_readings(line, sure)
    assert set(readings) == {1, 2, 3}
    assert readings[1][1] == [4]
    assert readings[2][1] == [3, 2]  # the first two atoms as one digit, then the third
    assert readings[3][1] == [0, 1, 2]
    best = max(readings.values(), key=lambda found: found[0])
    assert best_reading(line, sure) == best[1]
    assert readings[3][0] == pytest.approx(3 * np.log(0.9))
