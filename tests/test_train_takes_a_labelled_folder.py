"""`train --data DIR` takes a flat folder of pictures with a `labels.csv`, as `evaluate`
does (its data check used to ask such a folder for sub-folders 0/ to 9/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from test_imagefolder import image_folder
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.core.errors import DataError
from digitcli.datasets.data import check_data

runner = CliRunner()
QUICK = ["--no-deskew", "--augment", "0", "--no-calibrate"]


def flattened(tmp_path: Path, per_digit: int) -> Path:
    """The pictures of an image folder 0/ .. 9/, moved into one flat folder with labels.csv."""
    nested = image_folder(tmp_path / "nested", per_digit=per_digit)
    flat = tmp_path / "flat"
    flat.mkdir()
    rows = ["file,label"]
    for picture in sorted(nested.glob("*/*.png")):
        name = f"{picture.parent.name}-{picture.name}"
        Image.open(picture).save(flat / name)
        rows.append(f"{name},{picture.parent.name}")
    (flat / "labels.csv").write_text("\n".join(rows) + "\n")
    return flat


def test_the_data_check_takes_a_labelled_folder(tmp_path: Path) -> None:
    check_data(flattened(tmp_path, per_digit=2))  # was: "no folder for digits 0, 1, ..."


def test_the_data_check_still_names_a_bad_label(tmp_path: Path) -> None:
    flat = flattened(tmp_path, per_digit=2)
    (flat / "labels.csv").write_text("file,label\n0-0.png,twelve\n")
    with pytest.raises(DataError, match="line 2: label 'twelve' is not a digit"):
        check_data(flat)


@pytest.mark.slow
def test_one_epoch_on_a_labelled_folder(tmp_path: Path) -> None:
    flat = flattened(tmp_path, per_digit=6)
    args = ["train", "--arch", "mlp", "--epochs", "1", "--data", str(flat), *QUICK]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "model" / "metadata.json").read_text())["data"]
    assert data["train_samples"] + data["validation_samples"] + data["test_samples"] == 60
