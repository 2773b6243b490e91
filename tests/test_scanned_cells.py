"""tests/generators/scanned_cells.py: the made scanned cells round 12 was measured on."""

from __future__ import annotations

import json

import numpy as np
import scanned_cells  # noqa: E402
from PIL import Image

from digitcli.reading.read import read


def test_each_cell_is_written_with_the_number_read_in_it(tmp_path):
    """`truth.json` names the number drawn in each file: `read` reads it in most of them (a
    label shifted by one file, or digits drawn off the cell, would read none)."""
    scanned_cells.main(["--out", str(tmp_path), "--count", "8"])
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert sorted(truth) == [f"{n:03d}.jpg" for n in range(8)]
    for name in truth:
        grey = np.asarray(Image.open(tmp_path / name).convert("L"))
        assert np.median(grey) > 120  # light paper, the number small on it
        assert grey.min() < 60  # the ink, the rules or the lid
    readings = read([str(tmp_path / name) for name in sorted(truth)])
    right = sum(r.number == truth[name] for r, name in zip(readings, sorted(truth), strict=True))
    assert right >= 6, right


def test_a_seed_makes_the_same_cells_again(tmp_path):
    """The measured sets are remade byte for byte from their seeds; another seed differs."""
    for folder, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        scanned_cells.main(["--out", str(tmp_path / folder), "--seed", seed, "--count", "3"])
    same = [(tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in
            ("000.jpg", "001.jpg", "002.jpg")]  # fmt: skip
    assert all(same)
    assert (tmp_path / "a" / "000.jpg").read_bytes() != (tmp_path / "c" / "000.jpg").read_bytes()


def test_wide_cells_are_8_to_20_times_as_wide_as_their_digits_need(tmp_path):
    """`--wide` (round 60's register cells): the digits (14-29 px high, 0.8 of a height apart)
    in a cell 8-20 times as wide as they need, its top rule dark above light paper."""
    scanned_cells.main(["--out", str(tmp_path), "--count", "6", "--wide"])
    truth = json.loads((tmp_path / "truth.json").read_text())
    for name, number in truth.items():
        grey = np.asarray(Image.open(tmp_path / name).convert("L")).astype(int)
        height, width = grey.shape
        assert 8 * 14 * len(number) <= width <= 20 * 30 * len(number)
        assert grey[0, width // 2] < np.median(grey) - 50
