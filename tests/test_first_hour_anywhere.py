"""The README's first hour from an empty folder with an empty home (issue 88): train, predict,
fine-tune with --init bundled (no ./MNIST anywhere), `models use`, and predict from another
folder, which the default chosen answers. It trains twice: slow (`make test` runs it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, subprocess_env
from mnist_png import mnist_test

pytestmark = pytest.mark.slow


def pictures(folder: Path, per_digit: int, skip: int = 0) -> Path:
    """`per_digit` of each digit of MNIST's first test digits as PNG files in folders 0/..9/
    (dark on light): a user's own pictures of real handwriting (the tiny set's stand-in 1 is
    a dash, no digit to the letters network, and a folder of them has no usable picture)."""
    x, y = mnist_test(1000)
    for digit in range(10):
        (folder / str(digit)).mkdir(parents=True)
        for i, index in enumerate(np.flatnonzero(y == digit)[skip : skip + per_digit]):
            Image.fromarray(255 - x[index]).save(folder / str(digit) / f"{i}.png")
    return folder


def test_the_first_hour_from_an_empty_folder_and_home(tmp_path: Path, tiny_data: Path) -> None:
    home, work, other = tmp_path / "home", tmp_path / "work", tmp_path / "elsewhere"
    for folder in (home, work, other):
        folder.mkdir()
    env = subprocess_env(HOME=str(home))
    for name in ("DIGITCLI_MODELS", "DIGITCLI_DATA", "XDG_DATA_HOME"):
        env.pop(name, None)

    def digitcli(*args: str, cwd: Path = work) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "digitcli", *args],
            capture_output=True, text=True, env=env, cwd=cwd, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, (args, done.stderr[-2000:])
        return done

    shutil.copy(REPO / "docs" / "examples" / "drawing.png", other / "drawing.png")
    trained = digitcli(
        "train", "--data", str(tiny_data), "--epochs", "1", "--augment", "0", "--fonts", "0"
    )
    assert "default: " in trained.stderr
    models = json.loads(digitcli("models", "--json").stdout)
    mine = next(row for row in models if not row["bundled"])
    assert Path(mine["path"]).is_relative_to(home) and mine["default"]
    assert not (work / "MNIST").exists()

    pictures(work / "own", 6)
    pictures(work / "check", 2, skip=6)
    tuned = digitcli(
        "train", "--init", "bundled", "--data", "own", "--validation-data", "check",
        "--epochs", "1", "-o", "mine-tuned", "--json",
    )  # fmt: skip
    answer = json.loads(tuned.stdout)
    assert answer["test_set"].startswith("your ") and answer["test_set"].endswith("test pictures")
    assert "stays the default" in tuned.stderr
    listed = {row["name"]: row for row in json.loads(digitcli("models", "--json").stdout)}
    assert "mine-tuned" in listed  # recorded where it was written
    digitcli("models", "use", "mine-tuned")

    (predicted,) = json.loads(digitcli("predict", "drawing.png", "--json", cwd=other).stdout)
    assert predicted["model"]["name"] == "mine-tuned"
    assert Path(predicted["model"]["path"]).resolve() == (work / "mine-tuned").resolve()
    assert os.listdir(other) == ["drawing.png"]
