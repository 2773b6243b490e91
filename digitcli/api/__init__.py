"""digitcli's Python API (docs/python.md): `load` a model, then `predict`, `read`, `evaluate`,
`export`; `train` one, list them (`list_models`) and choose the default (`use`);
`distributed.predict_files` spreads `predict` over a Dask cluster. `import digitcli` names
these lazily (digitcli/__init__.py)."""

from typing import Any

from digitcli.api.model import Model, evaluate, list_models, load, predict, read, use
from digitcli.models.info import ModelInfo
from digitcli.predicting.answers import Prediction
from digitcli.reading.answers import Digit, Reading

__all__ = [
    "Digit",
    "Model",
    "ModelInfo",
    "Prediction",
    "Reading",
    "evaluate",
    "list_models",
    "load",
    "predict",
    "read",
    "train",
    "use",
]


def __getattr__(name: str) -> Any:
    """`train`, imported when first used (PEP 562): `predict` and `read` need none of it."""
    if name == "train":
        from digitcli.api.training import train

        return train
    raise AttributeError(f"module 'digitcli.api' has no attribute {name!r}")
