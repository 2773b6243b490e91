"""How a network is trained, apart from the loop: optimizer, schedule, loss, augmentation.

`train.py` runs epochs and writes files; what makes the model good lives here, so it can be read,
tested and changed in one place. This module imports Keras: import it only when training.
"""

from __future__ import annotations

import numpy as np

from digitcli.augment import WRITERS, EpochImages, augment
from digitcli.backend import keras
from digitcli.config import TrainConfig


def optimizer(config: TrainConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """The optimizer with its learning-rate schedule over the whole run."""
    total = max(1, config.epochs * steps_per_epoch)
    if config.schedule == "onecycle":
        warmup = max(1, int(0.2 * total))  # a fifth of the run warming up, then cosine down
        rate = keras.optimizers.schedules.CosineDecay(
            config.learning_rate / 10,
            decay_steps=total - warmup,
            warmup_target=config.learning_rate,
            warmup_steps=warmup,
        )
    elif config.schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(config.learning_rate, decay_steps=total)
    else:
        rate = config.learning_rate
    optimizers = {
        "adam": keras.optimizers.Adam,
        "rmsprop": keras.optimizers.RMSprop,
        "sgd": lambda learning_rate: keras.optimizers.SGD(learning_rate, momentum=0.9),
    }
    return optimizers[config.optimizer](learning_rate=rate)


def loss(config: TrainConfig) -> keras.losses.Loss:
    if config.label_smoothing:
        return keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing)
    return keras.losses.SparseCategoricalCrossentropy()


def epoch_images(config: TrainConfig, images: np.ndarray) -> EpochImages | None:
    """Where each epoch's training images come from: redrawn like other writers' digits
    (`digitcli.augment`) when `config.augment`, else None (MNIST's own images every epoch)."""
    if not config.augment:
        return None
    return EpochImages(images, config.seed, WRITERS, every=config.augment_every)


def calibration_set(
    config: TrainConfig, images: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """What the temperature is fitted on: the validation images as they are and, when training
    augments, once more redrawn like other writers', so that confidence stays honest on digits
    unlike MNIST's (fitted on MNIST alone the CNN's temperature sharpens it for MNIST only)."""
    if not config.augment:
        return images, labels
    redrawn = augment(images, (config.seed, CALIBRATION_DRAW), WRITERS)
    return np.concatenate([images, redrawn]), np.concatenate([labels, labels])


CALIBRATION_DRAW = 2**31 - 1  # the draw for the validation images: no epoch reaches it
