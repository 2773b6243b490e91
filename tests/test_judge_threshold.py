"""The judge refuses a picture of paper as blank, lines or several digits only when it is
sure the ink is no one digit: its digit probability under `not_digit` (0.2); over it, the
ink is several digits where it takes several for likelier than one digit."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from digitcli.imaging import judge, letters, verdict
from digitcli.imaging.images import prepare
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


def _chances(monkeypatch, digit: float, several: float, lines: float = 0.0) -> None:
    chances = np.zeros(len(judge.VERDICTS), np.float32)
    chances[judge.DIGIT], chances[judge.SEVERAL], chances[judge.LINES] = digit, several, lines
    monkeypatch.setattr(judge, "probabilities", lambda flat, kept: chances)


def test_over_the_threshold_several_likelier_than_one_digit_is_several(monkeypatch):
    """A 9000 written up a slant: 0.25 one digit, 0.55 several (round 71)."""
    _chances(monkeypatch, 0.25, 0.55, 0.2)
    assert verdict.judged(FLAT, KEPT, on_paper=True) is verdict.Kind.SEVERAL
    _chances(monkeypatch, 0.55, 0.25, 0.2)
    assert verdict.judged(FLAT, KEPT, on_paper=True) is None


def test_over_the_threshold_lines_likelier_than_one_digit_is_not_refused(monkeypatch):
    _chances(monkeypatch, 0.25, 0.0, 0.75)
    assert verdict.judged(FLAT, KEPT, on_paper=True) is None


def _one_piece_on_paper() -> Image.Image:
    page = np.full((180, 240), 235, np.uint8)
    cv2.putText(page, "m", (80, 120), cv2.FONT_HERSHEY_SIMPLEX, 2.5, 20, 6)
    return Image.fromarray(page)


def test_several_digits_to_the_judge_are_not_a_digit_where_the_letters_network_is_sure(
    monkeypatch,
):
    """An m or a word is as wide as two digits: the judge's several, as the count network's,
    gives way to the letters network (26 handwritten words were several digits, round 71)."""
    _chances(monkeypatch, 0.05, 0.95)
    monkeypatch.setattr(letters, "chance", lambda pixels: 1.0)
    refused = prepare(_one_piece_on_paper())
    assert not refused.has_ink and refused.refused is verdict.Kind.NOT_A_DIGIT
    monkeypatch.setattr(letters, "chance", lambda pixels: 0.0)
    assert prepare(_one_piece_on_paper()).several
