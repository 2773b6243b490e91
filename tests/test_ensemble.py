"""digitcli.training.ensemble: models read as one, written as a model directory every command
reads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.core.config import train_config
from digitcli.core.errors import UsageError
from digitcli.models.modeldir import read_metadata
from digitcli.models.runtimes import load_runtime, resolve_model

pytestmark = pytest.mark.trains

TINY = {"epochs": 2, "batch_size": 16, "learning_rate": 0.01, "deskew": False}


def _trained(folder: Path, tiny_data: Path, **settings: object) -> Path:
    from digitcli.training.train import train

    train(train_config("mlp", **{**TINY, **settings}), data=tiny_data, output=folder)
    return folder


@pytest.fixture(scope="module")
def members(tmp_path_factory: pytest.TempPathFactory, tiny_data: Path) -> list[Path]:
    """Two different networks trained on the same validation split (seed 0)."""
    folder = tmp_path_factory.mktemp("members")
    return [
        _trained(folder / "wide", tiny_data, layers=(32, 16)),
        _trained(folder / "narrow", tiny_data, layers=(16,), flags="short"),
    ]


def _geometric_mean(probabilities: list[np.ndarray], temperature: float) -> np.ndarray:
    logits = np.mean([np.log(p) for p in probabilities], axis=0) / temperature
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("temperature", [1.0, 2.5])
def test_the_average_is_the_geometric_mean_of_the_members(members, tiny_data, temperature):
    from digitcli.datasets.data import load_dataset
    from digitcli.models.model import load_keras_model
    from digitcli.training.ensemble import averaged

    x = load_dataset(tiny_data, role="test").test.x[:50]
    networks = [load_keras_model(member / "model.keras") for member in members]
    alone = [network.predict(x, verbose=0) for network in networks]
    together = averaged(networks, temperature).predict(x, verbose=0)
    np.testing.assert_allclose(together, _geometric_mean(alone, temperature), atol=1e-5)


def test_combine_writes_a_model_directory_every_command_reads(members, tiny_data, tmp_path):
    from digitcli.training.ensemble import combine

    output = tmp_path / "both"
    metadata = combine(members, output, data=tiny_data)
    assert sorted(p.name for p in output.iterdir()) == [
        "metadata.json", "model.keras", "model.tflite",
    ]  # fmt: skip
    record = json.loads((output / "metadata.json").read_text())
    assert [m["source"] for m in record["members"]] == ["wide", "narrow"]
    assert [m["config"]["layers"] for m in record["members"]] == [[32, 16], [16]]
    assert read_metadata(output).members == metadata.members and len(metadata.members) == 2
    assert record["calibration"]["temperature"] > 0

    done = CliRunner().invoke(app, ["evaluate", str(output), "--json"])
    assert done.exit_code == 0, done.output
    evaluated = json.loads(done.output)
    assert evaluated["accuracy"] == pytest.approx(record["metrics"]["test_accuracy"])
    # Its .tflite (what predict runs) answers as its .keras does.
    from digitcli.datasets.data import load_dataset

    x = load_dataset(tiny_data, role="test").test.x
    lite = load_runtime(resolve_model(output)).predict(x)
    keras_answer = load_runtime(resolve_model(output), prefer="keras").predict(x)
    assert (lite.argmax(1) == keras_answer.argmax(1)).mean() >= 0.99


def test_an_ensemble_exports_to_onnx_and_answers_alike(members, tiny_data, tmp_path):
    pytest.importorskip("tf2onnx")
    pytest.importorskip("onnxruntime")
    from digitcli.exporting.export import export_model
    from digitcli.training.ensemble import combine

    output = tmp_path / "both"
    combine(members, output, data=tiny_data)
    result = export_model(output, "onnx")
    assert result.verified and result.agreement == 1.0


def test_models_from_different_validation_splits_are_refused(members, tiny_data, tmp_path):
    from digitcli.training.ensemble import combine

    other_seed = _trained(tmp_path / "seed1", tiny_data, layers=(16,), seed=1)
    with pytest.raises(UsageError, match="different validation splits"):
        combine([members[0], other_seed], tmp_path / "out", data=tiny_data)
    with pytest.raises(UsageError, match="at least two"):
        combine(members[:1], tmp_path / "out", data=tiny_data)
    assert not (tmp_path / "out").exists()


def test_models_of_other_seeds_on_one_validation_seed_are_combined(members, tiny_data, tmp_path):
    from digitcli.training.ensemble import combine

    other_seed = _trained(tmp_path / "seed1", tiny_data, layers=(16,), seed=1, validation_seed=0)
    metadata = combine([members[0], other_seed], tmp_path / "out", data=tiny_data)
    assert [m["config"]["seed"] for m in metadata.members] == [0, 1]
    assert read_metadata(other_seed).config.validation_seed == 0
    other_split = _trained(tmp_path / "split1", tiny_data, layers=(16,), validation_seed=1)
    with pytest.raises(UsageError, match="different validation splits"):
        combine([members[0], other_split], tmp_path / "out2", data=tiny_data)


def test_fine_tuning_from_an_ensemble_starts_from_its_first_member(members, tiny_data, tmp_path):
    from digitcli.models.model import build_model, load_keras_model
    from digitcli.training.ensemble import combine
    from digitcli.training.recipe import start_from

    output = tmp_path / "both"
    combine(members, output, data=tiny_data)
    model = build_model(train_config("mlp", **{**TINY, "layers": (32, 16)}))
    start_from(model, str(output))
    first = load_keras_model(members[0] / "model.keras")
    for ours, theirs in zip(model.get_weights(), first.get_weights(), strict=True):
        assert np.array_equal(ours, theirs)


def test_a_model_without_a_temperature_is_refused_in_one_line(members, tiny_data, tmp_path):
    from digitcli.training.ensemble import combine

    uncalibrated = _trained(tmp_path / "plain", tiny_data, layers=(16,), calibrate=False)
    with pytest.raises(UsageError, match="no temperature"):
        combine([members[0], uncalibrated], tmp_path / "out", data=tiny_data)
    assert not (tmp_path / "out").exists()
