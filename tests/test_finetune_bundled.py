"""`train --init bundled` fine-tunes the bundled model as it is, all its networks, with a
rehearsal share of MNIST's digits (training/finetune.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_imagefolder import image_folder
from typer.testing import CliRunner

from digitcli.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()


def test_init_bundled_tunes_every_network_with_mnist_rehearsed(tmp_path: Path) -> None:
    from digitcli.models.modeldir import read_metadata

    mine = image_folder(tmp_path / "mine", per_digit=6)
    args = ["train", "--init", "bundled", "--data", str(mine), "--epochs", "1"]
    result = runner.invoke(app, [*args, "--rehearsal", "0.5", "-o", "models/tuned", "--json"])
    assert result.exit_code == 0, result.output
    assert "of MNIST's training digits (--rehearsal 0.5)" in result.stderr
    metadata = read_metadata(Path("models/tuned"))
    assert metadata.networks == ("cnn", "cnn", "mlp")  # all of the bundled model's networks
    assert metadata.config.init == "bundled" and metadata.data["rehearsal"] == 0.5
    assert json.loads(result.stdout)["epochs"] == 1
    answered = runner.invoke(app, ["predict", "--model", "models/tuned", "-f", "json", str(
        next((mine / "3").iterdir()))])  # fmt: skip
    assert answered.exit_code in (0, 3), answered.output


def test_too_few_digits_to_fine_tune_is_a_usage_error(tmp_path: Path) -> None:
    mine = image_folder(tmp_path / "mine", per_digit=1)
    result = runner.invoke(app, ["train", "--init", "bundled", "--data", str(mine)])
    assert result.exit_code == 2 and "at least 20" in result.stderr


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--augment", "0.3"], "--augment"),
        (["--teacher", "bundled", "--no-deskew"], "--no-deskew, --teacher"),
        (["--resume"], "--resume"),
        (["--no-calibrate"], "--no-calibrate"),
    ],
)
def test_options_a_fine_tune_of_the_bundled_model_does_not_take_are_refused(
    extra: list[str], named: str
) -> None:
    """`--init bundled --augment 0.3` fine-tuned without a word about --augment."""
    result = runner.invoke(app, ["train", "--init", "bundled", "--data", "nowhere", *extra])
    assert result.exit_code == 2
    assert f"does not take {named}:" in result.stderr, result.stderr
