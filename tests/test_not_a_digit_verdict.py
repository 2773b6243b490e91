"""A judge file with a fifth class, "nondigit", makes the one verdict "not a digit", said by
`predict` and `read` alike, on every picture whose ink was found (paper or not); the number of
classes is read from the file, so the four-class judge works as before."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.core.litert import Runner
from digitcli.imaging import judge, verdict
from digitcli.imaging.images import prepare


class _FiveClasses:
    """A judge file answering five classes, sure of `sure` (an index of judge.classes())."""

    outputs = 5

    def __init__(self, sure: int) -> None:
        self.sure = sure

    def run(self, views: np.ndarray) -> np.ndarray:
        chances = np.zeros((len(views), 5), np.float32)
        chances[:, self.sure] = 1.0
        return chances

    __call__ = run


def _five_classes(monkeypatch, sure: int) -> None:
    monkeypatch.setattr(judge, "_judge", lambda path: _FiveClasses(sure))


@pytest.fixture
def nondigit_judge(monkeypatch):
    _five_classes(monkeypatch, judge.NONDIGIT)


def _canvas(path: Path) -> Path:
    """A white S-like scribble drawn on a black 40x40 canvas (no paper: off paper)."""
    pixels = np.zeros((40, 40), np.uint8)
    pixels[8:11, 10:30] = 255
    pixels[8:20, 10:13] = 255
    pixels[18:21, 10:30] = 255
    pixels[18:32, 27:30] = 255
    pixels[29:32, 10:30] = 255
    Image.fromarray(pixels, "L").save(path)
    return path


def _answer(command: str, path: Path) -> dict:
    result = CliRunner().invoke(app, [command, str(path), "--format", "jsonl"])
    assert result.exit_code in (0, 3), result.output
    return json.loads(result.output.splitlines()[0])


def test_the_shipped_judge_has_its_classes_read_from_its_file():
    assert judge.classes() == judge.VERDICTS[: Runner(judge.MODEL).outputs]
    assert len(judge.classes()) in (4, 5)


def test_a_five_class_file_adds_nondigit(nondigit_judge):
    assert judge.classes() == judge.VERDICTS
    assert judge.classes()[judge.NONDIGIT] == "nondigit"


def test_a_picture_off_paper_the_judge_calls_nondigit_is_no_digit(nondigit_judge, tmp_path):
    prepared = prepare(Image.open(_canvas(tmp_path / "s.png")))
    assert not prepared.has_ink
    assert verdict.kind(prepared) is verdict.Kind.NOT_A_DIGIT
    assert verdict.note(prepared) == verdict.NOT_A_DIGIT


def test_predict_and_read_refuse_it_in_the_same_words(nondigit_judge, tmp_path):
    path = _canvas(tmp_path / "s.png")
    predicted, read = _answer("predict", path), _answer("read", path)
    assert predicted.get("digit") is None and read.get("number") is None
    assert predicted["note"] == read["note"] == verdict.NOT_A_DIGIT


def test_the_same_canvas_is_a_digit_to_a_judge_that_says_digit(monkeypatch, tmp_path):
    _five_classes(monkeypatch, judge.DIGIT)
    path = _canvas(tmp_path / "s.png")
    predicted, read = _answer("predict", path), _answer("read", path)
    assert predicted.get("digit") is not None
    assert read.get("number") == str(predicted["digit"])
