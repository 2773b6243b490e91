"""docs/distributed.md's example, saved as a script and run with `python`, answers; the same call
at a script's top level (no `if __name__ == "__main__":`) fails in a few lines that say why,
instead of hundreds of lines of "Nanny failed to start"."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, subprocess_env

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # starts a cluster of processes


def _example() -> str:
    """The first Python block of docs/distributed.md's Dask section."""
    text = (REPO / "docs" / "distributed.md").read_text()
    section = text[text.index("## Batch inference on a Dask cluster") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def _photos(folder) -> None:
    folder.mkdir()
    pixels = np.zeros((28, 28), np.uint8)
    pixels[6:22, 12:16] = 255
    Image.fromarray(pixels).save(folder / "one.png")


def _run(script, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "run.py"
    path.write_text(script)
    return subprocess.run(
        [sys.executable, str(path)], cwd=tmp_path, capture_output=True, text=True,
        timeout=300, env=subprocess_env(),
    )  # fmt: skip


def test_the_docs_example_runs_as_a_script(tmp_path) -> None:
    _photos(tmp_path / "photos")
    done = _run(_example(), tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    answers = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text().splitlines()]
    assert [answer["digit"] for answer in answers] == [1]


def test_a_script_without_the_guard_is_told_in_a_few_lines(tmp_path) -> None:
    _photos(tmp_path / "photos")
    script = (
        "import digitcli\n"
        "digitcli.distributed_predict('photos', 'answers.jsonl', model='bundled', workers=1)\n"
    )
    done = _run(script, tmp_path)
    assert done.returncode == 1
    assert 'if __name__ == "__main__":' in done.stderr
    assert len(done.stderr.splitlines()) <= 15, done.stderr
    assert not (tmp_path / "answers.jsonl").exists()
