"""ONNX models through onnxruntime, without importing TensorFlow.

onnxruntime comes with the optional extra: `pip install 'digitcli[onnx]'`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.errors import ModelError
from digitcli.runtime import in_batches, sample_shape

ONNX_EXTRA_HINT = "pip install 'digitcli[onnx]'"


class OnnxRuntime:
    """Runs an `.onnx` file that takes pixels 0-255 as float32 (n, 28, 28), like digitcli's."""

    name = "onnxruntime"

    def __init__(self, path: Path, *, batch_size: int = 1024) -> None:
        try:
            import onnxruntime
        except ImportError:
            hint = f"running ONNX models needs onnxruntime: {ONNX_EXTRA_HINT}"
            raise ModelError(f"{path}: {hint}") from None
        self.path = Path(path)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: no graph-optimisation chatter on stderr
        try:
            self._session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types for bad files
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{path}: not a loadable ONNX model ({message})") from None
        inputs = self._session.get_inputs()
        if len(inputs) != 1:
            raise ModelError(f"{path}: the model takes {len(inputs)} inputs, not one image")
        self._input = inputs[0].name
        shape = list(inputs[0].shape[1:])
        self._sample_shape = sample_shape(shape, path)
        self._batch = batch_size

    def predict(self, pixels: np.ndarray) -> np.ndarray:
        return in_batches(self._run, pixels, self._batch)

    def _run(self, pixels: np.ndarray) -> np.ndarray:
        inputs = pixels.astype(np.float32).reshape((len(pixels), *self._sample_shape))
        (probabilities,) = self._session.run(None, {self._input: inputs})[:1]
        return np.asarray(probabilities, dtype=np.float32)
