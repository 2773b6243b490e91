"""LiteRT (TensorFlow Lite) inference without importing TensorFlow.

`ai_edge_litert` loads in a fraction of the time and memory TensorFlow takes: `predict` and
`evaluate` run a model directory through its `model.tflite` with it.
Float32, float16-weight and fully integer-quantised (uint8 or int8 in and out) models all work:
inputs are quantised on the way in and probabilities dequantised on the way out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.core.config import NUM_CLASSES
from digitcli.core.errors import ModelError
from digitcli.core.litert import Runner
from digitcli.models.modeldir import DIGITCLI_INPUT, Metadata
from digitcli.models.runtimes.base import BATCH_SIZE, Batched, convention_for, zip_manifest
from digitcli.models.runtimes.registry import register

# Any `.tflite` file with one input and one output, called on whole batches: the one runner.
TFLiteFunction = Runner


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
