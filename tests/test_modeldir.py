"""digitcli.models.modeldir: the versioned model directory; 0.1.0's directories still load the
same."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from digitcli.core.config import TrainConfig
from digitcli.core.errors import ModelError
from digitcli.models.modeldir import (
    BLACK_ON_WHITE,
    DIGITCLI_INPUT,
    FORMAT_VERSION,
    METADATA_FILE,
    InputConvention,
    Metadata,
    read_metadata,
)
from digitcli.models.runtimes import load_runtime, resolve_model

FIXTURES = Path(__file__).parent / "fixtures"
MODEL_0_1_0 = FIXTURES / "model-0.1.0"  # written by digitcli 0.1.0: format 1, no version field


def test_a_0_1_0_model_directory_is_migrated_on_read() -> None:
    raw = json.loads((MODEL_0_1_0 / METADATA_FILE).read_text())
    assert "format_version" not in raw and "preprocessing" in raw  # really the old format
    metadata = read_metadata(MODEL_0_1_0)
    assert metadata.format_version == FORMAT_VERSION
    assert metadata.input == DIGITCLI_INPUT
    assert metadata.labels == tuple("0123456789")
    assert metadata.config.layers == (16,) and metadata.arch == "mlp"
    assert (metadata.config.writers, metadata.config.calibrate) == (0.0, False)  # as 0.1.0 did
    assert metadata.metrics["test_accuracy"] == raw["metrics"]["test_accuracy"]
    assert metadata.history == raw["history"] and metadata.calibration == {}


@pytest.mark.parametrize("prefer", ["litert", "keras"])
def test_a_0_1_0_model_directory_predicts_what_it_predicted(prefer: str, tmp_path: Path) -> None:
    expected = np.load(FIXTURES / "model-0.1.0-expected.npz")
    model = Path(shutil.copytree(MODEL_0_1_0, tmp_path / "old"))
    runtime = load_runtime(resolve_model(model), prefer=prefer)
    assert runtime.name == prefer
    np.testing.assert_allclose(runtime.predict(expected["pixels"]), expected[prefer], atol=1e-6)


def test_metadata_round_trips_through_json(tmp_path: Path) -> None:
    metadata = Metadata(
        TrainConfig(arch="cnn", layers=(8, 16)),
        digitcli_version="9.9",
        input=InputConvention(range=(-1.0, 1.0), polarity=BLACK_ON_WHITE),
        labels=tuple("abcdefghij"),
        metrics={"test_accuracy": 0.5},
        calibration={"temperature": 1.5, "fitted_on": "validation split (6 images)"},
    )
    metadata.write(tmp_path)
    assert read_metadata(tmp_path) == metadata
    data = json.loads((tmp_path / METADATA_FILE).read_text())
    assert data["format_version"] == FORMAT_VERSION and data["input"]["range"] == [-1, 1]


def test_a_newer_format_is_refused_with_a_hint(tmp_path: Path) -> None:
    data = json.loads((MODEL_0_1_0 / METADATA_FILE).read_text())
    data["format_version"] = FORMAT_VERSION + 1
    (tmp_path / METADATA_FILE).write_text(json.dumps(data))
    with pytest.raises(ModelError, match="newer digitcli"):
        read_metadata(tmp_path)


@pytest.mark.parametrize(
    "convention",
    [InputConvention(range=(0.0, 1.0)), InputConvention(polarity=BLACK_ON_WHITE)],
)
def test_runtimes_feed_what_the_metadata_says(convention: InputConvention, tmp_path: Path) -> None:
    """A model whose metadata states another input convention is fed that convention: its
    answers on pixels equal the model's own answers on the pixels converted by hand."""
    from digitcli.models.model import load_keras_model

    model = Path(shutil.copytree(MODEL_0_1_0, tmp_path / "model"))
    metadata = replace(read_metadata(model), input=convention)
    metadata.write(model)
    pixels = np.load(FIXTURES / "model-0.1.0-expected.npz")["pixels"]
    by_hand = pixels.astype(np.float32)
    if convention.polarity == BLACK_ON_WHITE:
        by_hand = 255 - by_hand
    by_hand = by_hand / 255 * (convention.range[1] - convention.range[0]) + convention.range[0]
    keras_model = load_keras_model(model / "model.keras")
    expected = np.asarray(keras_model(by_hand, training=False))
    for prefer in ("litert", "keras"):
        runtime = load_runtime(resolve_model(model), prefer=prefer)
        assert runtime.input == convention
        np.testing.assert_allclose(runtime.predict(pixels), expected, atol=1e-5)


def test_metadata_records_the_digest_of_each_model_file_it_describes(tmp_path: Path) -> None:
    from digitcli.models.modeldir import BUNDLED_DIR, changed_file, sha256_of

    (tmp_path / "model.tflite").write_bytes(b"network one")
    Metadata(TrainConfig()).write(tmp_path)
    recorded = read_metadata(tmp_path).files
    assert recorded == {"model.tflite": sha256_of(tmp_path / "model.tflite")}
    assert changed_file(tmp_path, read_metadata(tmp_path)) is None
    (tmp_path / "model.tflite").write_bytes(b"network two")
    assert "model.tflite" in changed_file(tmp_path, read_metadata(tmp_path))
    assert changed_file(BUNDLED_DIR, read_metadata(BUNDLED_DIR)) is None


@pytest.mark.default_model
def test_a_model_whose_tflite_is_another_networks_is_neither_healthy_nor_run(
    tiny_model: Path,
) -> None:
    """Copying another model's model.tflite into a model directory made `models` list it with
    its own accuracy, `models use` accept it, and every command run the other network."""
    from typer.testing import CliRunner

    from digitcli.cli import app
    from digitcli.core.config import models_root

    runner = CliRunner()
    mine = Path(shutil.copytree(tiny_model, models_root() / "mine"))
    assert runner.invoke(app, ["models", "use", "mine"]).exit_code == 0
    shutil.copyfile(FIXTURES / "confident-mlp" / "model.tflite", mine / "model.tflite")

    listed = json.loads(runner.invoke(app, ["models", "--json"]).stdout)
    row = next(model for model in listed if model["name"] == "mine")
    assert "model.tflite" in row["problem"] and row["test_accuracy"] is None
    assert not row["default"]  # the bundled model answers instead, and says why
    used = runner.invoke(app, ["models", "use", "mine"])
    assert used.exit_code == 2 and "model.tflite" in used.stderr
    evaluated = runner.invoke(app, ["evaluate", str(mine)])
    assert evaluated.exit_code == 2
    assert evaluated.stderr.count("\n") == 1 and "model.tflite" in evaluated.stderr


def test_a_huge_metadata_file_is_not_read_whole(tmp_path: Path) -> None:
    """A 1 GB metadata.json (sparse: no disk) was read whole, 2.1 GB of memory for `models`."""
    with open(tmp_path / METADATA_FILE, "wb") as huge:
        huge.truncate(1 << 30)
    with pytest.raises(ModelError, match="over 16,777,216 bytes"):
        read_metadata(tmp_path)
