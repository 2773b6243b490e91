"""Train a model: the epoch loop, from a new model or a checkpoint to the model directory.

`train(config)` is the whole job and returns a `TrainResult`. What is shown while it runs is up
to the `TrainReporter` passed in (both in reporting.py): the CLI passes Rich bars or plain lines,
Python callers nothing.
"""

from __future__ import annotations

import math
import platform
from contextlib import nullcontext
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np

from digitcli.core.atomic import (
    MODEL_DIRECTORY,
    atomic_output,
    exclusive,
)
from digitcli.core.config import TrainConfig, models_root
from digitcli.core.errors import DigitcliError, TrainingInterrupted
from digitcli.core.signals import Interrupted, SignalGuard
from digitcli.datasets.data import Dataset, Split
from digitcli.models.backend import keras, tf
from digitcli.models.deskew import deskewed
from digitcli.models.model import inference_model, tflite_bytes
from digitcli.models.modeldir import Metadata, check_init, checkpoint_path
from digitcli.reports.evaluate import Evaluation
from digitcli.training import draws
from digitcli.training.augment import Draw, EpochImages
from digitcli.training.checkpoint import Checkpoint, TrainingState
from digitcli.training.distill import teacher_for
from digitcli.training.distribute import (
    DistributedEpochs,
    is_chief,
    is_distributed,
    make_strategy,
    written_by_chief,
)
from digitcli.training.fused import FusedEpochs
from digitcli.training.loop import (
    EpochFitter,
    Epochs,
    KerasEpochs,
    ReporterCallback,
    StopAtNextBatch,
    monitored,
    write_and_settle,
)
from digitcli.training.networkfiles import run_record, write_trained
from digitcli.training.outputs import check_outputs
from digitcli.training.recipe import batches, compiled_model, fit_inputs, targets, taught
from digitcli.training.reporting import (
    NullReporter,
    TrainReporter,
    TrainResult,
    split_notes,
    wants_batches,
)
from digitcli.training.splits import run_images


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
    (models/defaults.py); `TrainResult.default` says which it is.

    `validation_data`: another source (a folder of pictures) to pick the best epoch on and
    score the model on; then all of `data` is fitted (no hold-out taken from it).

    `strategy` (default: `config.strategy`) is the `tf.distribute` strategy to train under:
    auto, default, mirrored or multi-worker (see `digitcli.training.distribute`). `tensorboard`:
    a folder for TensorBoard logs (per-epoch scalars and the graph).
    """
    config = replace(config, strategy=strategy) if strategy else config
    output = Path(output) if output else models_root() / config.run_name
    check_outputs(
        output, force=force, resume=resume, tensorboard=tensorboard, make_default=make_default
    )
    check_init(config)
    images = run_images(data, validation_data, config.validation_split, config.split_seed)
    # Under multi-worker only the chief writes `output`; the others must not take its lock.
    with exclusive(output) if is_chief(config.strategy) else nullcontext():
        run = _Run(config, images, output, force, resume, reporter or NullReporter())
        return run.run(Path(tensorboard) if tensorboard else None, make_default)


class _Run:
    def __init__(
        self,
        config: TrainConfig,
        images: tuple[Dataset, Split, Split],  # splits.run_images: all, to fit, to validate
        output: Path,
        force: bool,
        resume: bool,
        reporter: TrainReporter,
    ) -> None:
        draws.leave_a_core_for_the_draw(config)  # before TensorFlow starts its thread pools
        # First: the multi-worker strategy must start before TensorFlow does anything else.
        self.strategy = make_strategy(config.strategy)
        self.distributed = is_distributed(self.strategy)
        self.chief = is_chief(config.strategy)  # writes checkpoints and the model directory
        self.config, self.output = config, output
        self.dataset, self.fit, self.val = images
        self.force, self.reporter = force, reporter
        self.checkpoint = Checkpoint(
            checkpoint_path(output), config, self.dataset, self.strategy, chief=self.chief
        )
        self.teacher = teacher_for(config.teacher)  # a model that does not load fails here
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
            no_deskew = replace(config, deskew=False)  # deskewed beside it (self.prepare)
            self.model = compiled_model(no_deskew, self.steps_per_epoch, self.strategy)
            self.state, self.best_weights = TrainingState(), self.model.get_weights()
        self.signals = SignalGuard()  # installed for the whole run, in run()

    def run(self, tensorboard: Path | None, make_default: bool) -> TrainResult:
        """The epochs, then the model directory; `make_default` (--make-default): the new
        model becomes the default whatever it scores."""
        config = self.config
        self.tensorboard = tensorboard
        self.fitter = self._fitter()
        self.epochs = Epochs(
            self.model, self.state, self.best_weights, config.epochs, self.fitter,
            images=self._epoch_images, score=monitored(config.monitor, bool(len(self.val))),
            reporter=self.reporter, signals=self.signals, output=self.output,
            checkpoint=self.checkpoint, patience=config.patience,
        )  # fmt: skip
        self.writers = None  # augment.EpochImages, made at the first epoch that needs it
        self.deskewed_fit: np.ndarray | None = None  # the training images deskewed, without draws
        self.first_epoch = self.state.epoch
        self.reporter.start(
            config, start_epoch=self.state.epoch, steps_per_epoch=self.steps_per_epoch
        )
        if self.dataset.format == "images":  # what was read, and what was skipped
            self.reporter.note(f"data: {self.dataset.source}")
        for note in split_notes(len(self.fit), len(self.val), len(self.dataset.test)):
            self.reporter.note(note)
        if self.state.epoch:
            self.reporter.note(f"resuming after epoch {self.state.epoch} of {config.epochs}")
        try:
            with self.signals.installed(), draws.quick_interpreter_switches(config):
                self.epochs.run()
        except Interrupted as stop:
            raise self._interrupted(stop) from None
        finally:
            self.reporter.finish()
            if self.writers is not None:
                self.writers.close()
        if config.restore_best:
            self.epochs.keep_best()
        return write_and_settle(
            self.output,
            self._write_model_dir,
            self.signals,
            test=self.dataset.test,
            seen=[self.fit.x, self.val.x],
            make_default=make_default,
            chief=self.chief,
            writing=self.epochs.disk_full("writing the model directory"),
        )

    def _interrupted(self, stop: Interrupted) -> TrainingInterrupted:
        said = (
            f"interrupted after epoch {self.state.epoch}; checkpoint in "
            f"{self.checkpoint.directory}; run the same command with --resume to continue"
            if self.state.epoch
            else "interrupted before epoch 1 ended: nothing was saved; run the same command "
            "to start again"
        )
        return TrainingInterrupted(said, exit_code=stop.exit_code)

    # What this run's epochs are -------------------------------------------------------------

    def _fitter(self) -> EpochFitter:
        """How an epoch is fitted: under a distribution strategy `DistributedEpochs` (the chief
        reports progress; it stops at the next step itself); with XLA on one device, no Keras
        jitter (0.1.0's `config.augment`) and no TensorBoard (its callback is written for
        `fit`'s loop), the compiled loop (the mlp's epochs in half `model.fit`'s time); else
        `model.fit`, which a signal stops at its next batch."""
        config = self.config
        callbacks = [ReporterCallback(self.reporter)] if wants_batches(self.reporter) else []
        if self.tensorboard is not None and self.chief:
            from digitcli.training.tensorboard import tensorboard_callback

            callbacks.append(tensorboard_callback(self.tensorboard))  # one for the whole run
        feed = partial(fit_inputs, config=config)
        if self.distributed:
            return DistributedEpochs(
                self.strategy, self.model, config, self.signals, feed,
                validation_data=self.validation, callbacks=callbacks if self.chief else [],
            )  # fmt: skip
        callbacks.append(StopAtNextBatch(self.signals))
        # The validation split as `fit` reads it: made once, read again every epoch.
        validation = batches(*self.validation, config.batch_size) if self.validation else None
        if config.jit_compile and not config.augment and self.tensorboard is None:
            return FusedEpochs(
                self.model, config.batch_size, validation_data=validation, callbacks=callbacks
            )
        return KerasEpochs(self.model, feed, validation, callbacks)

    def _epoch_images(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """(images, targets) of `epoch` in the order to train on: seeded by the epoch, so that
        a resumed run trains on what the uninterrupted one would."""
        config = self.config
        if epoch == self.first_epoch:
            self._compile_beside_the_first_draw(epoch)
        keras.utils.set_random_seed(config.seed + epoch)  # resumable: randomness per epoch
        order = np.random.default_rng([config.seed, epoch]).permutation(len(self.fit))
        images, teacher_targets = self._draw(epoch)
        wanted = self.fit.y if teacher_targets is None else teacher_targets
        return images[order], targets(wanted[order], config)

    def _draw(self, epoch: int) -> Draw:
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
        if not isinstance(self.fitter, FusedEpochs) or not config.writers or taught(config):
            return
        self._draws().prefetch(epoch)
        with self.signals.held():  # as for an epoch: a signal waits for the compiling to end
            self.fitter.warm_up(self.fit.x, targets(self.fit.y, config))

    # The model directory --------------------------------------------------------------------

    def _write_model_dir(self) -> TrainResult:
        state = self.state
        self._check_finite()
        best_epoch = state.best_epoch if self.config.restore_best else state.epoch
        with (
            written_by_chief(self.output, self.chief) as target,
            atomic_output(
                target, force=self.force, directory=True, kind=MODEL_DIRECTORY
            ) as staging,
        ):
            final = self._calibrated_model()
            evaluation = write_trained(
                staging, final, tflite_bytes(final), Metadata(self.config), self.dataset.test,
                self.output, state, best_epoch,
            )  # fmt: skip
            self._metadata(evaluation).write(staging)
        if self.chief:
            self.checkpoint.remove()
        return TrainResult(
            self.output, self.config, evaluation, state.train_seconds, state.history, best_epoch
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
        return Metadata(
            config=self.config,
            calibration=self.calibration,
            versions={
                "python": platform.python_version(),
                "tensorflow": tf.__version__,
                "keras": keras.__version__,
                "numpy": np.__version__,
            },
            **run_record(self.dataset, self.fit, self.val, evaluation, self.state),
        )
