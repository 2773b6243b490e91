"""bench/build/cvl.py and bench/checks/cvl_finetune.py: reading CVL by writer, and drawing a
writer's digits."""

import sys
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import cvl  # noqa: E402
import cvl_finetune  # noqa: E402


def _database(root: Path) -> Path:
    """A CVL-like `test/` folder: dark strokes on light paper, named DIGIT-WRITER-...png."""
    (root / "test").mkdir(parents=True)
    paper = np.full((28, 28), 250, np.uint8)
    paper[5:23, 13:15] = 20  # a 1
    for name in ("1-0042-01-01.png", "1-0007-02-03.png"):
        Image.fromarray(paper).save(root / "test" / name)
    Image.fromarray(np.full((28, 28), 250, np.uint8)).save(root / "test" / "3-0007-05-01.png")
    return root


def test_a_split_is_read_with_its_digits_and_writers_and_cached(tmp_path):
    root = _database(tmp_path / "cvl")
    data = cvl.load_split(root, "test", tmp_path / "cache")
    assert data["y"].tolist() == [1, 1, 3]
    assert data["writer"].tolist() == [7, 42, 7]
    assert data["ink"].tolist() == [True, True, False]  # the blank one: no ink
    assert data["x"][0].max() > 200  # white ink on black, as predict prepares it
    (root / "test" / "1-0042-01-01.png").unlink()
    again = cvl.load_split(root, "test", tmp_path / "cache")
    assert again["y"].tolist() == [1, 1, 3]  # from the cache


def test_confusions_and_the_spread_over_writers():
    probabilities = np.eye(10)[[7, 7, 1, 0, 3]]
    data = {
        "y": np.array([1, 1, 1, 0, 3]),
        "ink": np.ones(5, bool),
        "writer": np.array([1, 1, 2, 2, 2]),
    }
    assert cvl.confusions(probabilities, data) == [[1, 7, 2]]
    spread = cvl.by_writer(probabilities, data)
    assert spread["writers"] == 2 and spread["worst"] == 0.0 and spread["median"] == 0.5


def test_a_writers_smaller_sets_lie_inside_the_larger_with_as_many_of_each_digit():
    labels = np.repeat(np.arange(10), 12)
    picks = cvl_finetune.nested_picks(labels, [20, 50, 100], np.random.default_rng(0))
    for n in (20, 50, 100):
        assert np.bincount(labels[picks[n]], minlength=10).tolist() == [n // 10] * 10
    assert set(picks[20]) <= set(picks[50]) <= set(picks[100])


def test_only_writers_with_more_than_enough_of_every_digit_are_drawn():
    labels = np.concatenate([np.repeat(np.arange(10), 11), np.repeat(np.arange(10), 10)])
    writers = np.array([5] * 110 + [6] * 100)
    assert cvl_finetune.chosen_writers(labels, writers, 1, 10) == [5]
