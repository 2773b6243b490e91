"""One picture's lines, found and read first by the line reader.

A photo of a sheet of paper on a desk is read within the sheet (`sheet.on_the_sheet`); the
lines are found (`multiline.find_lines`) and each is read by the line reader; where it is
unsure, the line is cut into candidate digits for the classifier (`segment`). A picture that
`predict`'s preparation finds blank holds a number only on the line reader's word. This runs
in `predict`'s worker processes; `read` answers what it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial

import numpy as np
from PIL import Image

from digitcli.core.errors import ImageError, unexpected_image_error
from digitcli.imaging import verdict
from digitcli.imaging.border import border_to_look_within
from digitcli.imaging.closer import closer_side
from digitcli.imaging.grayscale import to_gray, working_side
from digitcli.imaging.images import Prepared, picture_colours, prepare, working_picture
from digitcli.imaging.opening import Picture
from digitcli.imaging.polarity import look
from digitcli.imaging.settings import tuned as preparation
from digitcli.imaging.sheet import sheet_to_look_within
from digitcli.imaging.verdict import Kind
from digitcli.inputs.sources import Source
from digitcli.reading.lines import (
    best_path,
    digits_only,
    in_letters,
    likelihood,
    read_strips,
    without_letters,
    written_path,
)
from digitcli.reading.multiline import Lines, each_line, find_lines, moved, of_digits
from digitcli.reading.place import placed_digits
from digitcli.reading.segment import Line, find_line, render_candidates
from digitcli.reading.settings import tuned


@dataclass(frozen=True)
class Parts:
    """Which parts of the reader take part (the benchmark measures each one's share; the CLI
    always reads with all of them). `line_only`: the line reader's best path is the number,
    however unsure it is."""

    lines: bool = True
    line_only: bool = False
    second_opinion: bool = True


ALL_PARTS = Parts()


def picture_lines(
    source: Source,
    invert: str,
    parts: Parts = ALL_PARTS,
    pixels: bool = True,
    prepared: Prepared | None = None,
    picture: Picture | None = None,
) -> Line | Lines | ImageError:
    """The image's line(s), each read by the line reader and, where it is unsure, cut into
    candidates (in a worker process, for large batches); `pixels`: the line reader's digits
    are drawn as the model would see them too (previews only). A photo of a sheet of paper on
    a desk is read within the sheet `predict` looks within (`sheet.sheet_to_look_within`,
    found on `predict`'s picture and cut from the larger: not for light ink on dark paper, nor
    in a picture under `paper_size` a side); where no sheet
    is found, a picture with a scanner's dark border is read inside it, as `predict` looks
    inside it (`border.border_to_look_within`): a sheet or a cell found is where the number
    is, or none (a blank sheet's edges, or the desk beyond them, are no number). Which way
    round the ink is is judged once on what is read, the sheet, the cell or the whole picture
    (`polarity`), and every line follows. The verdict asked of `predict` (`whole`) is always
    its own on the picture, as `predict` opens it: not on the part `read` found at its larger
    size, whose verdict parted from `predict`'s (a 6 several digits to `read`, one to it);
    `prepared`: that verdict, and `picture` the source opened, where `predict` has prepared
    the picture already."""
    if source.problem is not None:
        return ImageError(f"{source.name}: {source.problem}")
    try:
        picture = picture or Picture(source.read(), name=source.name)
        image = picture.at(tuned().work_width)
        smaller = picture.at  # predict's size (None)
        closer = partial(picture.at, closer_side())
        whole = (  # predict's, where it is not `prepared` already
            cache(lambda: prepare(smaller(), invert=invert, closer=closer))
            if prepared is None
            else lambda: prepared
        )
        sheet = sheet_to_look_within(image, invert, working_picture(smaller()))  # predict's
        within = sheet or border_to_look_within(image, invert)  # or inside a scanner's lid
        if within is not None:
            part, dx, dy = within
            found = _read_picture(part, (dx, dy), whole, invert, parts, pixels, on_paper=True)
            return _with_size(found, image)
        return _with_size(_read_picture(image, (0, 0), whole, invert, parts, pixels), image)
    except ImageError as error:
        return error
    except Exception as error:  # one picture's bug must not cost its batch its answers
        return unexpected_image_error(source.name, error)


def _with_size(found: Line | Lines, image: Image.Image) -> Line | Lines:
    """`found`, each line holding the whole picture's size in its own pixels."""
    size = image.info.get("source_size", image.size)
    for line in each_line(found):
        line.size = size
    return found


def _read_picture(
    seen: Image.Image,
    at: tuple[int, int],
    whole: Callable[[], Prepared],
    invert: str,
    parts: Parts,
    pixels: bool,
    *,
    on_paper: bool = False,
) -> Line | Lines:
    """The line(s) of `seen` (the image, or a part of it starting `at` in its pixels), read;
    `whole`: `predict`'s preparation of the picture, when asked. Its polarity is judged once,
    on the whole of `seen` shrunk to `predict`'s working size (as `predict` judges it: the
    network's answer on a number photographed sharp differed from its answer on the same
    number at `predict`'s size), and every line follows it; a photo of a thing
    (`polarity.look`) is not read: `predict`'s verdict on it is the answer; a sheet or a cell
    found (`on_paper`) is paper, never a thing, as to `predict`."""
    if invert == "auto":
        grey = np.asarray(to_gray(seen, working_side(*seen.size)))  # as predict sees it
        first = look(grey, None if on_paper else picture_colours(seen))
        if first.thing and not on_paper:  # a photo of a thing: predict's verdict, its refusal
            return Line(whole=whole())
        invert = "yes" if first.dark else "no"
    found = moved(find_lines(seen, partial(find_line, invert=invert), invert), *at)
    if isinstance(found, Lines):
        if _blank(seen, whole) or verdict.kind(whole()) is Kind.DIGIT:
            return Line(whole=whole())  # refused, or one digit, as predict finds it
        if len(found.lines) >= tuned().most_fields:
            return Line(lines=len(found.lines))
        found = of_digits(found)  # a band of a rule's remnant is no line to read
        for line in each_line(found):
            _read_first(line, parts, pixels)
        return found
    line = _read_first(_as_one_digit(found, seen, whole), parts, pixels, whole)
    return line if _not_blank(line) else Line(whole=line.whole)


def _read_first(
    line: Line, parts: Parts, pixels: bool = True, whole: Callable[[], Prepared] | None = None
) -> Line:
    """The line read by the line reader (`Line.read`, each digit placed where it was read):
    where it is sure of its number (or reads alone), that is the reading; elsewhere the line's
    candidates are rendered for the classifier too. A digit read less surely than `line_sure`
    is fitted here, as `predict` fits a digit, for `read`'s second opinion. Where it reads one
    digit, `predict`'s verdict (`whole`) is asked: where that counts several digits, it is not
    sure (`read` then reads two or more). The line's ink is dropped: it stays in this process."""
    if line.ink is None:
        return line
    if not line.ink.spans:  # no piece could be a digit: specks (on blank paper, its edge)
        line.ink = None
        return line
    tune = tuned()
    if parts.lines and line.strips is not None:
        found = read_strips(line.strips)  # (strips, columns, 11 + marks + letter)
        every = found.reshape(-1, found.shape[-1])
        line.words = in_letters(written_path(every), preparation().row_digits)  # a row's worth
        found = without_letters(found)  # digits and marks read as though no letter were there
        line.written = written_path(found.reshape(-1, found.shape[-1]))
        found = digits_only(found)  # a mark is no digit
        line.columns = found.reshape(-1, found.shape[-1])
        path = best_path(line.columns)
        number = "".join(str(digit) for digit, _, _ in path)
        fitted = [pixels or confidence < tune.line_sure for _, confidence, _ in path]
        placed = placed_digits(line.ink, [at for _, _, at in path], found.shape[1], fitted)
        line.read = [
            (digit, round(confidence, 6), box, drawn)
            for (digit, confidence, _), (box, drawn) in zip(path, placed, strict=True)
        ]
        line.own_likelihood = likelihood(line.columns, number)
        line.sure = parts.line_only or line.own_likelihood >= np.log(tune.line_sure)
        if len(path) < 2:  # one digit read, or none: predict's count may say several
            if line.whole is None and whole is not None:
                line.whole = whole()  # the one count of digits: predict's verdict
            line.sure = line.sure and not several(line)
    if not line.sure:
        render_candidates(line)
    line.ink = None
    return line


def several(line: Line) -> bool:
    """Whether `predict`'s verdict on the line's picture (`Line.whole`, where asked) is
    several digits: `read` then reads a number of two digits or more."""
    return line.whole is not None and verdict.kind(line.whole) is Kind.SEVERAL


def _blank(image: Image.Image, whole: Callable[[], Prepared]) -> bool:
    """Whether `predict`'s preparation (`whole`) finds no ink at all in a picture of bands that
    look like several lines (ruled paper, folds, a shadow's edge can): not where its judge
    took the ink for lines or a page of writing, which `read` reads on."""
    prepared = whole()
    return _page_shaped(image) and not prepared.has_ink and not prepared.lines


def _as_one_digit(line: Line, image: Image.Image, whole: Callable[[], Prepared]) -> Line:
    """`line`, with its ink prepared as `predict` prepares one digit (`whole`) where it may be
    one: one that may be one digit is read as predict reads it (a 1 with a flag: predict 1,
    read 7 before), and `_not_blank` asks whether predict found ink at all. Where the line
    finds no ink at all, predict's verdict is the answer: its digit (a faint one), or why it
    found none, in its words (a photo of a thing was "blank" to `read`, a picture to
    `predict`); so too where it takes the ink for a page of writing (`most_lines` bands) and
    predict refuses the picture (a note of words on a desk was not a digit to `predict`, a
    page to `read`)."""
    spans = line.ink.spans if line.ink is not None else []
    one_digit = any(start == 0 and stop == line.atoms for start, stop, _ in spans)
    if spans and (one_digit or _page_shaped(image)):
        line.whole = whole()
    elif not spans and not line.too_small:  # ink too faint for the line's own test, none,
        line.whole = whole()  # or a page of writing's bands: predict's verdict, or its reason
    return line


def _not_blank(line: Line) -> bool:
    """Whether a read line may hold a number: not where `predict`'s preparation found no ink
    (blank paper: its edge, a shadow, folds, ruled lines), unless the line reader is sure of
    a number of the preparation's `row_digits` or more, as many as make a row of pieces a
    number (it is sure of fewer on blank paper's ruled lines and shadows' edges). Predict's
    test is one digit's: ruled lines running through a number's digits made it call a number
    on lined paper blank. Where predict's verdict is several
    digits (a number between a form's rules), it is read; where its judge takes the ink for
    lines, so is a number of two digits or more the line reader is sure of (a small number in
    a wide ruled cell: ink on lines standing in one row of two digits is several digits to
    `verdict.kind` too). Where it is not a digit (the letters network's verdict on the one
    28x28 the preparation made), it is refused as on blank paper: a zigzag or a script letter
    the line reader reads as three digits it is not sure of is no number (round 64)."""
    if line.whole is None or not verdict.refuses(line.whole):
        return True  # the one verdict: a digit, or several (on a form's rules), read on
    if line.whole.refused is Kind.LINES:
        return sure_of_a_number(line)
    return line.sure and reads_a_row(line)


def reads_a_row(line: Line) -> bool:
    """Whether the line reader reads the preparation's `row_digits` digits or more on the
    line, sure or not: as many as make a row of pieces a number."""
    return line.read is not None and len(line.read) >= preparation().row_digits


def sure_of_a_number(line: Line) -> bool:
    """Whether the line reader is sure of a number of two digits or more on the line."""
    return line.sure and line.read is not None and len(line.read) > 1


def _page_shaped(image: Image.Image) -> bool:
    """Whether the picture is at most the preparation's `row_digits` times as long as its
    shorter side: a longer one holds a row of at least that many digit-wide pieces, a number
    to `predict` too, and its digits grow too small in `predict`'s working picture for its
    ink check."""
    width, height = image.size
    return max(width, height) <= preparation().row_digits * min(width, height)
