"""The one way a run's epochs run, whichever way an epoch is fitted, and the end every run shares.

`Epochs.run()`: each epoch's images fitted while signals wait, its logs recorded once its
checkpoint is on disk, the best epoch's weights kept, progress reported, early stopping. Each
run passes in what differs: how an epoch is fitted (an `EpochFitter`: `KerasEpochs`,
`fused.FusedEpochs`, `distribute.DistributedEpochs`), each epoch's images, the score, and a
checkpoint or none (the fine-tune's). `write_and_settle`: the model directory written whole even
when a signal comes, then the default settled (models/defaults.py).
"""

from __future__ import annotations

import errno
import math
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from digitcli.core.errors import DigitcliError, TrainingInterrupted
from digitcli.core.signals import Interrupted, SignalGuard
from digitcli.datasets.data import Split
from digitcli.models.backend import keras, tf
from digitcli.models.defaults import copies_across, default_to_beat, settle_default
from digitcli.training.checkpoint import HISTORY_KEYS, Checkpoint, TrainingState
from digitcli.training.reporting import TrainReporter, TrainResult

Score = Callable[[int, dict], tuple]  # (epoch, logs) -> higher is better


class EpochFitter(Protocol):
    """How one epoch is fitted: on (x, y) in the order given; returns loss, accuracy and,
    with validation data, val_loss and val_accuracy."""

    def fit_one_epoch(self, epoch: int, x: np.ndarray, y: np.ndarray) -> dict[str, float]: ...


@dataclass
class KerasEpochs:
    """An epoch as `model.fit` runs it (the CNN's way, the Keras jitter's and the fine-tune's),
    on the batches `feed` makes of (x, y)."""

    model: keras.Model
    feed: Callable[[np.ndarray, np.ndarray], tf.data.Dataset]
    validation: tf.data.Dataset | None
    callbacks: list

    def fit_one_epoch(self, epoch: int, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        history = self.model.fit(
            self.feed(x, y),
            epochs=epoch + 1,
            initial_epoch=epoch,
            validation_data=self.validation,
            shuffle=False,
            callbacks=self.callbacks,
            verbose=0,
        )
        return {key: float(values[-1]) for key, values in history.history.items()}


# Keras callbacks of every way an epoch runs: batch progress to the reporter, and a signal
# raised at the next batch.


class ReporterCallback(keras.callbacks.Callback):
    """Forwards batch progress to the reporter, off the training thread."""

    async_safe = True

    def __init__(self, reporter: TrainReporter) -> None:
        super().__init__()
        self.reporter = reporter

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.reporter.batch(batch + 1, logs or {})


class StopAtNextBatch(keras.callbacks.Callback):
    """Raises the signal noted while `fit` runs (SignalGuard.held) when the next batch starts
    (why not at once: digitcli.core.signals). `on_*_batch_begin` runs on the main thread even when
    Keras hands the `_end` hooks to its thread pool."""

    def __init__(self, signals: SignalGuard) -> None:
        super().__init__()
        self.signals = signals

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.signals.raise_pending()

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.signals.raise_pending()


def learning_rate(model: keras.Model) -> float:
    """The optimizer's learning rate now (at its step, on a schedule)."""
    return float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))


def monitored(monitor: str, validated: bool) -> Score:
    """Higher is better. `monitor` "accuracy": validation accuracy, ties broken by the lower
    validation loss; "loss": the lower validation loss, ties broken by accuracy (without a
    validation split, the training ones).

    The MLPs watch accuracy: their validation loss bottoms out a third of the way in while
    accuracy keeps rising to the end of the cosine schedule. The CNN watches loss: with label
    smoothing it falls steadily, while its accuracy on 6,000 images wobbles by a few images.
    """
    prefix = "val_" if validated else ""

    def score(epoch: int, logs: dict) -> tuple[float, float]:
        accuracy, loss = round(logs[f"{prefix}accuracy"], 6), -round(logs[f"{prefix}loss"], 6)
        return (accuracy, loss) if monitor == "accuracy" else (loss, accuracy)

    return score


@dataclass
class Epochs:
    """A run's epochs from `state.epoch` to `epochs`, each fitted by `fitter` on `images(epoch)`
    ((x, y) in the order to train on), scored by `score`, saved to `checkpoint` if any."""

    model: keras.Model
    state: TrainingState
    best_weights: list
    epochs: int
    fitter: EpochFitter
    images: Callable[[int], tuple[np.ndarray, np.ndarray]]
    score: Score
    reporter: TrainReporter
    signals: SignalGuard
    output: Path  # the model directory the run writes: named when the disk is full
    checkpoint: Checkpoint | None = None
    patience: int | None = None

    def run(self) -> None:
        state = self.state
        while state.epoch < self.epochs:
            epoch = state.epoch
            started = time.perf_counter()
            x, y = self.images(epoch)
            with self.signals.held():  # a signal stops the epoch at its next batch
                logs = self.fitter.fit_one_epoch(epoch, x, y)
            logs["learning_rate"] = learning_rate(self.model)
            logs["seconds"] = time.perf_counter() - started
            with self.signals.held(), self.disk_full(f"saving epoch {epoch + 1}"):
                self._record(epoch, logs)  # an epoch counts once its checkpoint is on disk
                if self.checkpoint is not None:
                    self.checkpoint.save(self.model, self.best_weights, state)
            self.reporter.epoch(epoch + 1, {k: v for k, v in logs.items() if k in HISTORY_KEYS})
            # Training time counts the checkpoint too: it is part of what a run costs.
            state.train_seconds += time.perf_counter() - started
            if self.patience is not None and state.epoch - state.best_epoch >= self.patience:
                self.reporter.note(
                    f"stopping early: no better validation accuracy for {self.patience} epochs"
                )
                break

    def _record(self, epoch: int, logs: dict) -> None:
        state = self.state
        for key in HISTORY_KEYS:
            state.history[key].append(round(float(logs.get(key, math.nan)), 6))
        state.epoch = epoch + 1
        score = self.score(epoch, logs)
        if score > state.best_score:
            state.best_score = score
            state.best_epoch = epoch + 1
            self.best_weights = self.model.get_weights()

    def keep_best(self) -> None:
        """The best epoch's weights back in the model."""
        if self.state.best_epoch:
            self.model.set_weights(self.best_weights)

    @contextmanager
    def disk_full(self, doing: str) -> Iterator[None]:
        """A full disk is the user's to fix: say where, what is kept, and how to go on."""
        try:
            yield
        except OSError as error:
            if error.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            where = error.filename or self.output.parent
            # While saving epoch N, the checkpoint on disk is still epoch N - 1's.
            kept = self.state.epoch - 1 if doing.startswith("saving") else self.state.epoch
            if kept and self.checkpoint is not None:
                then = (
                    f"the checkpoint of epoch {kept} is kept in {self.checkpoint.directory}: "
                    "free some space and run the same command with --resume"
                )
            else:  # nothing to resume from: --resume would say so
                then = "no epoch was saved yet: free some space and run the same command again"
            raise DigitcliError(f"{where}: no space left on device while {doing}; {then}") from None


def write_and_settle(
    output: Path,
    write: Callable[[], TrainResult],
    signals: SignalGuard,
    *,
    test: Split,
    seen: list[np.ndarray],
    make_default: bool,
    chief: bool = True,
    writing: AbstractContextManager | None = None,
) -> TrainResult:
    """The end of every run: `write()` the model directory `output` (a signal meanwhile waits
    until it is written whole, then is said), then settle which model is the default, judged
    on `test` (`seen`: the pictures the run learnt or chose from). Only the chief settles."""
    before, theirs = default_to_beat(output, test.x, test.y, skip=make_default or not chief)
    try:
        with signals.installed(), signals.held(), writing or nullcontext():
            result = write()
    except Interrupted as stop:
        raise TrainingInterrupted(
            f"stopped by {stop.name} as the model directory was being written; {output} was "
            "written whole first",
            exit_code=stop.exit_code,
        ) from None
    if not chief:
        return result
    choice = settle_default(
        output,
        result.test.accuracy,
        before,
        theirs,
        len(test),
        make_default=make_default,
        copies=copies_across(seen, test.x),
    )
    return replace(result, default=choice)
