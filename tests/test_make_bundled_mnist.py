"""`make bundled-mnist` rebuilds the bundled model from MNIST alone in one command, with no data
from outside the repository: run here on the tests' tiny data, one epoch a member, into folders
of the test's own (the Makefile's DATA, CNN_EPOCHS, MLP_EPOCHS, MEMBERS and BUNDLED)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, subprocess_env

pytestmark = [
    pytest.mark.trains,
    pytest.mark.skipif(shutil.which("make") is None, reason="needs make"),
    pytest.mark.timeout(900),  # three trainings and a calibration: minutes on 2 busy cores
]


def test_make_bundled_mnist_reads_its_members_as_one_model(tiny_data: Path, tmp_path: Path):
    members, bundled = tmp_path / "members", tmp_path / "bundled"
    settings = {
        "BIN": str(Path(sys.executable).parent),  # this environment's digitcli, not a new .venv
        "DATA": str(tiny_data),
        "CNN_EPOCHS": "1",
        "MLP_EPOCHS": "1",
        "MEMBERS": str(members),
        "BUNDLED": str(bundled),
    }
    command = ["make", "-C", str(REPO), "-o", "venv", "bundled-mnist"]
    done = subprocess.run(
        [*command, *(f"{name}={value}" for name, value in settings.items())],
        capture_output=True, text=True, env=subprocess_env(), timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert sorted(p.name for p in members.iterdir()) == ["cnn0", "cnn1", "mlp"]
    metadata = json.loads((bundled / "metadata.json").read_text())
    assert [m["source"] for m in metadata["members"]] == ["cnn0", "cnn1", "mlp"]
    assert [m["config"]["epochs"] for m in metadata["members"]] == [1, 1, 1]
    assert metadata["data"] and "test_accuracy" in metadata["metrics"]
    assert (bundled / "model.tflite").stat().st_size > 0 and (bundled / "model.keras").is_file()
