"""digitcli's Python API (docs/python.md): `load` a model, then `predict`, `read`, `evaluate`;
`distributed.predict_files` spreads `predict` over a Dask cluster. `import digitcli` names
these lazily (digitcli/__init__.py)."""

from digitcli.api.model import Model, evaluate, load, predict, read
from digitcli.predicting.answers import ModelInfo, Prediction
from digitcli.reading.answers import Digit, Reading

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
