"""The HTML report: written whole, self-contained, and drawn by a real headless browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.reports.evaluate import Evaluation, Predictions, evaluate_with_predictions, score
from digitcli.reports.report import REPORT_FILE, write_report

runner = CliRunner()
WINDOW = (1200, 4200)  # tall enough for the drawn confusion matrix at the foot
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_report_of_a_trained_model_is_self_contained(tiny_model, tiny_data, tmp_path):
    evaluation, predictions = evaluate_with_predictions(tiny_model, tiny_data)
    written = write_report(tmp_path / "report", evaluation, predictions)
    names = [path.name for path in written]
    assert names == [
        "curves.png", "confusion.png", "mistakes.png", "reliability.png", REPORT_FILE
    ]  # fmt: skip
    for path in written[:4]:
        with Image.open(path) as image:
            assert image.format == "PNG" and min(image.size) > 200

    page = (tmp_path / "report" / REPORT_FILE).read_text()
    assert page.count('src="data:image/png;base64,') == 4
    assert f"<td>{evaluation.ece:.4f}</td>" in page  # ECE beside accuracy
    assert "reliability diagram" in page
    assert not re.search(r'(src|href)="(?!data:)', page)  # nothing fetched from elsewhere
    assert "<link" not in page and "<script" not in page
    assert f"{evaluation.accuracy * 100:.2f}%" in page
    for digit_score in evaluation.per_class:
        assert f"<td>{digit_score.precision:.4f}</td>" in page
    assert page.count('<td class="correct">') == 10  # the confusion matrix as a table too


def test_report_of_an_exported_file_has_no_curves(tiny_model, tiny_data, tmp_path):
    evaluation, predictions = evaluate_with_predictions(tiny_model / "model.tflite", tiny_data)
    written = write_report(tmp_path / "report", evaluation, predictions)
    names = [path.name for path in written]
    assert names == ["confusion.png", "mistakes.png", "reliability.png", REPORT_FILE]
    assert (tmp_path / "report" / REPORT_FILE).read_text().count("data:image/png") == 3


def test_evaluate_report_option(tiny_model):
    result = runner.invoke(app, ["evaluate", str(tiny_model), "--report", "out", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("out").iterdir()) == [
        "confusion.png",
        "curves.png",
        "mistakes.png",
        "reliability.png",
        REPORT_FILE,
    ]
    assert not [p for p in Path().iterdir() if p.name.startswith(".")]  # no staging left

    again = runner.invoke(app, ["evaluate", str(tiny_model), "--report", "out"])
    assert again.exit_code == 2
    assert "already exists" in again.output
    (Path("out") / "stale.txt").write_text("from before")
    forced = runner.invoke(app, ["evaluate", str(tiny_model), "--report", "out", "--force"])
    assert forced.exit_code == 0, forced.output
    assert not (Path("out") / "stale.txt").exists()  # replaced whole


def test_existing_output_is_refused_before_evaluating(tmp_path):
    Path("taken.png").write_bytes(b"mine")
    missing_model = tmp_path / "no-such-model"
    result = runner.invoke(app, ["evaluate", str(missing_model), "--save-mistakes", "taken.png"])
    assert result.exit_code == 2
    assert "taken.png already exists" in result.output
    assert Path("taken.png").read_bytes() == b"mine"


@pytest.mark.browser  # a browser starts in seconds: the full suite only
@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium; .ci/run installs it)",
)
def test_report_renders_in_a_headless_browser(tiny_model, tiny_data, tmp_path):
    evaluation, predictions = _nine_in_ten_right(tiny_model, tiny_data)
    write_report(tmp_path / "report", evaluation, predictions)
    screenshot = tmp_path / "screenshot.png"
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--screenshot={screenshot}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        (tmp_path / "report" / REPORT_FILE).as_uri(),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert screenshot.is_file(), f"no screenshot; chromium said: {finished.stderr[-2000:]}"

    with Image.open(screenshot) as image:
        assert image.size == WINDOW
        pixels = np.asarray(image.convert("RGB")).astype(int)
    white = (pixels > 245).all(axis=2)
    assert white.mean() < 0.97, "the page rendered (nearly) blank"
    # The pictures were decoded and drawn: the MNIST digits' black squares, the green diagonal.
    black = (pixels < 20).all(axis=2)
    green = (pixels[..., 1] > pixels[..., 0] + 60) & (pixels[..., 1] > pixels[..., 2] + 30)
    assert black.sum() > 10_000, "the mistakes picture is not on the page"
    # The table's ten green cells alone make about 10,000 pixels; the drawn matrix adds 28,000.
    assert green.sum() > 20_000, "the drawn confusion matrix is not on the page"


def _nine_in_ten_right(model: Path, data: Path) -> tuple[Evaluation, Predictions]:
    """A report's inputs that do not depend on how well the two-epoch tiny model learned:
    every tenth image answered with the next digit, the rest right, confidence 0.9."""
    _, real = evaluate_with_predictions(model, data)
    answers = real.labels.copy()
    answers[::10] = (answers[::10] + 1) % 10
    probabilities = np.full((len(answers), 10), 0.1 / 9)
    probabilities[np.arange(len(answers)), answers] = 0.9
    evaluation = score(probabilities, real.labels, model=str(model), runtime="keras")
    return evaluation, Predictions(real.images, real.labels, probabilities)
