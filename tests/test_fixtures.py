"""The checked-in fixture models (tests/fixtures/make_tiny_model.py) still fit this digitcli:
what they record is what `train` would write now, and they answer as they recorded. When one of
these fails, rebuild them: `python tests/fixtures/make_tiny_model.py`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from digitcli.core.config import TrainConfig
from digitcli.models.modeldir import (
    FORMAT_VERSION,
    HISTORY_FILE,
    KERAS_FILE,
    METADATA_FILE,
    TFLITE_FILE,
    read_metadata,
)
from digitcli.reports.evaluate import evaluate

from conftest import FIXTURES

# name: the settings make_tiny_model.py trains it with, as metadata.json's "config" holds them.
MODELS = {
    "tiny-mlp": {"arch": "mlp", "layers": [32, 16], "epochs": 2, "deskew": False, "fonts": 0.0},
    "confident-mlp": {"arch": "mlp", "layers": [32], "epochs": 10, "deskew": True},
}


def _metadata(name: str) -> dict:
    return json.loads((FIXTURES / name / METADATA_FILE).read_text())


@pytest.mark.parametrize("name", MODELS)
def test_a_fixture_model_has_this_digitclis_format(name: str) -> None:
    raw = _metadata(name)
    assert raw["format_version"] == FORMAT_VERSION, "rebuild: tests/fixtures/make_tiny_model.py"
    assert read_metadata(FIXTURES / name).to_json().keys() == raw.keys()
    assert set(raw["config"]) <= set(TrainConfig.__dataclass_fields__), "a setting was renamed"
    assert MODELS[name].items() <= raw["config"].items()
    assert {KERAS_FILE, TFLITE_FILE, METADATA_FILE, HISTORY_FILE} <= {
        path.name for path in (FIXTURES / name).iterdir()
    }
    for file in (KERAS_FILE, TFLITE_FILE):  # each file says what it takes, even alone
        manifest = json.loads(zipfile.ZipFile(FIXTURES / name / file).read("digitcli.json"))
        assert manifest["format_version"] == FORMAT_VERSION


@pytest.mark.parametrize("name", MODELS)
def test_a_fixture_model_answers_as_it_recorded(name: str, tiny_data: Path) -> None:
    """Both of its files still load and score `tiny_data` as training did (they were trained
    on the same images), so the data it was made from and the runtimes have not moved."""
    recorded = _metadata(name)["metrics"]["test_accuracy"]
    for prefer in ("litert", "keras"):
        assert evaluate(FIXTURES / name, tiny_data, prefer=prefer).accuracy == pytest.approx(
            recorded, abs=0.01
        )


@pytest.mark.parametrize("name", MODELS)
def test_a_fixture_model_names_no_machine_path(name: str) -> None:
    text = (FIXTURES / name / METADATA_FILE).read_text()
    assert "/tmp" not in text and "/home" not in text and "/work" not in text
