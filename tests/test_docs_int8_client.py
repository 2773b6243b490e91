"""docs/deploying.md's int8 LiteRT client runs against a fresh `tflite-int8` export and answers
as digitcli's own int8 runtime does (issue 88: the float client failed on it). An int8 export
takes a while: slow (`make test` runs it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES

DEPLOYING = Path(__file__).resolve().parent.parent / "docs" / "deploying.md"
RUN_DOCS_CLIENT = """
import sys
import numpy as np
snippet = open(sys.argv[1]).read()
for image in np.load(sys.argv[2]):
    exec(snippet, {"image": image})
assert "digitcli" not in sys.modules
"""

pytestmark = pytest.mark.slow


def test_the_int8_client_answers_like_digitcli(tiny_data: Path, tmp_path: Path) -> None:
    from digitcli.datasets.data import load_dataset
    from digitcli.exporting.export import export_model
    from digitcli.models.runtimes import load_runtime, resolve_model

    model = Path(shutil.copytree(FIXTURES / "confident-mlp", tmp_path / "model"))
    result = export_model(model, "tflite-int8", verify=False)
    assert result.path.name == "model-int8.tflite"
    blocks = [b.split("```")[0] for b in DEPLOYING.read_text().split("```python\n")[1:]]
    (client,) = [block for block in blocks if "model-int8.tflite" in block]
    images = load_dataset(tiny_data, role="test").test.x[:40]
    np.save(tmp_path / "images.npy", images)
    (tmp_path / "client.py").write_text(client)
    run = subprocess.run(
        [sys.executable, "-I", "-c", RUN_DOCS_CLIENT, tmp_path / "client.py",
         tmp_path / "images.npy"],
        capture_output=True, text=True, timeout=240, cwd=result.path.parent,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    expected = load_runtime(resolve_model(result.path)).predict(images).argmax(axis=1)
    assert [int(line) for line in run.stdout.split()] == expected.tolist()
