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

import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from digitcli.core.atomic import atomic_output, check_writable, exclusive
from digitcli.core.config import models_root
from digitcli.core.errors import (
    DataError,
    TrainingInterrupted,
    UsageError,
)
from digitcli.core.signals import Interrupted, SignalGuard
from digitcli.core.version import VERSION as __version__
from digitcli.datasets.checks import Split
from digitcli.datasets.data import load_dataset
from digitcli.models.backend import keras
from digitcli.models.model import load_keras_model, tflite_f16_bytes
from digitcli.models.modeldir import (
    BUNDLED_DIR,
    HISTORY_FILE,
    KERAS_FILE,
    read_metadata,
)
from digitcli.reports.plots import save_training_pictures
from digitcli.training.callbacks import StopAtNextBatch
from digitcli.training.defaults import (
    accuracy_of,
    check_default_recordable,
    copies_across,
    current_default,
    settle_default,
)
from digitcli.training.networkfiles import write_networks
from digitcli.training.reporting import (
    NullReporter,
    TrainReporter,
    TrainResult,
    split_notes,
    write_history,
)
from digitcli.training.train import MIN_IMAGES, split_validation, validated_on, written_whole


@dataclass(frozen=True)
class Tuning:
    """The settings of a fine-tune of the bundled model, with the reason on the line."""

    epochs: int = 5  # each epoch shows every digit of 20-100 at least 5 times; best one kept
    batch_size: int = 32
    learning_rate: float = 1e-4  # a thirtieth of the CNNs' peak: moves them, not away
    rehearsal: float = 0.5  # share of each epoch's digits drawn from MNIST's training set
    validation_split: float = 0.1
    seed: int = 0

    @property
    def run_name(self) -> str:
        return f"bundled-tuned-lr{self.learning_rate:g}-e{self.epochs}"


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
    if not 0 <= tuning.validation_split < 1:
        raise UsageError("--validation-split must be at least 0 and below 1")
    output = Path(output) if output else models_root() / tuning.run_name
    check_writable(output, force=force)
    check_default_recordable(output, make_default=make_default)
    reporter = reporter or NullReporter()
    dataset = load_dataset(data, role="train")
    if validation_data is not None:
        dataset, val = validated_on(dataset, load_dataset(validation_data, role="test"))
        fit = dataset.train
    else:
        fit, val = split_validation(dataset.train, tuning.validation_split, tuning.seed)
    count = len(dataset.train) + len(dataset.test)
    if count < MIN_IMAGES or not len(dataset.test):
        raise UsageError(
            f"{dataset.source}: {count} images; fine-tuning needs at least {MIN_IMAGES} (two "
            "of each digit), so that some are left to fit, to check and to test"
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
        history: dict[str, list[float]] = {
            key: [] for key in ("loss", "accuracy", "val_loss", "val_accuracy")
        }
        history.update(learning_rate=[], seconds=[])
        best, best_epoch, best_weights = None, 0, self.model.get_weights()
        started = time.perf_counter()
        try:
            for epoch in range(tuning.epochs):
                began = time.perf_counter()
                x, y = self._epoch(epoch, user, mixed - user)
                stop = [StopAtNextBatch(signals)]  # a signal waits for the next batch
                with signals.held():
                    logs = self.model.fit(
                        x, y, batch_size=tuning.batch_size, epochs=1, shuffle=False,
                        verbose=0, callbacks=stop,
                    ).history  # fmt: skip
                    loss, accuracy = logs["loss"][-1], logs["accuracy"][-1]
                    val_loss, val_accuracy = (
                        self.model.evaluate(
                            self.val.x, self.val.y, verbose=0, batch_size=256, callbacks=stop
                        )
                        if len(self.val)
                        else (float("nan"), float("nan"))
                    )
                row = dict(loss=loss, accuracy=accuracy, val_loss=val_loss)
                row.update(val_accuracy=val_accuracy, learning_rate=tuning.learning_rate)
                row.update(seconds=time.perf_counter() - began)
                for key, value in row.items():
                    history[key].append(round(float(value), 6))
                judged = (val_accuracy, -val_loss) if len(self.val) else (epoch, 0)
                if best is None or judged > best:
                    best, best_epoch, best_weights = judged, epoch + 1, self.model.get_weights()
                self.reporter.epoch(epoch + 1, row)
        finally:
            self.reporter.finish()
        self.model.set_weights(best_weights)
        seconds = time.perf_counter() - started
        before, theirs = self._current_default(make_default)
        try:
            with signals.held():  # the model directory is written whole first
                result = self._write(history, best_epoch, seconds)
        except Interrupted as stop:
            raise written_whole(stop, self.output) from None
        choice = settle_default(
            self.output,
            result.test.accuracy,
            before,
            theirs,
            len(self.dataset.test),
            make_default=make_default,
            copies=copies_across([self.fit.x, self.val.x], self.dataset.test.x),
        )
        return replace(result, default=choice)

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

    def _current_default(self, make_default: bool):
        inside = self.output.resolve().parent == models_root().resolve()
        if make_default or not inside:
            return None, None
        before = current_default(self.output)
        if before is None:
            return None, None
        test = self.dataset.test
        return before, accuracy_of(before, test.x, test.y)

    def _write(self, history: dict, best_epoch: int, seconds: float) -> TrainResult:
        with atomic_output(self.output, force=self.force, directory=True) as staging:
            test = self.dataset.test
            tflite = tflite_f16_bytes(self.model)
            evaluation = write_networks(
                staging, self.model, tflite, self.bundled, test, str(self.output)
            )
            write_history(staging / HISTORY_FILE, history)
            save_training_pictures(staging, history, best_epoch, evaluation.confusion_matrix)
            metadata = replace(
                self.bundled,
                config=self.config,
                digitcli_version=__version__,
                created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                data={
                    "source": self.dataset.source,
                    "format": self.dataset.format,
                    "sha256": self.dataset.files,
                    "train_samples": len(self.fit),
                    "validation_samples": len(self.val),
                    "test_samples": len(test),
                    "rehearsal": self.tuning.rehearsal,
                },
                metrics={
                    "test_accuracy": evaluation.accuracy,
                    "test_loss": evaluation.loss,
                    "test_ece": evaluation.ece,
                    "best_epoch": best_epoch,
                    "epochs_run": len(history["loss"]),
                    "train_seconds": round(seconds, 3),
                },
                history=history,
            )
            metadata.write(staging)
        return TrainResult(self.output, self.config, evaluation, seconds, history, best_epoch)


def _all_layers(model) -> list:
    """Every layer of `model`, inside its nested models too (the ensemble's members)."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if hasattr(layer, "layers"):
            found.extend(_all_layers(layer))
    return found
