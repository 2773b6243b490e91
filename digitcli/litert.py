"""LiteRT (TensorFlow Lite) inference without importing TensorFlow."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.errors import ModelError
from digitcli.quiet import native_stderr_silenced


class LiteRTRuntime:
    name = "litert"

    def __init__(self, path: Path, *, batch_size: int = 1024) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.path = path
        try:
            self._interpreter = Interpreter(model_path=str(path))
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"{path}: not a loadable TFLite model ({exc})") from None
        detail = self._interpreter.get_input_details()[0]
        self._input = detail
        self._output = self._interpreter.get_output_details()[0]
        self._batch = batch_size
        self._allocated = 0
        shape = list(detail["shape"][1:])
        dims = [d for d in shape if d != 1]
        if dims not in ([28, 28], [784]):
            raise ModelError(f"{path}: the model takes input of shape {shape}, not a 28x28 image")
        self._sample_shape = tuple(shape)

    def predict(self, pixels: np.ndarray) -> np.ndarray:
        outputs = [
            self._run(pixels[start : start + self._batch])
            for start in range(0, len(pixels), self._batch)
        ]
        return np.concatenate(outputs) if outputs else np.zeros((0, 10), np.float32)

    def _run(self, pixels: np.ndarray) -> np.ndarray:
        interpreter = self._interpreter
        first_of_size = self._allocated != len(pixels)
        if first_of_size:
            interpreter.resize_tensor_input(
                self._input["index"], [len(pixels), *self._sample_shape]
            )
            interpreter.allocate_tensors()
            self._allocated = len(pixels)
        inputs = pixels.reshape((len(pixels), *self._sample_shape))
        interpreter.set_tensor(self._input["index"], _quantize(inputs, self._input))
        if first_of_size:
            with native_stderr_silenced():  # the XNNPACK delegate announces itself on first run
                interpreter.invoke()
        else:
            interpreter.invoke()
        return _dequantize(interpreter.get_tensor(self._output["index"]), self._output)


def _quantize(pixels: np.ndarray, detail: dict) -> np.ndarray:
    scale, zero_point = detail["quantization"]
    if detail["dtype"] in (np.int8, np.uint8) and scale:
        values = np.round(pixels.astype(np.float32) / scale + zero_point)
        info = np.iinfo(detail["dtype"])
        return np.clip(values, info.min, info.max).astype(detail["dtype"])
    return pixels.astype(detail["dtype"])


def _dequantize(values: np.ndarray, detail: dict) -> np.ndarray:
    scale, zero_point = detail["quantization"]
    if detail["dtype"] in (np.int8, np.uint8) and scale:
        return (values.astype(np.float32) - zero_point) * scale
    return values.astype(np.float32)
