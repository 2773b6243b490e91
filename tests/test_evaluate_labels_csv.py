"""`evaluate --data DIR` takes a flat folder of pictures with a `labels.csv` (`file,label`)
as well as folders 0/ to 9/ (issue 88)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from digitcli.datasets.data import load_dataset

from inprocess import digitcli
from mnist_files import STEEP


def flat_folder(tiny_data: Path, folder: Path, count: int = 30) -> Path:
    """`count` of the tiny test set's pictures of STEEP classes, dark on light, with a
    labels.csv naming each one's class."""
    test = load_dataset(tiny_data, role="test").test
    steep = np.flatnonzero(np.isin(test.y, STEEP))[:count]
    folder.mkdir()
    rows = ["file,label"]
    for n, i in enumerate(steep):
        Image.fromarray(255 - test.x[i]).save(folder / f"scan-{n}.png")
        rows.append(f"scan-{n}.png,{test.y[i]}")
    (folder / "labels.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_a_flat_folder_with_labels_is_scored(tiny_data: Path, tiny_model: Path, tmp_path):
    folder = flat_folder(tiny_data, tmp_path / "flat")
    done = digitcli("evaluate", str(tiny_model), "--data", str(folder), "--json", text=True)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["samples"] == 30
    assert result["accuracy"] > 0.5  # the tiny model reads its own kind of digits


def test_a_bad_label_is_one_line_and_exit_2(tiny_data: Path, tiny_model: Path, tmp_path):
    folder = flat_folder(tiny_data, tmp_path / "flat", count=3)
    (folder / "labels.csv").write_text("file,label\nscan-0.png,7\nscan-1.png,twelve\n")
    done = digitcli("evaluate", str(tiny_model), "--data", str(folder), text=True)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"Error: {folder / 'labels.csv'}: line 3: label 'twelve' is not a digit 0-9"
    ]


def test_a_file_outside_the_folder_is_refused(tiny_data: Path, tiny_model: Path, tmp_path):
    folder = flat_folder(tiny_data, tmp_path / "flat", count=3)
    (folder / "labels.csv").write_text("file,label\n../secret.png,7\n")
    done = digitcli("evaluate", str(tiny_model), "--data", str(folder), text=True)
    assert done.returncode == 2
    assert "outside the folder" in done.stderr
