"""`predict`'s answers with their digits counted as `read` reads them: the one count of
digits both commands take (issue #86, docs/one-verdict.md).

The preparation counts groups of ink (`imaging.pieces`): digits written close together (a
"10" with its 1 beside its 0, a number in a form's cell) are one group to it, and `predict`
answered one digit where `read`, whose line reader reads the line, read the number. Every
picture `predict` answers with a digit, or refuses as blank or lines, is read as `read`
reads it, and where `read` reads several digits (in one line or in several), `predict` says so in the one wording
(`verdict.several`); where `read` reads one, it is `predict`'s digit (`read._as_predicted`).
"""

from __future__ import annotations

from dataclasses import replace

from digitcli.imaging import verdict
from digitcli.inputs.sources import Source
from digitcli.models.runtimes import Runtime
from digitcli.predicting.answers import Prediction
from digitcli.reading.answers import Reading
from digitcli.reading.read import read_sources


def as_read(
    runtime: Runtime, sources: list[Source], answers: list[Prediction], *, invert: str = "auto"
) -> list[Prediction]:
    """`answers` (one per source), each digit `predict` gave, or refusal as blank or lines,
    replaced by the note "several digits" where `read` reads several in its picture."""
    asked = [i for i, answer in enumerate(answers) if _counts(answer)]
    if not asked:
        return answers
    readings = read_sources(runtime, [sources[i] for i in asked], invert=invert, pixels=False)
    counted = list(answers)
    for i, reading in zip(asked, readings, strict=True):
        found = _digits_read(reading, lines=answers[i].confidence is None)
        if found > 1:
            several = verdict.several(found)
            counted[i] = replace(answers[i], digit=None, confidence=None, top=(), note=several)
    return counted


def _digits_read(reading: Reading, *, lines: bool) -> int:
    """How many digits `reading` holds: its number's, or, `lines`, those of all its lines (for
    a picture `predict` refused: a digit it read stays one digit where `read` finds lines)."""
    if reading.lines and lines:
        return sum(_digits_read(line, lines=True) for line in reading.lines)
    return len(reading.number or "")


def _counts(answer: Prediction) -> bool:
    """Whether `read`'s count of digits may change `answer`: a digit (or one under the
    threshold), blank, or lines or a page; not an error, several digits, or not a digit."""
    return answer.error is None and (
        answer.confidence is not None or answer.note in (verdict.BLANK, verdict.NOT_DIGITS)
    )
