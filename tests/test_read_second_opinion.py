"""`read` asks the classifier about the digits the line reader is unsure of (`_second_opinions`):
other writers' digits the line reader was never taught (UCI's 8x8 scans: a 9 written like a 3,
an open 4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from digitcli.reading.read import Parts, _second_opinions, read
from digitcli.reading.segment import Line
from digitcli.reading.settings import DEFAULT

ASK_BELOW, OVERRULE_AT = DEFAULT.line_sure, DEFAULT.overrule_at
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MODEL = Path(__file__).resolve().parent.parent / "digitcli" / "models" / "pretrained"
NO_SECOND_OPINION = Parts(second_opinion=False)


# UCI numbers (tests/generators/make_numbers.py --digits-from uci): --per-kind 60 --seed 32's
# long-0043 (round 15's reader), and bench/checks/read_numbers.py --digits-from uci --seed 31's
# tight-0048, a 3 read as a 1 (round 79's reader; its tight-0006, a 9 written like a 3, it reads
# right alone).
@pytest.mark.parametrize(
    ("name", "number", "alone"),
    [("uci-737163.jpg", "737163", "737963"), ("uci-234.jpg", "234", "214")],
)
def test_the_classifier_overrules_a_digit_the_line_reader_doubts(name, number, alone):
    path = str(FIXTURES / name)
    (reading,) = read([path], model=str(MODEL))
    (without,) = read([path], model=str(MODEL), parts=NO_SECOND_OPINION)
    assert (reading.number, without.number) == (number, alone)
    changed = [i for i, (a, b) in enumerate(zip(number, alone, strict=True)) if a != b]
    assert all(reading.digits[i].confidence >= OVERRULE_AT for i in changed)  # the classifier's


class Classifier:
    """A runtime whose probabilities are given, one row per digit it is shown."""

    def __init__(self, rows: list[list[float]]) -> None:
        self.rows = np.array(rows, np.float32)
        self.shown = 0

    def predict(self, pixels: np.ndarray) -> np.ndarray:
        self.shown += len(pixels)
        return self.rows[: len(pixels)]


def one_hot(digit: int, p: float) -> list[float]:
    row = [(1 - p) / 9] * 10
    row[digit] = p
    return row


def a_line(*confidences: float) -> Line:
    pixels = np.zeros((28, 28), np.float32)
    boxes = [(10 * i, 0, 10 * i + 8, 20) for i in range(len(confidences))]
    return Line(read=[(7, c, box, pixels) for c, box in zip(confidences, boxes, strict=True)])


def test_only_doubtful_digits_are_shown_and_only_a_sure_classifier_overrules():
    sure_other = Classifier([one_hot(1, OVERRULE_AT)])
    line = a_line(0.99, ASK_BELOW - 0.01)
    own = _second_opinions(sure_other, [line])[id(line)]
    assert sure_other.shown == 1  # the 0.99 digit is never asked about
    assert [d.digit for d in own] == [7, 1] and own[1].confidence == pytest.approx(OVERRULE_AT)
    unsure_other = Classifier([one_hot(1, OVERRULE_AT - 0.05)])
    assert [d.digit for d in _second_opinions(unsure_other, [line])[id(line)]] == [7, 7]
    assert [d.digit for d in _second_opinions(sure_other, [line], asked=False)[id(line)]] == [7, 7]


def test_a_digit_without_pixels_is_not_asked_about():
    line = Line(read=[(7, 0.5, (0, 0, 8, 20), None)])
    classifier = Classifier([one_hot(1, 1.0)])
    assert [d.digit for d in _second_opinions(classifier, [line])[id(line)]] == [7]
    assert classifier.shown == 0
