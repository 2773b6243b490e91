"""`train --init bundled` without `--arch` trains all of it; with `--arch` its first network of
that kind, and another arch is named before any data is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.core.errors import UsageError

runner = CliRunner()


def _stop_before_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """`train` refuses at once, saying what it would have trained."""
    from digitcli.training import train

    def refuse(config, **_):
        raise UsageError(f"would train {config.arch} {list(config.layers)}")

    monkeypatch.setattr(train, "train", refuse)


def test_init_bundled_with_arch_cnn_trains_its_first_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stop_before_training(monkeypatch)  # without --arch: all of it (test_finetune_bundled.py)
    result = runner.invoke(app, ["train", "--init", "bundled", "--arch", "cnn"])
    assert "would train cnn [48, 96]" in result.stderr


def test_init_with_another_arch_names_the_arch_before_reading_data(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["train", "--init", "bundled", "--arch", "mlp", "--data", str(tmp_path / "nothing")]
    )
    assert result.exit_code == 2
    assert "--arch cnn" in result.stderr and "nothing" not in result.stderr
