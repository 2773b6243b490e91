"""bench/checks/other_pages.py: pages drawn by code the judge never learns from, blank and
written."""

import sys
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import other_pages  # noqa: E402


def test_each_kind_is_made_blank_and_with_its_digit(tmp_path):
    made = other_pages.make(tmp_path, 1, seed=3)
    assert [(kind, label == "blank") for _, kind, label in made] == [
        (kind, blank) for kind in other_pages.KINDS for blank in (True, False)
    ]
    for path, _, label in made:
        assert path.name.endswith(f"_{label}.jpg")
        assert max(Image.open(path).size) >= 600  # a phone's photo


def test_a_written_page_differs_from_its_blank_one_where_the_digit_is():
    digit = np.zeros((28, 28), np.float32)
    digit[4:24, 12:16] = 255.0  # a 1
    blank = other_pages.page("fold", None, np.random.default_rng(0)).astype(int)
    written = other_pages.page("fold", digit, np.random.default_rng(0)).astype(int)
    h, w = blank.shape[:2]
    changed = np.argwhere(np.abs(written - blank).max(axis=2) > 40)
    assert changed.size
    assert abs(changed[:, 0].mean() - h / 2) < 0.2 * h
    assert abs(changed[:, 1].mean() - w / 2) < 0.2 * w
