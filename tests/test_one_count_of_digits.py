"""One count of digits for `predict` and `read` (issue 86): how many digits a picture holds is
decided once, by the preparation's verdict (`imaging/verdict.py`), and both commands follow it.
Before, two MNIST test digits written touching on a slip of paper were one digit to `predict`
(its pieces form one group) and a number to `read` (its line reader's count): `predict` 7,
`read` 97. The judge (`imaging/judge.py`), which every picture on paper is shown, has a class
for several digits; the verdict now takes it, as it takes its blank and lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.imaging import verdict
from digitcli.imaging.images import prepare
from digitcli.reading import read
from digitcli.reading.segment import Line

sys.path.insert(0, str(Path(__file__).resolve().parent / "generators"))

import mnist_png  # noqa: E402

# MNIST test digits (index, index + 1) written touching, which the judge takes for several
# digits and the preparation's pieces for one group. The line reader reads the last as one
# digit, "4": `read` read 4 where `predict` said 4.
TOUCHING = [(16, "97"), (10, "06"), (18, "34"), (32, "34")]


def _touching(first: int) -> Image.Image:
    """MNIST test digits `first` and `first + 1`, their ink boxes overlapping by 3 px, drawn
    three times as large in grey ink on a light slip of paper."""
    x, _ = mnist_png.mnist_test(first + 2)
    a, b = (_columns(x[index]) for index in (first, first + 1))
    width = a.shape[1] + b.shape[1] - 3
    row = np.zeros((28, width), np.uint8)
    row[:, : a.shape[1]] = a
    row[:, a.shape[1] - 3 :] = np.maximum(row[:, a.shape[1] - 3 :], b)
    big = np.asarray(Image.fromarray(row).resize((width * 3, 84), Image.BILINEAR)).astype(int)
    paper = np.full((140, width * 3 + 60), 225, np.uint8)
    paper[28:112, 30 : 30 + width * 3] = 225 - big * 180 // 255
    return Image.fromarray(paper)


def _columns(digit: np.ndarray) -> np.ndarray:
    inked = np.flatnonzero(digit.max(axis=0))
    return digit[:, inked[0] : inked[-1] + 1]


needs_mnist = pytest.mark.skipif(
    not (mnist_png.MNIST / "t10k-images-idx3-ubyte.gz").exists(), reason="no MNIST test set"
)


@needs_mnist
@pytest.mark.parametrize(("first", "number"), TOUCHING)
def test_touching_digits_the_judge_counts_several_are_several_digits(first, number):
    assert verdict.kind(prepare(_touching(first))) is verdict.Kind.SEVERAL


@needs_mnist
@pytest.mark.parametrize(("first", "number"), TOUCHING)
def test_predict_and_read_count_touching_digits_alike(tmp_path, first, number):
    path = tmp_path / f"touching-{number}.png"
    _touching(first).save(path)
    answers = []
    for command in ("predict", "read"):
        result = CliRunner().invoke(app, [command, str(path), "--format", "jsonl"])
        assert result.exit_code in (0, 3), result.output
        answers.append(json.loads(result.output.splitlines()[0]))
    predicted, read = answers
    assert predicted["digit"] is None
    assert predicted["note"].startswith("several digits")
    assert read["number"] == number


def test_read_takes_no_reading_of_one_digit_where_the_verdict_counts_several():
    """The segmentation's best reading of each count of digits: where the verdict is several
    digits, the likeliest of those of two digits or more."""
    readings = {1: (0.0, [0]), 2: (-1.0, [1, 2])}
    counted = read._Scoring(None, Line(), np.ones((3, 10)), np.zeros(3, bool), None, least=2)
    assert counted.likeliest(readings) == [1, 2]
    assert read._Scoring(None, Line(), np.ones((3, 10)), np.zeros(3, bool), None).likeliest(
        readings
    ) == [0]


def test_read_words_several_digits_it_cannot_tell_apart():
    assert verdict.several_unread(1).startswith("several digits (2 or more, touching)")
    assert "digitcli read" not in verdict.several_unread(3)
