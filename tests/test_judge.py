"""digitcli.imaging.judge: whether the ink found on a picture of paper is one digit, blank
paper, lines or a page, or several digits (ruled lines askew: tests/test_ruled_notebook.py)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_ruled_notebook import SEVEN, notebook_photo
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.imaging import judge, verdict
from digitcli.imaging.images import prepare

from make_photos import load_mnist

MNIST = Path(__file__).resolve().parent.parent / "MNIST" / "t10k-images-idx3-ubyte.gz"


def _mnist(count: int) -> np.ndarray:
    raw = gzip.decompress(MNIST.read_bytes())
    return np.frombuffer(raw, np.uint8, 784 * count, 16).reshape(count, 28, 28)


def test_the_judge_is_asked_about_pictures_on_paper_only(monkeypatch):
    """MNIST-sized files, small scans and canvases never reach the judge (it has nothing to
    refuse off paper); a photo of paper does."""

    def asked(flat, kept):
        raise AssertionError("the judge was asked")

    monkeypatch.setattr(judge, "probabilities", asked)
    seven = np.zeros((28, 28), np.uint8)
    seven[6:9, 6:22] = 255
    seven[9:24, 17:20] = 255
    assert prepare(Image.fromarray(seven, "L")).has_ink
    assert prepare(Image.fromarray(seven[2:26, 4:24], "L")).has_ink
    with pytest.raises(AssertionError, match="asked"):
        prepare(notebook_photo(SEVEN))


@pytest.mark.parametrize("verdict", [judge.BLANK, judge.LINES])
def test_what_the_judge_is_sure_of_is_refused(monkeypatch, verdict):
    """Blank paper or lines count only when the judge is sure the ink is not one digit (its
    digit probability under not_digit)."""
    chances = np.zeros(len(judge.VERDICTS), np.float32)
    chances[verdict], chances[judge.DIGIT] = 0.9, 0.1
    monkeypatch.setattr(judge, "probabilities", lambda flat, kept: chances)
    assert not prepare(notebook_photo(SEVEN)).has_ink
    chances[judge.DIGIT], chances[verdict] = 0.6, 0.4
    assert prepare(notebook_photo(SEVEN)).has_ink


@pytest.mark.skipif(not MNIST.exists(), reason="MNIST test images not present")
def test_the_judge_tells_a_digit_on_paper_from_a_number():
    digits = _mnist(8)
    paper = np.full((300, 900), 225.0)
    one = paper.copy()
    one[60:240, 360:540] *= (
        1 - 0.8 * np.asarray(Image.fromarray(digits[0]).resize((180, 180))) / 255
    )
    for i, digit in enumerate(digits[1:6]):
        ink = np.asarray(Image.fromarray(digit).resize((150, 150))) / 255
        paper[75:225, 60 + 150 * i : 210 + 150 * i] *= 1 - 0.8 * ink
    as_image = lambda a: Image.fromarray(a.astype(np.uint8), "L")  # noqa: E731
    assert prepare(as_image(one)).has_ink and not prepare(as_image(one)).several
    assert prepare(as_image(paper)).several


def test_the_judge_and_the_count_run_without_tensorflow():
    """In a fresh process (this one may hold TensorFlow already): LiteRT alone runs the judge
    and the count network (`count`)."""
    code = (
        "import sys, numpy as np; from digitcli.imaging import count, judge; "
        "judge.probabilities(np.zeros((60, 80), np.float32), np.ones((60, 80), bool)); "
        "count.chance(np.zeros((28, 28), np.uint8)); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_page_of_writing_is_not_called_blank(tmp_path):
    """Three rows of digits on paper: predict answered "no digit found: the image is blank"
    for a page full of writing. It is refused as lines or a page, or as several digits (the
    judge that learnt register cells), and `read` reads its three rows."""
    rng = np.random.default_rng(0)
    digits = _mnist(18)
    paper = 200 + rng.normal(0, 3, (420, 700))
    for index, digit in enumerate(digits):
        row, column = divmod(index, 6)
        big = np.asarray(Image.fromarray(digit).resize((84, 84)), np.float32) / 255
        paper[40 + 120 * row : 124 + 120 * row, 40 + 105 * column : 124 + 105 * column] -= 150 * big
    picture = tmp_path / "page.png"
    Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L").save(picture)
    result = CliRunner().invoke(app, ["predict", str(picture), "--format", "jsonl"])
    assert result.exit_code == 3
    (answer,) = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert answer["digit"] is None
    assert answer["note"] in (verdict.NOT_DIGITS, verdict.several(6))
    read = CliRunner().invoke(app, ["read", str(picture), "--format", "jsonl"])
    (reading,) = [json.loads(line) for line in read.output.splitlines() if line.startswith("{")]
    labels = load_mnist()[1][:18]
    expected = ["".join(str(label) for label in labels[row : row + 6]) for row in (0, 6, 12)]
    assert [row["number"] for row in reading["lines"]] == expected
