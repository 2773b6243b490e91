"""Every architecture digitcli trains, built in one place, and how a model is saved and loaded.

Everything that needs a network (train, evaluate, predict, export) gets it from here, and
`metadata.json` beside the weights records how it was built, so a saved model is rebuilt exactly.
This module imports Keras: import it only when a model is built or loaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.core.config import IMAGE_SIZE, NUM_CLASSES, TrainConfig
from digitcli.core.errors import ModelError, first_line
from digitcli.models.backend import keras, tf
from digitcli.models.deskew import Deskew
from digitcli.models.intact import require_keras_archive
from digitcli.models.modeldir import INPUT_NAME, OUTPUT_NAME

layers = keras.layers

# Inputs are raw MNIST pixels, 0-255, white ink on black: every runtime and export sees the same.
INPUT_SHAPE = (IMAGE_SIZE, IMAGE_SIZE)
TEMPERATURE_LAYER = "temperature"  # the fixed 1/T scale before the softmax (calibration)
MEMBER_PREFIX = "member_"  # an ensemble's models are member_1, member_2, ... (ensemble.py)
FIRST_MEMBER = f"{MEMBER_PREFIX}1"  # the one `train --init` starts from


def build_model(config: TrainConfig, *, temperature: float | None = None) -> keras.Model:
    """The network for `config.arch`, uncompiled.

    temperature: the calibrated model that training saves: the same weights, its logits divided
    by `temperature` before the softmax (see `digitcli.training.calibration`).
    """
    head = _head(temperature)
    inputs = _inputs(config.deskew)
    if config.arch in ("mlp", "mlp512"):
        return _mlp(inputs, config.layers, config.dropout, head, name=config.arch)
    if config.arch == "cnn":
        return _cnn(inputs, config.layers, config.dropout, head)
    raise ModelError(f"unknown architecture {config.arch!r} (choose mlp, mlp512 or cnn)")


def _head(temperature: float | None) -> list:
    """The output layers: a softmax, or logits scaled by 1/temperature, then a softmax. Both
    have the same weights, and every runtime and export runs the temperature with the model."""
    if temperature is None:
        return [layers.Dense(NUM_CLASSES, activation="softmax", name=OUTPUT_NAME)]
    return [
        layers.Dense(NUM_CLASSES, name="logits"),
        layers.Rescaling(1 / temperature, name=TEMPERATURE_LAYER),
        layers.Softmax(name=OUTPUT_NAME),
    ]


def _inputs(deskew: bool) -> list:
    """The input, deskewed first if `deskew` (see `digitcli.models.deskew`)."""
    pixels = keras.Input(shape=INPUT_SHAPE, name=INPUT_NAME)
    return [pixels, Deskew(name="deskew")] if deskew else [pixels]


def _mlp(
    inputs: list, widths: tuple[int, ...], dropout: float, head: list, name: str
) -> keras.Model:
    hidden = []
    for width in widths:
        hidden.append(layers.Dense(width, activation="relu"))
        if dropout:
            hidden.append(layers.Dropout(dropout))
    return keras.Sequential(
        [
            *inputs,
            layers.Rescaling(1 / 255),  # pixels to [0, 1]
            layers.Flatten(),  # 28x28 -> 784
            *hidden,
            *head,
        ],
        name=name,
    )


def _cnn(inputs: list, filters: tuple[int, ...], dropout: float, head: list) -> keras.Model:
    # One 5x5 convolution per stage, then halve the resolution: as accurate as two 3x3 "same"
    # convolutions per stage (and more than one 3x3) at a quarter of the cost. Not XLA: on a
    # CPU, XLA's convolutions are slower than TensorFlow's own.
    stages = []
    for width in filters:
        stages += [
            layers.Conv2D(width, 5, use_bias=False),
            layers.BatchNormalization(),  # lets a high learning rate train fast
            layers.ReLU(),
            layers.MaxPooling2D(),
        ]
    return keras.Sequential(
        [
            *inputs,
            layers.Rescaling(1 / 255),
            layers.Reshape((*INPUT_SHAPE, 1)),  # one grey channel
            *stages,
            layers.Flatten(),
            layers.Dropout(dropout),
            layers.Dense(128, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Dropout(dropout),
            *head,
        ],
        name="cnn",
    )


def inference_model(
    model: keras.Model, config: TrainConfig, *, temperature: float | None = None
) -> keras.Model:
    """A fresh copy of `model`'s weights with no optimizer state (and the temperature, if any):
    what users load and export."""
    clean = build_model(config, temperature=temperature)
    clean.set_weights(model.get_weights())
    return clean


def load_keras_model(path: Path) -> keras.Model:
    """Load a `.keras` file safely (no Python code from the file runs)."""
    require_keras_archive(Path(path))
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except (ValueError, OSError, TypeError, KeyError, AttributeError) as exc:
        raise ModelError(f"{path}: not a loadable Keras model ({first_line(exc)})") from exc


def tflite_bytes(model: keras.Model) -> bytes:
    """The model as a float32 TensorFlow Lite flatbuffer, for LiteRT."""
    import contextlib
    import io

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    with contextlib.redirect_stdout(io.StringIO()):  # the converter prints its signatures
        return converter.convert()


def tflite_f16_bytes(model: keras.Model) -> bytes:
    """The model as a TFLite flatbuffer with float16 weights: half the size, float32 in and out."""
    import contextlib
    import io

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    with contextlib.redirect_stdout(io.StringIO()):
        return converter.convert()


def tflite_int8_bytes(model: keras.Model, representative: np.ndarray) -> bytes:
    """The model fully integer-quantised, for integer-only accelerators and the smallest file.

    `representative`: uint8 pixels (n, 28, 28) that calibrate each tensor's range; a few hundred
    training images are enough. Input and output are uint8: the input's scale comes out as 1.0, so
    raw pixels go in unchanged, and the output is probabilities in steps of 1/256.
    """
    import contextlib
    import io

    def samples():
        for image in representative:
            yield [image[np.newaxis].astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = samples
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.uint8
    converter.inference_output_type = tf.uint8
    with contextlib.redirect_stdout(io.StringIO()):
        return converter.convert()
