"""digitcli's Python API (docs/python.md): `load` a model, then `predict`, `read`, `evaluate`;
`distributed.predict_files` spreads `predict` over a Dask cluster. `import digitcli` names
these lazily (digitcli/__init__.py)."""

from digitcli.api.answers import Digit, ModelInfo, Prediction, Reading
from digitcli.api.model import Model, evaluate, load, predict, read

__all__ = [
    "Digit",
    "Model",
    "ModelInfo",
    "Prediction",
    "Reading",
    "evaluate",
    "load",
    "predict",
    "read",
]
