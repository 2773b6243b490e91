"""TensorFlow SavedModels, run through their serving signature (what TF Serving calls).

Imports TensorFlow, but only when a SavedModel is loaded. digitcli's exports carry their
manifest as `assets.extra/digitcli.json` (TF Serving's folder for files beside the graph).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from digitcli.core.errors import ModelError, first_line
from digitcli.models.modeldir import DIGITCLI_INPUT, MANIFEST_FILE, OUTPUT_NAME, Metadata
from digitcli.models.runtimes.base import BATCH_SIZE, Batched, convention_for
from digitcli.models.runtimes.registry import register

SIGNATURE = "serving_default"  # the signature TF Serving answers when a request names none
ASSETS_EXTRA = "assets.extra"  # files TF Serving keeps beside the model, not loaded by TF


@register("savedmodel", "saved_model.pb")
class SavedModelRuntime(Batched):
    """Runs a SavedModel's `serving_default` signature: one image tensor in, 10 scores out."""

    name = "savedmodel"

    def __init__(
        self, path: Path, *, metadata: Metadata | None = None, batch_size: int = BATCH_SIZE
    ) -> None:
        from digitcli.models.backend import tf

        try:
            loaded = tf.saved_model.load(str(path))
        except (OSError, ValueError, tf.errors.OpError) as exc:
            raise ModelError(f"{path}: not a loadable SavedModel ({first_line(exc)})") from None
        signature = loaded.signatures.get(SIGNATURE)
        if signature is None:
            names = ", ".join(loaded.signatures) or "none"
            raise ModelError(f"{path}: no {SIGNATURE!r} signature (it has: {names})")
        _, inputs = signature.structured_input_signature
        if len(inputs) != 1:
            raise ModelError(f"{path}: the signature takes {len(inputs)} inputs, not one image")
        self._input, spec = next(iter(inputs.items()))
        outputs = signature.structured_outputs
        self._output = OUTPUT_NAME if OUTPUT_NAME in outputs else next(iter(outputs))
        self._loaded = loaded  # the signature's variables live as long as this object
        self._signature = signature
        self._tf, self._dtype = tf, spec.dtype
        convention = convention_for(
            path, metadata, lambda: read_manifest(Path(path)), DIGITCLI_INPUT
        )
        super().__init__(path, convention, list(spec.shape[1:]), batch_size)

    def _run(self, inputs: np.ndarray) -> np.ndarray:
        tensor = self._tf.constant(inputs, dtype=self._dtype)
        return np.asarray(self._signature(**{self._input: tensor})[self._output], np.float32)


def read_manifest(path: Path) -> dict | None:
    try:
        return json.loads((path / ASSETS_EXTRA / MANIFEST_FILE).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable digitcli manifest ({exc})") from None
