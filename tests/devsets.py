"""The real development sets, for the tests that read them: the folder DIGITCLI_DEVSETS names
(tests/README.md), each set a folder inside it; without it, those tests are skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DEVSETS = os.environ.get("DIGITCLI_DEVSETS")
needs_devsets = pytest.mark.skipif(
    not DEVSETS, reason="DIGITCLI_DEVSETS names no folder of real development sets"
)


def devset(name: str) -> Path:
    """The folder of the development set `name` (`numbers`, `written_numbers` ...)."""
    return Path(DEVSETS, name)


def devset_file(name: str, pattern: str) -> Path:
    """The one picture of the development set `name` that `pattern` (a glob within its
    folder, its fold's folder first) finds."""
    (path,) = devset(name).glob(pattern)
    return path
