"""What `train --resume` says of a checkpoint it cannot use: which file is damaged, and how to
start over (exit 2), never "unexpected JSONDecodeError" or "File not found" for a file that is
there."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from digitcli.core.config import train_config
from digitcli.core.errors import UsageError
from digitcli.datasets.data import load_dataset

from inprocess import digitcli

EPOCHS = 3


def checkpoint_of(output, tiny_data, tiny_model):
    """The checkpoint an interrupted `train --epochs 3 --output OUTPUT` leaves after one epoch."""
    folder = output.parent / f"{output.name}.checkpoint"
    folder.mkdir(parents=True)
    config = train_config("mlp", epochs=EPOCHS)
    state = {
        "config": config.to_dict(),
        "epoch": 1,
        "history": {key: [0.5] for key in ("loss", "accuracy", "val_loss", "val_accuracy")},
        "best_epoch": 1,
        "best_score": [0.5, -0.5],
        "train_seconds": 1.0,
        "data": load_dataset(tiny_data, role="train").files,
    }
    (folder / "state.json").write_text(json.dumps(state))
    shutil.copy(tiny_model / "model.keras", folder / "model.keras")
    np.savez(folder / "best-weights.npz", np.zeros(3))
    return folder, config


def truncated(path):
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 3)])


@pytest.mark.parametrize("damaged", ["state.json", "model.keras", "best-weights.npz"])
def test_a_damaged_checkpoint_file_is_named_with_how_to_start_over(
    damaged, tmp_path, tiny_data, tiny_model
):
    from digitcli.training.train import train

    output = tmp_path / "m"
    folder, config = checkpoint_of(output, tiny_data, tiny_model)
    truncated(folder / damaged)
    with pytest.raises(UsageError) as raised:
        train(config, data=tiny_data, output=output, resume=True)
    said = str(raised.value)
    assert str(folder / damaged) in said and "damaged" in said
    assert "--force" in said
    assert (folder / damaged).exists()  # nothing is deleted unasked


def test_the_cli_names_a_damaged_state_file(tmp_path, tiny_data, tiny_model):
    output = tmp_path / "m"
    folder, _ = checkpoint_of(output, tiny_data, tiny_model)
    truncated(folder / "state.json")
    done = digitcli(
        "train", "--epochs", str(EPOCHS), "--output", str(output), "--resume", text=True
    )
    assert done.returncode == 2, done.stderr
    assert "unexpected" not in done.stderr and "state.json" in done.stderr


@pytest.mark.slow  # trains
def test_sigterm_while_the_model_directory_is_written_is_said(tmp_path, tiny_data, monkeypatch):
    """A SIGTERM during the final save no longer ends the run at once with 143 and no word: the
    model directory is written whole, then the run says it was stopped."""
    import os
    import signal

    from digitcli.core.errors import TrainingInterrupted
    from digitcli.training import train as training

    real = training._Run._write_model_dir

    def terminated_while_writing(run):
        os.kill(os.getpid(), signal.SIGTERM)
        return real(run)

    monkeypatch.setattr(training._Run, "_write_model_dir", terminated_while_writing)
    output = tmp_path / "m"
    config = train_config("mlp", epochs=1, layers=(8,), validation_split=0.1)
    with pytest.raises(TrainingInterrupted) as stopped:
        training.train(config, data=tiny_data, output=output)
    assert stopped.value.exit_code == 143
    assert str(output) in str(stopped.value)
    assert (output / "metadata.json").is_file() and (output / "model.tflite").is_file()


@pytest.mark.slow  # trains
def test_a_run_that_diverged_says_so_and_names_no_temporary_path(tmp_path, tiny_data):
    from digitcli.core.errors import DigitcliError
    from digitcli.training.train import train

    output = tmp_path / "m"
    config = train_config("mlp", epochs=1, layers=(8,), learning_rate=1e30)
    with pytest.raises(DigitcliError) as failed:
        train(config, data=tiny_data, output=output)
    said = str(failed.value)
    assert ".tmp-" not in said and "--learning-rate" in said
    assert not output.exists()
