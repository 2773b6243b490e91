"""The default model is the user's choice: a new model replaces it only when it reads the same
test images at least as well, or when asked (`train --make-default`, `models use`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digitcli.cli import app

runner = CliRunner()


def _models(*args: str) -> list[dict]:
    result = runner.invoke(app, ["models", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _default() -> str:
    return next(model["name"] for model in _models() if model["default"])


def _copy(tiny_model: Path, name: str) -> Path:
    from digitcli.core.config import models_root

    return Path(shutil.copytree(tiny_model, models_root() / name))


def test_models_use_makes_a_model_the_default_and_back_to_bundled(tiny_model: Path) -> None:
    from digitcli.core.config import models_root

    _copy(tiny_model, "mine")
    _copy(tiny_model, "newer")
    assert runner.invoke(app, ["models", "use", "mine"]).exit_code == 0
    assert _default() == "mine"  # not the newer one: the choice is kept
    recorded = json.loads((models_root() / "default.json").read_text())
    assert recorded == {"model": "mine"}
    assert not [p for p in models_root().iterdir() if p.name.startswith(".default")]
    used = runner.invoke(app, ["models", "use", "bundled"])
    assert used.exit_code == 0 and "bundled" in used.stderr
    assert _default() == "bundled"
    missing = runner.invoke(app, ["models", "use", "nothing-here"])
    assert missing.exit_code == 2 and "nothing-here" in missing.stderr
    assert _default() == "bundled"


def test_a_default_that_is_deleted_leaves_the_bundled_model(tiny_model: Path) -> None:
    chosen = _copy(tiny_model, "mine")
    _copy(tiny_model, "other")
    assert runner.invoke(app, ["models", "use", "mine"]).exit_code == 0
    shutil.rmtree(chosen)
    assert _default() == "bundled"


def test_models_shows_each_accuracy_with_the_size_of_its_test_set(tiny_model: Path) -> None:
    from digitcli.models.modeldir import read_metadata

    _copy(tiny_model, "mine")
    tested = read_metadata(tiny_model).data["test_samples"]
    listed = {model["name"]: model for model in _models()}
    assert listed["mine"]["test_samples"] == tested
    assert listed["bundled"]["test_samples"] == 10000
    rows = runner.invoke(app, ["models"]).stdout.splitlines()
    mine = next(row.split("\t") for row in rows if row.startswith("mine\t"))
    assert mine[-1] == str(tested)


@pytest.mark.slow
def test_train_keeps_a_better_default_and_says_why(tiny_model: Path) -> None:
    _copy(tiny_model, "good")
    assert runner.invoke(app, ["models", "use", "good"]).exit_code == 0
    weak = ["train", "--epochs", "1", "--learning-rate", "1e-7", "--no-calibrate"]
    result = runner.invoke(app, [*weak, "-o", "models/weak", "--json"])
    assert result.exit_code == 0, result.output
    assert _default() == "good"
    said = [line for line in result.stderr.splitlines() if "stays the default" in line]
    assert len(said) == 1 and "good" in said[0] and "--make-default" in said[0]
    assert json.loads(result.stdout)["default"]["changed"] is False
    asked = runner.invoke(app, [*weak, "-o", "models/asked", "--make-default", "-q"])
    assert asked.exit_code == 0, asked.output
    assert _default() == "asked"
