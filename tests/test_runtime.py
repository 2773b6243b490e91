"""digitcli.models.runtimes and its engines: the same answers from every engine, and LiteRT
without TF."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitcli.core.errors import ModelError
from digitcli.core.litert import _dequantize, _quantize
from digitcli.models.modeldir import ModelRef
from digitcli.models.runtimes import load_runtime, resolve_model
from digitcli.models.runtimes.litert import LiteRTRuntime

REPO = Path(__file__).resolve().parent.parent

# Runs `python -m digitcli ARGS` in this process, then reports what it imported on stderr.
# Reported from an atexit handler, which runs as the process ends.
RUN_CLI_AND_REPORT = """
import atexit, runpy, sys
def report():
    heavy = sorted(n for n in ("tensorflow", "keras", "pydantic", "rich") if n in sys.modules)
    sys.stderr.write("\\nHEAVY=" + ",".join(heavy) + "\\n")
atexit.register(report)
sys.argv = ["digitcli", *sys.argv[1:]]
runpy.run_module("digitcli", run_name="__main__", alter_sys=True)
"""


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=120
    )


def _test_pixels(tiny_data: Path) -> tuple[np.ndarray, np.ndarray]:
    from digitcli.datasets.data import load_dataset

    test = load_dataset(tiny_data, role="test").test
    return test.x, test.y


def test_litert_answers_like_keras(tiny_model: Path, tiny_data: Path) -> None:
    x, _ = _test_pixels(tiny_data)
    ref = resolve_model(tiny_model)
    litert = load_runtime(ref)
    keras = load_runtime(ref, prefer="keras")
    assert (litert.name, keras.name) == ("litert", "keras")
    np.testing.assert_allclose(litert.predict(x), keras.predict(x), atol=1e-5)
    # Batches of any size, one image, and none at all.
    small = LiteRTRuntime(ref.tflite_file, batch_size=7)
    np.testing.assert_allclose(small.predict(x[:20]), keras.predict(x[:20]), atol=1e-5)
    assert small.predict(x[:1]).shape == (1, 10)
    assert small.predict(x[:0]).shape == (0, 10)


def test_litert_prediction_does_not_import_tensorflow(tiny_model: Path, tiny_data: Path) -> None:
    code = f"""
import json, sys
from digitcli.datasets.data import load_dataset
from digitcli.models.runtimes import load_runtime, resolve_model
x = load_dataset({str(tiny_data)!r}, role="test").test.x
runtime = load_runtime(resolve_model({str(tiny_model)!r}))
probabilities = runtime.predict(x[:5])
heavy = [name for name in ("tensorflow", "keras") if name in sys.modules]
print(json.dumps({{"runtime": runtime.name, "shape": probabilities.shape, "heavy": heavy}}))
"""
    done = _run(["-c", code])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"runtime": "litert", "shape": [5, 10], "heavy": []}


def test_evaluate_command_runs_tflite_without_tensorflow(tiny_model: Path, tiny_data: Path) -> None:
    args = ["evaluate", str(tiny_model), "--data", str(tiny_data), "--json"]
    done = _run(["-c", RUN_CLI_AND_REPORT, *args])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["runtime"] == "litert"
    assert done.stderr.strip().splitlines()[-1] == "HEAVY="


def test_cold_predict_in_a_pipe_imports_no_tensorflow_pydantic_or_rich(
    tiny_model: Path, tmp_path: Path
) -> None:
    """Typer 0.29 coerces every option through pydantic (110 ms of a 0.4 s cold predict); Rich
    draws nothing in a pipe (25 ms)."""
    image = tmp_path / "digit.png"
    Image.fromarray(np.full((28, 28), 255, np.uint8)).save(image)
    args = ["predict", str(image), "--model", str(tiny_model), "--top-k", "1", "--threshold", "0.5"]
    done = _run(["-c", RUN_CLI_AND_REPORT, *args, "--format", "jsonl"])
    assert done.returncode == 3, done.stderr  # a blank image: answered with no digit
    assert json.loads(done.stdout)["file"] == str(image)
    assert done.stderr.strip().splitlines()[-1] == "HEAVY="


def test_a_model_directory_is_run_without_opening_its_files_manifest(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """metadata.json says how the directory's model reads pixels; the manifest packed in its
    .tflite (a zip to import and open: ~3 ms of a cold predict) is for a file on its own."""
    import digitcli.models.runtimes.litert as litert

    def opened(path: Path) -> None:
        raise AssertionError(f"opened the manifest of {path}")

    monkeypatch.setattr(litert, "zip_manifest", opened)
    runtime = load_runtime(tiny_model)
    assert isinstance(runtime, LiteRTRuntime)
    assert runtime.predict(np.zeros((2, 28, 28), np.uint8)).shape == (2, 10)


def test_onnx_prediction_does_not_import_tensorflow(
    tiny_model: Path, tiny_data: Path, tmp_path: Path
) -> None:
    pytest.importorskip("tf2onnx")
    pytest.importorskip("onnxruntime")
    from digitcli.exporting.export import export_model

    exported = export_model(tiny_model, "onnx", tmp_path / "tiny.onnx", verify=False)
    x, _ = _test_pixels(tiny_data)
    np.save(tmp_path / "x.npy", x)
    code = f"""
import json, sys
import numpy as np
from digitcli.models.runtimes import load_runtime, resolve_model
runtime = load_runtime(resolve_model({str(exported.path)!r}))
np.save({str(tmp_path / "p.npy")!r}, runtime.predict(np.load({str(tmp_path / "x.npy")!r})))
print(json.dumps([runtime.name, "tensorflow" in sys.modules]))
"""
    done = _run(["-c", code])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["onnxruntime", False]
    expected = load_runtime(resolve_model(tiny_model), prefer="keras").predict(x)
    np.testing.assert_allclose(np.load(tmp_path / "p.npy"), expected, atol=1e-5)


def test_savedmodel_runtime_loads_a_directory(tiny_model: Path, tmp_path: Path) -> None:
    from digitcli.exporting.export import export_model

    exported = export_model(tiny_model, "savedmodel", tmp_path / "served", verify=False)
    ref = resolve_model(exported.path)
    assert ref.kind == "savedmodel"
    runtime = load_runtime(ref)
    pixels = np.zeros((3, 28, 28), np.uint8)
    expected = load_runtime(resolve_model(tiny_model), prefer="keras").predict(pixels)
    assert runtime.name == "savedmodel"
    np.testing.assert_allclose(runtime.predict(pixels), expected, atol=1e-6)


@pytest.mark.parametrize("suffix", [".tflite", ".onnx"])
def test_a_file_that_is_not_a_model_is_a_model_error(tmp_path: Path, suffix: str) -> None:
    if suffix == ".onnx":
        pytest.importorskip("onnxruntime")
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(b"not a model at all" * 10)
    with pytest.raises(ModelError, match="not a loadable"):
        load_runtime(ModelRef(path, suffix[1:], None))


def test_savedmodel_without_a_model_is_a_model_error(tmp_path: Path) -> None:
    folder = tmp_path / "served"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"garbage")
    with pytest.raises(ModelError):
        load_runtime(resolve_model(folder))


def test_quantised_tensors_round_trip() -> None:
    uint8_in = {"dtype": np.uint8, "quantization": (1.0, 0)}
    pixels = np.array([[0, 1, 128, 255]], np.uint8)
    np.testing.assert_array_equal(_quantize(pixels, uint8_in), pixels)
    int8_in = {"dtype": np.int8, "quantization": (1.0, -128)}
    np.testing.assert_array_equal(_quantize(pixels, int8_in), [[-128, -127, 0, 127]])
    float_in = {"dtype": np.float32, "quantization": (0.0, 0)}
    assert _quantize(pixels, float_in).dtype == np.float32
    uint8_out = {"dtype": np.uint8, "quantization": (1 / 256, 0)}
    np.testing.assert_allclose(
        _dequantize(np.array([0, 128, 255], np.uint8), uint8_out), [0, 0.5, 255 / 256]
    )


def test_bundled_model_answers_when_none_is_trained() -> None:
    from digitcli.models.modeldir import BUNDLED_DIR

    ref = resolve_model(None)  # the isolated models folder is empty
    assert ref.path == BUNDLED_DIR and ref.metadata.metrics["test_accuracy"] > 0.99
    runtime = load_runtime(ref)
    assert runtime.name == "litert"
    probabilities = runtime.predict(np.zeros((2, 28, 28), np.uint8))
    assert probabilities.shape == (2, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-3)
