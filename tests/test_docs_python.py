"""Every example of docs/python.md runs as written, from the repository's root: each ```python
block as a script, and each `python -c "..."` line of a ```bash block (with no model trained,
so that the default model is the bundled one)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from conftest import REPO, subprocess_env

PAGE = REPO / "docs" / "python.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples() -> list[tuple[str, list[str]]]:
    """(id, argv) of each example: a python block's code, or a bash block's `python -c` lines
    (a line ending in a backslash goes on)."""
    found = []
    for number, (language, body) in enumerate(BLOCK.findall(PAGE.read_text()), start=1):
        if language == "python":
            found.append((f"block{number}", [sys.executable, "-c", body]))
        elif language == "bash":
            for line in body.replace("\\\n", " ").splitlines():
                if line.startswith("python -c"):
                    argv = shlex.split(line)
                    found.append((f"block{number}-{len(found)}", [sys.executable, *argv[1:]]))
    return found


def test_the_page_has_examples():
    kinds = [argv[1] for _, argv in examples()]
    assert len(kinds) >= 6 and "-c" in kinds


@pytest.mark.parametrize("argv", [argv for _, argv in examples()], ids=[i for i, _ in examples()])
def test_example_runs(argv, tmp_path):
    env = subprocess_env(DIGITCLI_MODELS=str(tmp_path / "no-models"))
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{argv[-1]}\n{done.stderr}"
