"""One epoch of training as a few calls into one XLA program that loops over the batches.

`model.fit`, even with `steps_per_execution`, runs each step's compiled function from a
TensorFlow loop that takes every batch from a tf.data iterator. Here STEPS_PER_CALL batches go
into one XLA-compiled while loop whose body is Keras' own `train_step`: the same updates in the
same order (the same weights bit for bit), in about half the time of `model.fit`. Used
where training is XLA-compiled on one device (the `mlp` and `mlp512`); the `cnn` (no XLA)
and distributed training keep their loops.

This module imports TensorFlow: import it only when training.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import KW_ONLY, dataclass, field

import numpy as np

from digitcli.models.backend import keras, tf

# Batches per call into the compiled loop: enough that a call's own cost hardly counts, few
# enough that progress and Ctrl-C are still seen many times a second.
STEPS_PER_CALL = 200


@dataclass(eq=False)
class FusedEpochs:
    """Trains `model` (compiled, with XLA) an epoch at a time, as `model.fit(epochs=1)` would
    on the same batches in the same order (a `loop.EpochFitter`)."""

    model: keras.Model
    batch_size: int
    _: KW_ONLY
    validation_data: object | None = None  # batches `model.evaluate` reads
    callbacks: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self._steps = tf.function(self._loop, jit_compile=True, reduce_retracing=True)

    def fit_one_epoch(self, epoch: int, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """Train one epoch on (x, y) in order, the last batch smaller if the images do not
        fill it; return the logs `model.fit` would (loss, accuracy and, with validation data,
        val_loss and val_accuracy). Callbacks see a batch end after each call."""
        callbacks, validation_data = self.callbacks, self.validation_data
        hooks = keras.callbacks.CallbackList(callbacks, model=self.model, epochs=epoch + 1)
        hooks.on_train_begin()
        hooks.on_epoch_begin(epoch)
        self.model.reset_metrics()
        logs: dict[str, float] = {}
        for first, images, targets, start in self._calls(x, y):
            hooks.on_train_batch_begin(first)
            self._steps(images, targets, tf.constant(start, tf.int32))
            logs = self._metrics()
            hooks.on_train_batch_end(first + len(images) - start - 1, logs)
        if validation_data is not None:
            scores = self.model.evaluate(
                validation_data, verbose=0, return_dict=True, callbacks=callbacks
            )
            logs.update({f"val_{name}": float(value) for name, value in scores.items()})
        hooks.on_epoch_end(epoch, logs)
        hooks.on_train_end(logs)
        return logs

    def warm_up(self, x: np.ndarray, y: np.ndarray) -> None:
        """Compile the programs an epoch of arrays like (x, y) calls, by calling each with no
        step to take (nothing is trained), so that compiling can overlap other work."""
        programs = {}
        for _, images, targets, _ in self._calls(x, y):
            programs.setdefault(images.shape, (images, targets))
        for images, targets in programs.values():
            self._steps(images, targets, tf.constant(len(images), tf.int32))

    def _calls(
        self, x: np.ndarray, y: np.ndarray
    ) -> Iterator[tuple[int, np.ndarray, np.ndarray, int]]:
        """(first step, images, targets, start) of each call, which trains on the batches
        images[start:] (steps x batch x ...). Full batches go STEPS_PER_CALL at a time; the last
        of these calls takes the last STEPS_PER_CALL batches and starts where the one before
        stopped, so that all have one shape, one compiled program (a second shape would be
        compiled in the first epoch). Then the images left over, as one batch of their own."""
        size = self.batch_size
        steps = len(x) // size
        used = steps * size
        images = x[:used].reshape(steps, size, *x.shape[1:])
        targets = y[:used].reshape(steps, size, *y.shape[1:])
        width = min(STEPS_PER_CALL, steps)
        for first in range(0, steps, max(1, width)):
            begin = min(first, steps - width)  # the last call ends at the last full batch
            end = begin + width
            yield first, images[begin:end], targets[begin:end], first - begin
        if used < len(x):
            yield steps, x[None, used:], y[None, used:], 0

    def _loop(self, images, targets, start) -> None:
        def step(i):
            self.model.train_step((images[i], targets[i]))
            return i + 1

        tf.while_loop(lambda i: i < tf.shape(images)[0], step, [start])

    def _metrics(self) -> dict[str, float]:
        return {name: float(value) for name, value in self.model.get_metrics_result().items()}
