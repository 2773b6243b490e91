"""`predict`'s answers with their digits counted as `read` reads them: the one count of
digits both commands take (issue #86, docs/one-verdict.md).

The preparation counts groups of ink (`imaging.pieces`): digits written close together (a
"10" with its 1 beside its 0, a number in a form's cell) are one group to it, and `predict`
answered one digit where `read`, whose line reader reads the line, read the number. Each
picture's lines are found beside its preparation (`lines`, in the same worker process), and
every picture `predict` answers with a digit, or refuses as blank or lines, is read as `read`
reads it (`answers`): where `read` reads several digits (for a refused picture, in one line
or in several), `predict` says so in the one wording (`verdict.several`); where `read` reads
one, it is `predict`'s digit (`read._as_predicted`).
"""

from __future__ import annotations

from dataclasses import replace

from digitcli.core.errors import ImageError
from digitcli.imaging import verdict
from digitcli.inputs.sources import Source
from digitcli.models.runtimes import Runtime
from digitcli.predicting.answers import Prediction
from digitcli.predicting.predict import Recount
from digitcli.reading.answers import Reading
from digitcli.reading.multiline import Lines
from digitcli.reading.picture import picture_lines
from digitcli.reading.read import answer_found
from digitcli.reading.segment import Line


def lines(source: Source, invert: str) -> Line | Lines | ImageError:
    """The source's lines, found and read by the line reader as `read` finds them."""
    return picture_lines(source, invert, pixels=False)


def answers(
    runtime: Runtime, sources: list[Source], answered: list[Prediction], found: list[object]
) -> list[Prediction]:
    """`answered` (one per source), each digit `predict` gave, or refusal as blank or lines,
    replaced by the note "several digits" where `read` reads several in its picture
    (`found`: each source's `lines`)."""
    asked = [i for i, answer in enumerate(answered) if _counts(answer)]
    if not asked:
        return answered
    readings = answer_found(runtime, [sources[i] for i in asked], [found[i] for i in asked])
    counted = list(answered)
    for i, reading in zip(asked, readings, strict=True):
        digits = _digits_read(reading, lines=answered[i].confidence is None)
        if digits > 1:
            several = verdict.several(digits)
            counted[i] = replace(answered[i], digit=None, confidence=None, top=(), note=several)
    return counted


AS_READ = Recount(lines=lines, answers=answers)


def _counts(answer: Prediction) -> bool:
    """Whether `read`'s count of digits may change `answer`: a digit (or one under the
    threshold), blank, or lines or a page; not an error, several digits, or not a digit."""
    return answer.error is None and (
        answer.confidence is not None or answer.note in (verdict.BLANK, verdict.NOT_DIGITS)
    )


def _digits_read(reading: Reading, *, lines: bool) -> int:
    """How many digits `reading` holds: its number's, or, `lines`, those of all its lines (for
    a picture `predict` refused: a digit it read stays one digit where `read` finds lines)."""
    if reading.lines and lines:
        return sum(_digits_read(line, lines=True) for line in reading.lines)
    return len(reading.number or "")
