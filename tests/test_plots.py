"""The pictures: every one opened with Pillow, its size checked, and checked not to be blank."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageStat
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.reports.evaluate import evaluate_with_predictions
from digitcli.reports.plots import (
    most_confident_mistakes,
    save_confusion,
    save_curves,
    save_mistakes,
    save_training_pictures,
)

from conftest import subprocess_env

runner = CliRunner()

HISTORY = {
    "loss": [0.9, 0.5, 0.3, 0.25, 0.2],
    "accuracy": [0.7, 0.85, 0.9, 0.93, 0.95],
    "val_loss": [0.6, 0.4, 0.35, 0.36, 0.38],
    "val_accuracy": [0.8, 0.88, 0.91, 0.9, 0.905],
    "learning_rate": [1e-3, 8e-4, 5e-4, 2e-4, 0.0],
    "seconds": [1.0, 1.0, 1.0, 1.0, 1.0],
}


def assert_picture(path: Path, size: tuple[int, int]) -> Image.Image:
    """A PNG of exactly `size` pixels with real content: many colours, not one flat tone."""
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == size
        rgb = image.convert("RGB")
    colours = rgb.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20, "picture has almost no colours"
    most_common = max(count for count, _ in colours)
    assert most_common < 0.97 * size[0] * size[1], "picture is nearly all one colour"
    assert max(ImageStat.Stat(rgb).stddev) > 10, "picture is nearly flat"
    return rgb


def mistakes_data(n: int = 60, wrong: int = 15, seed: int = 0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n)
    probabilities = np.full((n, 10), 0.01)
    predicted = labels.copy()
    predicted[:wrong] = (labels[:wrong] + 1) % 10
    probabilities[np.arange(n), predicted] = rng.uniform(0.5, 0.91, n)
    return images, labels, probabilities


def test_curves_show_both_runs_and_the_best_epoch(tmp_path):
    path = tmp_path / "curves.png"
    save_curves(HISTORY, 3, path)
    image = assert_picture(path, (1200, 480))
    pixels = np.asarray(image).reshape(-1, 3).astype(int)
    for colour in ((0x1F, 0x77, 0xB4), (0xFF, 0x7F, 0x0E), (0x2C, 0xA0, 0x2C)):
        # training, validation and the best-epoch marker are each drawn
        assert (np.abs(pixels - colour).sum(axis=1) < 30).sum() > 50


def test_curves_without_a_validation_split(tmp_path):
    history = dict(HISTORY, val_loss=[math.nan] * 5, val_accuracy=[math.nan] * 5)
    save_curves(history, 5, tmp_path / "curves.png")
    assert_picture(tmp_path / "curves.png", (1200, 480))


def test_confusion_matrix_picture(tmp_path):
    matrix = np.diag([980, 1130, 1020, 1000, 970, 880, 950, 1020, 960, 1000])
    matrix[7, 2], matrix[9, 4], matrix[5, 3] = 9, 7, 3
    save_confusion(matrix, tmp_path / "confusion.png")
    image = assert_picture(tmp_path / "confusion.png", (840, 744))
    pixels = np.asarray(image).reshape(-1, 3).astype(int)
    greens = (pixels[:, 1] > pixels[:, 0] + 60) & (pixels[:, 1] > pixels[:, 2] + 30)
    reds = (pixels[:, 0] > pixels[:, 1] + 80) & (pixels[:, 0] > pixels[:, 2] + 80)
    assert greens.sum() > 10 * 2000 and reds.sum() > 2000  # ten green cells, red mistakes


def test_most_confident_mistakes_come_first():
    labels = np.array([0, 1, 2, 3, 4])
    probabilities = np.full((5, 10), 0.0)
    probabilities[np.arange(5), [1, 1, 3, 4, 4]] = [0.6, 0.99, 0.9, 0.7, 0.8]
    assert most_confident_mistakes(labels, probabilities, 10).tolist() == [2, 3, 0]
    assert most_confident_mistakes(labels, probabilities, 2).tolist() == [2, 3]
    assert most_confident_mistakes(labels, probabilities, 0).tolist() == []


def test_mistakes_grid(tmp_path):
    images, labels, probabilities = mistakes_data(wrong=15)
    path = tmp_path / "staging-without-suffix"  # atomic writes pass such names
    assert save_mistakes(images, labels, probabilities, path) == 15
    assert_picture(path, (1200, 756))  # six columns, three rows


def test_mistakes_limit_and_none(tmp_path):
    images, labels, probabilities = mistakes_data(wrong=15)
    assert save_mistakes(images, labels, probabilities, tmp_path / "few.png", limit=4) == 4
    assert Image.open(tmp_path / "few.png").size == (816, 300)  # one row of four
    _, _, right = mistakes_data(wrong=0)
    assert save_mistakes(images, labels, right, tmp_path / "none.png") == 0
    with Image.open(tmp_path / "none.png") as image:
        assert image.size == (240, 300)
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 5  # says "no mistakes"


def test_training_pictures_of_a_trained_model(tiny_model, tiny_data, tmp_path):
    metadata = json.loads((tiny_model / "metadata.json").read_text())
    evaluation, _ = evaluate_with_predictions(tiny_model, tiny_data)
    written = save_training_pictures(
        tmp_path,
        metadata["history"],
        metadata["metrics"]["best_epoch"],
        evaluation.confusion_matrix,
    )
    assert written == [tmp_path / "curves.png", tmp_path / "confusion.png"]
    assert_picture(written[0], (1200, 480))
    assert_picture(written[1], (840, 744))


def test_importing_the_picture_modules_loads_neither_matplotlib_nor_tensorflow():
    code = (
        "import sys, digitcli.reports.plots, digitcli.reports.report\n"
        "import digitcli.training.tensorboard\n"
        "heavy = [m for m in ('matplotlib', 'tensorflow', 'keras') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=subprocess_env(), timeout=60)


def test_evaluate_save_mistakes(tiny_model):
    result = runner.invoke(app, ["evaluate", str(tiny_model), "--save-mistakes", "wrong.png"])
    assert result.exit_code == 0, result.output
    assert "wrote wrong.png" in result.output
    with Image.open("wrong.png") as image:
        assert_picture(Path("wrong.png"), image.size)
    assert not [p for p in Path().iterdir() if p.name.startswith(".")]  # no temporary left

    again = runner.invoke(app, ["evaluate", str(tiny_model), "--save-mistakes", "wrong.png"])
    assert again.exit_code == 2
    assert "already exists" in again.output
    forced = ["evaluate", str(tiny_model), "--save-mistakes", "wrong.png", "--force", "--json"]
    result = runner.invoke(app, forced)
    assert result.exit_code == 0, result.output


def test_evaluate_save_mistakes_wants_png(tiny_model):
    result = runner.invoke(app, ["evaluate", str(tiny_model), "--save-mistakes", "wrong.jpg"])
    assert result.exit_code == 2
    assert "PNG" in result.output
    assert not Path("wrong.jpg").exists()
