"""Run a model on MNIST-style pixels behind one call, whatever the model's format.

`load_runtime(ref)` picks the lightest engine that can run the model: LiteRT for `.tflite`
(no TensorFlow import), Keras for `.keras`. Inputs are uint8 arrays of shape (n, 28, 28),
white ink on black; the output is (n, 10) probabilities.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from digitcli.errors import ModelError
from digitcli.modeldir import ModelRef

BATCH_SIZE = 1024  # large enough to keep the CPU busy, small enough to stay light on memory


class Runtime(Protocol):
    name: str  # "keras" | "litert" | ...
    path: Path

    def predict(self, pixels: np.ndarray) -> np.ndarray: ...


class KerasRuntime:
    name = "keras"

    def __init__(self, path: Path) -> None:
        from digitcli.model import load_keras_model

        self.path = path
        self.model = load_keras_model(path)
        self._scale = _input_scale(self.model)
        self._shape = tuple(self.model.input_shape[1:])
        self._call = None

    def predict(self, pixels: np.ndarray) -> np.ndarray:
        batches = [
            self._predict_batch(pixels[start : start + BATCH_SIZE])
            for start in range(0, len(pixels), BATCH_SIZE)
        ]
        return np.concatenate(batches) if batches else np.zeros((0, 10), np.float32)

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
