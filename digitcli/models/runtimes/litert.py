"""LiteRT (TensorFlow Lite) inference without importing TensorFlow.

`ai_edge_litert` loads in a fraction of the time and memory TensorFlow takes: `predict` and
`evaluate` run a model directory through its `model.tflite` with it.
Float32, float16-weight and fully integer-quantised (uint8 or int8 in and out) models all work:
inputs are quantised on the way in and probabilities dequantised on the way out.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from digitcli.core.config import NUM_CLASSES
from digitcli.core.errors import ModelError, first_line
from digitcli.core.quiet import native_stderr_silenced
from digitcli.models.modeldir import DIGITCLI_INPUT, Metadata
from digitcli.models.runtimes.base import BATCH_SIZE, Batched, convention_for, zip_manifest
from digitcli.models.runtimes.registry import register


class TFLiteFunction:
    """Any `.tflite` file with one input and one output, called on whole batches, from any
    number of threads: a LiteRT interpreter is not thread-safe (two threads resizing or
    invoking one at once raise "There is at least 1 reference to internal data"), so each
    thread that calls runs its own, made on its first call (a few ms and the model's size in
    memory; the calls then run in parallel, LiteRT releasing the GIL while it computes)."""

    def __init__(self, path: Path, *, threads: int | None = None) -> None:
        self._path, self._threads = path, threads
        self._local = threading.local()
        self._made = 0  # interpreters made, one per calling thread
        self._making = threading.Lock()
        interpreter = self._interpreter()
        inputs = interpreter.get_input_details()
        outputs = interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            counts = f"{len(inputs)} inputs and {len(outputs)} outputs"
            raise ModelError(f"{path}: the model has {counts}, not one of each")
        self.input, self.output = inputs[0], outputs[0]

    def interpreters(self) -> int:
        """How many interpreters have been made: one per thread that called."""
        return self._made

    def _interpreter(self):
        """This thread's interpreter, made on its first call."""
        interpreter = getattr(self._local, "interpreter", None)
        if interpreter is None:
            from ai_edge_litert.interpreter import Interpreter

            try:
                with native_stderr_silenced():  # "INFO: Created TensorFlow Lite XNNPACK delegate"
                    interpreter = Interpreter(model_path=str(self._path), num_threads=self._threads)
            except (ValueError, RuntimeError) as exc:
                problem = f"not a loadable TFLite model ({first_line(exc)})"
                raise ModelError(f"{self._path}: {problem}") from None
            self._local.interpreter, self._local.allocated = interpreter, -1
            with self._making:
                self._made += 1
        return interpreter

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        interpreter = self._interpreter()
        inputs = _quantize(inputs, self.input)
        if self._local.allocated != len(inputs):  # the batch size the tensors are allocated for
            # Allocating applies the XNNPACK delegate, which says so on stderr.
            with native_stderr_silenced():
                interpreter.resize_tensor_input(self.input["index"], list(inputs.shape))
                interpreter.allocate_tensors()
                interpreter.set_tensor(self.input["index"], inputs)
                interpreter.invoke()
            self._local.allocated = len(inputs)
        else:
            interpreter.set_tensor(self.input["index"], inputs)
            interpreter.invoke()
        return _dequantize(interpreter.get_tensor(self.output["index"]), self.output)


@register("tflite", ".tflite")
class LiteRTRuntime(Batched):
    """Runs a `.tflite` file with one 28x28 image input and one (n, 10) output."""

    name = "litert"

    def __init__(
        self,
        path: Path,
        *,
        metadata: Metadata | None = None,
        batch_size: int = BATCH_SIZE,
        threads: int | None = None,
    ) -> None:
        self._function = TFLiteFunction(path, threads=threads)
        if int(self._function.output["shape"][-1]) != NUM_CLASSES:
            shape = self._function.output["shape"][1:]
            raise ModelError(f"{path}: the model gives {shape}, not 10 scores")
        convention = convention_for(path, metadata, lambda: zip_manifest(path), DIGITCLI_INPUT)
        shape = [int(d) for d in self._function.input["shape"][1:]]
        super().__init__(path, convention, shape, batch_size)

    def _run(self, inputs: np.ndarray) -> np.ndarray:
        return self._function(inputs)


def _quantize(values: np.ndarray, detail: dict) -> np.ndarray:
    """Values as the input tensor wants them; for a quantised input, value / scale + zero point."""
    scale, zero_point = detail["quantization"]
    if np.issubdtype(detail["dtype"], np.integer) and scale:
        values = np.round(values.astype(np.float32) / scale + zero_point)
        info = np.iinfo(detail["dtype"])
        return np.clip(values, info.min, info.max).astype(detail["dtype"])
    return values.astype(detail["dtype"], copy=False)


def _dequantize(values: np.ndarray, detail: dict) -> np.ndarray:
    """Output as float32 probabilities; for a quantised output, (value - zero point) * scale."""
    scale, zero_point = detail["quantization"]
    if np.issubdtype(detail["dtype"], np.integer) and scale:
        return (values.astype(np.float32) - zero_point) * scale
    return values.astype(np.float32)
