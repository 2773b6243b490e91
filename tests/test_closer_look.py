"""A closer look (`imaging/closer.py`): a number small in a large scanned cell, too small in the
working picture for its ink to be found, judged or read, is prepared where it is written, by
`predict` and `read` alike; blank paper, and a piece of a line across the picture, are not
looked at closer."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scanned_cells
from PIL import Image

from digitcli.imaging import closer, verdict
from digitcli.imaging.images import prepare_file
from digitcli.predicting.predict import predict
from digitcli.reading.read import read

# Round 23's large cells of seed 72 (`scanned_cells.py --large --seed 72`) that main before the
# closer look called blank: a number 40 px high (MNIST's box) in a cell 600-900 px wide.
BLANK_BEFORE = ("007.jpg", "015.jpg", "016.jpg", "018.jpg")
# ... and two of them whose ink finder keeps the darkest digit alone (`92`, `861`): the rest of
# the number is taken into the part looked at (`closer._ink_around`).
WHOLE_NUMBER = ("020.jpg", "065.jpg")
# ... and two single digits it found too small to read (6-8 px high), read 3 and 9.
MISREAD_BEFORE = ("057.jpg", "102.jpg")
# ... and 67 in a cell 1500 px wide whose ink `predict`'s preparation takes for lines.
LINES_BEFORE = "068.jpg"
# ... and 39 in a cell 900 px wide, one digit (3) to `predict`'s closer look.
ONE_DIGIT_BEFORE = "019.jpg"
# ... and 31 in a cell 1500 px wide, one digit (1) to `predict`, which the letters network leans
# to take for no digit (round 92).
LETTERS_LEAN = "058.jpg"


@pytest.fixture(scope="module")
def large_cells(tmp_path_factory):
    folder = tmp_path_factory.mktemp("large72")
    scanned_cells.main(["--out", str(folder), "--seed", "72", "--large"])
    return folder, json.loads((folder / "truth.json").read_text())


def test_a_small_number_in_a_large_cell_is_read_and_answered_alike(large_cells):
    folder, every = large_cells
    truth = {name: every[name] for name in BLANK_BEFORE + WHOLE_NUMBER + MISREAD_BEFORE}
    readings = read([str(folder / name) for name in truth])
    assert [r.number for r in readings] == list(truth.values())
    for name, number in truth.items():
        prepared = prepare_file(folder / name)
        expected = verdict.Kind.DIGIT if len(number) == 1 else verdict.Kind.SEVERAL
        assert verdict.kind(prepared) is expected, name


def test_a_number_refused_by_predicts_preparation_that_read_reads_is_several_digits(
    large_cells,
):
    """Where `predict`'s preparation refuses a picture (blank, lines) and `read` reads a number
    of two digits or more in it, `predict` says several digits, use `digitcli read`, as it does
    of every number: it refused it, and the two commands gave two verdicts (round 83)."""
    folder, truth = large_cells
    path = folder / LINES_BEFORE
    assert verdict.kind(prepare_file(path)) is verdict.Kind.LINES
    (reading,) = read([str(path)])
    (prediction,) = predict([str(path)])
    assert reading.number == truth[LINES_BEFORE] == "67"
    assert (prediction.digit, prediction.note) == (None, verdict.several(2))


def test_a_number_found_by_a_closer_look_is_several_digits_where_read_reads_it(large_cells):
    """A closer look prepares a small number in a large cell where its ink is; its working
    picture too small to count the digits by, it answered one of them (3 of 39, 4 of 42, 7 of
    75: round 83's seeds 72 and 77). `predict` asks `read`, as of a picture it refuses."""
    folder, truth = large_cells
    path = folder / ONE_DIGIT_BEFORE
    prepared = prepare_file(path)
    assert prepared.looked_closer and verdict.kind(prepared) is verdict.Kind.DIGIT
    (reading,) = read([str(path)])
    (prediction,) = predict([str(path)])
    assert reading.number == truth[ONE_DIGIT_BEFORE] == "39"
    assert (prediction.digit, prediction.note) == (None, verdict.several(2))


def test_one_digit_the_letters_network_doubts_is_asked_of_read(large_cells):
    """Where `predict`'s preparation keeps one digit of a number (the 1 of 31, the 3 left
    out) and the letters network leans to no digit in it (`networks.leans`, short of
    `letters_sure`), `predict` asks `read`, as where the count leans to several, and says
    several digits where `read` reads a number: it answered 1 at 0.98 where `read` read 31
    (a register cell's 98 and a 52602 beside a shadow's edge in the real development sets)."""
    folder, truth = large_cells
    path = folder / LETTERS_LEAN
    prepared = prepare_file(path)
    assert verdict.kind(prepared) is verdict.Kind.DIGIT and prepared.letters >= 0.5
    (reading,) = read([str(path)])
    (prediction,) = predict([str(path)])
    assert reading.number == truth[LETTERS_LEAN] == "31"
    assert (prediction.digit, prediction.note) == (None, verdict.several(2))


def _paper(height: int, width: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.clip(rng.normal(200, 3, (height, width)), 0, 255).astype(np.uint8)


def test_the_part_around_small_ink_is_one_ink_height_beyond_it():
    grey = _paper(300, 900)
    grey[100:130, 400:420] = 60  # ink 30 px high: 6 px in a 192-px working picture
    part = closer.around_small_ink(Image.fromarray(grey), True, (192, 64))
    assert part is not None and part.size == (20 + 2 * 30, 30 + 2 * 30)


def test_ink_large_enough_in_the_working_picture_is_not_looked_at_closer():
    grey = _paper(300, 900)
    grey[100:160, 400:420] = 60  # 60 px high: 13 px at the working size
    assert closer.around_small_ink(Image.fromarray(grey), True, (192, 64)) is None


def test_a_speck_is_not_looked_at_closer():
    """Ink under a quarter of MNIST's box high in the picture opened larger is a speck or a
    grid's crossing: its crop of a few pixels was a 5 on a blank squared page."""
    grey = np.full((300, 900), 200, np.uint8)
    grey[100:103, 400:416] = 60  # 3 px high here, under 1 px in the working picture
    assert closer.around_small_ink(Image.fromarray(grey), True, (192, 64)) is None


def test_a_piece_of_a_line_across_the_picture_is_not_looked_at_closer():
    """What the ink finder keeps of a line it takes out (here, where the line runs darker) is
    a piece of ink that runs across the picture: its crop was a 1 on blank ruled paper."""
    grey = _paper(300, 900)
    grey[150:153, :] = 110  # a rule across the cell ...
    grey[146:157, 400:412] = 30  # ... darker for a stretch
    assert closer.around_small_ink(Image.fromarray(grey), True, (192, 64)) is None


def test_a_rule_beside_the_number_is_left_out():
    """A cell's side beside the number runs across the picture: the part looked at holds the
    number and the paper one ink height around it, the side's stretch within it alone."""
    grey = _paper(300, 900)
    grey[100:130, 400:420] = 60
    grey[:, 380:382] = 60  # the cell's side, down the whole cell
    part = closer.around_small_ink(Image.fromarray(grey), True, (192, 64))
    assert part is not None and part.size == (20 + 2 * 30, 30 + 2 * 30)


def test_a_picture_without_twice_the_pixels_is_not_looked_at_closer():
    working = Image.new("L", (192, 64), 200)
    opened = working.copy()
    opened.info["source_size"] = (300, 100)  # a file of 300x100, opened at the working size
    assert not closer.worth_a_look(working, opened)
    opened.info["source_size"] = (900, 300)
    assert closer.worth_a_look(working, opened)
    assert closer.worth_a_look(working, Image.new("L", (900, 300)))  # a picture given whole


def test_ink_under_half_mnists_box_high_is_too_small_to_read():
    assert closer.too_small((slice(2, 11), slice(5, 9)))  # 9 px high
    assert not closer.too_small((slice(2, 12), slice(5, 9)))  # 10: half MNIST's 20-px box
