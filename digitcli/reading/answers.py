"""What `read` answers, one type for the CLI, `serve` and the Python API: frozen dataclasses
whose `to_json` is the object `digitcli read --format jsonl` writes. Nothing heavy is imported
here."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from digitcli.models.info import ModelInfo


@dataclass(frozen=True)
class Digit:
    """One digit of a number read: where it is, as `[left, top, right, bottom]` in the input
    image's pixels; `pixels`, what the model saw (28x28), only where previews asked for it."""

    digit: int
    confidence: float
    box: tuple[int, int, int, int]
    pixels: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "box", tuple(self.box))

    def to_json(self) -> dict[str, Any]:
        return {"digit": self.digit, "confidence": self.confidence, "box": list(self.box)}


@dataclass(frozen=True)
class Reading:
    """One input's whole number (`number`, a string of digits; None when none was read, and
    `note` says why). An image of several lines has one reading a line in `lines`, top to
    bottom, and no number of its own. `model`: the model that answered, where it is known
    (never an error's)."""

    file: str
    number: str | None = None
    confidence: float | None = None
    digits: tuple[Digit, ...] = ()
    note: str | None = None
    error: str | None = None
    lines: tuple[Reading, ...] = ()
    box: tuple[int, int, int, int] | None = None  # a line's, in the input image's pixels
    model: ModelInfo | None = None
    # What was written, the marks in and after the number included ("18.056" where `number`
    # is "18056", "200.-"); `number` where nothing more was read; None where `number` is.
    text: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "digits", tuple(self.digits))
        object.__setattr__(self, "lines", tuple(self.lines))
        if self.box is not None:
            object.__setattr__(self, "box", tuple(self.box))
        if self.error is not None and self.model is not None:
            object.__setattr__(self, "model", None)

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def answered(self) -> bool:
        """Whether a number was read (for an image of several lines: one on every line)."""
        if self.lines:
            return all(line.number is not None for line in self.lines)
        return self.number is not None

    def rows(self) -> list[Reading]:
        """One reading a line of the image (what plain, CSV and table output show), each note
        saying which line ("line I of N"), each naming the model that answered."""
        count = len(self.lines)
        return [
            replace(
                line,
                note="; ".join(filter(None, [f"line {i} of {count}", line.note])),
                model=self.model,
            )
            for i, line in enumerate(self.lines, start=1)
        ] or [self]

    def to_json(self) -> dict[str, Any]:
        """The object `digitcli read --format jsonl` writes for this input."""
        if self.error is not None:
            return {"file": self.file, "error": self.error}
        data: dict[str, Any] = {
            "file": self.file,
            "number": self.number,
            "text": self.text,
            "confidence": self.confidence,
            "digits": [digit.to_json() for digit in self.digits],
        }
        if self.note:
            data["note"] = self.note
        if self.lines:
            data["lines"] = [line.line_json() for line in self.lines]
        if self.model is not None:
            data["model"] = self.model.to_json()
        return data

    def line_json(self) -> dict[str, Any]:
        """A line's object in its picture's `lines`: no file, nor model, of its own."""
        data = {k: v for k, v in self.to_json().items() if k not in ("file", "model")}
        return {**data, "box": list(self.box or ())}
