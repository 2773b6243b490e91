"""What every runtime shares: the protocol, the input convention applied, and batching.

Callers hand a runtime MNIST-style pixels: uint8, (n, 28, 28), white ink (255) on black (0).
`Batched.predict` turns them into what the model's input convention says it takes (its range,
its polarity, its shape), runs them a batch at a time through the backend's `_run`, and
returns (n, 10) float32 probabilities. No TensorFlow here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from digitcli.core.config import IMAGE_SIZE, NUM_CLASSES
from digitcli.core.errors import ModelError
from digitcli.models.modeldir import (
    BLACK_ON_WHITE,
    MANIFEST_FILE,
    InputConvention,
    Metadata,
    convention_from_manifest,
)

BATCH_SIZE = 1024  # large enough to keep the CPU busy, small enough to stay light on memory


class Runtime(Protocol):
    """One loaded model. `predict` takes uint8 pixels (n, 28, 28) and gives (n, 10) floats."""

    name: str  # "keras" | "litert" | "onnxruntime" | "savedmodel"
    path: Path
    input: InputConvention  # what the model's input tensor takes

    def predict(self, pixels: np.ndarray) -> np.ndarray: ...


class Batched:
    """A backend's common part: subclasses set `name` and implement `_run` on one batch."""

    name = ""

    def __init__(
        self,
        path: Path,
        convention: InputConvention,
        input_shape: tuple | list,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.path = Path(path)
        self.input = convention
        self.batch_size = batch_size
        self._shape = sample_shape(input_shape, path)

    def predict(self, pixels: np.ndarray) -> np.ndarray:
        """Probabilities (n, 10) for uint8 pixels (n, 28, 28), `batch_size` images at a time."""
        step = self.batch_size
        batches = (pixels[start : start + step] for start in range(0, len(pixels), step))
        outputs = [self._checked(self._run(self.encode(batch))) for batch in batches]
        return np.concatenate(outputs) if outputs else np.zeros((0, NUM_CLASSES), np.float32)

    def _checked(self, outputs: np.ndarray) -> np.ndarray:
        """Ten probabilities per image, or a refusal: a model for another task gives other
        counts, a broken one NaN."""
        outputs = np.asarray(outputs)
        if outputs.ndim != 2 or outputs.shape[1] != NUM_CLASSES:
            shape = "x".join(str(n) for n in outputs.shape[1:]) or "one number"
            raise ModelError(
                f"{self.path}: the model gives {shape} outputs per image, not "
                f"{NUM_CLASSES} digit probabilities: not a digit classifier"
            )
        if not np.isfinite(outputs).all():
            raise ModelError(
                f"{self.path}: the model's outputs are not numbers (NaN): a broken model"
            )
        return outputs

    def encode(self, pixels: np.ndarray) -> np.ndarray:
        """MNIST-style pixels as this model's input takes them: float32, its range and shape."""
        return encode(pixels, self.input).reshape((len(pixels), *self._shape))

    def _run(self, inputs: np.ndarray) -> np.ndarray:
        raise NotImplementedError


def encode(pixels: np.ndarray, convention: InputConvention) -> np.ndarray:
    """uint8 pixels, white ink (255) on black (0), mapped onto `convention`'s polarity and range."""
    values = pixels.astype(np.float32)
    if convention.polarity == BLACK_ON_WHITE:
        values = 255.0 - values
    black, white = convention.range
    if (black, white) != (0.0, 255.0):
        values = values * np.float32((white - black) / 255.0) + np.float32(black)
    return values


def sample_shape(shape: tuple | list, path: Path) -> tuple[int, ...]:
    """A model's per-image input shape, if it takes one 28x28 grey image: 28x28, 28x28x1 or 784."""
    shape = tuple(int(d) if isinstance(d, (int, np.integer)) else -1 for d in shape)
    dims = [d for d in shape if d != 1]
    if dims not in ([IMAGE_SIZE, IMAGE_SIZE], [IMAGE_SIZE * IMAGE_SIZE]):
        raise ModelError(f"{path}: the model takes input of shape {shape}, not a 28x28 grey image")
    return shape


def convention_for(
    path: Path,
    metadata: Metadata | None,
    read_embedded: Callable[[], dict | None],
    legacy: InputConvention,
) -> InputConvention:
    """The input convention, from the first that has one: the model directory's metadata, the
    artifact's own manifest (what `export` writes into it; read only when the metadata has no
    say), else `legacy` (0.1.0's rule)."""
    if metadata is not None:
        return metadata.input
    embedded = read_embedded()
    if embedded is None:
        return legacy
    try:
        return convention_from_manifest(embedded)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable digitcli manifest ({exc})") from None


def zip_manifest(path: Path) -> dict | None:
    """The manifest packed as an associated file in `path` (a .keras or .tflite file), if any.

    A .keras file is a zip archive; a .tflite file with associated files has a zip archive
    appended to its flatbuffer, as TFLite metadata packs them. Either way the stdlib reads it.
    """
    import zipfile  # here: a model directory never needs it, and a cold predict need not pay

    try:
        with zipfile.ZipFile(path) as archive:
            return json.loads(archive.read(MANIFEST_FILE))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
