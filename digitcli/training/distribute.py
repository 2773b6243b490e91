"""Training on TensorFlow's own distribution engine: which strategy, who is chief, one epoch.

`--strategy auto` on a machine with one GPU or none is the plain path: nothing here runs but
`make_strategy`. Under `MirroredStrategy` (several local GPUs) and `MultiWorkerMirroredStrategy`
(the cluster in `$TF_CONFIG`), `DistributedEpochs` fits each epoch of the one loop
(`loop.Epochs`): Keras 3.15's `model.fit` fails under the multi-worker strategy
(keras-team/keras#20585), so this is the step `fit` would run, written out with `strategy.run`,
with the same callbacks, logs and optimizer state, so progress, checkpoints and resume are the
ones single-process training has.

TensorFlow is imported only inside the functions that need it: the CLI asks `is_chief()` before
any model exists.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from digitcli.core.config import STRATEGIES, TrainConfig
from digitcli.core.errors import DigitcliError, UsageError
from digitcli.core.signals import SignalGuard

if TYPE_CHECKING:
    import keras
    import tensorflow as tf

TF_CONFIG_ENV = "TF_CONFIG"  # the cluster and this process's task, as TensorFlow defines it
CLUSTER_TIMEOUT_ENV = "DIGITCLI_CLUSTER_TIMEOUT"  # seconds to wait for every worker to join
CLUSTER_TIMEOUT = 600.0  # long enough for a scheduler to start every worker


@dataclass(frozen=True)
class Task:
    """This process's place in the cluster `$TF_CONFIG` describes."""

    type: str  # "worker" or "chief"
    index: int
    cluster: dict[str, list[str]]

    @property
    def is_chief(self) -> bool:
        # TensorFlow's rule: the "chief" task if there is one, else worker 0.
        if "chief" in self.cluster:
            return self.type == "chief"
        return self.type == "worker" and self.index == 0

    @property
    def workers(self) -> int:
        return sum(len(self.cluster.get(kind, [])) for kind in ("chief", "worker"))

    def __str__(self) -> str:
        return f"{self.type} {self.index} of {self.workers} workers"


def task_from_env() -> Task | None:
    """The task `$TF_CONFIG` names, or None when it is unset."""
    raw = os.environ.get(TF_CONFIG_ENV, "").strip()
    if not raw:
        return None
    try:
        spec = json.loads(raw)
        cluster = {kind: list(addresses) for kind, addresses in spec["cluster"].items()}
        task = Task(str(spec["task"]["type"]), int(spec["task"]["index"]), cluster)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(
            f"${TF_CONFIG_ENV} is not a TensorFlow cluster description ({type(exc).__name__}: "
            f'{exc}); expected {{"cluster": {{"worker": ["host:port", ...]}}, '
            f'"task": {{"type": "worker", "index": N}}}}'
        ) from None
    if task.type not in ("chief", "worker") or not (
        0 <= task.index < len(cluster.get(task.type, []))
    ):
        raise UsageError(f"${TF_CONFIG_ENV}: task {task.type} {task.index} is not in its cluster")
    return task


def is_chief(strategy: str = "multi-worker") -> bool:
    """Whether this process writes the model directory and checkpoints and shows progress.

    Always true except under `multi-worker`, where `$TF_CONFIG` decides.
    """
    if strategy != "multi-worker":
        return True
    task = task_from_env()
    return task is None or task.is_chief


def make_strategy(name: str) -> tf.distribute.Strategy:
    """The `tf.distribute` strategy for `--strategy name`.

    auto: MirroredStrategy over the local GPUs when there are several, else the default
    strategy. default: one device, no distribution. mirrored: every local GPU (or the CPU).
    multi-worker: MultiWorkerMirroredStrategy over the cluster in `$TF_CONFIG`.
    """
    if name not in STRATEGIES:
        raise UsageError(f"unknown strategy {name!r} (choose {', '.join(STRATEGIES)})")
    if name == "multi-worker":
        return _multi_worker()
    from digitcli.models.backend import tf

    if name == "mirrored" or (name == "auto" and len(tf.config.list_physical_devices("GPU")) > 1):
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def _multi_worker() -> tf.distribute.Strategy:
    if task_from_env() is None:
        raise UsageError(
            f"--strategy multi-worker needs the cluster in ${TF_CONFIG_ENV} "
            "(see docs/distributed.md)"
        )
    from digitcli.models.backend import tf

    try:
        with _waiting_for_the_cluster():
            return tf.distribute.MultiWorkerMirroredStrategy()
    except RuntimeError as exc:  # TensorFlow already started in this process
        raise UsageError(f"cannot start the multi-worker strategy: {exc}") from None


@contextlib.contextmanager
def _waiting_for_the_cluster() -> Iterator[None]:
    """Bound the wait for every worker to join, and let Ctrl-C and SIGTERM end it.

    TensorFlow waits for the whole cluster in one C++ call that holds the GIL, with no time
    limit: no Python signal handler or thread runs until it returns. So for that call SIGINT and
    SIGTERM end the process at once, and a watchdog process reports and ends it when the cluster
    has not come together in `$DIGITCLI_CLUSTER_TIMEOUT` seconds.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    limit = float(os.environ.get(CLUSTER_TIMEOUT_ENV) or CLUSTER_TIMEOUT)
    message = (
        f"Error: the cluster in ${TF_CONFIG_ENV} did not come together in {limit:g} s: is every "
        f"worker started, and can it reach the others? (${CLUSTER_TIMEOUT_ENV} sets the wait)"
    )
    watchdog = subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(limit), message],
        stdin=subprocess.PIPE,
        start_new_session=True,  # Ctrl-C is for us, not for it: it ends when our pipe closes
    )
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    for signum in previous:
        signal.signal(signum, signal.SIG_DFL)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        watchdog.stdin.close()  # joined (or failed): the watchdog sees the pipe close and exits
        watchdog.wait()


_WATCHDOG = """
import os, select, signal, sys
parent, limit, message = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
ready, _, _ = select.select([sys.stdin], [], [], limit)
if not ready:
    sys.stderr.write(message + "\\n")
    sys.stderr.flush()
    os.kill(parent, signal.SIGKILL)
"""


def is_distributed(strategy: tf.distribute.Strategy) -> bool:
    """False for the default strategy: training then takes the plain `model.fit` path."""
    from digitcli.models.backend import tf

    return strategy is not tf.distribute.get_strategy()


def scope(strategy: tf.distribute.Strategy) -> contextlib.AbstractContextManager:
    """`strategy.scope()`, or nothing at all on the plain path."""
    return strategy.scope() if is_distributed(strategy) else contextlib.nullcontext()


@contextlib.contextmanager
def written_by_chief(target: Path, chief: bool) -> Iterator[Path]:
    """`target` on the chief; on other workers a temporary path, removed when the block ends.

    Every worker saves what the chief saves, so that anything saving runs in step on all of them.
    """
    if chief:
        yield target
        return
    scratch = Path(tempfile.mkdtemp(prefix="digitcli-worker-"))
    try:
        yield scratch / target.name
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def check_same_checkpoint(strategy: tf.distribute.Strategy, state_file: Path) -> None:
    """Refuse to resume unless every worker reads the same checkpoint (all of them, together).

    Workers resume from the checkpoint the chief wrote, so it must be on storage they share.
    Every worker takes part in the check before any fails, so none is left waiting.
    """
    from digitcli.models.backend import tf

    if not is_distributed(strategy):
        return
    found = state_file.is_file()
    digest = zlib.crc32(state_file.read_bytes()) & 0xFFFFFF if found else 0  # exact in float32
    mine = tf.constant([[float(found), float(digest)]], tf.float32)

    @tf.function
    def gather() -> tf.Tensor:
        everyone = strategy.run(lambda: mine)
        return strategy.gather(everyone, axis=0)

    seen = gather().numpy()
    if not seen[:, 0].all():
        missing = "" if found else f" (this worker has no {state_file})"
        raise UsageError(
            f"nothing to resume on every worker{missing}: with --strategy multi-worker the "
            "checkpoint must be on storage all workers share"
        )
    if len(set(seen[:, 1].tolist())) > 1:
        raise UsageError(f"workers read different checkpoints at {state_file.parent}")


class DistributedEpochs:
    """One epoch of training under a strategy: what `model.fit(epochs=1)` does, written out (a
    `loop.EpochFitter`; `feed` makes (x, y) the dataset of global batches `fit` would read).

    `--batch-size` is the global batch: each step takes the next batch of the epoch's order and
    `experimental_distribute_dataset` splits it across the replicas of all workers (auto-shard
    policy DATA). The loss is the sum of per-example losses over the number of examples in the
    global batch, and Keras' optimizer sums the replicas' gradients, so a step moves the weights
    as a single process would with that batch. Loss and accuracy are summed across replicas
    every step: every worker gets the same logs, so all of them agree on the best epoch and on
    stopping early.
    """

    def __init__(
        self,
        strategy: tf.distribute.Strategy,
        model: keras.Model,
        config: TrainConfig,
        signals: SignalGuard,
        feed: Callable[[np.ndarray, np.ndarray], tf.data.Dataset],
        *,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        callbacks: list | tuple = (),
    ) -> None:
        from digitcli.models.backend import tf

        self.signals = signals  # the run's guard, installed by train
        self.strategy, self.model, self.feed = strategy, model, feed
        self.validation_data, self.callbacks = validation_data, list(callbacks)
        self.batch_size = config.batch_size  # the global batch
        self.replicas = strategy.num_replicas_in_sync
        loss = model.loss  # as compiled: the same recipe as the plain path
        self.per_example_loss = type(loss).from_config({**loss.get_config(), "reduction": None})
        # XLA for the forward and backward pass only: the all-reduce stays outside it.
        self._gradients = (
            tf.function(self._forward_backward, jit_compile=True, reduce_retracing=True)
            if config.jit_compile
            else self._forward_backward
        )
        # The iterator goes into the step, as in model.fit: nothing per-replica passes Python.
        self._train_step = tf.function(self._train)
        self._test_step = tf.function(self._test)
        # Batch normalisation's moving statistics are updated per replica, from its share of the
        # batch (as under model.fit): averaged at each epoch's end, every worker holds the same.
        self._statistics = [
            v for v in model.non_trainable_variables if tf.as_dtype(v.dtype).is_floating
        ]
        self._average_statistics = tf.function(self._average)

    def fit_one_epoch(self, epoch: int, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """Train one epoch on (x, y) in order; return the logs `model.fit` would: loss,
        accuracy and, given validation data, val_loss and val_accuracy."""
        from digitcli.models.backend import tf

        # A signal waits for the end of the step under way (the loop holds it: loop.Epochs.run).
        try:
            return self._epoch(epoch, self.feed(x, y), len(x))
        except tf.errors.OpError as exc:
            self.signals.raise_pending()  # stopping ourselves: the signal is the news
            raise DigitcliError(  # else another worker went
                f"lost contact with another worker ({type(exc).__name__}); every worker "
                "must run to the end: start them all again with --resume"
            ) from None

    def _epoch(self, epoch: int, batches: tf.data.Dataset, samples: int) -> dict[str, float]:
        from digitcli.models.backend import keras, tf

        hooks = keras.callbacks.CallbackList(self.callbacks, model=self.model, epochs=epoch + 1)
        hooks.on_train_begin()
        hooks.on_epoch_begin(epoch)
        sizes = self._batch_sizes(samples, self.batch_size)
        iterator = iter(self._distributed(batches.take(len(sizes))))
        counts = {size: tf.constant(size, tf.float32) for size in set(sizes)}
        watched = bool(hooks.callbacks)  # else no need to wait for each step's numbers
        totals, unread = np.zeros(3), []
        for step, size in enumerate(sizes):
            self.signals.raise_pending()
            if watched:
                hooks.on_train_batch_begin(step)
            tally = self._train_step(iterator, counts[size])
            if watched:
                totals += tally.numpy()
                hooks.on_train_batch_end(step, _logs(totals))
            else:
                unread.append(tally)
        totals += sum((tally.numpy() for tally in unread), np.zeros(3))
        if self._statistics:
            self._average_statistics()
        logs = _logs(totals)
        if self.validation_data is not None:
            validated = self._validate(self.validation_data, hooks)
            logs.update({f"val_{k}": v for k, v in validated.items()})
        hooks.on_epoch_end(epoch, logs)
        hooks.on_train_end(logs)
        return logs

    def _batch_sizes(self, samples: int, batch_size: int) -> list[int]:
        """The global batch of each step. A last batch smaller than the number of replicas
        would leave one with no images, and batch normalisation of nothing is NaN: those few
        images sit this epoch out."""
        full, last = divmod(samples, batch_size)
        return [batch_size] * full + ([last] if last >= self.replicas else [])

    def _validate(self, data: tuple[np.ndarray, np.ndarray], hooks) -> dict[str, float]:
        from digitcli.models.backend import tf

        images, targets = data
        batch_size = self.batch_size
        batches = tf.data.Dataset.from_tensor_slices((images, targets)).batch(batch_size)
        iterator = iter(self._distributed(batches))
        hooks.on_test_begin()
        totals = np.zeros(3)
        for step in range(-(-len(images) // batch_size)):
            hooks.on_test_batch_begin(step)
            totals += self._test_step(iterator).numpy()
            hooks.on_test_batch_end(step, _logs(totals))
        hooks.on_test_end(_logs(totals))
        return _logs(totals)

    def _distributed(self, batches: tf.data.Dataset):
        from digitcli.models.backend import tf

        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
        return self.strategy.experimental_distribute_dataset(batches.with_options(options))

    def _train(self, iterator, global_count):
        from digitcli.models.backend import tf

        def step(images, targets):
            gradients, tally = self._gradients(images, targets, global_count)
            variables = self.model.trainable_variables
            self.model.optimizer.apply_gradients(zip(gradients, variables, strict=True))
            return tally

        tally = self.strategy.run(step, args=next(iterator))
        return self.strategy.reduce(tf.distribute.ReduceOp.SUM, tally, axis=None)

    def _average(self) -> None:
        from digitcli.models.backend import tf

        mean = tf.distribute.ReduceOp.MEAN
        local = self.strategy.run(lambda: [tf.identity(v.value) for v in self._statistics])
        for variable, values in zip(self._statistics, local, strict=True):
            variable.assign(self.strategy.reduce(mean, values, axis=None))

    def _forward_backward(self, images, targets, global_count):
        from digitcli.models.backend import tf

        model = self.model
        with tf.GradientTape() as tape:
            predictions = model(images, training=True)
            per_example = self.per_example_loss(targets, predictions)
            loss = tf.reduce_sum(per_example) / global_count  # tf.nn.compute_average_loss
            if model.losses:  # regularisers, once per global step
                loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
            scaled = model.optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled, model.trainable_variables)
        return gradients, _tally(targets, predictions, per_example)

    def _test(self, iterator):
        from digitcli.models.backend import tf

        def step(images, targets):
            predictions = self.model(images, training=False)
            return _tally(targets, predictions, self.per_example_loss(targets, predictions))

        tally = self.strategy.run(step, args=next(iterator))
        return self.strategy.reduce(tf.distribute.ReduceOp.SUM, tally, axis=None)


def _tally(targets, predictions, per_example):
    """[sum of losses, correct predictions, images]: what loss and accuracy are made of."""
    from digitcli.models.backend import tf

    labels = targets if targets.shape.rank == 1 else tf.argmax(targets, axis=-1)
    guesses = tf.argmax(predictions, axis=-1)
    correct = tf.cast(tf.equal(guesses, tf.cast(labels, guesses.dtype)), tf.float32)
    count = tf.cast(tf.shape(per_example)[0], tf.float32)
    return tf.stack(
        [tf.reduce_sum(tf.cast(per_example, tf.float32)), tf.reduce_sum(correct), count]
    )


def _logs(totals: np.ndarray) -> dict[str, float]:
    """Loss and accuracy so far this epoch, as Keras reports them: means over the images."""
    loss, correct, count = (float(value) for value in totals)
    if not count:
        return {"loss": float("nan"), "accuracy": float("nan")}
    return {"loss": loss / count, "accuracy": correct / count}
