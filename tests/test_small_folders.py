"""Fine-tuning on a small folder of one's own digits: no crash at any size or epoch count (a
clear error below the minimum), and a separate folder to validate on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_imagefolder import image_folder
from typer.testing import CliRunner

from digitcli.cli import app

runner = CliRunner()
QUICK = ["--no-deskew", "--augment", "0", "--no-calibrate"]


@pytest.mark.parametrize("arch", ["mlp", "mlp512", "cnn"])
@pytest.mark.parametrize("epochs", [1, 2])
def test_the_schedule_of_a_single_step_run(arch: str, epochs: int) -> None:
    from digitcli.core.config import train_config
    from digitcli.training.recipe import optimizer

    for steps in (1, 2, 3):
        rate = optimizer(train_config(arch, epochs=epochs), steps).learning_rate
        assert float(rate) > 0  # was: decay_steps must be > 0 (one step: all warm-up)


@pytest.mark.slow
def test_one_epoch_of_a_cnn_on_sixty_pictures(tmp_path: Path) -> None:
    root = image_folder(tmp_path / "mine", per_digit=6)
    args = ["train", "--arch", "cnn", "--epochs", "1", "--data", str(root), *QUICK]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output


def test_too_few_pictures_is_a_usage_error_naming_the_minimum(tmp_path: Path) -> None:
    root = image_folder(tmp_path / "mine", per_digit=1)
    result = runner.invoke(app, ["train", "--epochs", "1", "--data", str(root), *QUICK])
    assert result.exit_code == 2
    assert "at least 20" in result.stderr and "10 images" in result.stderr


@pytest.mark.slow
def test_validation_data_validates_and_tests_on_another_folder(tmp_path: Path) -> None:
    mine = image_folder(tmp_path / "mine", per_digit=5)
    other = image_folder(tmp_path / "other", per_digit=3, seed=4)
    args = ["train", "--epochs", "2", "--data", str(mine), "--validation-data", str(other)]
    result = runner.invoke(app, [*args, *QUICK, "-o", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    assert "images: 50 to fit, 30 to validate, 30 to test" in result.stderr
    data = json.loads((tmp_path / "model" / "metadata.json").read_text())["data"]
    assert (data["train_samples"], data["validation_samples"], data["test_samples"]) == (50, 30, 30)
    assert "other" in data["source"]
