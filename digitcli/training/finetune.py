"""Fine-tuning the bundled model as it is: all its networks, on a user's digits mixed with a
rehearsal share of MNIST's training digits, so that it learns a writer and keeps what it knew.

`train --init bundled` (with no --arch) runs `finetune_bundled`: the bundled model's two CNNs
and mlp, read as one (their calibrated logits averaged, ensemble.py), are trained together on
the averaged answer, at a small learning rate. Each epoch is the user's digits (repeated to at
least `EPOCH_IMAGES`) and as many digits again drawn from MNIST's training set (`rehearsal`
0.5: half of every batch is digits the model learned from). Batch normalisation keeps the
statistics of the data it was trained on (a few dozen digits would move them). The best epoch
on the validation digits is kept; the temperature of the average is kept too.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np

from digitcli.core.atomic import atomic_output, check_writable, exclusive
from digitcli.core.config import models_root
from digitcli.core.errors import DataError, TrainingInterrupted, UsageError
from digitcli.core.signals import Interrupted, SignalGuard
from digitcli.datasets.checks import Split
from digitcli.datasets.data import load_dataset
from digitcli.models.backend import keras
from digitcli.models.defaults import check_default_recordable
from digitcli.models.model import load_keras_model, tflite_f16_bytes
from digitcli.models.modeldir import BUNDLED_DIR, KERAS_FILE, read_metadata
from digitcli.training.checkpoint import TrainingState
from digitcli.training.loop import Epochs, KerasEpochs, StopAtNextBatch, write_and_settle
from digitcli.training.networkfiles import run_record, write_trained
from digitcli.training.recipe import batches
from digitcli.training.reporting import NullReporter, TrainReporter, TrainResult, split_notes
from digitcli.training.splits import run_images
from digitcli.training.tuning import Tuning

EPOCH_IMAGES = 512  # the user's digits a fine-tuning epoch holds at least (repeated)


def finetune_bundled(
    tuning: Tuning,
    *,
    data: str | Path | None = None,
    output: str | Path | None = None,
    validation_data: str | Path | None = None,
    rehearsal_data: str | Path | None = None,
    force: bool = False,
    reporter: TrainReporter | None = None,
    make_default: bool = False,
) -> TrainResult:
    """Fine-tune the bundled model on `data` (the user's digits) and write `output` whole.
    `rehearsal_data`: where the MNIST training digits mixed in come from (default: the 5,000
    shipped with digitcli, `REHEARSAL_FILE`)."""
    if not 0 <= tuning.rehearsal < 1:
        raise UsageError("--rehearsal must be at least 0 and below 1")
    output = Path(output) if output else models_root() / tuning.run_name
    check_writable(output, force=force)
    check_default_recordable(output, make_default=make_default)
    reporter = reporter or NullReporter()
    dataset, fit, val = run_images(
        data, validation_data, tuning.validation_split, tuning.seed, "fine-tuning"
    )
    rehearsal = _rehearsal_digits(rehearsal_data) if tuning.rehearsal else None
    signals = SignalGuard()  # as plain train: a SIGTERM or Ctrl-C says so, and cleans up
    try:
        with signals.installed(), exclusive(output):
            tune = _Tune(tuning, dataset, fit, val, rehearsal, output, force, reporter)
            return tune.run(make_default, signals)
    except Interrupted as stop:
        raise TrainingInterrupted(
            f"{stop.name}: fine-tuning stopped before {output} was written; nothing was "
            "saved; run the same command to start again",
            exit_code=stop.exit_code,
        ) from None


# MNIST training digits, 500 of each, that a fine-tune rehearses with when no folder is given:
# shipped, so that `--init bundled` works from any folder (bench/build/make_rehearsal.py writes it;
# docs/measurements/rehearsal.md: a fine-tune rehearsing with them gains as much and keeps
# MNIST as well as with all 60,000).
REHEARSAL_FILE = Path(__file__).with_name("rehearsal.npz")


def _rehearsal_digits(source: str | Path | None) -> Split:
    """The digits to rehearse with: those in `source`'s training split, else the shipped ones."""
    if source is None:
        with np.load(REHEARSAL_FILE) as stored:
            return Split(stored["x"], stored["y"])
    try:
        return load_dataset(source, role="train", download=False).train
    except DataError as error:
        raise UsageError(f"the MNIST digits to rehearse with: {error}") from None


class _Tune:
    def __init__(self, tuning, dataset, fit, val, rehearsal, output, force, reporter) -> None:
        self.tuning = tuning
        self.dataset = dataset
        self.fit, self.val = fit, val
        self.rehearsal = rehearsal
        self.output = output
        self.force = force
        self.reporter = reporter
        self.bundled = read_metadata(BUNDLED_DIR)
        keras.utils.set_random_seed(tuning.seed)
        self.model = load_keras_model(BUNDLED_DIR / KERAS_FILE)
        for layer in _all_layers(self.model):
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = False  # keep the statistics of what it learned from
        self.model.compile(
            optimizer=keras.optimizers.Adam(tuning.learning_rate),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        self.config = replace(
            self.bundled.config,
            init="bundled",
            epochs=tuning.epochs,
            batch_size=tuning.batch_size,
            learning_rate=tuning.learning_rate,
            seed=tuning.seed,
            validation_split=tuning.validation_split,
            writers=0.0,
        )

    def run(self, make_default: bool, signals: SignalGuard) -> TrainResult:
        tuning = self.tuning
        user = max(len(self.fit), EPOCH_IMAGES)
        mixed = user + (
            round(user * tuning.rehearsal / (1 - tuning.rehearsal))
            if self.rehearsal is not None
            else 0
        )
        steps = -(-mixed // tuning.batch_size)
        self.reporter.start(self.config, start_epoch=0, steps_per_epoch=steps)
        self.reporter.note(f"data: {self.dataset.source}")
        self.reporter.note(
            f"images: {len(self.fit)} to fit, {len(self.val)} to validate, "
            f"{len(self.dataset.test)} to test; each epoch {user} of them (repeated) and "
            f"{mixed - user} of MNIST's training digits (--rehearsal {tuning.rehearsal:g})"
        )
        for note in split_notes(len(self.fit), len(self.val), len(self.dataset.test))[1:]:
            self.reporter.note(note)  # the warning where they are too few to judge by
        validation = batches(self.val.x, self.val.y, 256) if len(self.val) else None
        fitter = KerasEpochs(  # a signal waits for the next batch
            self.model, partial(batches, batch_size=tuning.batch_size), validation,
            [StopAtNextBatch(signals)],
        )  # fmt: skip
        epochs = Epochs(
            self.model, TrainingState(), self.model.get_weights(), tuning.epochs, fitter,
            images=lambda epoch: self._epoch(epoch, user, mixed - user), score=self._score,
            reporter=self.reporter, signals=signals, output=self.output,
        )  # fmt: skip
        try:
            epochs.run()
        finally:
            self.reporter.finish()
        epochs.keep_best()
        return write_and_settle(
            self.output,
            lambda: self._write(epochs.state),
            signals,
            test=self.dataset.test,
            seen=[self.fit.x, self.val.x],
            make_default=make_default,
        )

    def _score(self, epoch: int, logs: dict) -> tuple[float, float]:
        """The best validation accuracy, then loss; without validation digits, the last epoch."""
        return (logs["val_accuracy"], -logs["val_loss"]) if len(self.val) else (epoch, 0)

    def _epoch(self, epoch: int, user: int, rehearsed: int) -> tuple[np.ndarray, np.ndarray]:
        """The user's digits, repeated to `user`, and `rehearsed` MNIST digits, shuffled."""
        rng = np.random.default_rng([self.tuning.seed, epoch])
        picks = np.resize(rng.permutation(len(self.fit)), user)
        x, y = [self.fit.x[picks]], [self.fit.y[picks]]
        if rehearsed:
            many = rehearsed > len(self.rehearsal)  # more than shipped: some drawn twice
            drawn = rng.choice(len(self.rehearsal), size=rehearsed, replace=many)
            x.append(self.rehearsal.x[drawn])
            y.append(self.rehearsal.y[drawn])
        order = rng.permutation(user + rehearsed)
        images = np.concatenate(x)[order].astype(np.float32)
        return images, np.concatenate(y)[order].astype(np.int64)

    def _write(self, state: TrainingState) -> TrainResult:
        with atomic_output(self.output, force=self.force, directory=True) as staging:
            test = self.dataset.test
            tflite = tflite_f16_bytes(self.model)
            evaluation = write_trained(
                staging, self.model, tflite, self.bundled, test, self.output, state,
                state.best_epoch,
            )  # fmt: skip
            record = run_record(self.dataset, self.fit, self.val, evaluation, state)
            record["data"]["rehearsal"] = self.tuning.rehearsal
            replace(self.bundled, config=self.config, **record).write(staging)
        return TrainResult(
            self.output, self.config, evaluation, state.train_seconds, state.history,
            state.best_epoch,
        )  # fmt: skip


def _all_layers(model) -> list:
    """Every layer of `model`, inside its nested models too (the ensemble's members)."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if hasattr(layer, "layers"):
            found.extend(_all_layers(layer))
    return found
