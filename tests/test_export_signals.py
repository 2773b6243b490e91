"""A SIGTERM'd export says it stopped (exit 143) and leaves no `.NAME.work-PID/` folder beside
its output (it stayed until the next export to that name)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import subprocess_env

pytestmark = pytest.mark.slow  # exports in a process of its own


def test_sigterm_during_an_export_cleans_its_work_folder(tmp_path, tiny_model, tiny_data) -> None:
    model = Path(shutil.copytree(tiny_model, tmp_path / "mine"))
    target = tmp_path / "out" / "mine.tflite"
    target.parent.mkdir()
    command = [sys.executable, "-m", "digitcli", "export", str(model), "-f", "tflite-int8",
               "-o", str(target), "--data", str(tiny_data)]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env()
    )
    deadline = time.monotonic() + 120
    while not list(target.parent.glob(".mine.tflite.work-*")):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, said = process.communicate(timeout=120)
    assert process.returncode == 143, said
    assert "Stopped" in said
    assert sorted(p.name for p in target.parent.iterdir()) == []
