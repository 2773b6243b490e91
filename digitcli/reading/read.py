"""Read whole handwritten numbers: one line of digits per image, answered as a string of digits.

Inputs are expanded and batched exactly as `predict` does (files, directories, globs, `-`,
`--from-list`; worker processes for large batches). Each image's lines are found and read
first by the line reader (`digitcli.reading.picture`): where it is sure of its number
(`line_sure`), that is the reading, each digit placed where it was read. Elsewhere the line is
cut into candidate digits, the classifier scores those the readings pick, and the likeliest
segmentation of each digit count is weighed by the line reader's likelihood of its number. A
digit the line reader is unsure of is shown to the classifier too (`_second_opinions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import pairwise
from pathlib import Path

import numpy as np

from digitcli.core.errors import ImageError, without_name
from digitcli.imaging import settings as preparation
from digitcli.imaging import verdict
from digitcli.imaging.images import Prepared
from digitcli.inputs.batches import PARALLEL_FROM, prepared_batches
from digitcli.inputs.previews import claimed_previews, preview_name, save_preview
from digitcli.inputs.sources import Source
from digitcli.models.runtimes import Runtime, runtime_loader
from digitcli.reading.answers import Digit as ReadDigit
from digitcli.reading.answers import Reading
from digitcli.reading.lines import likelihood, written_text
from digitcli.reading.multiline import Lines, each_line
from digitcli.reading.picture import (
    ALL_PARTS,
    Parts,
    picture_lines,
    reads_a_row,
    several,
    sure_of_a_number,
)
from digitcli.reading.segment import Line, best_readings
from digitcli.reading.settings import tuned

Readings = dict[int, tuple[float, list[int]]]  # segment.best_readings: {count: (score, chosen)}

TOO_SMALL = (
    "too many digits, or digits too small, to read on one line: crop the line into shorter "
    "pieces, or scan it at a higher resolution"
)


def read(
    inputs: Iterable[str] = (),
    *,
    from_list: str | None = None,
    model: str | Path | None = None,
    threshold: float | None = None,
    digits: tuple[int, int] | None = None,
    invert: str = "auto",
    save_preprocessed: Path | None = None,
    batch_size: int | None = None,
    parts: Parts = ALL_PARTS,
    recursive: bool = False,
) -> Iterator[Reading]:
    """Read the number in each input, yielding one `Reading` per input in input order;
    `batch_size` images at a time (default: PARALLEL_FROM, the fewest that worker processes
    prepare; 16 was measured the fastest, docs/measurements/code-notes.md); `recursive`:
    folders' sub-folders are searched too."""
    batch_size = batch_size or PARALLEL_FROM
    runtime = runtime_loader(model)
    with claimed_previews(save_preprocessed) as previews:
        index = 0
        work = partial(picture_lines, invert=invert, parts=parts, pixels=previews is not None)
        batches = prepared_batches(
            inputs, from_list, work, batch_size, meanwhile=runtime, recursive=recursive
        )
        for batch, lines in batches:
            for offset, reading in enumerate(_answer(runtime(), batch, lines, parts)):
                yield _checked(reading, threshold, digits)
                if previews is not None:
                    every = [digit for row in reading.rows() for digit in row.digits]
                    for part, digit in enumerate(every, start=1):
                        name = preview_name(index + offset, batch[offset], part)
                        save_preview(digit.pixels, previews / name)
            index += len(batch)


def read_sources(
    runtime: Runtime,
    sources: list[Source],
    *,
    threshold: float | None = None,
    digits: tuple[int, int] | None = None,
    invert: str = "auto",
    pixels: bool = True,
) -> list[Reading]:
    """One batch read in this process (what `serve` runs per request); `pixels`: each digit's
    pixels as the model saw them are kept (`ReadDigit.pixels`, for previews)."""
    lines = [picture_lines(source, invert, pixels=pixels) for source in sources]
    return [_checked(r, threshold, digits) for r in _answer(runtime, sources, lines)]


def read_found(
    runtime: Runtime, sources: list[Source], found: list[Line | Lines | ImageError]
) -> list[Reading]:
    """Each picture's reading, from the lines `picture_lines` found in it: `read`'s word on
    the pictures `predict` asks it about (`predict._said_by_read`)."""
    return list(_answer(runtime, sources, found))


def refusal(reading: Reading) -> str | None:
    """`read`'s refusal of a picture, in the one wording: its note where it reads no number and
    says why (lines, a page or a picture where it reads lines and no number in any: a barcode
    and its caption, a board of noughts and crosses, which `predict` called several digits);
    None where it reads a number, or lines one of which holds one."""
    if reading.number is not None or reading.error is not None:
        return None
    return reading.note if verdict.is_refusal(reading.note) else None


def _answer(
    runtime: Runtime,
    batch: list[Source],
    found: list[Line | Lines | ImageError],
    parts: Parts = ALL_PARTS,
) -> Iterator[Reading]:
    """Each image's reading: its line's, or, where it has several, one a line."""
    flat, owners = [], []
    for owner, line in enumerate(found):
        for one in each_line(line):
            flat.append(one)
            owners.append(batch[owner])
    each = _answer_lines(runtime, owners, flat, parts)
    for source, line in zip(batch, found, strict=True):
        if isinstance(line, Lines):
            yield _several(source.name, [next(each) for _ in line.lines], line.spans)
        else:
            yield next(each)


def _several(name: str, readings: list[Reading], spans: list[tuple[int, int, int, int]]) -> Reading:
    """One image's lines: no number of its own (never one made of two), one reading a line,
    each in the box of its digits (or of its rows, where none were found). Where one line reads
    a row's worth of digits or more and every other is refused as holding no number (a
    shadow's band, a line of words), that line's reading is the picture's: a number
    photographed beside a hand's shadow was "found 2 lines: 3446785512, -", and no number. (A
    line of one or two digits stays one of several: a word's hamza above it was read `5`.)
    Where every line is refused, so is the picture, as `predict` refuses it (lines, a page or
    a picture; it was "found 2 lines: -, -")."""
    numbered = [r for r in readings if r.number is not None or r.error is not None]
    if len(numbered) == 1 and len(numbered[0].number or "") >= preparation.tuned().row_digits:
        return numbered[0]
    readings = [
        replace(reading, box=_box(reading, span))
        for reading, span in zip(readings, spans, strict=True)
    ]
    if not numbered:  # every line refused: the picture is, as `predict` refuses it
        return Reading(name, note=verdict.NOT_DIGITS, lines=readings)
    numbers = ", ".join(reading.number or "-" for reading in readings)
    return Reading(name, note=f"found {len(readings)} lines: {numbers}", lines=readings)


def _box(reading: Reading, span: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """A line's box: that of its digits, or of its rows (`span`) where none were found."""
    boxes = [digit.box for digit in reading.digits]
    return span if not boxes else (
        min(b[0] for b in boxes), min(b[1] for b in boxes),
        max(b[2] for b in boxes), max(b[3] for b in boxes),
    )  # fmt: skip


def _answer_lines(
    runtime: Runtime,
    batch: list[Source],
    lines: list[Line | ImageError],
    parts: Parts = ALL_PARTS,
) -> Iterator[Reading]:
    """Each line's best reading. The classifier scores only the candidates a reading picks
    (`_Scoring.digits`): the others are taken to be as sure as a digit can be, an upper
    bound, so the readings are those of scoring every candidate."""
    wholes = _wholes(runtime, lines)
    refused = _read_as_none(lines, wholes)
    own = _second_opinions(runtime, lines, parts.second_opinion)
    for source, line in zip(batch, lines, strict=True):
        if isinstance(line, ImageError):
            yield Reading(source.name, error=without_name(str(line), source.name))
            continue
        if line.too_small:
            yield Reading(source.name, error=TOO_SMALL)
            continue
        if line.lines >= tuned().most_lines:  # a page of writing: refused as predict does
            yield Reading(source.name, note=verdict.NOT_DIGITS)
            continue
        if _in_letters(line) or id(line) in refused:
            yield Reading(source.name, note=verdict.NOT_A_DIGIT)
            continue
        least = 2 if several(line) else 1  # the one count of digits: predict's verdict
        if line.sure:
            digits = own[id(line)]
        else:
            probabilities = np.ones((len(line.candidates), 10), np.float32)  # the upper bound
            scored = np.zeros(len(line.candidates), bool)
            scoring = _Scoring(runtime, line, probabilities, scored, line.columns, least)
            digits = _doubted(scoring.digits(), line, own.get(id(line), []), scoring.weighed, least)
        if least > 1 and len(digits) < least:  # several digits to predict, none read
            yield Reading(source.name, note=verdict.several_unread(line.whole.groups))
            continue
        reading = _reading(source.name, _as_predicted(digits, line, wholes))
        if reading.number is None and line.whole is not None and verdict.refuses(line.whole):
            reading = replace(reading, note=verdict.note(line.whole))  # as predict refuses it
        if reading.number is not None:
            reading = replace(reading, text=written_text(line.written or [], reading.number))
        yield reading


def _in_letters(line: Line) -> bool:
    """Whether the line reader reads the line as words (`Line.words`): not a number, as
    `predict` says of a letter. Where `predict` finds one digit in the picture, its verdict
    stands (a letter's is the letters network's, `Kind.NOT_A_DIGIT`)."""
    return line.words and not _one_digit(line.whole)


def _doubted(
    digits: list[ReadDigit],
    line: Line,
    own: list[ReadDigit],
    weighed: Callable[[str], float],
    least: int = 1,
) -> list[ReadDigit]:
    """The segmentation's digits, unless the line reader finds their number (`weighed`: its
    ln P) `line_doubt` times less likely than its own reading (a date's separator read as a
    1): then its own (`own`, with the classifier's second opinions), where it holds `least`
    digits or more."""
    if line.read is None or line.columns is None or len(line.read) < least:
        return digits
    mine = line.own_likelihood
    doubted = weighed(_number(digits)) < mine - np.log(tuned().line_doubt)
    return own if doubted else digits


def _second_opinions(
    runtime: Runtime, lines: list[Line | ImageError], asked: bool = True
) -> dict[int, list[ReadDigit]]:
    """The line reader's digits of each line it read (by id of the line), each one it reads
    less surely than `line_sure` replaced by the classifier's digit where the classifier, shown
    its pixels, is `overrule_at` sure of another one (other writers' 9s written like 3s, open
    4s); all its doubtful digits in one call."""
    tune = tuned()
    read = [line for line in lines if isinstance(line, Line) and line.read is not None]
    own = {id(line): [ReadDigit(*digit) for digit in line.read] for line in read}
    doubtful = [
        (line, index)
        for line in read
        for index, (_, confidence, _, pixels) in enumerate(line.read)
        if asked and confidence < tune.line_sure and pixels is not None
    ]
    if not doubtful:
        return own
    found = runtime.predict(np.stack([line.read[index][3] for line, index in doubtful]))
    for (line, index), row in zip(doubtful, found, strict=True):
        best, digit = int(np.argmax(row)), own[id(line)][index]
        if best != digit.digit and row[best] >= tune.overrule_at:
            own[id(line)][index] = replace(digit, digit=best, confidence=round(float(row[best]), 6))
    return own


def _wholes(runtime: Runtime, lines: list[Line | ImageError]) -> dict[int, np.ndarray]:
    """The classifier's probabilities for each line's ink prepared whole as `predict` prepares
    one digit (`Line.whole`), by id of the line, in one call."""
    whole = [line for line in lines if isinstance(line, Line) and _one_digit(line.whole)]
    if not whole:
        return {}
    found = runtime.predict(np.stack([line.whole.pixels for line in whole]))
    return {id(line): row for line, row in zip(whole, found, strict=True)}


def _read_as_none(lines: list[Line | ImageError], wholes: dict[int, np.ndarray]) -> set[int]:
    """The lines (by id) refused as `predict` refuses their picture, one digit it reads as no
    digit after all (`verdict.read_as_none`), unless the line reader reads a number there: of
    `row_digits` digits or more, or of two or more it is sure of (two digits written into
    each other, one unsure digit to `predict`), and not words (`Line.words`: a blob of
    strokes it read as 598 and as letters too, round 64). Each one's `whole` leaves `wholes`."""
    refused = set()
    for line in lines:
        row = wholes.get(id(line))
        if row is None or not verdict.read_as_none(line.whole, row):
            continue
        del wholes[id(line)]
        if line.words or not (reads_a_row(line) or sure_of_a_number(line)):
            refused.add(id(line))
    return refused


def _one_digit(prepared: Prepared | None) -> bool:
    return prepared is not None and prepared.has_ink and not prepared.several


def _as_predicted(
    digits: list[ReadDigit], line: Line, wholes: dict[int, np.ndarray]
) -> list[ReadDigit]:
    """A reading of one digit, where `predict` finds one digit in the same image, read as
    predict reads it (the same preparation, the same classifier): the two always agree. So is
    a reading of up to `split_most` digits that overlap one another by the preparation's
    `side_by_side` of their width (one digit cut in two; pieces `apart` share less) when
    predict is surer of its digit than the reading of its number, and a reading of several
    digits none of which is read as surely as predict's one (a 0 read as "11"), or of a line
    the line reader reads as words (`Line.words`: its digits are no number; a note on a desk
    was 485 to `read`, 2 to `predict`)."""
    row = wholes.get(id(line))
    if row is None:
        return digits
    best = int(np.argmax(row))
    confidence = round(float(row[best]), 6)
    if not digits:  # predict found a digit where the line found no ink
        return [ReadDigit(best, confidence, _picture_box(line), line.whole.pixels)]
    if len(digits) > 1 and max(d.confidence for d in digits) >= confidence and not line.words:
        tune = tuned()
        sure = float(np.prod([d.confidence for d in digits]))
        split = len(digits) <= tune.split_most and all(
            _overlap(a.box, b.box) >= preparation.tuned().side_by_side for a, b in pairwise(digits)
        )
        if not (split and confidence > sure):
            return digits
    left, top = min(d.box[0] for d in digits), min(d.box[1] for d in digits)
    right, bottom = max(d.box[2] for d in digits), max(d.box[3] for d in digits)
    return [ReadDigit(best, confidence, (left, top, right, bottom), line.whole.pixels)]


def _picture_box(line: Line) -> tuple[int, int, int, int]:
    """The whole picture's box, in its pixels."""
    width, height = line.size or (0, 0)
    return (0, 0, width, height)


def _overlap(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """How much boxes a and b (left, top, right, bottom) overlap side to side, as a share of
    the narrower's width."""
    narrower = max(min(a[2] - a[0], b[2] - b[0]), 1)
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) / narrower


@dataclass
class _Scoring:
    """One line's readings, its candidates scored by the classifier as readings pick them."""

    runtime: Runtime
    line: Line
    probabilities: np.ndarray  # (candidates, 10); rows not scored yet are ones: an upper bound
    scored: np.ndarray  # which rows of `probabilities` are scored
    columns: np.ndarray | None  # the line reader's probabilities for its strips, (columns, 11)
    least: int = 1  # digits a reading holds at least (2: predict's verdict is several digits)
    # The line reader's ln P of each number weighed so far: a number is weighed once a line.
    numbers: dict[str, float] = field(default_factory=dict)

    def digits(self) -> list[ReadDigit]:
        """The likeliest reading's digits, scoring the candidates it picks that were not
        scored yet, until it picks only scored ones: unscored candidates weigh as much as they
        could (probability 1), so a pick of scored ones alone is the pick of scoring every
        candidate."""
        line = self.line
        while line.candidates:
            chosen = self.likeliest(best_readings(line, self.probabilities))
            unscored = [i for i in chosen if not self.scored[i]]
            if not unscored:
                return _digits(line, self.probabilities, chosen)
            self.probabilities[unscored] = self.runtime.predict(
                np.stack([line.candidates[index].pixels for index in unscored])
            )
            self.scored[unscored] = True
        return []

    def likeliest(self, readings: Readings) -> list[int]:
        """Of the best reading of each digit count, the one whose score plus `line_weight` x the
        line reader's ln P(its number) is highest, of the 2 x `slack` + 1 counts nearest the line
        reader's own (a noisy line has readings of hundreds of counts, each weighed by a
        forward pass over its columns: minutes). A log-probability is at most 0: a reading
        with candidates not scored yet is weighed at that bound (so it is picked, and scored,
        if it could win), and readings that score no more than the best total so far cannot
        win and are not weighed."""
        tune = tuned()
        best, best_total = [], -np.inf
        readings = {count: found for count, found in readings.items() if count >= self.least}
        if self.columns is not None and self.line.read is not None:
            nearest = sorted(readings, key=lambda count: abs(count - len(self.line.read)))
            readings = {count: readings[count] for count in nearest[: 2 * tune.slack + 1]}
        for score, chosen in sorted(readings.values(), key=lambda found: -found[0]):
            if score <= best_total:
                break
            if self.columns is None:
                return chosen
            total = score + tune.line_weight * self.line_likelihood(chosen)
            if total > best_total:
                best, best_total = chosen, total
        if not best and readings:  # more digits than the strip has columns: it cannot judge
            return max(readings.values(), key=lambda found: found[0])[1]
        return best

    def line_likelihood(self, chosen: list[int]) -> float:
        if any(not self.scored[i] for i in chosen):
            return 0.0
        return self.weighed(_number(_digits(self.line, self.probabilities, chosen)))

    def weighed(self, number: str) -> float:
        """The line reader's ln P(`number`) of the line (its `columns`)."""
        if number not in self.numbers:
            self.numbers[number] = likelihood(self.columns, number)
        return self.numbers[number]


def _digits(line: Line, probabilities: np.ndarray, chosen: list[int]) -> list[ReadDigit]:
    """The digits a reading's candidates are read as."""
    digits = []
    for index in chosen:
        candidate, row = line.candidates[index], probabilities[index]
        best = int(np.argmax(row))
        confidence = round(float(row[best]), 6)
        digits.append(ReadDigit(best, confidence, candidate.box, candidate.pixels))
    return digits


def _number(digits: list[ReadDigit]) -> str:
    return "".join(str(d.digit) for d in digits)


def _reading(name: str, digits: list[ReadDigit]) -> Reading:
    """The number `digits` make, as sure as its digits together."""
    if not digits:
        return Reading(name, note=verdict.BLANK)
    confidence = round(float(np.prod([d.confidence for d in digits])), 6)
    return Reading(name, _number(digits), confidence, digits)


def _checked(reading: Reading, threshold: float | None, digits: tuple[int, int] | None) -> Reading:
    """A reading that --digits or --threshold rejects keeps its digits, but not its number;
    each line of several is checked on its own."""
    if reading.lines:
        reading = replace(
            reading, lines=[_checked(line, threshold, digits) for line in reading.lines]
        )
    if reading.number is None:
        return reading
    count = len(reading.number)
    if digits is not None and not digits[0] <= count <= digits[1]:
        wanted = str(digits[0]) if digits[0] == digits[1] else f"{digits[0]}-{digits[1]}"
        note = f"read {count} digit{'s' * (count != 1)} ({reading.number}), expected {wanted}"
        return replace(reading, note=note, number=None, text=None)
    if threshold is not None and reading.confidence < threshold:
        note = (
            f"confidence {reading.confidence:.3f} of {reading.number} is below the "
            f"threshold {threshold:g}"
        )
        return replace(reading, note=note, number=None, text=None)
    return reading
