"""tests/generators/scanned_cells.py: the made scanned cells round 12 was measured on."""

from __future__ import annotations

import json

import numpy as np
import scanned_cells  # noqa: E402
from PIL import Image


def test_each_cell_is_written_with_its_number(tmp_path):
    scanned_cells.main(["--out", str(tmp_path), "--count", "8"])
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert sorted(truth) == [f"{n:03d}.jpg" for n in range(8)]
    for name, number in truth.items():
        assert 1 <= len(number) <= 3 and number.isdigit()
        grey = np.asarray(Image.open(tmp_path / name).convert("L"))
        assert np.median(grey) > 120  # light paper, the number small on it
        assert grey.min() < 60  # the ink, the rules or the lid
