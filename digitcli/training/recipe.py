"""The training recipe: loss, optimizer and schedule, and what `fit` is fed each epoch.

`build_model` (model.py) says what the network is; this says how it learns. The redrawing of
other writers' digits is `augment.py`'s; the optional Keras jitter (`config.augment`) is here.
"""

from __future__ import annotations

import numpy as np

from digitcli.core.config import NO_TEACHER, NUM_CLASSES, TrainConfig
from digitcli.core.errors import ModelError, UsageError
from digitcli.models.backend import keras, tf
from digitcli.models.model import FIRST_MEMBER, build_model, load_keras_model
from digitcli.models.modeldir import init_keras_file
from digitcli.training.distribute import is_distributed, scope


def compiled_model(config: TrainConfig, steps_per_epoch: int, strategy: object) -> keras.Model:
    """A new model for `config`, compiled with its loss and optimizer (under `strategy`)."""
    with scope(strategy):  # under a strategy: variables mirrored across replicas
        model = build_model(config)
        smoothing = config.label_smoothing
        loss = (
            keras.losses.CategoricalCrossentropy(label_smoothing=smoothing)
            if smoothing or taught(config)
            else keras.losses.SparseCategoricalCrossentropy()
        )
        model.compile(
            optimizer=optimizer(config, steps_per_epoch),
            loss=loss,
            metrics=["accuracy"],
            jit_compile=config.jit_compile,
            steps_per_execution=config.steps_per_execution,
        )
        if config.init:
            start_from(model, config.init)
        if is_distributed(strategy):  # its variables now, in the scope, not in the first step
            model.optimizer.build(model.trainable_variables)
    return model


def start_from(model: keras.Model, source: str) -> None:
    """Give `model` the weights of the trained model `source` (`train --init`: "bundled", a
    model directory or a .keras file), so that training fine-tunes it. Its temperature, a
    fixed scale on the logits, is not a weight: a new one is fitted at the end."""
    path = init_keras_file(source)
    try:
        trained = load_keras_model(path)
    except ModelError as error:
        raise UsageError(f"--init {error}") from None
    if any(layer.name == FIRST_MEMBER for layer in trained.layers):
        trained = trained.get_layer(FIRST_MEMBER)  # an ensemble (the bundled model): its first
    weights = trained.get_weights()
    if [w.shape for w in weights] != [w.shape for w in model.get_weights()]:
        raise UsageError(f"--init {source}: its network is not the one --arch builds")
    model.set_weights(weights)


def optimizer(config: TrainConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """`config.optimizer` at `config.learning_rate`, on `config.schedule` over the whole run."""
    total = max(2, config.epochs * steps_per_epoch)  # a run of one step: warm-up, one down
    if config.schedule == "onecycle":
        warmup = min(max(1, int(0.2 * total)), total - 1)  # a fifth warming up, then cosine
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


def taught(config: TrainConfig) -> bool:
    """Whether a teacher's probabilities are the targets (distill.py)."""
    return config.teacher != NO_TEACHER


def targets(labels: np.ndarray, config: TrainConfig) -> np.ndarray:
    """What the loss compares with: one-hot rows under label smoothing or with a teacher, else
    the digits. Rows already given (a teacher's targets, n x 10) are what they are."""
    if labels.ndim == 2:
        return labels
    if config.label_smoothing or taught(config):
        return np.eye(NUM_CLASSES, dtype=np.float32)[labels]
    return labels


def fit_inputs(x: np.ndarray, y: np.ndarray, config: TrainConfig) -> tf.data.Dataset:
    """One epoch's (x, y), in order, in the batches `fit` reads."""
    if config.augment:
        return _jittered(x, targets(y, config), config)
    return batches(x, targets(y, config), config.batch_size)


def batches(x: np.ndarray, y: np.ndarray, batch_size: int) -> tf.data.Dataset:
    """(x, y) in order, in batches: what `fit` makes of NumPy arrays, without tf.data's
    autotuning. Keras' own pipeline for arrays autotunes a parallel map; as `fit` returned,
    tearing it down left the main thread waiting, idle, on many epochs while a draw ran beside.
    Its autotuning off, no epoch waits, and training is faster, to the same weights."""
    return _without_autotuning(tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size))


def _without_autotuning(dataset: tf.data.Dataset) -> tf.data.Dataset:
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.prefetch(2).with_options(options)


def _jittered(x: np.ndarray, y: np.ndarray, config: TrainConfig):
    """Batches of training images with small random shifts, rotations and zoom."""
    layers = keras.layers
    jitter = keras.Sequential(
        [
            layers.RandomRotation(0.03, fill_mode="constant", seed=config.seed),  # about 10 degrees
            layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=config.seed),
            layers.RandomZoom(0.1, fill_mode="constant", seed=config.seed),
        ]
    )

    def augment(images, labels):
        images = tf.cast(images, tf.float32)[..., None]
        return jitter(images, training=True)[..., 0], labels

    return _without_autotuning(
        tf.data.Dataset.from_tensor_slices((x, y))
        .batch(config.batch_size)
        .map(augment)  # sequential: parallel calls would draw the jitter in any order
    )
