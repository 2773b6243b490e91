"""The line reader reads first: where it is sure, its digits are the reading, each placed where it
was read, and the line is not cut into candidates."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from test_read import overlap, write_number

from digitcli.inputs.sources import Source
from digitcli.reading.atoms import Atom
from digitcli.reading.picture import ALL_PARTS, picture_lines
from digitcli.reading.place import _assigned
from digitcli.reading.read import read
from digitcli.reading.settings import overridden


@pytest.fixture(scope="module")
def digits(request: pytest.FixtureRequest) -> dict[int, list[np.ndarray]]:
    return request.getfixturevalue("mnist_test_digits")


def segmented(path) -> object:
    return picture_lines(Source(str(path), str(path)), "auto", ALL_PARTS)


def test_a_sure_line_is_read_without_cutting_it(digits, tmp_path):
    truth = write_number(digits, "3958", tmp_path / "n.png")
    line = segmented(tmp_path / "n.png")
    assert line.candidates == [] and line.ink is None
    assert "".join(str(digit) for digit, *_ in line.read) == "3958"
    for (_, confidence, box, pixels), true in zip(line.read, truth, strict=True):
        assert 0.9 < confidence <= 1 and pixels.shape == (28, 28)
        assert overlap(box, true) > 0.7
    assert len(pickle.dumps(line)) < 50_000  # the work frame's ink stays behind


def test_an_unsure_line_is_cut_into_candidates(digits, tmp_path):
    write_number(digits, "90210", tmp_path / "n.png")
    with overridden(line_sure=2.0):  # never that sure
        line = segmented(tmp_path / "n.png")
        (reading,) = read([str(tmp_path / "n.png")])
    assert not line.sure and len(line.candidates) >= 5 and line.columns is not None
    assert reading.number == "90210"


def test_lines_of_a_form_are_placed_in_their_own_rows(digits, tmp_path):
    from test_read_lines import write_form

    tops = write_form(digits, ["4072", "1958"], tmp_path / "form.png")
    (reading,) = read([str(tmp_path / "form.png")])
    for line, top in zip(reading.lines, tops, strict=True):
        assert all(top <= d.box[1] < d.box[3] <= top + 200 for d in line.digits)


def atom(left: int, right: int, piece: int, cut: float = 0.0) -> Atom:
    xs = np.arange(left, right, dtype=np.int64)
    ys = np.full_like(xs, 10)
    return Atom(ys, xs, xs.astype(float), cut_before=cut, piece=piece)


def test_each_piece_goes_to_the_digit_read_within_it():
    """Touching digits (one piece cut in three parts) share out its parts; a flag standing
    over a digit joins it; a separator between digits joins none; a digit read where no ink
    lies gets the nearest atom."""
    parts = [atom(0, 20, 0), atom(20, 26, 0, cut=1.0), atom(26, 50, 0, cut=1.0)]
    flag, separator, last = atom(42, 48, 1), atom(70, 76, 2), atom(90, 110, 3)
    owned = _assigned([*parts, flag, separator, last], np.array([8.0, 40.0, 100.0, 130.0]))
    starts = [[int(a.xs.min()) for a in own] for own in owned]
    assert starts == [[0, 20], [26, 42], [90], [90]]


def test_a_line_read_as_no_digit_places_none():
    """The line reader may read no digit in a line's ink (a speck, a dash): nothing to place,
    whatever pieces the line has (a batch of blank photos failed on it)."""
    assert _assigned([atom(0, 20, 0), atom(30, 34, 1)], np.array([])) == []
