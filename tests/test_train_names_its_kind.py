"""`train` names what it trains by the model's real kind: the bundled model fine-tuned as it
is is `cnn+cnn+mlp` (its networks), not `cnn` (its config's first network), in the line that
starts the run, the result's table and its JSON (issue 88)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_imagefolder import image_folder
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.models.modeldir import BUNDLED_DIR, read_metadata
from digitcli.terminal.console import train_summary_table, training_line
from digitcli.training.reporting import TrainResult

runner = CliRunner()


@pytest.mark.trains
def test_a_fine_tune_of_the_bundled_model_says_cnn_cnn_mlp(tmp_path: Path) -> None:
    mine = image_folder(tmp_path / "mine", per_digit=6)
    args = ["train", "--init", "bundled", "--data", str(mine), "--epochs", "1", "--json"]
    result = runner.invoke(app, [*args, "-o", "models/tuned"])
    assert result.exit_code == 0, result.output
    assert "Training cnn+cnn+mlp for 1 epoch" in result.stderr
    assert json.loads(result.stdout)["arch"] == "cnn+cnn+mlp"


def test_the_result_table_names_every_network() -> None:
    """The result of a run whose model directory has the bundled model's networks."""
    import numpy as np

    from digitcli.reports.evaluate import score

    config = read_metadata(BUNDLED_DIR).config  # arch: "cnn", the first network's
    test = score(np.eye(10), np.arange(10), model="bundled", runtime="litert")
    history = {"loss": [1.0], "val_accuracy": [0.5]}
    result = TrainResult(BUNDLED_DIR, config, test, 1.0, history, 1)
    assert result.kind == "cnn+cnn+mlp" and result.to_json()["arch"] == "cnn+cnn+mlp"
    table = train_summary_table(result)
    assert list(table.columns[0].cells) == ["cnn+cnn+mlp"]


def test_the_training_line_names_the_kind_given() -> None:
    config = read_metadata(BUNDLED_DIR).config
    assert training_line(config, 10, "cnn+cnn+mlp").startswith("Training cnn+cnn+mlp for ")
    assert training_line(config, 10).startswith("Training cnn for ")
