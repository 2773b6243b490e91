"""`digitcli models`: the trained models and the bundled one, and which a command would use.

No TensorFlow here: it reads each model directory's metadata.json and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digitcli.config import models_root
from digitcli.errors import ModelError
from digitcli.modeldir import BUNDLED_DIR, ChosenModel, choose_model, read_metadata, trained_models


@dataclass(frozen=True)
class ListedModel:
    """One row of `digitcli models`."""

    model: ChosenModel  # its name, path and whether it is the bundled one
    arch: str | None  # None where the metadata cannot be read
    test_accuracy: float | None
    created: str
    default: bool  # the model a command given no model would use
    problem: str | None = None  # why its metadata could not be read

    def to_json(self) -> dict:
        return {
            **self.model.to_json(),
            "arch": self.arch,
            "test_accuracy": self.test_accuracy,
            "created": self.created,
            "default": self.default,
            "why": self.model.why if self.default else None,
            **({"problem": self.problem} if self.problem else {}),
        }


def list_models() -> list[ListedModel]:
    """The trained models under `models_root()`, oldest first, then the bundled one."""
    try:
        chosen = choose_model(None)
    except ModelError:
        chosen = None
    paths = [
        *trained_models(),
        *([BUNDLED_DIR] if (BUNDLED_DIR / "metadata.json").is_file() else []),
    ]
    return [_listed(path, chosen) for path in paths]


def _listed(path: Path, chosen: ChosenModel | None) -> ListedModel:
    default = chosen is not None and path.resolve() == chosen.path.resolve()
    model = chosen if default else ChosenModel(path, "")
    try:
        metadata = read_metadata(path)
    except ModelError as error:
        return ListedModel(model, None, None, "", default, str(error))
    arch = "+".join(metadata.networks)
    accuracy = metadata.metrics.get("test_accuracy")
    return ListedModel(model, arch, accuracy, metadata.created, default)


def where() -> Path:
    """Where trained models are looked for (for the listing's note)."""
    return models_root()
