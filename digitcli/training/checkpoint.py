"""A training run's checkpoint: saved after every epoch, loaded by `--resume`, removed at the end.

The directory (`modeldir.checkpoint_path(output)`) holds the model with its optimizer state
(model.keras), the kept epoch's weights (best-weights.npz) and `state.json`: the run's settings,
the data's checksums and a `TrainingState`. It is written whole or not at all.
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from digitcli.core.atomic import atomic_output
from digitcli.core.config import TrainConfig
from digitcli.core.errors import DigitcliError, UsageError
from digitcli.datasets.data import Dataset
from digitcli.models.backend import keras
from digitcli.models.modeldir import CHECKPOINT_STATE, KERAS_FILE, check_resumable
from digitcli.training.distribute import check_same_checkpoint, scope, written_by_chief

BEST_WEIGHTS_FILE = "best-weights.npz"
HISTORY_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds")
RESUMABLE_CHANGES = ("patience", "strategy")  # how to stop and where to run, not what is learnt
OPTION_NAMES = {"writers": "--augment", "layers": "the layers"}


@dataclass
class TrainingState:
    """Everything a checkpoint must hold besides the model and optimizer."""

    epoch: int = 0  # epochs completed
    history: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in HISTORY_KEYS})
    best_epoch: int = 0
    best_score: tuple[float, float] = (-math.inf, -math.inf)
    train_seconds: float = 0.0


@dataclass
class Checkpoint:
    """The checkpoint of one run: `config` trained on `dataset`, under `strategy`."""

    directory: Path
    config: TrainConfig
    dataset: Dataset
    strategy: object = None
    chief: bool = True  # under multi-worker training only the chief writes

    def save(self, model: keras.Model, best_weights: list, state: TrainingState) -> None:
        with (
            written_by_chief(self.directory, self.chief) as target,
            atomic_output(target, force=True, directory=True) as staging,
        ):
            model.save(staging / KERAS_FILE)  # weights and optimizer state
            # The kept epoch's weights: plain arrays in layer order, no model to build.
            np.savez(staging / BEST_WEIGHTS_FILE, *best_weights)
            saved = {"config": self.config.to_dict(), **asdict(state), "data": self.dataset.files}
            (staging / CHECKPOINT_STATE).write_text(json.dumps(saved))

    def load(self) -> tuple[keras.Model, TrainingState, list[np.ndarray]]:
        """The model, state and kept weights of the interrupted run, once it is known to be
        this run: the same settings and the same data."""
        check_same_checkpoint(self.strategy, self.directory / CHECKPOINT_STATE)
        check_resumable(self.directory)
        with self._damaged(CHECKPOINT_STATE):
            saved = json.loads((self.directory / CHECKPOINT_STATE).read_text())
            config = TrainConfig.from_dict(saved["config"])
            state = TrainingState(
                epoch=_count(saved["epoch"], 1, config.epochs),
                history=dict(saved["history"]),
                best_epoch=_count(saved["best_epoch"], 0, saved["epoch"]),
                best_score=tuple(saved["best_score"]),
                train_seconds=float(saved["train_seconds"]),
            )
            if not 0 <= state.train_seconds < math.inf:
                raise ValueError(f"train_seconds {state.train_seconds}")
        self._check_same_run(config, saved.get("data"))
        with self._damaged(KERAS_FILE), scope(self.strategy):  # mirrored across replicas
            model = keras.saving.load_model(self.directory / KERAS_FILE)
        with self._damaged(BEST_WEIGHTS_FILE), np.load(self.directory / BEST_WEIGHTS_FILE) as best:
            best_weights = [best[f"arr_{i}"] for i in range(len(best.files))]
        return model, state, best_weights

    @contextlib.contextmanager
    def _damaged(self, name: str) -> Iterator[None]:
        """A file of the checkpoint that cannot be read (truncated by a full disk, edited) is
        named, with how to start over; Keras says "File not found" of a damaged one."""
        path = self.directory / name
        try:
            yield
        except DigitcliError:
            raise
        except Exception as error:
            why = "missing" if not path.exists() else f"damaged ({type(error).__name__})"
            raise UsageError(
                f"--resume: the checkpoint file {path} is {why}: the interrupted run cannot go "
                "on; run the same command with --force instead of --resume to start over"
            ) from None

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def _check_same_run(self, saved: TrainConfig, data: dict | None) -> None:
        """The checkpoint's settings and data are the truth: a resumed run that asks for other
        ones would record settings it did not train with (a new seed even moves images between
        the validation split and the training data)."""
        for name, before in saved.to_dict().items():
            now = self.config.to_dict().get(name)
            if name not in RESUMABLE_CHANGES and now != before:
                option = OPTION_NAMES.get(name, "--" + name.replace("_", "-"))
                raise UsageError(
                    f"--resume: the checkpoint in {self.directory} was trained with {option} "
                    f"{_shown(before)}, this run asks for {_shown(now)}; run the interrupted "
                    "command again with --resume, or use --force to start over"
                )
        if data is not None and data != self.dataset.files:
            raise UsageError(
                f"--resume: {self.dataset.source} is not the data the checkpoint in "
                f"{self.directory} was trained on (checksums differ); use the same --data, "
                "or --force to start over"
            )


def _count(value: object, low: int, high: int) -> int:
    """A whole number from low to high, as a run writes it; anything else (-5, 1e308, 1.5,
    true) a ValueError: the file was not written by a run."""
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{value!r} is not a whole number from {low} to {high}")
    return value


def _shown(value: object) -> str:
    return "-".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
