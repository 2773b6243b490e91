"""SIGTERM during `train --init bundled` stops it as it stops plain `train`: "Stopped: ...", exit
143, and neither its staging folder nor its lock left in the models folder."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_imagefolder import image_folder

from conftest import subprocess_env

pytestmark = pytest.mark.slow  # fine-tunes the bundled model in a process of its own


def test_sigterm_while_fine_tuning_says_stopped_and_cleans_up(tmp_path: Path) -> None:
    mine = image_folder(tmp_path / "mine", per_digit=6)
    models = tmp_path / "models"
    command = [sys.executable, "-m", "digitcli", "train", "--init", "bundled", "--data",
               str(mine), "--epochs", "200", "-o", str(models / "tuned")]  # fmt: skip
    log = tmp_path / "stderr.txt"
    with log.open("w") as err:
        process = subprocess.Popen(
            command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=err,
            env=subprocess_env(DIGITCLI_MODELS=str(models)),
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while "Training" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        time.sleep(1.0)  # into the epochs
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=120)
    said = log.read_text()
    assert code == 143, said
    assert "Stopped:" in said
    assert sorted(p.name for p in models.iterdir() if p.name.startswith(".")) == []
