"""`make lint` checks every Python file the repository holds: ruff skips what .gitignore
names, and a `build/` line there once hid the builders of shipped files (`bench/build/`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINTED = ("digitcli", "tests", "bench", "docs")  # as the Makefile's lint target


def test_ruff_checks_every_tracked_python_file() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None or not (REPO / ".git").exists():
        pytest.skip("needs ruff beside this Python and a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "--", *(f"{folder}/*.py" for folder in LINTED)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    shown = subprocess.run(
        [ruff, "check", "--show-files", *LINTED], cwd=REPO, capture_output=True, text=True
    ).stdout
    seen = {Path(line.strip()).resolve() for line in shown.splitlines() if line.strip()}
    unseen = sorted(name for name in listed if (REPO / name).resolve() not in seen)
    assert unseen == []
