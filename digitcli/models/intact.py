"""Whether a model directory's weights can be loaded at all, checked before it is chosen.

A truncated `model.tflite` (a copy cut short, a full disk) still has its metadata, so it would
be listed with its accuracy and chosen as the latest trained model, and then every command
without `--model` would fail. LiteRT verifies a `.tflite` file's flatbuffer as it opens it
(`core.litert.Runner`, memory-mapped: about a millisecond, no TensorFlow); a `.keras` file is a
zip archive, whose directory, at its end, is gone when it is cut short.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from digitcli.core.errors import ModelError, first_line


def damaged(tflite: Path | None, keras: Path | None) -> str | None:
    """Why the model whose files these are (None: absent) cannot be loaded; None when the
    file a runtime would run, the `.tflite` before the `.keras`, opens."""
    if tflite is not None:
        return _tflite_problem(tflite)
    if keras is not None:
        return _keras_problem(keras)
    return "no model file (model.tflite or model.keras)"


def _tflite_problem(path: Path) -> str | None:
    from digitcli.core.litert import Runner  # the one LiteRT runner: it opens the file

    try:
        Runner(path)
    except ModelError as error:
        return f"{path.name}: {str(error).removeprefix(f'{path}: ')}"
    except OSError as error:
        return f"{path.name}: not a loadable TFLite model ({first_line(error)})"
    return None


def _keras_problem(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path):
            return None
    except (zipfile.BadZipFile, OSError) as error:
        return f"{path.name}: damaged ({first_line(error)})"


def require_keras_archive(path: Path) -> None:
    """Refuse a `.keras` file that is no zip archive (cut short, another format) before
    TensorFlow's seconds of import are spent on it."""
    if path.is_file() and not zipfile.is_zipfile(path):
        raise ModelError(
            f"{path}: not a loadable Keras model (not a zip archive: truncated or another format)"
        )
