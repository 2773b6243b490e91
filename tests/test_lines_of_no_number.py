"""A picture's line refused as holding no number (a shadow's band, a line of words) is no line
of its numbers: a phone photo of `3446785512` beside a hand's shadow was "found 2 lines:
3446785512, -", and no number."""

from __future__ import annotations

from devsets import devset_file, needs_devsets

from digitcli.imaging import verdict
from digitcli.reading.answers import Digit
from digitcli.reading.read import Reading, _several, read

SPANS = [(0, 0, 100, 40), (0, 50, 100, 90), (0, 100, 100, 140)]


def _line(
    number: str | None = None, *, top: int = 5, note: str | None = None, error: str | None = None
) -> Reading:
    box = [(10 * i, top, 10 * i + 8, top + 25) for i in range(len(number or ""))]
    digits = [Digit(int(d), 0.99, at) for d, at in zip(number or "", box, strict=True)]
    return Reading("page.png", number=number, digits=digits, note=note, error=error)


def test_the_one_line_read_beside_a_refused_one_is_the_pictures_number():
    number = _line("3446785512")
    found = _several("page.png", [number, _line(note=verdict.NOT_A_DIGIT)], SPANS[:2])
    assert found == number
    assert (found.number, found.lines) == ("3446785512", ())


def test_a_line_of_fewer_digits_than_a_row_stays_one_of_several():
    """A word's hamza above it, read `5` on a line of its own, beside the word refused as not
    a digit: no number (the row: the preparation's `row_digits`)."""
    lines = [_line("5"), _line(note=verdict.NOT_A_DIGIT)]
    found = _several("word.png", lines, SPANS[:2])
    assert (found.number, found.note) == (None, "found 2 lines: 5, -")


def test_two_lines_of_numbers_stay_lines_beside_a_refused_one():
    lines = [_line("123"), _line(note=verdict.BLANK), _line("456", top=105)]
    found = _several("page.png", lines, SPANS)
    assert found.number is None
    assert found.note == "found 3 lines: 123, -, 456"
    assert [line.box[1] for line in found.lines] == [5, 50, 105]  # a refused line: its rows


def test_a_line_that_failed_is_no_refusal():
    found = _several("page.png", [_line("123"), _line(error="too small to read")], SPANS[:2])
    assert (found.number, found.note) == (None, "found 2 lines: 123, -")


def test_lines_none_of_which_holds_a_number_are_refused_as_predict_refuses_them():
    """A board of noughts and crosses on a desk, a barcode and its caption: every line
    refused. `read` said "found 2 lines: -, -" where `predict` says lines, a page or a
    picture: one picture, one verdict, in one wording; the lines stay in JSON."""
    lines = [_line(note=verdict.NOT_A_DIGIT), _line(note=verdict.BLANK)]
    found = _several("board.png", lines, SPANS[:2])
    assert (found.number, found.note) == (None, verdict.NOT_DIGITS)
    assert [line.note for line in found.lines] == [verdict.NOT_A_DIGIT, verdict.BLANK]


@needs_devsets
def test_a_number_photographed_beside_a_hands_shadow_is_read():
    """The more_numbers set's phone photo (niraj-dudani/mnist-multiple-digits `wild/3.jpeg`):
    the shadow's band below the number is a line of its own, refused as not a digit."""
    path = devset_file("more_numbers", "*/niraj-dudani+*__data_wild_3.jpeg")
    (reading,) = read([str(path)])
    assert (reading.number, reading.lines) == ("3446785512", ())
