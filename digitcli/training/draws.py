"""Sharing the machine with the draw: the digits redrawn (or read by a teacher) on a thread
beside training, the cores and interpreter switches that leaves them, and the calibration redraw.

Apart from train.py: each is a setting measured on its own (docs/performance.md, Training),
and `ensemble` fits its temperature on the same redraw.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import numpy as np

from digitcli.core.config import TrainConfig
from digitcli.datasets.data import Split
from digitcli.models.backend import tf
from digitcli.training.augment import writers_augment
from digitcli.training.recipe import taught

CALIBRATION_DRAW = 1_000_003  # the redraw the temperature is fitted on: no epoch's draw
DRAW_SWITCH_INTERVAL = 0.0005  # seconds: see quick_interpreter_switches


def calibration_images(val: Split, config: TrainConfig) -> tuple[np.ndarray, np.ndarray, str]:
    """What a temperature is fitted on: the validation split, and when training redraws
    digits, the same digits redrawn too, so that confidence holds on other writers' digits
    as well as on MNIST's (where it is as well calibrated either way)."""
    if not config.writers:
        return val.x, val.y, f"validation split ({len(val)} images)"
    rng = np.random.default_rng([config.seed, CALIBRATION_DRAW])
    redrawn = writers_augment(
        val.x, rng, 1.0, val.y, config.flags, config.hollow, config.fonts, config.continental
    )
    images, labels = np.concatenate([val.x, redrawn]), np.concatenate([val.y, val.y])
    return images, labels, f"validation split ({len(val)} images), as written and redrawn"


def draws_beside_training(config: TrainConfig) -> bool:
    """Whether each epoch's digits are redrawn, or a teacher reads them, on a thread beside
    training (`augment.EpochImages`)."""
    return bool(config.writers) or taught(config)


def leave_a_core_for_the_draw(config: TrainConfig) -> None:
    """When each epoch's digits are redrawn (or a teacher reads them) on a thread beside
    training, TensorFlow runs its ops on one core fewer than the process may use: on 2 cores
    its op threads and the draw otherwise take turns, and an op waits for its slower thread
    (measured in docs/performance.md, Training). A user's TF_NUM_INTRAOP_THREADS is kept, and
    so is a runtime TensorFlow already started."""
    if not draws_beside_training(config) or "TF_NUM_INTRAOP_THREADS" in os.environ:
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) < 2:
        return
    with suppress(RuntimeError):  # "cannot be modified after initialization"
        tf.config.threading.set_intra_op_parallelism_threads(cores - 1)


@contextmanager
def quick_interpreter_switches(config: TrainConfig) -> Iterator[None]:
    """While a draw runs on a thread beside training, Python hands its interpreter lock between
    threads every 0.5 ms instead of 5 ms, so that the training loop, which needs it between
    steps, waits less for the draw's NumPy calls: training is faster
    (docs/measurements/code-notes.md)."""
    if not draws_beside_training(config):
        yield
        return
    before = sys.getswitchinterval()
    sys.setswitchinterval(DRAW_SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(before)
