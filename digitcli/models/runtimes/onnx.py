"""ONNX models through onnxruntime, without importing TensorFlow.

onnxruntime comes with the optional extra: `pip install 'digitcli[onnx]'`. digitcli's exports
state their input convention in the model's metadata_props (see `export.py`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from digitcli.core.errors import ModelError, first_line
from digitcli.models.modeldir import DIGITCLI_INPUT, Metadata
from digitcli.models.runtimes.base import BATCH_SIZE, Batched, convention_for
from digitcli.models.runtimes.registry import register

ONNX_EXTRA_HINT = "pip install 'digitcli[onnx]'"
MANIFEST_KEY = "digitcli"  # metadata_props key of the whole manifest; "input" and "labels" too


@register("onnx", ".onnx")
class OnnxRuntime(Batched):
    """Runs an `.onnx` file that takes one 28x28 image per row and gives 10 scores."""

    name = "onnxruntime"

    def __init__(
        self, path: Path, *, metadata: Metadata | None = None, batch_size: int = BATCH_SIZE
    ) -> None:
        try:
            import onnxruntime
        except ImportError:
            hint = f"running ONNX models needs onnxruntime: {ONNX_EXTRA_HINT}"
            raise ModelError(f"{path}: {hint}") from None
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: no graph-optimisation chatter on stderr
        try:
            self._session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types for bad files
            raise ModelError(f"{path}: not a loadable ONNX model ({first_line(exc)})") from None
        inputs = self._session.get_inputs()
        if len(inputs) != 1:
            raise ModelError(f"{path}: the model takes {len(inputs)} inputs, not one image")
        self._input = inputs[0].name
        embedded = self._session.get_modelmeta().custom_metadata_map.get(MANIFEST_KEY)
        try:
            manifest = json.loads(embedded) if embedded else None
        except ValueError as exc:
            raise ModelError(f"{path}: unreadable digitcli manifest ({exc})") from None
        convention = convention_for(path, metadata, lambda: manifest, DIGITCLI_INPUT)
        super().__init__(path, convention, list(inputs[0].shape[1:]), batch_size)

    def _run(self, inputs: np.ndarray) -> np.ndarray:
        (probabilities,) = self._session.run(None, {self._input: inputs})[:1]
        return np.asarray(probabilities, dtype=np.float32)
