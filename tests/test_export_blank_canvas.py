"""Every export answers a blank canvas and a one-pixel one (what an app shows before drawing):
the int8 deskew's divisions crashed on them (issue "The first hour, round 2")."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from digitcli.core.errors import ExportError

runner = CliRunner()


def _blank_inputs() -> np.ndarray:
    """An empty canvas and one with a single white pixel: what an app shows before drawing."""
    blank = np.zeros((2, 28, 28), np.uint8)
    blank[1, 14, 14] = 255
    return blank


@pytest.fixture(scope="module")
def deskewing_keras_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained deskewing mlp as a .keras file: the deskew's divisions are what crashed."""
    from digitcli.core.config import train_config
    from digitcli.models.model import build_model

    path = tmp_path_factory.mktemp("deskewing") / "deskewing.keras"
    build_model(train_config("mlp", layers=(16,))).save(path)
    return path


def test_the_int8_deskew_answers_an_empty_and_a_one_pixel_canvas(
    deskewing_keras_file: Path, tiny_data: Path
) -> None:
    from ai_edge_litert.interpreter import Interpreter

    from digitcli.datasets.data import load_dataset
    from digitcli.models.model import load_keras_model, tflite_int8_bytes

    representative = load_dataset(tiny_data).train.x[:100]
    flatbuffer = tflite_int8_bytes(load_keras_model(deskewing_keras_file), representative)
    interpreter = Interpreter(model_content=flatbuffer)
    interpreter.allocate_tensors()
    for image in _blank_inputs():
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image[None])
        interpreter.invoke()  # raised "DIV ... data[i] != zero_point" before
        output = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
        assert output.shape == (1, 10)


@pytest.mark.parametrize(
    "fmt", ["keras", "savedmodel", "tflite", "tflite-f16", "tflite-int8", "onnx"]
)
def test_every_export_answers_blank_inputs(
    fmt: str, deskewing_keras_file: Path, tiny_data: Path, tmp_path: Path
) -> None:
    from digitcli.exporting.export import export_model
    from digitcli.models.runtimes import load_runtime, resolve_model

    if fmt == "onnx" and importlib.util.find_spec("tf2onnx") is None:
        pytest.skip("the onnx extra is not installed")
    source = Path(shutil.copy(deskewing_keras_file, tmp_path / "model.keras"))
    exported = export_model(source, fmt, data=tiny_data, verify=False)
    probabilities = load_runtime(resolve_model(exported.path)).predict(_blank_inputs())
    assert probabilities.shape == (2, 10) and np.isfinite(probabilities).all()


def test_the_exports_own_verification_feeds_blank_inputs(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export that crashes on an empty canvas is refused, and nothing is written."""
    from digitcli.exporting import export
    from digitcli.models.runtimes.litert import LiteRTRuntime

    model = Path(shutil.copytree(tiny_model, tmp_path / "model"))
    assert export.export_model(model, "tflite-f16").verified  # the tiny model itself passes
    original = LiteRTRuntime.predict

    def crashes_on_blank(self, images):
        if not np.asarray(images).any(axis=(1, 2)).all():
            raise RuntimeError("tflite/kernels/div.cc:262 data[i] != zero_point was not true.")
        return original(self, images)

    monkeypatch.setattr(LiteRTRuntime, "predict", crashes_on_blank)
    target = tmp_path / "crashes.tflite"
    with pytest.raises(ExportError, match="empty canvas|blank"):
        export.export_model(model, "tflite-f16", output=target)
    assert not target.exists()


def test_the_int8_model_card_says_its_output_is_uint8_with_a_scale(tiny_model: Path) -> None:
    from digitcli.exporting.export import FORMATS, ExportResult
    from digitcli.models.model_card import model_card

    result = ExportResult(
        "tflite-int8", Path("model-int8.tflite"), 1, tiny_model, input=FORMATS["tflite-int8"].input
    )
    card = model_card(result, None)
    output = card.split("## Output", 1)[1].split("##", 1)[0]
    assert "uint8" in output and "1/256" in output and "float" not in output
