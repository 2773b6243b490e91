"""What is not a digit is refused: where the judge takes the ink for a letter, a symbol or
a drawing ("nondigit", its fifth class), `predict` gives no digit and says so, `read` no
number (issue 86). A judge file of four classes (the one shipped) still loads.

End to end, with pictures drawn by code (`bench/checks/nondigits.py`) from a seed no judge trained
on (`bench/build/make_judge.py` trains on [5, 300] and checks on 81): a judge of five classes
refuses them and still answers digits drawn alike. The shipped judge has four classes (a
five-class one is built by `make judge`, not shipped yet: docs/measurements/preparation.md),
so those it alone would refuse are expected to fail with it (strict: they fail here once a
five-class judge ships, to drop the mark). The letters network (`digitcli.imaging.letters`,
on the 28x28 the digit model is fed, trained with real handwritten characters) refuses a
star, a tick, K, & and a cross (round 9). S (as 5), Z (as 2) and, since round 9, q (as 9)
are still taken for digits: known misses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent

from digitcli.imaging import judge, verdict  # noqa: E402
from digitcli.predicting.predict import predict  # noqa: E402
from digitcli.reading.read import read  # noqa: E402

import nondigits  # noqa: E402

SEED = 2086  # never a seed the judge was trained on
# (what is drawn, the scene, its picture's number in the seed's stream)
# refused by the letters network on the 28x28 (`digitcli.imaging.letters`), a cross among them
# (the X since round 10's judge no longer takes it for lines: the letters network is asked)
REFUSED = [("star", "canvas", 7), ("tick", "canvas", 8), ("K", "canvas", 15),
           ("&", "canvas", 18), ("cross", "canvas", 5), ("X", "canvas", 2)]  # fmt: skip
# not by it, nor by the shipped four-class judge: a five-class judge refuses them
REFUSED_BY_A_FIVE_CLASS_JUDGE = [("heart", "canvas", 10),
                                 ("scribble", "canvas", 13)]  # fmt: skip
# letters written like a digit the letters network takes for one: S a 5, Z a 2, q a 9 (its
# chance 0.93, under letters_sure 0.98: the network of round 8 refused it)
KNOWN_MISSES = [("S", "canvas", 0), ("Z", "canvas", 1), ("q", "canvas", 3)]
DIGITS = [("7", "canvas", 20), ("4", "canvas", 21), ("2", "canvas", 22), ("5", "canvas", 23),
          ("2", "paper", 22)]  # fmt: skip


def _drawn(folder: Path, name: str, scene: str, number: int) -> Path:
    """`name` (a letter, a digit, or one of nondigits.SHAPES) drawn by hand on `scene`."""
    rng = np.random.default_rng([SEED, 100 + number, scene == "paper"])
    image = nondigits.picture(rng, scene, lambda side: nondigits.named(rng, name, side))
    path = folder / f"{number}-{name}-{scene}.png"
    image.save(path)
    return path


def _refused_by_both(path: Path) -> tuple[int | None, str | None, str | None]:
    """`predict`'s digit and note and `read`'s number for the picture at `path`."""
    (said,) = predict([str(path)])
    (reading,) = read([str(path)])
    return said.digit, said.note, reading.number


FOUR_CLASSES = pytest.mark.xfail(
    len(judge.classes()) < len(judge.VERDICTS), strict=True,
    reason="the shipped judge has four classes: it knows no 'nondigit' (issue 86)",
)  # fmt: skip


def _judged(monkeypatch, verdict_index: int) -> None:
    """The judge answers `verdict_index` (sure of it) for any picture."""
    chances = np.zeros(len(judge.VERDICTS), np.float32)
    chances[verdict_index] = 1.0
    monkeypatch.setattr(judge, "probabilities", lambda flat, kept: chances)


def test_a_judge_of_four_classes_still_loads():
    chances = judge.probabilities(np.zeros((60, 80), np.float32), np.ones((60, 80), bool))
    assert len(chances) == len(judge.classes()) in (4, len(judge.VERDICTS))
    assert judge.VERDICTS[judge.NONDIGIT] == "nondigit"


def test_what_the_judge_takes_for_no_digit_is_refused_by_predict_and_read(monkeypatch, tmp_path):
    path = _drawn(tmp_path, "7", "paper", 20)
    _judged(monkeypatch, judge.NONDIGIT)
    (said,) = predict([str(path)])
    assert (said.digit, said.note) == (None, verdict.NOT_A_DIGIT)
    (reading,) = read([str(path)])
    assert reading.number is None
    _judged(monkeypatch, judge.DIGIT)
    assert [p.digit for p in predict([str(path)])] == [7]


@pytest.mark.parametrize(("name", "scene", "number"), REFUSED)
def test_predict_and_read_refuse_what_is_not_a_digit(tmp_path, name, scene, number):
    digit, note, number_read = _refused_by_both(_drawn(tmp_path, name, scene, number))
    assert digit is None and number_read is None, (digit, number_read)
    assert note == verdict.NOT_A_DIGIT


@FOUR_CLASSES
@pytest.mark.parametrize(("name", "scene", "number"), REFUSED_BY_A_FIVE_CLASS_JUDGE)
def test_a_five_class_judge_refuses_what_is_not_a_digit(tmp_path, name, scene, number):
    digit, note, number_read = _refused_by_both(_drawn(tmp_path, name, scene, number))
    assert digit is None and number_read is None, (digit, number_read)
    assert note == verdict.NOT_A_DIGIT


@pytest.mark.parametrize(("name", "scene", "number"), KNOWN_MISSES)
@pytest.mark.xfail(strict=True, reason="the judge takes these letters for digits (issue 86)")
def test_letters_written_like_digits_are_refused(tmp_path, name, scene, number):
    digit, _, number_read = _refused_by_both(_drawn(tmp_path, name, scene, number))
    assert digit is None and number_read is None, (digit, number_read)


@pytest.mark.parametrize(("name", "scene", "number"), DIGITS)
def test_digits_drawn_alike_are_still_answered(tmp_path, name, scene, number):
    digit, _, number_read = _refused_by_both(_drawn(tmp_path, name, scene, number))
    assert (digit, number_read) == (int(name), name)
