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


def test_large_cells_keep_their_digits_beyond_the_lid():
    """`large_cell` (round 23's sweep): a cell a third as high as its width, and where it has a
    lid, every digit beyond it: the ink dark against the paper right of the lid holds at
    least a thinned digit's pixels for each digit (a digit drawn under the lid was lost)."""
    x, y = scanned_cells.load_mnist("t10k")
    for seed in range(12):
        rng = np.random.default_rng([23, seed])
        image, number = scanned_cells.large_cell(x, y, rng, (40, 1, 600), lid=True)
        grey = np.asarray(image.convert("L")).astype(int)
        assert grey.shape == (200, 600) and 1 <= len(number) <= 3
        depth = int(np.argmax(grey[:, :200].mean(axis=0) > 80))
        assert 0.05 * 600 - 2 <= depth <= 0.17 * 600 + 2
        paper = np.median(grey)
        inside = grey[6:-6, depth + 4 : -6]
        assert (inside < paper - 25).sum() >= 15 * len(number), (seed, number)


def test_large_cells_are_each_of_the_sweep_once(tmp_path, monkeypatch):
    """`--large` writes each of `LARGE`'s cells once (here a sweep of four, for speed), in its
    order, widths as named; `--no-lids`, none with a lid along its left side."""
    monkeypatch.setattr(scanned_cells, "LARGE", ((40,), (0,), (600, 1500), 2))
    scanned_cells.main(["--out", str(tmp_path), "--large", "--no-lids"])
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert sorted(truth) == [f"{n:03d}.jpg" for n in range(4)]
    widths = []
    for name in sorted(truth):
        grey = np.asarray(Image.open(tmp_path / name).convert("L"))
        widths.append(grey.shape[1])
        assert grey.shape[0] == grey.shape[1] // 3
        assert grey[:, 10:40].mean() > 120  # paper, no lid
    assert widths == [600, 600, 1500, 1500]
