"""`predict DIR` on folders of digit folders says what it did not search, `--recursive` answers
all of it, and `evaluate --data DIR` names each picture it skipped and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app

from mnist_files import real_digits

runner = CliRunner()


def _digit_folders(root: Path, per_digit: int = 1) -> Path:
    """Dark real MNIST digits on light paper in root/0 .. root/9, nothing in root itself."""
    x, y = real_digits(per_digit, seed=5)
    for i, (pixels, digit) in enumerate(zip(x, y, strict=True)):
        folder = root / str(digit)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(255 - pixels, "L").resize((56, 56)).save(folder / f"{i:03d}.png")
    return root


@pytest.mark.parametrize("command", ["predict", "read"])
def test_a_folder_of_folders_says_its_sub_folders_were_not_searched(
    command: str, tiny_model: Path, tmp_path: Path
) -> None:
    root = _digit_folders(tmp_path / "mine")
    result = runner.invoke(app, [command, str(root), "--model", str(tiny_model)])
    assert result.exit_code == 2
    assert "sub-folders" in result.stderr and "--recursive" in result.stderr


@pytest.mark.parametrize("command", ["predict", "read"])
@pytest.mark.parametrize("flag", ["--recursive", "-r"])
def test_recursive_answers_every_image_in_the_sub_folders(
    command: str, flag: str, tiny_model: Path, tmp_path: Path
) -> None:
    root = _digit_folders(tmp_path / "mine")
    args = [command, flag, str(root), "--model", str(tiny_model), "--format", "jsonl"]
    result = runner.invoke(app, args)
    files = [json.loads(line)["file"] for line in result.stdout.splitlines()]
    assert files == sorted(str(p) for p in root.rglob("*.png"))


def test_evaluate_names_each_skipped_image_and_why(tiny_model: Path, tmp_path: Path) -> None:
    root = _digit_folders(tmp_path / "mine", per_digit=2)
    Image.new("L", (40, 40), 255).save(root / "3" / "blank.png")
    (root / "5" / "broken.png").write_bytes(b"not a png")
    result = runner.invoke(app, ["evaluate", str(tiny_model), "--data", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert any(
        str(root / "3" / "blank.png") in line and "no digit found: the image is blank" in line
        for line in lines
    )
    assert any(str(root / "5" / "broken.png") in line and "not an image" in line for line in lines)
    assert str(root / "3" / "blank.png") not in result.stdout
