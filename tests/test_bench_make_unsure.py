"""bench/build/make_unsure.py: what `unsure.tflite` learns from. Other writers' checks and
MNIST's test digits stay out, a made folder's unlabelled digits stay out, the held-out MNIST
digits are those the bundled classifier never learnt, and a misread digit is left out."""

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import make_unsure  # noqa: E402

from digitcli.imaging import unsure  # noqa: E402


def test_other_writers_checks_and_mnist_s_test_digits_are_not_learnt(tmp_path):
    sources = {"uci": [["uci/0-3.png", 3]], "uci-rest": [["uci-rest/0-4.png", 4]],
               "rescan": [["rescan/0-5.png", 5]], "blank": [["blank/0.png", -1]]}  # fmt: skip
    (tmp_path / "labels.json").write_text(json.dumps({"sources": sources}))
    learnt = make_unsure.writers_labelled(tmp_path)
    assert learnt == [(tmp_path / "uci/0-3.png", 3), (tmp_path / "blank/0.png", None)]


def test_a_made_folder_gives_its_pictures_of_no_digit_only(tmp_path):
    for name in ("0000_paper_digit", "0001_desk_nondigit", "0002_canvas_blank"):
        (tmp_path / f"{name}.png").write_bytes(b"")
    names = [path.stem for path, digit in make_unsure.made_labelled(tmp_path)]
    assert names == ["0001_desk_nondigit", "0002_canvas_blank"]


def test_the_held_out_mnist_digits_are_the_classifier_s_validation_split():
    from digitcli.datasets.data import Split
    from digitcli.training.splits import split_validation

    from make_photos import load_mnist  # noqa: E402

    x, y = load_mnist("train")
    fit, kept = split_validation(Split(x, y), make_unsure.HELD_SHARE, make_unsure.HELD_SEED)
    held = make_unsure.held_labelled(5)
    decoded = _decoded(held)
    assert [digit for _, digit in held] == list(kept.y[:5])
    assert all(np.array_equal(a, b) for a, b in zip(decoded, kept.x[:5], strict=True))
    learnt = {image.tobytes() for image in fit.x}
    assert not any(image.tobytes() in learnt for image in decoded)


def _decoded(held: list[tuple[bytes, int]]) -> list[np.ndarray]:
    import io

    from PIL import Image

    return [np.asarray(Image.open(io.BytesIO(data))) for data, _ in held]


def test_a_misread_digit_is_left_out_and_a_read_one_is_a_digit(monkeypatch):
    answers = [(np.zeros(2, np.float32), 7, True), (np.ones(2, np.float32), 3, False),
               (np.full(2, 2, np.float32), None, False)]  # fmt: skip
    monkeypatch.setattr(make_unsure, "answered", lambda items, runtime: answers)
    rows, labels = make_unsure.weighed([], None)
    assert labels == [unsure.DIGIT, unsure.NONE]
    assert [row[0] for row in rows] == [0.0, 2.0]
