"""A scanner's dark border along a cell's sides is no ink and no reason to call it blank: the
picture is read inside it (`imaging.border`) and the number inside the cell is read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter
from test_read import write_number

from digitcli.imaging.border import border_to_look_within, inside_dark_border
from digitcli.imaging.polarity import ink_is_dark
from digitcli.predicting.predict import predict
from digitcli.reading.formlines import across_the_band
from digitcli.reading.read import read
from digitcli.reading.settings import tuned

FIXTURES = Path(__file__).parent / "fixtures"


def in_a_scanned_cell(number: Path, out: Path, ragged: int = 0) -> None:
    """The number's picture small in a larger cell, ruled, a black band down its left side
    and along its bottom, as a register's scanned cell; `ragged`: the band's edge reaches up
    to this many pixels further, in waves, as a page's edge lying askew under the lid."""
    grey = np.asarray(Image.open(number).convert("L"))
    h, w = grey.shape
    cell = np.full((3 * h, 2 * w), 235, np.uint8)
    cell[h : 2 * h, w // 2 : w // 2 + w] = grey
    cell[:, 40:42] = cell[-40:-38, :] = 90  # the cell's ruling
    reach = np.round(ragged * (0.5 + 0.5 * np.sin(np.arange(max(cell.shape)) / 20))).astype(int)
    for row in range(cell.shape[0]):
        cell[row, : 30 + reach[row]] = 10  # the scanner's lid beyond the page
    for column in range(cell.shape[1]):
        cell[-30 - reach[column] :, column] = 20
    Image.fromarray(cell).save(out)


def test_the_picture_inside_a_dark_border_is_what_is_read():
    pixels = np.full((120, 300), 230, np.uint8)
    pixels[40:80, 100:110] = 20  # a stroke of ink, inside
    pixels[:, :25] = 5  # the border down the left side ...
    pixels[-12:, :] = 10  # ... and along the bottom
    # the border and the one line of its soft edge beside it (a scan's blur)
    assert inside_dark_border(Image.fromarray(pixels)) == (26, 0, 300, 107)


def test_the_picture_inside_a_ragged_border_holds_none_of_it():
    """A border's edge is seldom straight: where it was taken as deep as its full lines
    reach, the lines its edge reaches into part of the way were left inside, and `read`
    read them as a line of 1s ("found 3 lines: 1, 8466, 226662266222"). It is as deep as
    its edge reaches."""
    pixels = np.full((120, 300), 230, np.uint8)
    pixels[40:80, 100:110] = 20  # a stroke of ink, inside
    for row in range(120):
        pixels[row, : 20 + row % 7] = 5  # the border down the left side, its edge ragged
    left, top, right, bottom = inside_dark_border(Image.fromarray(pixels))
    assert (left, top, right, bottom) == (27, 0, 300, 120)  # and its soft edge


def test_a_picture_without_a_border_has_none():
    assert inside_dark_border(Image.new("L", (300, 120), 230)) is None
    canvas = Image.new("L", (300, 120), 0)  # white on black: nothing darker than its paper
    assert inside_dark_border(canvas) is None


def test_a_cell_whose_border_painted_over_left_a_step_is_read():
    """A register's cell (`make_numbers.py --cell`) with a scanner's lid down its left side:
    painted with the paper's colour, the border left a step beside the cell's ruling and
    `read` found no number; read inside the border, it reads 760746, its digits' boxes in
    the whole picture's pixels."""
    (cell,) = read([str(FIXTURES / "cell-760746.jpg")])
    assert cell.number == "760746", cell.note
    assert min(digit.box[0] for digit in cell.digits) > 60  # right of the border, in the picture


def test_a_number_in_a_scanned_cell_is_read(mnist_test_digits, tmp_path):
    write_number(mnist_test_digits, "4072", tmp_path / "n.png")
    in_a_scanned_cell(tmp_path / "n.png", tmp_path / "cell.png")
    (plain,) = read([str(tmp_path / "n.png")])
    (cell,) = read([str(tmp_path / "cell.png")])
    assert plain.number == "4072"
    assert cell.number == "4072", cell.note


def test_a_number_in_a_cell_with_a_ragged_border_is_read(mnist_test_digits, tmp_path):
    write_number(mnist_test_digits, "4072", tmp_path / "n.png")
    in_a_scanned_cell(tmp_path / "n.png", tmp_path / "cell.png", ragged=8)
    (cell,) = read([str(tmp_path / "cell.png")])
    assert cell.number == "4072", cell.note


def test_a_large_bordered_cell_gives_boxes_in_its_own_pixels(mnist_test_digits, tmp_path):
    """A picture wider than `read` decodes (`work_width`) is read shrunk; the digits' boxes are
    still in the file's pixels (painted over, the shrunk copy's boxes were answered)."""
    write_number(mnist_test_digits, "4072", tmp_path / "n.png")
    in_a_scanned_cell(tmp_path / "n.png", tmp_path / "cell.png")
    cell = Image.open(tmp_path / "cell.png")
    scale = 2 * tuned().work_width / cell.width  # twice the widest picture read as it is
    large = cell.resize((round(cell.width * scale), round(cell.height * scale)))
    large.save(tmp_path / "large.png")
    (near,) = read([str(tmp_path / "cell.png")])
    (far,) = read([str(tmp_path / "large.png")])
    assert near.number == far.number == "4072", far.note
    for small, big in zip(near.digits, far.digits, strict=True):
        assert abs(big.box[0] - scale * small.box[0]) < 0.05 * big.box[0]


def test_predict_and_read_look_inside_the_border(mnist_test_digits, tmp_path):
    """One picture, one ink: `predict` took the scanner's lid for the ink (a digit's cell was
    "blank", or the lid's edge a 1) where `read` read inside it; both now look inside."""
    for number in ("3", "58"):
        write_number(mnist_test_digits, number, tmp_path / f"{number}.png")
        in_a_scanned_cell(tmp_path / f"{number}.png", tmp_path / f"cell{number}.png")
    one, two = predict([str(tmp_path / "cell3.png"), str(tmp_path / "cell58.png")])
    assert one.digit == 3, one.note
    assert two.digit is None and two.note.startswith("several digits"), two.note
    (read_one,) = read([str(tmp_path / "cell3.png")])
    assert read_one.number == "3", read_one.note


def test_a_cell_ruled_on_three_sides_holds_dark_ink():
    """A register's cell cut out at its rules, its fourth rule under the scanner's lid and cut
    off with it: the rules are most of the picture's border, and the paper was taken for them
    (light ink on dark paper: the number was blank to both commands). Three rules are a cell."""
    pixels = np.full((56, 160), 200, np.uint8)
    pixels[:2] = pixels[-2:] = pixels[:, -2:] = 70  # the cell's rules, as dark as its ink
    pixels[20:40, 100:103] = pixels[20:23, 90:103] = 70  # a 7, small inside it
    assert ink_is_dark(pixels)


def test_a_cells_side_is_not_read_as_a_1():
    """A small number in a scanned cell ruled at its edges, the scanner's lid down its left
    side (made from MNIST test digits): inside the lid, the cell's right side, far taller than
    the digits, was read as a 1 (6521). The count of digits takes it for a form's rule
    (`pieces.form_rules`), and so does `read` now."""
    (cell,) = read([str(FIXTURES / "cell-652.jpg")])
    assert cell.number == "652", cell.note


def test_a_rule_crossing_the_cell_is_no_line_of_its_own():
    """A register's cell (`make_numbers.py --cell`, MNIST test digits) whose rules cross the
    picture above and below the number: each was a line of its own ("found 3 lines: 7,
    6072454, 0"). Leaving out what crosses the picture, as `predict`'s ink does
    (`clutter.runs_off`), one line is left: the number."""
    (cell,) = read([str(FIXTURES / "cell-6072454.jpg")])
    assert cell.number == "6072454", cell.note


def test_a_small_crop_s_thick_stroke_is_no_lid():
    """A digit filling a 16x16 scan (a form scanner's stored digit): a 7's bar runs along the
    whole top, as dark as a lid. Under `paper_size` a side the picture is a crop of its digit,
    not a scanned page: the bar was cut off as a border and the 7 read as a 1."""
    seven = np.full((16, 16), 255, np.uint8)
    seven[:1, :] = 0  # the bar, the whole width
    for row in range(1, 16):
        seven[row, 12 - row // 2 : 15 - row // 2] = 0  # the stem, slanting down to the left
    image = Image.fromarray(seven)
    assert inside_dark_border(image) is not None  # a lid's shape ...
    assert border_to_look_within(image, "auto") is None  # ... but no lid in a crop


def on_a_tall_scan(number: Path, out: Path, lid: int) -> None:
    """The number's 200 px line small on a page four times as tall, 240 px of paper to its
    left, and the scanner's lid `lid` px deep down the page's left side, the scan blurred a
    little and saved as a JPEG: the lid runs down the whole page."""
    line = np.asarray(Image.open(number).convert("L"), float)
    page = np.full((800, line.shape[1] + 280), 235.0)
    page[300:500, 240 : 240 + line.shape[1]] = line
    page[:, :lid] = 20.0
    page += np.random.default_rng(0).normal(0, 3, page.shape)
    scan = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))
    scan.filter(ImageFilter.GaussianBlur(1.5)).save(out, quality=75)


@pytest.mark.parametrize("number", ["4", "9"])
def test_a_lids_edge_down_the_page_is_not_read_as_a_1(mnist_test_digits, number, tmp_path):
    """A lid deeper than a border (`border_deepest`) is not cut off: it runs down the whole
    page beside a small number, and in the band of rows the number is read from it ran from
    the band's top to its bottom and was read as a 1 (4 read 14, 9 read 19). A digit lies
    within the band's margins: what crosses the band is a line or an edge across the page
    (`formlines.across_the_band`)."""
    write_number(mnist_test_digits, number, tmp_path / "n.png")
    on_a_tall_scan(tmp_path / "n.png", tmp_path / "scan.jpg", lid=60)
    (reading,) = read([str(tmp_path / "scan.jpg")])
    assert reading.number == number, reading.note


def test_what_runs_across_a_band_from_top_to_bottom_is_found_and_a_digit_is_not():
    band = np.zeros((40, 100), bool)
    band[:, 5:8] = True  # a side, top to bottom
    band[10:30, 40:44] = True  # a 1 within the margins
    band[:25, 70:73] = True  # a line from the top, ending in the band
    assert np.array_equal(across_the_band(band), band & (np.arange(100) < 10))
    assert not across_the_band(np.zeros((40, 100), bool)).any()


def in_a_wide_scanned_cell(digit: np.ndarray, out: Path, rng: np.random.Generator) -> None:
    """One digit 60 px high in a register's cell 900 x 300 px scanned at a high resolution: its
    rules, the scanner's lid down its left side (60-150 px: one over `border_deepest`, 12% of
    the cell's width, is no border and stays), a little blur, a JPEG."""
    cell = np.full((300, 900), 225.0)
    cell[:4] = cell[-4:] = cell[:, :4] = cell[:, -4:] = 80.0
    ink = np.asarray(Image.fromarray(digit).resize((60, 60), Image.Resampling.BICUBIC)) / 255.0
    top, left = int(rng.integers(20, 220)), int(rng.integers(200, 800))
    place = (slice(top, top + 60), slice(left, left + 60))
    cell[place] = cell[place] * (1 - ink) + 60 * ink
    cell[:, : int(rng.integers(60, 150))] = 20.0
    cell += rng.normal(0, 3, cell.shape)
    scan = Image.fromarray(np.clip(cell, 0, 255).astype(np.uint8))
    scan.filter(ImageFilter.GaussianBlur(1.0)).save(out, quality=80)


def test_predict_and_read_give_one_verdict_on_a_wide_scanned_cell(mnist_test_digits, tmp_path):
    """`read` opens a picture larger than `predict` does and finds the lid, or the sheet, to
    look within at its own size; it asked `predict`'s preparation of that part, not of the
    picture, and the two verdicts parted (a 1 blank to `read`, a 9 read 1, a 6 several digits).
    `read` now takes `predict`'s verdict on the picture itself: one verdict."""
    rng = np.random.default_rng(1)
    files = []
    for index in range(30):
        digit = mnist_test_digits[index % 10][index // 10]
        files.append(str(tmp_path / f"cell{index}.jpg"))
        in_a_wide_scanned_cell(digit, Path(files[-1]), rng)
    for predicted, reading in zip(predict(files), read(files), strict=True):
        number = None if predicted.digit is None else str(predicted.digit)
        assert reading.number == number, (predicted.file, predicted.note, reading.note)
