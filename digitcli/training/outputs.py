"""What a training run checks of where it writes before any work: the model directory (there
without --force, or not to be made the default), an interrupted run's checkpoint, the
TensorBoard folder (a folder, or one that can be made). `train` checks them, and the API
before TensorFlow loads."""

from __future__ import annotations

import json
from pathlib import Path

from digitcli.core.atomic import MODEL_DIRECTORY, check_can_create, check_writable, recover
from digitcli.core.errors import UsageError
from digitcli.models.defaults import check_default_recordable
from digitcli.models.modeldir import CHECKPOINT_STATE, checkpoint_path


def check_outputs(
    output: Path,
    *,
    force: bool,
    resume: bool,
    tensorboard: str | Path | None,
    make_default: bool,
) -> None:
    """Refuse, as UsageErrors, a run whose outputs are in the way."""
    recover(output)
    recover(checkpoint_path(output))  # a checkpoint a killed run left half-swapped
    check_writable(output, force=force, kind=MODEL_DIRECTORY)
    check_default_recordable(output, make_default=make_default)
    _check_no_interrupted_run(output, resume=resume, force=force)
    if tensorboard is not None and Path(tensorboard).exists() and not Path(tensorboard).is_dir():
        raise UsageError(f"--tensorboard {tensorboard}: not a directory")
    if tensorboard is not None:  # /proc, a read-only disk: said as for any other output
        check_can_create(Path(tensorboard))


def _check_no_interrupted_run(output: Path, *, resume: bool, force: bool) -> None:
    """A new run would replace an interrupted run's checkpoint: only when asked (--force)."""
    state = checkpoint_path(output) / CHECKPOINT_STATE
    if resume or force or not state.is_file():
        return
    try:
        done = json.loads(state.read_text())
        where = f" after epoch {done['epoch']} of {done['config']['epochs']}"
    except (OSError, ValueError, KeyError, TypeError):
        where = ""
    raise UsageError(
        f"{output}: an interrupted run stopped{where} and left a checkpoint in "
        f"{checkpoint_path(output)}; add --resume to continue it, or --force to start over"
    )
