"""digitcli: train, evaluate, run and export handwritten-digit classifiers.

From Python (docs/python.md)::

    import digitcli
    [answer] = digitcli.load("bundled").predict("photo.jpg")
    print(answer.digit, answer.confidence)

The API's names are imported on first use, so `import digitcli` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from digitcli.core.version import VERSION as __version__  # bumped there

# Importing digitcli changes nothing of the program that imports it: the command line quiets
# TensorFlow's C++ lines and OpenCV's threads for its own process (core/process.py).

if TYPE_CHECKING:
    from digitcli.api import (
        Digit,
        Model,
        ModelInfo,
        Prediction,
        Reading,
        evaluate,
        list_models,
        load,
        predict,
        read,
        train,
        use,
    )
    from digitcli.api.distributed import predict_files as distributed_predict
    from digitcli.core.errors import (
        DataError,
        DigitcliError,
        ExportError,
        ImageError,
        ModelError,
        UsageError,
    )

ERRORS = ("DataError", "DigitcliError", "ExportError", "ImageError", "ModelError", "UsageError")
__all__ = [
    "DataError",
    "Digit",
    "DigitcliError",
    "ExportError",
    "ImageError",
    "Model",
    "ModelError",
    "ModelInfo",
    "Prediction",
    "Reading",
    "UsageError",
    "__version__",
    "distributed_predict",
    "evaluate",
    "list_models",
    "load",
    "predict",
    "read",
    "train",
    "use",
]
API = frozenset(__all__) - {"__version__", "distributed_predict", *ERRORS}


def __getattr__(name: str) -> Any:
    """The API's names, imported when first used (PEP 562)."""
    if name in API:
        import digitcli.api

        return getattr(digitcli.api, name)
    if name in ERRORS:  # digitcli's own exceptions, without importing the API
        import digitcli.core.errors

        return getattr(digitcli.core.errors, name)
    if name == "distributed_predict":
        from digitcli.api.distributed import predict_files

        return predict_files
    raise AttributeError(f"module 'digitcli' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
