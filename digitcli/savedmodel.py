"""TensorFlow SavedModels, run through their serving signature (what TF Serving calls).

This module imports TensorFlow: import it only when a SavedModel is loaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitcli.backend import tf
from digitcli.errors import ModelError
from digitcli.runtime import in_batches, sample_shape

SIGNATURE = "serving_default"  # the signature TF Serving answers when a request names none


class SavedModelRuntime:
    """Runs a SavedModel's `serving_default` signature on pixels 0-255 as float32 (n, 28, 28)."""

    name = "savedmodel"

    def __init__(self, path: Path, *, batch_size: int = 1024) -> None:
        from digitcli.model import INPUT_NAME, OUTPUT_NAME

        self.path = Path(path)
        try:
            loaded = tf.saved_model.load(str(path))
        except (OSError, ValueError, tf.errors.OpError) as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{path}: not a loadable SavedModel ({message})") from None
        signature = loaded.signatures.get(SIGNATURE)
        if signature is None:
            names = ", ".join(loaded.signatures) or "none"
            raise ModelError(f"{path}: no {SIGNATURE!r} signature (it has: {names})")
        _, inputs = signature.structured_input_signature
        if len(inputs) != 1:
            raise ModelError(f"{path}: the signature takes {len(inputs)} inputs, not one image")
        self._input, spec = next(iter(inputs.items()))
        if INPUT_NAME in inputs:
            self._input, spec = INPUT_NAME, inputs[INPUT_NAME]
        shape = list(spec.shape[1:])
        outputs = signature.structured_outputs
        self._output = OUTPUT_NAME if OUTPUT_NAME in outputs else next(iter(outputs))
        self._loaded = loaded  # the signature's variables live as long as this object
        self._signature = signature
        self._sample_shape = sample_shape(shape, path)
        self._dtype = spec.dtype
        self._batch = batch_size

    def predict(self, pixels: np.ndarray) -> np.ndarray:
        return in_batches(self._run, pixels, self._batch)

    def _run(self, pixels: np.ndarray) -> np.ndarray:
        inputs = pixels.astype(np.float32).reshape((len(pixels), *self._sample_shape))
        result = self._signature(**{self._input: tf.constant(inputs, dtype=self._dtype)})
        return np.asarray(result[self._output], dtype=np.float32)
