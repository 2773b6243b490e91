"""Where models are on disk: a trained model's directory, exported files, the bundled model.

No TensorFlow here: finding a model and reading its metadata must stay fast.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from digitcli.config import models_root
from digitcli.errors import ModelError

KERAS_FILE = "model.keras"
TFLITE_FILE = "model.tflite"
METADATA_FILE = "metadata.json"
HISTORY_FILE = "history.csv"
BUNDLED_DIR = Path(__file__).parent / "pretrained"
CHECKPOINT_SUFFIX = ".checkpoint"


@dataclass(frozen=True)
class ModelRef:
    """A model located on disk, and how to run it."""

    path: Path  # what the user named (or what was found)
    kind: str  # "dir" | "keras" | "tflite" | "onnx" | "savedmodel"
    metadata: dict | None  # a model directory's metadata.json; None for bare files

    @property
    def keras_file(self) -> Path | None:
        if self.kind == "keras":
            return self.path
        if self.kind == "dir" and (self.path / KERAS_FILE).is_file():
            return self.path / KERAS_FILE
        return None

    @property
    def tflite_file(self) -> Path | None:
        if self.kind == "tflite":
            return self.path
        if self.kind == "dir" and (self.path / TFLITE_FILE).is_file():
            return self.path / TFLITE_FILE
        return None


def read_metadata(directory: Path) -> dict:
    path = directory / METADATA_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        message = f"{directory}: not a digitcli model directory (no {METADATA_FILE})"
        raise ModelError(message) from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable metadata ({exc})") from None


def trained_models(root: Path | None = None) -> list[Path]:
    """Model directories under `root`, oldest first."""
    root = root or models_root()
    if not root.is_dir():
        return []
    found = [p.parent for p in root.glob(f"*/{METADATA_FILE}") if not p.parent.name.startswith(".")]
    return sorted(found, key=lambda d: (d / METADATA_FILE).stat().st_mtime)


def latest_model() -> Path | None:
    models = trained_models()
    return models[-1] if models else None


def resolve_model(path: str | Path | None) -> ModelRef:
    """The model to use: `path`, else the most recently trained one, else the bundled one."""
    if path is None:
        path = latest_model() or BUNDLED_DIR
        if not (Path(path) / METADATA_FILE).is_file():
            raise ModelError("no model given, none trained yet and no bundled model installed")
    path = Path(path)
    if not path.exists():
        raise ModelError(f"{path}: no such model")
    if path.is_dir():
        if (path / METADATA_FILE).is_file():
            return ModelRef(path, "dir", read_metadata(path))
        if (path / "saved_model.pb").is_file():
            return ModelRef(path, "savedmodel", None)
        raise ModelError(f"{path}: not a model directory (no {METADATA_FILE} or saved_model.pb)")
    kinds = {".keras": "keras", ".tflite": "tflite", ".onnx": "onnx"}
    kind = kinds.get(path.suffix.lower())
    if kind is None:
        raise ModelError(f"{path}: not a model (expected a directory, .keras, .tflite or .onnx)")
    return ModelRef(path, kind, None)


def checkpoint_path(output: Path) -> Path:
    """Where training keeps its resumable checkpoint: beside the output directory."""
    return output.parent / f"{output.name}{CHECKPOINT_SUFFIX}"
