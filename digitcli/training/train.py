"""Train a model: the epoch loop, from a new model or a checkpoint to the model directory.

`train(config)` is the whole job and returns a `TrainResult`. What is shown while it runs is up
to the `TrainReporter` passed in (both in reporting.py): the CLI passes Rich bars or plain lines,
Python callers nothing.
"""

from __future__ import annotations

import errno
import json
import math
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

import numpy as np

from digitcli.core.atomic import (
    MODEL_DIRECTORY,
    atomic_output,
    check_writable,
    exclusive,
    recover,
)
from digitcli.core.config import TrainConfig, models_root
from digitcli.core.errors import (
    DigitcliError,
    TrainingInterrupted,
    UsageError,
)
from digitcli.core.signals import Interrupted, SignalGuard
from digitcli.core.version import VERSION as __version__
from digitcli.datasets.data import Dataset, Split, load_dataset
from digitcli.models.backend import keras, tf
from digitcli.models.deskew import deskewed
from digitcli.models.model import inference_model, tflite_bytes
from digitcli.models.modeldir import (
    HISTORY_FILE,
    ChosenModel,
    Metadata,
    check_init,
    checkpoint_path,
)
from digitcli.reports.evaluate import Evaluation
from digitcli.reports.plots import save_training_pictures
from digitcli.training import draws
from digitcli.training.augment import Draw, EpochImages
from digitcli.training.callbacks import ReporterCallback, StopAtNextBatch
from digitcli.training.checkpoint import HISTORY_KEYS, Checkpoint, TrainingState
from digitcli.training.defaults import (
    accuracy_of,
    check_default_recordable,
    copies_across,
    current_default,
    settle_default,
)
from digitcli.training.distill import teacher_for
from digitcli.training.distribute import (
    EpochLoop,
    is_chief,
    is_distributed,
    make_strategy,
    written_by_chief,
)
from digitcli.training.fused import FusedEpochs
from digitcli.training.networkfiles import write_networks
from digitcli.training.recipe import (
    batches,
    compiled_model,
    fit_inputs,
    targets,
    taught,
)
from digitcli.training.reporting import (
    NullReporter,
    TrainReporter,
    TrainResult,
    split_notes,
    wants_batches,
    write_history,
)


def default_output(config: TrainConfig) -> Path:
    return models_root() / config.run_name


def train(
    config: TrainConfig,
    *,
    data: str | Path | None = None,
    output: str | Path | None = None,
    force: bool = False,
    resume: bool = False,
    reporter: TrainReporter | None = None,
    strategy: str | None = None,
    tensorboard: str | Path | None = None,
    make_default: bool = False,
    validation_data: str | Path | None = None,
) -> TrainResult:
    """Train `config` on `data` and write the model directory `output` whole, or not at all.

    The new model becomes the default (what commands use given no model) when it reads its
    test images at least as well as the current default does, or with `make_default`
    (training/defaults.py); `TrainResult.default` says which it is.

    `validation_data`: another source (a folder of pictures) to pick the best epoch on and
    score the model on; then all of `data` is fitted (no hold-out taken from it).

    `strategy` (default: `config.strategy`) is the `tf.distribute` strategy to train under:
    auto, default, mirrored or multi-worker (see `digitcli.training.distribute`). `tensorboard`:
    a folder
    for TensorBoard logs (per-epoch scalars and the graph).
    """
    config = replace(config, strategy=strategy) if strategy else config
    output = Path(output) if output else default_output(config)
    recover(output)
    recover(checkpoint_path(output))  # a checkpoint a killed run left half-swapped
    check_writable(output, force=force, kind=MODEL_DIRECTORY)
    check_default_recordable(output, make_default=make_default)
    _check_no_interrupted_run(output, resume=resume, force=force)
    if tensorboard is not None and Path(tensorboard).exists() and not Path(tensorboard).is_dir():
        raise UsageError(f"--tensorboard {tensorboard}: not a directory")
    check_init(config)
    dataset = load_dataset(data, role="train")
    validation = None
    if validation_data is not None:
        dataset, validation = validated_on(dataset, load_dataset(validation_data, role="test"))
    # Under multi-worker only the chief writes `output`; the others must not take its lock.
    with exclusive(output) if is_chief(config.strategy) else nullcontext():
        reporter = reporter or NullReporter()
        run = _Run(config, dataset, output, force, resume, reporter, validation=validation)
        run.make_default = make_default  # --make-default: whatever the new model scores
        return run.run(tensorboard=Path(tensorboard) if tensorboard else None)


def _check_no_interrupted_run(output: Path, *, resume: bool, force: bool) -> None:
    """A new run would replace an interrupted run's checkpoint: only when asked (--force)."""
    state = checkpoint_path(output) / "state.json"
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


MIN_IMAGES = 20  # to train on: two a digit, so that something is left to fit, check and test


def validated_on(dataset: Dataset, held: Dataset) -> tuple[Dataset, Split]:
    """`dataset` to fit on all of (its test part too), validated and tested on `held`'s
    images: a user's own digits with a second folder of them to check the model on."""
    everything = Split(
        np.concatenate([dataset.train.x, dataset.test.x]),
        np.concatenate([dataset.train.y, dataset.test.y]),
    )
    files = {**dataset.files, **{f"validation: {name}": d for name, d in held.files.items()}}
    source = f"{dataset.source}, all fitted; validated and tested on {held.source}"
    merged = replace(
        dataset, train=everything, test=held.test, files=files, source=source,
        skipped=(*dataset.skipped, *held.skipped),
    )  # fmt: skip
    return merged, held.test


def split_validation(train: Split, fraction: float, seed: int) -> tuple[Split, Split]:
    """A shuffled, seeded hold-out of `fraction` of the training set."""
    order = np.random.default_rng(seed).permutation(len(train))
    held = int(round(len(train) * fraction))
    fit, val = order[held:], order[:held]
    return Split(train.x[fit], train.y[fit]), Split(train.x[val], train.y[val])


class _Run:
    make_default = False  # set by train(): the new model becomes the default whatever it scores

    def __init__(
        self,
        config: TrainConfig,
        dataset: Dataset,
        output: Path,
        force: bool,
        resume: bool,
        reporter: TrainReporter,
        *,
        validation: Split | None = None,
    ) -> None:
        if not 0 <= config.validation_split < 1:
            raise UsageError("--validation-split must be at least 0 and below 1")
        if len(dataset.train) == 0:
            raise UsageError(f"{dataset.source}: no training images")
        if len(dataset.test) == 0:
            raise UsageError(
                f"{dataset.source}: no test images to score the model on (a single CSV needs "
                "at least 2 rows: its last 1/7 is the test set)"
            )
        if 0 < (count := len(dataset.train) + len(dataset.test)) < MIN_IMAGES:
            raise UsageError(
                f"{dataset.source}: {count} images; training needs at least {MIN_IMAGES} "
                "(two of each digit), so that some are left to fit, to check and to test"
            )
        draws.leave_a_core_for_the_draw(config)  # before TensorFlow starts its thread pools
        # First: the multi-worker strategy must start before TensorFlow does anything else.
        self.strategy = make_strategy(config.strategy)
        self.distributed = is_distributed(self.strategy)
        self.chief = is_chief(config.strategy)  # writes checkpoints and the model directory
        self.config = config
        self.dataset = dataset
        self.output = output
        self.force = force
        self.reporter = reporter
        self.checkpoint = Checkpoint(
            checkpoint_path(output), config, dataset, self.strategy, chief=self.chief
        )
        self.teacher = teacher_for(config.teacher)  # a model that does not load fails here
        self.fit, self.val = (
            (dataset.train, validation)
            if validation is not None
            else split_validation(dataset.train, config.validation_split, config.split_seed)
        )
        # The network in training is fed digits deskewed beside it; the saved model deskews
        # inside itself (deskew.py): the layer in the training graph costs more time.
        self.prepare = deskewed if config.deskew else None
        val_inputs = self.prepare(self.val.x) if self.prepare else self.val.x
        self.validation = (val_inputs, targets(self.val.y, config)) if len(self.val) else None
        self.steps_per_epoch = math.ceil(len(self.fit) / config.batch_size)
        keras.utils.set_random_seed(config.seed)
        if resume:
            self.model, self.state, self.best_weights = self.checkpoint.load()
        else:
            self.model = compiled_model(
                replace(config, deskew=False),
                self.steps_per_epoch,
                self.strategy,
                distributed=self.distributed,
            )
            self.state = TrainingState()
            self.best_weights = self.model.get_weights()
        # Under a distribution strategy the epoch runs in `EpochLoop`, not `model.fit`.
        self.signals = SignalGuard()  # installed for the whole run, in run()
        self.loop = (
            EpochLoop(
                self.strategy, self.model, config.batch_size, config.jit_compile, self.signals
            )
            if self.distributed
            else None
        )

    def run(self, *, tensorboard: Path | None = None) -> TrainResult:
        self.tensorboard = tensorboard
        self.fused = FusedEpochs(self.model, self.config.batch_size) if self._fuses() else None
        self.writers = None  # augment.EpochImages, made at the first epoch that needs it
        self.deskewed_fit: np.ndarray | None = None  # the training images deskewed, without draws
        self.reporter.start(
            self.config, start_epoch=self.state.epoch, steps_per_epoch=self.steps_per_epoch
        )
        if self.dataset.format == "images":  # what was read, and what was skipped
            self.reporter.note(f"data: {self.dataset.source}")
        for note in split_notes(len(self.fit), len(self.val), len(self.dataset.test)):
            self.reporter.note(note)
        if self.state.epoch:
            self.reporter.note(f"resuming after epoch {self.state.epoch} of {self.config.epochs}")
        try:
            with self.signals.installed(), draws.quick_interpreter_switches(self.config):
                self._epochs()
        except Interrupted as stop:
            code = stop.exit_code
            done = self.state.epoch
            if not done:
                raise TrainingInterrupted(
                    "interrupted before epoch 1 ended: nothing was saved; run the same command "
                    "to start again",
                    exit_code=code,
                ) from None
            raise TrainingInterrupted(
                f"interrupted after epoch {done}; checkpoint in {self.checkpoint.directory}; "
                "run the same command with --resume to continue",
                exit_code=code,
            ) from None
        finally:
            self.reporter.finish()
            if self.writers is not None:
                self.writers.close()
        if self.config.restore_best and self.state.best_epoch:
            self.model.set_weights(self.best_weights)
        before, theirs = self._current_default()
        # A signal while the model directory is written waits until it is written whole (an
        # exception raised inside the converters could land anywhere), then is said.
        try:
            with (
                self.signals.installed(),
                self.signals.held(),
                self._disk_full("writing the model directory"),
            ):
                result = self._write_model_dir()
        except Interrupted as stop:
            raise written_whole(stop, self.output) from None
        if not self.chief:
            return result
        choice = settle_default(
            self.output,
            result.test.accuracy,
            before,
            theirs,
            len(self.dataset.test),
            make_default=self.make_default,
            copies=copies_across([self.fit.x, self.val.x], self.dataset.test.x),
        )
        return replace(result, default=choice)

    def _current_default(self) -> tuple[ChosenModel | None, float | None]:
        """The model commands use now and its accuracy on this run's test images (a model
        written outside the models folder, not asked to be the default, is not compared)."""
        inside = self.output.resolve().parent == models_root().resolve()
        if not self.chief or self.make_default or not inside:
            return None, None
        before = current_default(self.output)
        if before is None:
            return None, None
        test = self.dataset.test
        return before, accuracy_of(before, test.x, test.y)

    # The loop -------------------------------------------------------------------------------

    def _epochs(self) -> None:
        config = self.config
        callbacks = [ReporterCallback(self.reporter)] if wants_batches(self.reporter) else []
        if self.tensorboard is not None and self.chief:
            from digitcli.training.tensorboard import tensorboard_callback

            callbacks.append(tensorboard_callback(self.tensorboard))  # one for the whole run
        first = self.state.epoch
        while self.state.epoch < config.epochs:
            epoch = self.state.epoch
            started = time.perf_counter()
            if epoch == first:
                self._compile_beside_the_first_draw(epoch)
            keras.utils.set_random_seed(config.seed + epoch)  # resumable: randomness per epoch
            order = np.random.default_rng([config.seed, epoch]).permutation(len(self.fit))
            images, teacher_targets = self._epoch_images(epoch)
            wanted = self.fit.y if teacher_targets is None else teacher_targets
            logs = self._fit_one_epoch(epoch, images[order], wanted[order], callbacks)
            rate = self.model.optimizer.learning_rate
            logs["learning_rate"] = float(keras.ops.convert_to_numpy(rate))
            logs["seconds"] = time.perf_counter() - started
            with self.signals.held(), self._disk_full(f"saving epoch {epoch + 1}"):
                self._record(epoch, logs)  # an epoch counts once its checkpoint is on disk
                self.checkpoint.save(self.model, self.best_weights, self.state)
            self.reporter.epoch(epoch + 1, {k: v for k, v in logs.items() if k in HISTORY_KEYS})
            # Training time counts the checkpoint too: it is part of what a run costs.
            self.state.train_seconds += time.perf_counter() - started
            if self._patience_exhausted():
                self.reporter.note(
                    f"stopping early: no better validation accuracy for {config.patience} epochs"
                )
                break

    def _epoch_images(self, epoch: int) -> Draw:
        """The training images of `epoch`: with `config.writers`, a share redrawn as other
        writers would have written them (made on a thread while the previous epoch trains);
        with a teacher, its targets for them (else None: the labels)."""
        if not draws.draws_beside_training(self.config):
            if self.prepare is None:
                return Draw(self.fit.x, None)
            if self.deskewed_fit is None:
                self.deskewed_fit = self.prepare(self.fit.x)
            return Draw(self.deskewed_fit, None)
        upcoming = epoch + 1 if epoch + 1 < self.config.epochs else None
        return self._draws().get(epoch, upcoming=upcoming)

    def _draws(self) -> EpochImages:
        if self.writers is None:
            config = self.config
            self.writers = EpochImages(
                self.fit.x,
                config.seed,
                config.writers,
                config.writers_every if config.writers else config.epochs,
                self.fit.y,
                teacher=self.teacher,
                prepare=self.prepare,
                flags=config.flags,
                hollow=config.hollow,
                fonts=config.fonts,
                continental=config.continental,
            )
        return self.writers

    def _compile_beside_the_first_draw(self, epoch: int) -> None:
        """The compiled loop's programs compiled while the run's first draw is made on its
        thread (calls of no steps: nothing is trained), not in turns with it in the first
        epoch."""
        config = self.config
        if self.fused is None or not config.writers or taught(config):
            return
        self._draws().prefetch(epoch)
        with self.signals.held():  # as for an epoch: a signal waits for the compiling to end
            self.fused.warm_up(self.fit.x, targets(self.fit.y, config))

    def _fit_one_epoch(
        self, epoch: int, x: np.ndarray, y: np.ndarray, callbacks: list
    ) -> dict[str, float]:
        """Train one epoch on (x, y) in the given order (y: labels, or a teacher's targets,
        n x 10); return loss/accuracy/val_* logs."""
        if self.loop is not None:  # callbacks report progress: the chief's job
            return self.loop.fit_one_epoch(
                epoch,
                **fit_inputs(x, y, self.config),
                samples=len(x),
                validation_data=self.validation,
                callbacks=callbacks if self.chief else [],
            )
        callbacks = [*callbacks, StopAtNextBatch(self.signals)]
        with self.signals.held():  # a signal stops the epoch at its next batch (below)
            if self.fused is not None:  # or at the end of the compiled loop's call under way
                return self.fused.fit_one_epoch(
                    epoch,
                    x,
                    targets(y, self.config),
                    validation_data=self._validation_batches,
                    callbacks=callbacks,
                )
            history = self.model.fit(
                **fit_inputs(x, y, self.config),
                epochs=epoch + 1,
                initial_epoch=epoch,
                validation_data=self._validation_batches,
                shuffle=False,
                callbacks=callbacks,
                verbose=0,
            )
        return {key: float(values[-1]) for key, values in history.history.items()}

    def _fuses(self) -> bool:
        """Whether epochs run in `FusedEpochs` (the mlp's epochs in half `model.fit`'s time):
        XLA on one device, no Keras jitter (0.1.0's `config.augment`) and no TensorBoard (its
        callback is written for `fit`'s loop; not tried in this one)."""
        config = self.config
        return (
            config.jit_compile
            and self.loop is None
            and not config.augment
            and self.tensorboard is None
        )

    @cached_property
    def _validation_batches(self) -> tf.data.Dataset | None:
        """The validation split as `fit` reads it: made once, read again every epoch."""
        if self.validation is None:
            return None
        return batches(*self.validation, self.config.batch_size)

    def _score(self, logs: dict) -> tuple[float, float]:
        """Higher is better. `config.monitor` "accuracy": validation accuracy, ties broken by the
        lower validation loss; "loss": the lower validation loss, ties broken by accuracy.

        The MLPs watch accuracy: their validation loss bottoms out a third of the way in while
        accuracy keeps rising to the end of the cosine schedule. The CNN watches loss: with label
        smoothing it falls steadily, while its accuracy on 6,000 images wobbles by a few images.
        """
        prefix = "val_" if len(self.val) else ""
        accuracy, loss = round(logs[f"{prefix}accuracy"], 6), -round(logs[f"{prefix}loss"], 6)
        return (accuracy, loss) if self.config.monitor == "accuracy" else (loss, accuracy)

    def _record(self, epoch: int, logs: dict) -> None:
        state = self.state
        for key in HISTORY_KEYS:
            state.history[key].append(round(logs.get(key, math.nan), 6))
        state.epoch = epoch + 1
        score = self._score(logs)
        if score > state.best_score:
            state.best_score = score
            state.best_epoch = epoch + 1
            self.best_weights = self.model.get_weights()

    def _patience_exhausted(self) -> bool:
        patience = self.config.patience
        return patience is not None and self.state.epoch - self.state.best_epoch >= patience

    # Checkpoints ----------------------------------------------------------------------------

    @contextmanager
    def _disk_full(self, doing: str) -> Iterator[None]:
        """A full disk is the user's to fix: say where, what is kept, and how to go on."""
        try:
            yield
        except OSError as error:
            if error.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            where = error.filename or self.output.parent
            # While saving epoch N, the checkpoint on disk is still epoch N - 1's.
            kept = self.state.epoch - 1 if doing.startswith("saving") else self.state.epoch
            if kept:
                then = (
                    f"the checkpoint of epoch {kept} is kept in {self.checkpoint.directory}: "
                    "free some space and run the same command with --resume"
                )
            else:  # nothing to resume from: --resume would say so
                then = "no epoch was saved yet: free some space and run the same command again"
            raise DigitcliError(f"{where}: no space left on device while {doing}; {then}") from None

    # The model directory --------------------------------------------------------------------

    def _write_model_dir(self) -> TrainResult:
        state = self.state
        self._check_finite()
        with (
            written_by_chief(self.output, self.chief) as target,
            atomic_output(
                target, force=self.force, directory=True, kind=MODEL_DIRECTORY
            ) as staging,
        ):
            final = self._calibrated_model()
            evaluation = write_networks(
                staging,
                final,
                tflite_bytes(final),
                Metadata(self.config),
                self.dataset.test,
                str(self.output),
            )
            write_history(staging / HISTORY_FILE, state.history)
            best_epoch = state.best_epoch if self.config.restore_best else state.epoch
            save_training_pictures(staging, state.history, best_epoch, evaluation.confusion_matrix)
            self._metadata(evaluation).write(staging)
        if self.chief:
            self.checkpoint.remove()
        return TrainResult(
            model_dir=self.output,
            config=self.config,
            test=evaluation,
            train_seconds=state.train_seconds,
            history=state.history,
            best_epoch=state.best_epoch if self.config.restore_best else state.epoch,
        )

    def _check_finite(self) -> None:
        """A run whose weights are not numbers (a learning rate far too high) writes nothing:
        said as such, not as a broken model at a temporary path."""
        if all(np.isfinite(weights).all() for weights in self.model.get_weights()):
            return
        if self.chief:
            self.checkpoint.remove()  # its weights are not numbers either
        raise DigitcliError(
            f"training diverged: the weights are not numbers (NaN) after epoch {self.state.epoch} "
            f"(loss {self.state.history['loss'][-1] if self.state.history['loss'] else 'nan'}); "
            f"nothing was written: lower --learning-rate (this run: "
            f"{self.config.learning_rate:g})"
        )

    def _calibrated_model(self) -> keras.Model:
        """The kept weights with a temperature fitted on the validation split (none without
        one, or with `config.calibrate` off); `self.calibration` records what was fitted."""
        from digitcli.training.calibration import calibration_record

        plain = inference_model(self.model, self.config)
        self.calibration = {"temperature": 1.0, "fitted_on": None}
        if not (self.config.calibrate and len(self.val)):
            return plain
        images, labels, fitted_on = draws.calibration_images(self.val, self.config)
        before = plain.predict(images, batch_size=1024, verbose=0)
        self.calibration = calibration_record(before, labels, fitted_on)
        temperature = self.calibration["temperature"]
        return inference_model(self.model, self.config, temperature=temperature)

    def _metadata(self, evaluation: Evaluation) -> Metadata:
        state = self.state
        return Metadata(
            config=self.config,
            digitcli_version=__version__,
            created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            calibration=self.calibration,
            data={
                "source": self.dataset.source,
                "format": self.dataset.format,
                "sha256": self.dataset.files,
                "train_samples": len(self.fit),
                "validation_samples": len(self.val),
                "test_samples": len(self.dataset.test),
            },
            metrics={
                "test_accuracy": evaluation.accuracy,
                "test_loss": evaluation.loss,
                "test_ece": evaluation.ece,
                "best_epoch": state.best_epoch,
                "epochs_run": state.epoch,
                "train_seconds": round(state.train_seconds, 3),
            },
            history=state.history,
            versions={
                "python": platform.python_version(),
                "tensorflow": tf.__version__,
                "keras": keras.__version__,
                "numpy": np.__version__,
            },
        )


def written_whole(stop: Interrupted, output: Path) -> TrainingInterrupted:
    """The error for a signal that waited while the model directory `output` was written."""
    return TrainingInterrupted(
        f"stopped by {stop.name} as the model directory was being written; {output} was "
        "written whole first",
        exit_code=stop.exit_code,
    )
