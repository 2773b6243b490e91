"""`.keras` files through Keras. Imports TensorFlow, but only when a model is loaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.models.intact import require_keras_archive
from digitcli.models.modeldir import DIGITCLI_INPUT, InputConvention, Metadata
from digitcli.models.runtimes.base import BATCH_SIZE, Batched, convention_for, zip_manifest
from digitcli.models.runtimes.registry import register

FOREIGN_INPUT = InputConvention(range=(0.0, 1.0))  # what nearly every other MNIST model takes


@register("keras", ".keras")
class KerasRuntime(Batched):
    name = "keras"

    def __init__(
        self, path: Path, *, metadata: Metadata | None = None, batch_size: int = BATCH_SIZE
    ) -> None:
        require_keras_archive(path)  # before TensorFlow loads
        from digitcli.models.model import load_keras_model

        self.model = load_keras_model(path)
        legacy = _legacy_convention(self.model)
        convention = convention_for(path, metadata, lambda: zip_manifest(path), legacy)
        super().__init__(path, convention, self.model.input_shape[1:], batch_size)

    def _run(self, inputs: np.ndarray) -> np.ndarray:
        return np.asarray(self.model(inputs, training=False), dtype=np.float32)


def _legacy_convention(model) -> InputConvention:
    """For a bare .keras file that states no convention (0.1.0's, or not digitcli's): digitcli's
    models rescale 0-255 inside with a Rescaling layer; anything else is assumed to take 0-1."""
    rescales = any(layer.__class__.__name__ == "Rescaling" for layer in model.layers)
    return DIGITCLI_INPUT if rescales else FOREIGN_INPUT
