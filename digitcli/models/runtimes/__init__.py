"""Run a model on MNIST-style pixels behind one call, whatever the model's format.

`load_runtime(model)` finds the model (`resolve_model`), asks the registry which backend opens
it and returns a `Runtime`: LiteRT for `.tflite` (no TensorFlow import; what a model directory
runs by default), Keras for `.keras`, onnxruntime for `.onnx`, TensorFlow for a SavedModel.
Inputs are uint8 arrays (n, 28, 28), white ink on black; the output is (n, 10) probabilities.
Each backend module registers the file types it opens; importing this package registers them
all, and none of them imports TensorFlow until a model is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from pathlib import Path

from digitcli.core.errors import ModelError
from digitcli.core.fits import require
from digitcli.imaging.settings import DEFAULT as PREPARATION
from digitcli.models.modeldir import (
    BUNDLED_DIR,
    KERAS_FILE,
    METADATA_FILE,
    TFLITE_FILE,
    ModelRef,
    changed_file,
    choose_model,
    is_model_dir,
    read_metadata,
)
from digitcli.models.runtimes import keras, litert, onnx, savedmodel  # noqa: F401  (they register)
from digitcli.models.runtimes.base import BATCH_SIZE, Runtime, sample_shape
from digitcli.models.runtimes.registry import FILE_TYPES, described, file_type_of

__all__ = [
    "BATCH_SIZE",
    "ModelRef",
    "Runtime",
    "load_runtime",
    "resolve_model",
    "runtime_loader",
    "sample_shape",
]

PREFERENCES = {  # which of a model directory's files each preference runs, first found first
    "auto": (TFLITE_FILE, KERAS_FILE),
    "litert": (TFLITE_FILE, KERAS_FILE),
    "keras": (KERAS_FILE,),
}


def resolve_model(path: str | Path | None) -> ModelRef:
    """The model to use: `path` ("bundled" names the bundled one), else the most recently
    trained one, else the bundled one."""
    chosen = choose_model(path)
    path = chosen.path
    try:
        found = path.exists()
    except OSError as error:  # a name too long for the system
        raise ModelError(f"{path}: no such model ({error.strerror})") from None
    if not found:
        raise ModelError(f"{path}: no such model")
    if is_model_dir(path):
        bundled = path.resolve() == BUNDLED_DIR.resolve()
        if bundled:
            require(path, ("preparation",), {"preparation": PREPARATION})
        metadata = read_metadata(path)
        # The bundled model's files are the installed package's (pip checks them), not a
        # models folder's, where one may be copied over another: not hashed each start.
        changed = None if chosen.checked or bundled else changed_file(path, metadata)
        if changed is not None:
            raise ModelError(f"{path}: {changed}")
        return ModelRef(path, "dir", metadata)
    file_type = file_type_of(path)
    if file_type is not None:
        return ModelRef(path, file_type.kind, None)
    if path.is_dir():
        raise ModelError(f"{path}: not a model directory (no {METADATA_FILE} or saved_model.pb)")
    raise ModelError(f"{path}: not a model (expected a model directory, {described()})")


def load_runtime(
    model: ModelRef | str | Path | None, *, prefer: str = "auto", threads: int | None = None
) -> Runtime:
    """The engine for `model` (a ModelRef, a path, or None for the default model).

    `prefer` picks among a model directory's files: "auto" and "litert" run `model.tflite`
    where there is one, "keras" runs `model.keras`. `threads`: LiteRT's threads (None: its
    default, one); the other engines use what their library chooses.
    """
    ref = model if isinstance(model, ModelRef) else resolve_model(model)
    path = ref.path
    if ref.kind == "dir":
        files = [ref.path / name for name in PREFERENCES[prefer] if (ref.path / name).is_file()]
        if not files:
            raise ModelError(f"{ref.path}: no model file this runtime can run")
        path = files[0]
    file_type = FILE_TYPES.get(ref.kind) if ref.kind != "dir" else file_type_of(path)
    if file_type is None:
        raise ModelError(f"{path}: no model file this runtime can run")
    if threads is not None and file_type.backend is litert.LiteRTRuntime:
        return file_type.backend(path, metadata=ref.metadata, threads=threads)
    return file_type.backend(path, metadata=ref.metadata)


def runtime_loader(model: str | Path | None) -> Callable[[], Runtime]:
    """The model's runtime, loaded on the first call (the model is found, or refused, now):
    `prepared_batches` loads it while the workers prepare the first batch (LiteRT's import
    and the model's loading overlap the preparing)."""
    return cache(partial(load_runtime, resolve_model(model)))
