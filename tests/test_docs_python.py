"""Every example of docs/python.md runs as written: each ```python block as a script, and each
`python -c "..."` line of a ```bash block, in an empty folder with the repository's `docs/` and
`MNIST/` beside (what it writes goes there, never into the repository), with no model trained,
so that the default model is the bundled one. A block that trains is marked `trains`."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

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


def beside_the_repository(folder: Path) -> Path:
    """`folder`, made, with links to the repository's `docs/` and `MNIST/` in it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("docs", "MNIST"):
        (folder / name).symlink_to(REPO / name, target_is_directory=True)
    return folder


def cases() -> list:
    return [
        pytest.param(argv, id=name, marks=[pytest.mark.trains] if TRAINS in argv[-1] else [])
        for name, argv in examples()
    ]


TRAINS = "digitcli.train("


@pytest.mark.parametrize("argv", cases())
def test_example_runs(argv, tmp_path):
    env = subprocess_env(DIGITCLI_MODELS=str(tmp_path / "no-models"))
    cwd = beside_the_repository(tmp_path / "work")
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{argv[-1]}\n{done.stderr}"
    assert not (REPO / "quick").exists() and not (REPO / "mine").exists()


def test_every_command_is_shown_from_python():
    """The page calls each command's library function: predict, read, evaluate (on data),
    export, train, models and models use, serve."""
    code = "\n".join(argv[-1] for _, argv in examples())
    for call in (".predict(", ".read(", ".evaluate(data=", ".export(", TRAINS,
                 "digitcli.list_models()", "digitcli.use(", "create_app("):  # fmt: skip
        assert call in code, call
