"""Run a model on MNIST-style pixels behind one call, whatever the model's format.

`load_runtime(ref)` picks the lightest engine that can run the model: LiteRT for `.tflite`
(no TensorFlow import), Keras for `.keras`. Inputs are uint8 arrays of shape (n, 28, 28),
white ink on black; the output is (n, 10) probabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from digitcli.config import IMAGE_SIZE, NUM_CLASSES
from digitcli.errors import ModelError
from digitcli.modeldir import ModelRef

BATCH_SIZE = 1024  # large enough to keep the CPU busy, small enough to stay light on memory


class Runtime(Protocol):
    name: str  # "keras" | "litert" | ...
    path: Path

    def predict(self, pixels: np.ndarray) -> np.ndarray: ...


def in_batches(
    run: Callable[[np.ndarray], np.ndarray], pixels: np.ndarray, batch_size: int = BATCH_SIZE
) -> np.ndarray:
    """`run` over `pixels` `batch_size` images at a time, the (n, 10) results stacked."""
    outputs = [
        run(pixels[start : start + batch_size]) for start in range(0, len(pixels), batch_size)
    ]
    return np.concatenate(outputs) if outputs else np.zeros((0, NUM_CLASSES), np.float32)


def sample_shape(shape: tuple | list, path: Path) -> tuple[int, ...]:
    """A model's per-image input shape, if it takes one 28x28 grey image: 28x28, 28x28x1 or 784."""
    shape = tuple(int(d) if isinstance(d, (int, np.integer)) else -1 for d in shape)
    dims = [d for d in shape if d != 1]
    if dims not in ([IMAGE_SIZE, IMAGE_SIZE], [IMAGE_SIZE * IMAGE_SIZE]):
        raise ModelError(f"{path}: the model takes input of shape {shape}, not a 28x28 grey image")
    return shape


class KerasRuntime:
    name = "keras"

    def __init__(self, path: Path) -> None:
        from digitcli.model import load_keras_model

        self.path = path
        self.model = load_keras_model(path)
        self._scale = _input_scale(self.model)
        self._shape = sample_shape(self.model.input_shape[1:], path)

    def predict(self, pixels: np.ndarray) -> np.ndarray:
        return in_batches(self._predict_batch, pixels)

    def _predict_batch(self, pixels: np.ndarray) -> np.ndarray:
        inputs = (pixels.astype(np.float32) * self._scale).reshape((len(pixels), *self._shape))
        return np.asarray(self.model(inputs, training=False), dtype=np.float32)


def _input_scale(model) -> float:
    """digitcli's models take 0-255 and rescale inside; a foreign model is assumed to take 0-1."""
    rescales = any(layer.__class__.__name__ == "Rescaling" for layer in model.layers)
    return 1.0 if rescales else 1 / 255


def load_runtime(ref: ModelRef, *, prefer: str = "auto") -> Runtime:
    """The engine for `ref`. `prefer`: "auto" (LiteRT where a .tflite exists), "keras", "litert"."""
    tflite = ref.tflite_file
    keras_file = ref.keras_file
    if prefer in ("auto", "litert") and tflite is not None:
        from digitcli.litert import LiteRTRuntime

        return LiteRTRuntime(tflite)
    if keras_file is not None:
        return KerasRuntime(keras_file)
    if ref.kind == "onnx":
        from digitcli.onnx_runtime import OnnxRuntime

        return OnnxRuntime(ref.path)
    if ref.kind == "savedmodel":
        from digitcli.savedmodel import SavedModelRuntime

        return SavedModelRuntime(ref.path)
    raise ModelError(f"{ref.path}: no model file this runtime can run")
