"""A library user's program that ran OpenCV's threads, then predicts a folder on several
worker processes: the forked workers must not touch OpenCV's thread count (a deadlock there,
issue 88's change of where digitcli sets it)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO, subprocess_env

PROBE = """
import shutil, sys, numpy as np, cv2
from pathlib import Path
cv2.GaussianBlur(np.zeros((1000, 1000), np.uint8), (31, 31), 5)  # OpenCV's threads started
import digitcli
folder = Path(sys.argv[1])
for i in range(24):
    shutil.copy("docs/examples/drawing.png", folder / f"{i}.png")
model = digitcli.load("bundled")
answers = model.predict_files([str(folder)])
print(sum(1 for _ in answers))
"""


def test_forked_workers_answer_after_the_host_ran_opencv_threads(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)], cwd=REPO, env=subprocess_env(),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "24"
