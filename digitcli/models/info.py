"""Which model answered, as every answer of `predict` and `read` names it. Nothing heavy is
imported here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from digitcli.models.modeldir import ChosenModel


@dataclass(frozen=True)
class ModelInfo:
    """Which model answered: its name (`bundled`, or its directory's or file's name), its path
    as it was named, and whether it is the bundled one."""

    name: str
    path: str
    bundled: bool

    @classmethod
    def of(cls, chosen: ChosenModel) -> ModelInfo:
        return cls(**chosen.to_json())

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "bundled": self.bundled}
