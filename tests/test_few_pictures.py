"""Fine-tuning on a few hundred pictures: training says how many images validate and test, and
warns when they are few; a perfect score has a loss of zero, not minus zero."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from digitcli.training.reporting import NullReporter

runner = CliRunner()


class _Notes(NullReporter):
    """A reporter that keeps the notes a run makes."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(text)


@pytest.mark.trains
def test_training_says_how_many_images_validate_and_test_and_warns_when_few(
    tiny_data: Path, tmp_path: Path
) -> None:
    from digitcli.core.config import train_config
    from digitcli.training.train import train

    config = train_config(
        "mlp", epochs=1, layers=(16,), deskew=False, fonts=0.0, validation_split=0.05
    )
    reporter = _Notes()
    train(config, data=tiny_data, output=tmp_path / "few", reporter=reporter)
    said = "\n".join(reporter.notes)
    assert "images: 570 to fit, 30 to validate, 200 to test" in said
    assert "warning: only 30 validation images" in said and "test images" not in said


def test_a_perfect_score_has_a_loss_of_zero_not_minus_zero() -> None:
    from digitcli.reports.evaluate import score

    labels = np.arange(10)
    loss = score(np.eye(10, dtype=np.float32), labels).loss
    assert loss == 0 and math.copysign(1.0, loss) == 1.0
