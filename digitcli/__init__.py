"""digitcli: train, evaluate, run and export handwritten-digit classifiers.

From Python (docs/python.md)::

    import digitcli
    answer = digitcli.load("bundled").predict("photo.jpg")
    print(answer.digit, answer.confidence)

The API's names are imported on first use, so `import digitcli` stays light.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from digitcli.core.version import VERSION as __version__  # bumped there

# TensorFlow's C++ start-up chatter (CPU features, missing CUDA) is noise on a user's terminal;
# set before TensorFlow is first imported, and overridable from the environment.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

if TYPE_CHECKING:
    from digitcli.api import (
        Digit,
        Model,
        ModelInfo,
        Prediction,
        Reading,
        evaluate,
        load,
        predict,
        read,
    )
    from digitcli.api.distributed import predict_files as distributed_predict

__all__ = [
    "Digit",
    "Model",
    "ModelInfo",
    "Prediction",
    "Reading",
    "__version__",
    "distributed_predict",
    "evaluate",
    "load",
    "predict",
    "read",
]
API = frozenset(__all__) - {"__version__", "distributed_predict"}


def __getattr__(name: str) -> Any:
    """The API's names, imported when first used (PEP 562)."""
    if name in API:
        import digitcli.api

        return getattr(digitcli.api, name)
    if name == "distributed_predict":
        from digitcli.api.distributed import predict_files

        return predict_files
    raise AttributeError(f"module 'digitcli' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
