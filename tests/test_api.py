"""digitcli's Python API (digitcli.load, Model.predict/read/evaluate, digitcli.predict): the
CLI's answers, file for file, on paths, bytes, PIL images and NumPy arrays; typed errors; a
light `import digitcli`."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import digitcli
from digitcli.core.errors import ImageError, ModelError, UsageError

from conftest import REPO, subprocess_env
from inprocess import digitcli as cli

EXAMPLES = REPO / "docs" / "examples"


def _cli_jsonl(command: str, files: list[Path], *options: str) -> list[dict]:
    done = cli(command, *map(str, files), "--format", "jsonl", *options, text=True)
    assert done.returncode in (0, 1, 3), done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_importing_digitcli_stays_light():
    """`import digitcli` and naming its API import neither TensorFlow, OpenCV nor LiteRT;
    answering with the bundled model imports no TensorFlow."""
    code = (
        "import sys, digitcli\n"
        "digitcli.load, digitcli.predict, digitcli.Model, digitcli.Prediction\n"
        "heavy = {'tensorflow', 'keras', 'cv2', 'ai_edge_litert'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
        "model = digitcli.load('bundled')\n"
        f"[answer] = model.predict({str(EXAMPLES / 'drawing.png')!r})\n"
        "assert answer.digit == 4, answer\n"
        "assert 'tensorflow' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env()
    )
    assert done.returncode == 0, done.stderr


def test_answers_equal_the_cli_on_photo_files(tmp_path):
    """On tests/generators/make_photos.py's files (every style) and the examples, file for file."""
    import make_photos

    x, y = make_photos.load_mnist("t10k")
    made = make_photos.make_photo_set(x[:40], y[:40], tmp_path / "photos", 40, seed=3)
    files = [path for path, _ in made] + sorted(EXAMPLES.iterdir())
    expected = _cli_jsonl("predict", files, "--model", "bundled")
    model = digitcli.load("bundled")
    answers = model.predict([str(f) for f in files], errors="keep")
    assert [answer.to_json() for answer in answers] == expected
    assert {answer.model.name for answer in answers} == {"bundled"}


def test_in_memory_inputs_are_prepared_as_their_files(tmp_path):
    """Bytes, a PIL image and NumPy arrays (either polarity, any size, float or uint8) are
    answered as `predict` answers the same pixels saved as a PNG file."""
    rng = np.random.default_rng(0)
    ink = np.zeros((90, 70), np.uint8)
    ink[15:75, 30:40] = 255  # a 1, light on dark
    paper = 255 - ink  # dark on light
    noisy = np.clip(paper.astype(int) + rng.integers(-20, 20, paper.shape), 0, 255)
    arrays = [ink, paper, noisy.astype(np.uint8)]
    files = []
    for i, array in enumerate(arrays):
        Image.fromarray(array).save(tmp_path / f"{i}.png")
        files.append(tmp_path / f"{i}.png")
    expected = _cli_jsonl("predict", files, "--model", "bundled")
    model = digitcli.load("bundled")
    for array, path, want in zip(arrays, files, expected, strict=True):
        del want["file"]
        for given in (
            array,
            array.astype(np.float32) / 255,
            Image.fromarray(array),
            Image.fromarray(array).convert("RGB"),
            path.read_bytes(),
            path,
        ):
            [got] = [answer.to_json() for answer in model.predict(given)]
            del got["file"]
            assert got == want, type(given)
    batch = model.predict(np.stack(arrays))  # (n, h, w): n images
    assert [answer.digit for answer in batch] == [e["digit"] for e in expected]


def test_answers_are_frozen_and_typed():
    [answer] = digitcli.predict(EXAMPLES / "drawing.png", model="bundled", top_k=2)
    assert isinstance(answer, digitcli.Prediction)
    assert (answer.digit, len(answer.top), answer.answered) == (4, 2, True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.digit = 3  # type: ignore[misc]
    [several] = digitcli.predict(EXAMPLES / "form.png", model="bundled")
    assert several.digit is None and "use `digitcli read`" in several.note
    [low] = digitcli.predict(EXAMPLES / "scan.jpg", model="bundled", threshold=0.99999)
    assert low.digit is None and "below the threshold" in low.note


def test_errors_are_digitclis_own(tmp_path):
    with pytest.raises(ModelError):
        digitcli.load(tmp_path / "no-model")
    model = digitcli.load("bundled")
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with pytest.raises(ImageError, match="bad.png"):
        model.predict(tmp_path / "bad.png")
    kept = model.predict([tmp_path / "bad.png", EXAMPLES / "drawing.png"], errors="keep")
    assert kept[0].failed and kept[1].digit == 4
    bad_options = ({"top_k": 0}, {"threshold": 2.0}, {"invert": "maybe"}, {"errors": "hide"})
    numbers = ({"top_k": True}, {"processes": True}, {"processes": 2.0}, {"threshold": True})
    for bad in (*bad_options, *numbers, {"processes": -1}, {"processes": 10**9}):
        with pytest.raises(UsageError):
            model.predict(EXAMPLES / "drawing.png", **bad)
    with pytest.raises(UsageError):
        model.predict(object())  # type: ignore[arg-type]


@pytest.mark.parametrize("shape", [(784,), (), (1, 1, 1, 28, 28)])
def test_an_array_that_is_no_image_or_batch_is_said_to_be_so(shape):
    model = digitcli.load("bundled")
    with pytest.raises(UsageError, match=r"shape"):
        model.predict(np.zeros(shape, np.uint8))


@pytest.mark.parametrize("labels", [None, 3])
def test_evaluate_without_labels_is_a_usage_error(labels):
    model = digitcli.load("bundled")
    with pytest.raises(UsageError, match="labels"):
        model.evaluate(np.zeros((2, 28, 28), np.uint8), labels)


def test_an_empty_path_is_said_to_be_empty():
    model = digitcli.load("bundled")
    with pytest.raises(ImageError, match="empty path"):
        model.predict("")


def test_read_equals_the_cli():
    files = [EXAMPLES / "form.png", EXAMPLES / "tight.jpg", EXAMPLES / "drawing.png"]
    expected = _cli_jsonl("read", files, "--model", "bundled")
    model = digitcli.load("bundled")
    assert [reading.to_json() for reading in model.read(files)] == expected
    assert model.read(EXAMPLES / "tight.jpg")[0].number == "75094"
    [rejected] = model.read(EXAMPLES / "tight.jpg", digits=3)
    assert rejected.number is None and "expected 3" in rejected.note


def test_evaluate_on_arrays_equals_the_cli(tiny_model, tiny_data):
    from digitcli.datasets.data import load_dataset

    test = load_dataset(tiny_data, role="test").test
    expected = json.loads(cli("evaluate", str(tiny_model), "--json", text=True).stdout)
    result = digitcli.load(tiny_model).evaluate(test.x, test.y)
    assert result.accuracy == expected["accuracy"]
    assert result.confusion_matrix.tolist() == expected["confusion_matrix"]
    with pytest.raises(UsageError):
        digitcli.load(tiny_model).evaluate(test.x, test.y[:3])


def test_predict_files_streams_what_the_cli_lists(tmp_path):
    """`Model.predict_files` takes what the CLI takes (folders, globs, lists) and streams the
    CLI's answers: the CLI's predict calls it."""
    listed = tmp_path / "list.txt"
    listed.write_text("".join(f"{p}\n" for p in sorted(EXAMPLES.glob("*.png"))))
    expected = _cli_jsonl("predict", [], "--from-list", str(listed), "--model", "bundled")
    answers = digitcli.load("bundled").predict_files(from_list=str(listed))
    assert [answer.to_json() for answer in answers] == expected
