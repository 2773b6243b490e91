"""A model just trained replaces the default only on a test that can judge it: 100 test images
or more (below that, one picture moves an accuracy by over 1%), none of them a copy of a
training picture (found by hashing each picture's pixels)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.models.defaults import copies_across, settle_default
from digitcli.models.modeldir import ChosenModel

from mnist_files import synthetic_digits, write_idx

runner = CliRunner()


def _before(tiny_model: Path) -> ChosenModel:
    return ChosenModel(tiny_model, "the default")


def _output() -> Path:
    from digitcli.core.config import models_root

    return models_root() / "new"


def test_two_test_pictures_do_not_change_the_default(tiny_model: Path) -> None:
    choice = settle_default(_output(), 1.0, _before(tiny_model), 0.5, 2)
    assert not choice.changed
    assert "too few to judge" in choice.sentence("new")
    assert "2 test images" in choice.sentence("new")


def test_test_pictures_copied_from_training_do_not_change_the_default(tiny_model: Path) -> None:
    choice = settle_default(_output(), 1.0, _before(tiny_model), 0.5, 200, copies=150)
    assert not choice.changed
    assert "150 of the 200 test images are copies of training pictures" in choice.sentence("new")


def test_a_fair_test_still_changes_it(tiny_model: Path) -> None:
    assert settle_default(_output(), 0.9, _before(tiny_model), 0.5, 200, copies=1).changed


def test_copies_are_found_by_their_pixels() -> None:
    x, _ = synthetic_digits(50, seed=2)
    test = np.concatenate([x[:7], synthetic_digits(5, seed=3)[0]])
    assert copies_across([x[:25], x[25:]], test) == 7
    assert copies_across([x[10:]], x[:10]) == 0


def test_train_on_a_test_set_copied_from_training_keeps_the_default(tmp_path: Path) -> None:
    """10,000 copies of one picture scored 1.0 on test copies of training pictures and became
    the default; here 200 test images, each a training picture."""
    x, y = synthetic_digits(600, seed=4)
    data = tmp_path / "copied"
    write_idx(data, train=(x, y), test=(x[:200], y[:200]))
    assert runner.invoke(app, ["models", "use", "bundled"]).exit_code == 0
    result = runner.invoke(
        app, ["train", "--data", str(data), "--epochs", "2", "--no-calibrate",
              "-o", "models/copied", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["default"]["changed"] is False
    assert "copies of training pictures" in result.stderr


def test_fine_tuning_on_twenty_pictures_warns_and_keeps_the_default(tmp_path: Path) -> None:
    """`train --init bundled` on 20 pictures: 2 test pictures, the warning docs/data.md
    promises, and the default (the bundled model) kept."""
    import pytest
    from test_imagefolder import image_folder

    pytest.importorskip("keras")
    mine = image_folder(tmp_path / "mine", per_digit=2)
    assert runner.invoke(app, ["models", "use", "bundled"]).exit_code == 0
    args = ["train", "--init", "bundled", "--data", str(mine), "--epochs", "1"]
    result = runner.invoke(app, [*args, "-o", "models/tuned", "--json"])
    assert result.exit_code == 0, result.output
    assert "fewer than 100 are too few to judge a model by" in result.stderr  # the warning
    assert json.loads(result.stdout)["default"]["changed"] is False
