"""`predict(source, stream=False)` and `read(source, stream=False)` answer a list whatever the
source (a path, a folder, a glob, a list, an array), and an iterator with `stream=True`, as
Ultralytics' `YOLO(...)(source)` does (issue 88 item 4)."""

from __future__ import annotations

import types

import numpy as np
import pytest

import digitcli

from conftest import REPO

EXAMPLES = REPO / "docs" / "examples"
PICTURES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".png", ".jpg"))


@pytest.fixture(scope="module")
def model() -> digitcli.Model:
    return digitcli.load("bundled")


def _ones(count: int) -> np.ndarray:
    digits = np.zeros((count, 28, 28), np.uint8)
    digits[:, 6:22, 13:15] = 255
    return digits


@pytest.mark.parametrize("verb", ["predict", "read"])
@pytest.mark.parametrize(
    "source, count",
    [
        (str(EXAMPLES / "drawing.png"), 1),
        (EXAMPLES / "drawing.png", 1),
        (_ones(1)[0], 1),
        (_ones(3), 3),
        (_ones(2).reshape(2, 784), 2),
        ([str(EXAMPLES / "drawing.png"), _ones(1)[0]], 2),
    ],
    ids=["str", "path", "array", "batch", "flat-rows", "list"],
)
def test_any_source_answers_a_list(model, verb, source, count):
    answers = getattr(model, verb)(source, processes=0) if verb == "predict" else model.read(source)
    assert isinstance(answers, list) and len(answers) == count


@pytest.mark.parametrize("verb", ["predict", "read"])
def test_a_folder_answers_each_picture_in_it(model, verb):
    answers = getattr(model, verb)(EXAMPLES)
    assert [answer.file for answer in answers] == [str(p) for p in PICTURES]
    assert not any(answer.failed for answer in answers)


def test_a_glob_answers_each_match(model):
    answers = model.predict(str(EXAMPLES / "*.png"))
    assert [a.file for a in answers] == [str(p) for p in PICTURES if p.suffix == ".png"]


@pytest.mark.parametrize("verb", ["predict", "read"])
def test_stream_answers_an_iterator(model, verb):
    answers = getattr(model, verb)(_ones(3), stream=True)
    assert isinstance(answers, types.GeneratorType) or iter(answers) is answers
    first = next(answers)
    assert isinstance(first, digitcli.Prediction if verb == "predict" else digitcli.Reading)
    assert len(list(answers)) == 2


@pytest.mark.parametrize("verb", ["predict", "read"])
def test_the_module_functions_answer_lists_and_streams(verb):
    function = getattr(digitcli, verb)
    assert len(function(str(EXAMPLES / "drawing.png"), model="bundled")) == 1
    streamed = function(_ones(2), model="bundled", stream=True)
    assert not isinstance(streamed, list) and len(list(streamed)) == 2


@pytest.mark.parametrize("verb", ["predict", "read"])
def test_a_folder_without_pictures_is_said_as_the_command_says_it(model, verb, tmp_path):
    """As `digitcli predict EMPTY/`: "no images found in EMPTY (image files end in: ...)";
    an empty list is answered with an empty list."""
    (tmp_path / "empty").mkdir()
    with pytest.raises(digitcli.UsageError, match="no images found in .*empty"):
        getattr(model, verb)(tmp_path / "empty")
    assert getattr(model, verb)([]) == []
