"""LiteRT (TensorFlow Lite) inference without importing TensorFlow.

`ai_edge_litert` loads in ~0.3 s and a few tens of MiB, where TensorFlow takes seconds and
hundreds: `predict` and `evaluate` run a model directory through its `model.tflite` with it.
Float32, float16-weight and fully integer-quantised (uint8 or int8 in and out) models all work:
pixels are quantised on the way in and probabilities dequantised on the way out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.config import NUM_CLASSES
from digitcli.errors import ModelError
from digitcli.quiet import native_stderr_silenced
from digitcli.runtime import in_batches, sample_shape


class LiteRTRuntime:
    """Runs a `.tflite` file that takes pixels 0-255 (n, 28, 28) and gives (n, 10) probabilities."""

    name = "litert"

    def __init__(self, path: Path, *, batch_size: int = 1024) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.path = Path(path)
        try:
            with native_stderr_silenced():  # "INFO: Created TensorFlow Lite XNNPACK delegate"
                self._interpreter = Interpreter(model_path=str(path))
        except (ValueError, RuntimeError) as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{path}: not a loadable TFLite model ({message})") from None
        inputs = self._interpreter.get_input_details()
        outputs = self._interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            counts = f"{len(inputs)} inputs and {len(outputs)} outputs"
            raise ModelError(f"{path}: the model has {counts}, not one of each")
        self._input, self._output = inputs[0], outputs[0]
        shape = [int(d) for d in self._input["shape"][1:]]
        if int(self._output["shape"][-1]) != NUM_CLASSES:
            raise ModelError(f"{path}: the model gives {self._output['shape'][1:]}, not 10 scores")
        self._sample_shape = sample_shape(shape, path)
        self._batch = batch_size
        self._allocated = -1  # the batch size the tensors are allocated for

    def predict(self, pixels: np.ndarray) -> np.ndarray:
        return in_batches(self._run, pixels, self._batch)

    def _run(self, pixels: np.ndarray) -> np.ndarray:
        interpreter = self._interpreter
        inputs = _quantize(pixels.reshape((len(pixels), *self._sample_shape)), self._input)
        if self._allocated != len(pixels):
            # Allocating applies the XNNPACK delegate, which says so on stderr.
            with native_stderr_silenced():
                interpreter.resize_tensor_input(self._input["index"], list(inputs.shape))
                interpreter.allocate_tensors()
                interpreter.set_tensor(self._input["index"], inputs)
                interpreter.invoke()
            self._allocated = len(pixels)
        else:
            interpreter.set_tensor(self._input["index"], inputs)
            interpreter.invoke()
        return _dequantize(interpreter.get_tensor(self._output["index"]), self._output)


def _quantize(pixels: np.ndarray, detail: dict) -> np.ndarray:
    """Pixels as the input tensor wants them; for a quantised input, value / scale + zero point."""
    scale, zero_point = detail["quantization"]
    if np.issubdtype(detail["dtype"], np.integer) and scale:
        values = np.round(pixels.astype(np.float32) / scale + zero_point)
        info = np.iinfo(detail["dtype"])
        return np.clip(values, info.min, info.max).astype(detail["dtype"])
    return pixels.astype(detail["dtype"])


def _dequantize(values: np.ndarray, detail: dict) -> np.ndarray:
    """Output as float32 probabilities; for a quantised output, (value - zero point) * scale."""
    scale, zero_point = detail["quantization"]
    if np.issubdtype(detail["dtype"], np.integer) and scale:
        return (values.astype(np.float32) - zero_point) * scale
    return values.astype(np.float32)
