"""bench/checks/cvl_writers.py: which writers and digits the per-writer protocol draws, and its
table."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / "bench" / kind)
    for kind in (".", "build", "checks", "perf")
]

import cvl_writers  # noqa: E402


def test_writers_keep_some_of_every_digit_to_be_scored_on() -> None:
    labels = np.tile(np.arange(10), 12)  # 12 of each digit
    writers = np.repeat([1, 2], 60)
    labels[writers == 2] = 3  # writer 2 wrote only 3s
    labels[:60] = np.tile(np.arange(10), 6)  # writer 1: 6 of each digit
    assert cvl_writers.chosen_writers(labels, writers, 30, 5) == [1]
    assert cvl_writers.chosen_writers(labels, writers, 30, 6) == []


def test_smaller_sets_are_inside_the_larger() -> None:
    labels = np.tile(np.arange(10), 11)
    picks = cvl_writers.nested_picks(labels, [2, 5, 10], np.random.default_rng(0))
    assert [len(picks[k]) for k in (2, 5, 10)] == [20, 50, 100]
    assert set(picks[2]) <= set(picks[5]) <= set(picks[10])
    assert np.bincount(labels[picks[5]], minlength=10).tolist() == [5] * 10


def test_the_table_gives_the_median_fall_in_errors_per_k() -> None:
    rows = [
        {
            "k": 5,
            "errors_bundled": 4,
            "errors_tuned": 1,
            "mnist_test": 0.995,
            "other_writers": 0.97,
        },
        {
            "k": 5,
            "errors_bundled": 2,
            "errors_tuned": 2,
            "mnist_test": 0.994,
            "other_writers": 0.96,
        },
        {
            "k": 5,
            "errors_bundled": 0,
            "errors_tuned": 1,
            "mnist_test": 0.996,
            "other_writers": 0.98,
        },
    ]
    table = cvl_writers.summary({"bundled": {"mnist_test": 0.9956, "other_writers": 0.9739},
                                 "rows": rows})  # fmt: skip
    line = next(row for row in table.splitlines() if row.startswith("| 5 |"))
    assert "| 3 | 6 -> 4 |" in line and "38% (19% .. 56%)" in line  # median of 75% and 0%
    assert "99.50%, 99.40%" in line and "97.00%, 96.00%" in line
