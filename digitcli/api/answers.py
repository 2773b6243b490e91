"""What the Python API answers: plain frozen dataclasses with the CLI's fields, whose `to_json`
is exactly the object `predict --format jsonl` and `read --format jsonl` write. Nothing heavy
is imported here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from digitcli.models.modeldir import ChosenModel
    from digitcli.predicting.predict import Prediction as _Prediction
    from digitcli.reading.read import Reading as _Reading


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


@dataclass(frozen=True)
class Prediction:
    """One input's digit. `digit` is None when there is no confident answer (below the
    threshold, no digit found, several digits): `note` then says why. `error` is set, and the
    rest empty, for an input that could not be read."""

    file: str  # the path as given; "<bytes>", "<image>" or "<array>" for the others
    digit: int | None = None
    confidence: float | None = None
    top: tuple[tuple[int, float], ...] = ()  # the likeliest digits and their probabilities
    note: str | None = None
    error: str | None = None
    model: ModelInfo | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def answered(self) -> bool:
        """Whether a digit was given."""
        return self.digit is not None

    @classmethod
    def of(cls, prediction: _Prediction, model: ModelInfo | None = None) -> Prediction:
        return cls(
            file=prediction.file,
            digit=prediction.digit,
            confidence=prediction.confidence,
            top=tuple(prediction.top),
            note=prediction.note,
            error=prediction.error,
            model=None if prediction.error is not None else model,
        )

    def to_json(self) -> dict[str, Any]:
        """The object `digitcli predict --format jsonl` writes for this input: the predicting
        layer's, with the model that answered."""
        from digitcli.predicting.predict import Prediction as _Prediction

        answer = _Prediction(
            self.file, self.digit, self.confidence, list(self.top), self.error, self.note
        )
        data: dict[str, Any] = answer.to_json()
        if self.error is None and self.model is not None:
            data["model"] = self.model.to_json()
        return data


@dataclass(frozen=True)
class Digit:
    """One digit of a number read: where it is, as `[left, top, right, bottom]` in the input
    image's pixels."""

    digit: int
    confidence: float
    box: tuple[int, int, int, int]

    def to_json(self) -> dict[str, Any]:
        return {"digit": self.digit, "confidence": self.confidence, "box": list(self.box)}


@dataclass(frozen=True)
class Reading:
    """One input's whole number (`number`, a string of digits; None when none was read, and
    `note` says why). An image of several lines has one reading a line in `lines`, top to
    bottom, and no number of its own."""

    file: str
    number: str | None = None
    confidence: float | None = None
    digits: tuple[Digit, ...] = ()
    note: str | None = None
    error: str | None = None
    lines: tuple[Reading, ...] = ()
    box: tuple[int, int, int, int] | None = None  # a line's, in the input image's pixels
    model: ModelInfo | None = None
    # What was written, marks included ("18.056" where `number` is "18056"); None where
    # `number` is.
    text: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def answered(self) -> bool:
        """Whether a number was read (for an image of several lines: one on every line)."""
        if self.lines:
            return all(line.number is not None for line in self.lines)
        return self.number is not None

    @classmethod
    def of(cls, reading: _Reading, model: ModelInfo | None = None) -> Reading:
        return cls(
            file=reading.file,
            number=reading.number,
            confidence=reading.confidence,
            digits=tuple(Digit(d.digit, d.confidence, tuple(d.box)) for d in reading.digits),
            note=reading.note,
            error=reading.error,
            lines=tuple(cls.of(line) for line in reading.lines),
            box=None if reading.box is None else tuple(reading.box),
            model=None if reading.error is not None else model,
            text=reading.text,
        )

    def rows(self) -> list[Reading]:
        """One reading a line (what plain, CSV and table output show), each note saying which
        line ("line I of N"): the reading layer's rows."""
        return [Reading.of(row, self.model) for row in self._as_read().rows()]

    def to_json(self) -> dict[str, Any]:
        """The object `digitcli read --format jsonl` writes for this input: the reading
        layer's, with the model that answered."""
        data: dict[str, Any] = self._as_read().to_json()
        if self.error is None and self.model is not None:
            data["model"] = self.model.to_json()
        return data

    def _as_read(self) -> _Reading:
        from digitcli.reading.read import ReadDigit
        from digitcli.reading.read import Reading as _Reading

        digits = [ReadDigit(d.digit, d.confidence, d.box) for d in self.digits]
        lines = [line._as_read() for line in self.lines]
        return _Reading(
            self.file, self.number, self.confidence, digits, self.error, self.note, lines, self.box,
            self.text,
        )  # fmt: skip
