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


def _answers(monkeypatch, **given: float) -> None:
    """A judge giving each verdict named (`judge.VERDICTS`) its chance, the others none."""
    chances = np.array([given.get(name, 0.0) for name in judge.VERDICTS], np.float32)
    monkeypatch.setattr(judge, "probabilities", lambda flat, kept: chances)


def test_blank_paper_keeps_its_own_threshold(monkeypatch):
    _answers(monkeypatch, digit=0.1, blank=0.9)
    assert verdict.judged(FLAT, KEPT, on_paper=True) is verdict.Kind.BLANK
    with overridden(not_digit=0.05):
        assert verdict.judged(FLAT, KEPT, on_paper=True) is None


def test_the_judge_is_not_asked_off_paper(monkeypatch):
    _answers(monkeypatch, digit=0.0, lines=1.0)
    assert verdict.judged(FLAT, KEPT, on_paper=True) is verdict.Kind.LINES
    assert verdict.judged(FLAT, KEPT, on_paper=False) is None


def test_over_the_threshold_several_likelier_than_one_digit_is_several(monkeypatch):
    """A 9000 written up a slant: 0.25 one digit, 0.55 several (round 71)."""
    _answers(monkeypatch, digit=0.25, several=0.55, lines=0.2)
    assert verdict.judged(FLAT, KEPT, on_paper=True) is verdict.Kind.SEVERAL
    _answers(monkeypatch, digit=0.55, several=0.25, lines=0.2)
    assert verdict.judged(FLAT, KEPT, on_paper=True) is None


def test_over_the_threshold_lines_likelier_than_one_digit_is_not_refused(monkeypatch):
    _answers(monkeypatch, digit=0.25, lines=0.75)
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
    _answers(monkeypatch, digit=0.05, several=0.95)
    monkeypatch.setattr(letters, "chance", lambda pixels: 1.0)
    refused = prepare(_one_piece_on_paper())
    assert not refused.has_ink and refused.refused is verdict.Kind.NOT_A_DIGIT
    monkeypatch.setattr(letters, "chance", lambda pixels: 0.0)
    assert prepare(_one_piece_on_paper()).several
