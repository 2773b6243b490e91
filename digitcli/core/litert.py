"""The one LiteRT runner: a `.tflite` file with one input and one output, called on batches.

Every network digitcli ships or loads runs through it: the judge, the letters network, the line
reader and the classifiers (`models.runtimes.litert`). It loads the file (checking the stages
it fits first, `core.fits`, where the caller names them), keeps LiteRT's start-up lines off
stderr, quantises inputs and dequantises outputs of integer models, resizes its tensors to a
batch's size, and gives each calling thread its own interpreter (a LiteRT interpreter is not
safe to share). `ai_edge_litert` is imported when a runner is made, never at import.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from digitcli.core.errors import ModelError, first_line
from digitcli.core.quiet import native_stderr_silenced


class Runner:
    """`Runner(path).run(batch) -> array`: the network in `path` on a batch, from any number of
    threads. A LiteRT interpreter is not thread-safe (two threads resizing or invoking one at
    once raise "There is at least 1 reference to internal data"), so each thread that calls
    runs its own, made on its first call (a few ms and the model's size in memory; the calls
    then run in parallel, LiteRT releasing the GIL while it computes). `stages` and `fits`:
    what the file must have been built for (`core.fits.require`); `threads`: LiteRT's own
    threads per interpreter (None: its default)."""

    def __init__(
        self,
        path: Path,
        *,
        stages: tuple[str, ...] = (),
        fits: Mapping[str, object] | None = None,
        threads: int | None = None,
    ) -> None:
        if stages:
            from digitcli.core.fits import require

            require(Path(path), stages, fits)
        self._path, self._threads = Path(path), threads
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

    @property
    def side(self) -> int:
        """How many pixels a side the network's square pictures are (its input's second
        dimension): what the first look and the judge shrink a picture to."""
        return int(self.input["shape"][1])

    @property
    def outputs(self) -> int:
        """How many values the network answers per item (its output's last dimension)."""
        return int(self.output["shape"][-1])

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

    def run(self, batch: np.ndarray) -> np.ndarray:
        """The network's answer (float32) for each item of `batch`."""
        interpreter = self._interpreter()
        inputs = _quantize(batch, self.input)
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

    __call__ = run


def _quantize(values: np.ndarray, detail: dict) -> np.ndarray:
    """Values as the input tensor wants them; for a quantised input, value / scale + zero point."""
    scale, zero_point = detail["quantization"]
    if np.issubdtype(detail["dtype"], np.integer) and scale:
        values = np.round(values.astype(np.float32) / scale + zero_point)
        info = np.iinfo(detail["dtype"])
        return np.clip(values, info.min, info.max).astype(detail["dtype"])
    return values.astype(detail["dtype"], copy=False)


def _dequantize(values: np.ndarray, detail: dict) -> np.ndarray:
    """Output as float32; for a quantised output, (value - zero point) * scale."""
    scale, zero_point = detail["quantization"]
    if np.issubdtype(detail["dtype"], np.integer) and scale:
        return (values.astype(np.float32) - zero_point) * scale
    return values.astype(np.float32)
