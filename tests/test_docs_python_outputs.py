"""docs/python.md shows what its examples print (issue 88): each `print(...)  # OUTPUT` of a
```python block, OUTPUT without an elision ("..."), is a line the block prints."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from test_docs_python import TRAINS, beside_the_repository

from conftest import REPO, subprocess_env

PAGE = REPO / "docs" / "python.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
SHOWN = re.compile(r"^\s*print\(.*\)  # (.+)$", re.MULTILINE)


def blocks() -> list[tuple[str, list[str]]]:
    found = []
    for body in BLOCK.findall(PAGE.read_text()):
        shown = [line for line in SHOWN.findall(body) if "..." not in line]
        if shown:
            found.append((body, shown))
    return found


def cases() -> list:
    return [
        pytest.param(
            body, shown, id=shown[0][:30], marks=[pytest.mark.trains] if TRAINS in body else []
        )  # fmt: skip
        for body, shown in blocks()
    ]


@pytest.mark.parametrize("body,shown", cases())
def test_each_shown_output_is_printed(body: str, shown: list[str], tmp_path) -> None:
    env = subprocess_env(DIGITCLI_MODELS=str(tmp_path / "no-models"))
    cwd = beside_the_repository(tmp_path / "work")
    done = subprocess.run(
        [sys.executable, "-c", body], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=240,
    )  # fmt: skip
    printed = done.stdout.splitlines()
    for line in shown:
        assert line in printed, (line, printed)
