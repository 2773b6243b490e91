"""What `predict` answers, one type for the CLI, `serve` and the Python API: a frozen
dataclass whose `to_json` is the object `digitcli predict --format jsonl` writes. Nothing heavy
is imported here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from digitcli.models.info import ModelInfo


@dataclass(frozen=True)
class Prediction:
    """One input's digit. `digit` is None when there is no confident answer (below the
    threshold, no digit found, several digits): `note` then says why. `error` is set, and the
    rest empty, for an input that could not be read. `model`: the model that answered, where
    it is known (the Python API's and the CLI's answers name it; never an error's)."""

    file: str  # the path as given; "<bytes>", "<image>" or "<array>" for the others
    digit: int | None = None
    confidence: float | None = None
    top: tuple[tuple[int, float], ...] = ()  # the likeliest digits and their probabilities
    note: str | None = None
    error: str | None = None
    model: ModelInfo | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "top", tuple(tuple(pair) for pair in self.top))
        if self.error is not None and self.model is not None:
            object.__setattr__(self, "model", None)

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def answered(self) -> bool:
        """Whether a digit was given."""
        return self.digit is not None

    def to_json(self) -> dict[str, Any]:
        """The object `digitcli predict --format jsonl` writes for this input."""
        if self.error is not None:
            return {"file": self.file, "error": self.error}
        data: dict[str, Any] = {
            "file": self.file,
            "digit": self.digit,
            "confidence": self.confidence,
            "top": [[digit, probability] for digit, probability in self.top],
        }
        if self.note:
            data["note"] = self.note
        if self.model is not None:
            data["model"] = self.model.to_json()
        return data
