"""How a `digitcli` process ends: everything written and flushed, atexit handlers run, and the
documented exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import subprocess_env
from mnist_files import STEEP, synthetic_digits

RUN_WITH_SENTINELS = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
{imports}
from digitcli.cli import run
run()
"""


def _images(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    x, _ = synthetic_digits(count, seed=3, classes=STEEP)
    paths = []
    for i, pixels in enumerate(x):
        path = folder / f"{i:03d}.png"
        Image.fromarray(np.asarray(pixels, dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def _command(args: list[str], imports: str = "") -> list[str]:
    return [sys.executable, "-c", RUN_WITH_SENTINELS.format(imports=imports), *args]


def _run(args: list[str], imports: str = "", **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        _command(args, imports),
        capture_output=True,
        text=True,
        env=subprocess_env(),
        **kwargs,
    )


def test_every_answer_reaches_a_file_and_atexit_handlers_run(tmp_path):
    paths = _images(tmp_path / "digits", 40)  # enough for the worker processes
    out = tmp_path / "answers.jsonl"
    with out.open("w") as stdout:  # a file: stdout is block-buffered, flushed only at the end
        done = subprocess.run(
            _command(["predict", *map(str, paths), "--format", "jsonl"]),
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(),
        )
    assert done.returncode == 0, done.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == len(paths)
    assert lines[-1].startswith('{"file": "') and lines[-1].endswith("}")
    assert "atexit ran" in done.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["predict", "missing.png"], 1),  # an input failed
        (["predict", "--top-k", "0"], 2),  # a usage error
        (["--version"], 0),
    ],
)
def test_exit_codes_come_through(tmp_path, args, code):
    done = _run(args, cwd=tmp_path)
    assert done.returncode == code, done.stderr
    assert "atexit ran" in done.stderr


def test_a_reader_that_left_before_the_last_flush_gives_141_quietly(tmp_path):
    paths = _images(tmp_path / "digits", 40)
    producer = subprocess.Popen(
        _command(["predict", *map(str, paths)]),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=subprocess_env(),
    )
    producer.stdout.close()  # the reader is gone before anything is written, like `| true`
    stderr = producer.stderr.read().decode()
    producer.wait(timeout=120)
    assert producer.returncode == 141, stderr
    assert "Exception ignored" not in stderr and "Traceback" not in stderr


def test_the_app_called_from_python_still_ends_with_system_exit():
    code = (
        "from digitcli.cli import app\n"
        "try:\n    app(['--version'])\nexcept SystemExit as done:\n"
        "    print('still running, code', done.code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "still running, code 0"
