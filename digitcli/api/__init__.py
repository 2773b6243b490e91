"""digitcli's Python API (docs/python.md): `load` a model, then `predict`, `read`, `evaluate`,
`export`; `train` one, list them (`list_models`) and choose the default (`use`);
`distributed.predict_files` spreads `predict` over a Dask cluster. `import digitcli` names
these lazily (digitcli/__init__.py)."""

from digitcli.api.model import Model, evaluate, list_models, load, predict, read, use
from digitcli.api.training import train
from digitcli.predicting.answers import ModelInfo, Prediction
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
