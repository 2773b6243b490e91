"""The judge refuses a picture of paper as blank, lines or several digits only when it is
sure the ink is no one digit: its digit probability under `not_digit` (0.2)."""

from __future__ import annotations

import numpy as np

from digitcli.imaging import judge, verdict
from digitcli.imaging.settings import overridden

FLAT = np.full((60, 80), 200.0, np.float32)
KEPT = np.ones((60, 80), bool)


def _answers(monkeypatch, digit: float, other: int) -> None:
    """A judge giving the digit `digit` and the class `other` the rest."""
    chances = np.zeros(len(judge.VERDICTS), np.float32)
    chances[judge.DIGIT], chances[other] = digit, 1.0 - digit
    monkeypatch.setattr(judge, "probabilities", lambda flat, kept: chances)


def test_blank_paper_keeps_its_own_threshold(monkeypatch):
    _answers(monkeypatch, 0.1, judge.BLANK)
    assert verdict.judged(FLAT, KEPT, on_paper=True) is verdict.Kind.BLANK
    with overridden(not_digit=0.05):
        assert verdict.judged(FLAT, KEPT, on_paper=True) is None


def test_the_judge_is_not_asked_off_paper(monkeypatch):
    _answers(monkeypatch, 0.0, judge.LINES)
    assert verdict.judged(FLAT, KEPT, on_paper=True) is verdict.Kind.LINES
    assert verdict.judged(FLAT, KEPT, on_paper=False) is None
