"""digitcli read on comb fields: a baseline with teeth between the digits is not read."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np
import pytest
from devsets import devset_file, needs_devsets
from PIL import Image, ImageDraw
from test_read import write_number

from digitcli.imaging import clutter
from digitcli.imaging.images import open_image
from digitcli.reading.formlines import form_lines
from digitcli.reading.read import read
from digitcli.reading.segment import find_candidates
from digitcli.reading.settings import DEFAULT


@pytest.fixture(scope="module")
def digits(request: pytest.FixtureRequest) -> dict[int, list[np.ndarray]]:
    """test_read's MNIST test digits of each class, in one piece each."""
    return request.getfixturevalue("mnist_test_digits")


def write_comb(digits, number: str, path: Path, *, empty: int, tooth: int, level: int) -> None:
    """`number` on a comb: a baseline under the digits, a tooth `tooth` px high between each
    two, at each end, and after `empty` empty places."""
    truth = write_number(digits, number, path, gap=0.6)
    image = Image.open(path)
    pitch = truth[1][0] - truth[0][0]
    left = truth[0][0] - 20
    teeth = [left + i * pitch for i in range(len(number) + empty + 1)]
    paper = Image.new("L", (max(image.width, teeth[-1] + 30), image.height), 235)
    paper.paste(image, (0, 0))
    image = paper
    draw = ImageDraw.Draw(image)
    draw.line([(teeth[0], 150), (teeth[-1], 150)], fill=level, width=3)
    for x in teeth:
        draw.line([(x, 150 - tooth), (x, 150)], fill=level, width=3)
    image.save(path)


@pytest.mark.parametrize(
    ("number", "empty", "tooth", "level"),
    [("3958", 1, 40, 60), ("40721", 2, 50, 120), ("2026", 3, 50, 100), ("7316", 3, 45, 150)],
)
def test_a_combs_teeth_are_not_read(digits, tmp_path, number, empty, tooth, level):
    write_comb(digits, number, tmp_path / "comb.png", empty=empty, tooth=tooth, level=level)
    (reading,) = read([str(tmp_path / "comb.png")])
    assert reading.number == number


def test_ones_on_a_ruled_line_are_not_teeth(digits, tmp_path):
    """Strokes standing on one ruled line as high as the digits are handwriting."""
    write_number(digits, "1111", tmp_path / "ones.png", gap=0.6)
    image = Image.open(tmp_path / "ones.png")
    ImageDraw.Draw(image).line([(10, 141), (image.width - 10, 141)], fill=90, width=3)
    image.save(tmp_path / "ones.png")
    line = find_candidates(open_image(tmp_path / "ones.png", max_side=DEFAULT.work_width))
    assert len(line.candidates) >= 4
    (reading,) = read([str(tmp_path / "ones.png")])
    assert reading.number == "1111"


def _dashed(draw: ImageDraw.ImageDraw, start, end, *, dash: int, gap: int, width: int) -> None:
    """A straight line from `start` to `end` in dashes `dash` px long, `gap` px apart."""
    (x0, y0), (x1, y1) = start, end
    length = max(abs(x1 - x0), abs(y1 - y0))
    for at in range(0, length, dash + gap):
        a, b = at / length, min(at + dash, length) / length
        draw.line(
            [(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
            fill=60,
            width=width,
        )


def write_field(digits, number: str, path: Path, style: str) -> None:
    """`number` in a printed field of one box per digit, its lines `style`: "thick" (6 px),
    "dashed" (8 px dashes, 5 px gaps) or "dotted" (2 px dots, 4 px apart)."""
    truth = write_number(digits, number, path, gap=0.6)
    image = Image.open(path)
    draw = ImageDraw.Draw(image)
    pitch = truth[1][0] - truth[0][0]
    top, bottom = min(t[1] for t in truth) - 15, max(t[3] for t in truth) + 15
    sides = [truth[0][0] - 20 + i * pitch for i in range(len(number) + 1)]
    edges = [((sides[0], top), (sides[-1], top)), ((sides[0], bottom), (sides[-1], bottom))]
    edges += [((x, top), (x, bottom)) for x in sides]
    for start, end in edges:
        if style == "thick":
            draw.line([start, end], fill=60, width=6)
        else:
            dash, gap = (8, 5) if style == "dashed" else (2, 4)
            _dashed(draw, start, end, dash=dash, gap=gap, width=2)
    image.save(path)


@pytest.mark.parametrize(
    ("style", "number"),
    [(style, number) for style in ("thick", "dashed", "dotted") for number in ("40721", "2026")],
)
def test_a_field_of_thick_dashed_or_dotted_boxes_is_read(digits, tmp_path, style, number):
    """Thick boxes' sides began below the reach their top line allowed, and were read as 1s;
    dashed and dotted lines were no lines at all, and dots taken for a pen along them made a
    field of four digits three lines of writing."""
    write_field(digits, number, tmp_path / "field.png", style)
    (reading,) = read([str(tmp_path / "field.png")])
    assert reading.number == number


def test_a_boxs_side_is_taken_out_where_the_picture_cuts_off_its_top_line():
    """A row of boxes turned a little and cropped close: the field's top line leaves the
    picture above its first box, whose left side then stops short of it. It is still a
    box's side, not a 1 (read `182207024` before)."""
    fixture = Path(__file__).parent / "fixtures" / "boxed-82207024.jpg"
    (reading,) = read([str(fixture)])
    assert reading.number == "82207024"


def _double_field(inset: int) -> np.ndarray:
    """An ink mask of a row of four boxes 40 px square, each with a thin second line `inset`
    px inside it, and a pen's bar under the second box's inner top line (a 5's or a 7's)."""
    mask = np.zeros((60, 180), bool)
    top, bottom, lefts = 10, 50, [10, 50, 90, 130, 170]
    mask[top : top + 2, 10:172] = mask[bottom - 1 : bottom + 1, 10:172] = True
    for left in lefts:
        mask[top:bottom, left : left + 2] = True
    for left, right in pairwise(lefts):
        mask[top + inset, left + inset : right - inset + 1] = True
        mask[bottom - inset, left + inset : right - inset + 1] = True
        mask[top + inset : bottom - inset, left + inset] = True
        mask[top + inset : bottom - inset, right - inset] = True
    mask[top + inset + 4 : top + inset + 8, 52:88] = True
    return mask


@pytest.mark.parametrize("inset", [3, 4])
def test_a_double_lined_boxs_inner_lines_are_form_lines(inset):
    """A second line inside each box was left in, over and under the digits: a 4 with a line
    across its top was read as a 9."""
    mask = _double_field(inset)
    lines = form_lines(mask)
    assert lines[10 + inset, 55:85].all() and lines[50 - inset, 95:125].all()
    bar = 10 + inset + 4
    assert not lines[bar : bar + 4, 56:84].any()  # handwriting


@pytest.mark.parametrize(
    ("name", "number"), [("double-7549396.png", "7549396"), ("double-9046.png", "9046")]
)
def test_a_field_of_double_lined_boxes_is_read(name, number):
    """Boxes with a thin second line 4 px inside (`tests/generators/form_styles.py`'s `double`):
    read `7599396` and `7046` before."""
    (reading,) = read([str(Path(__file__).parent / "fixtures" / name)])
    assert reading.number == number


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("comb-63733.png", "63733"),
        pytest.param(
            "comb-8040.jpg",
            "8040",
            marks=pytest.mark.xfail(
                strict=True,
                reason="round 79's line reader, taught finer pens, reads a fine comb's tooth as "
                "a 1 (81040): docs/measurements/reading-numbers.md, 'Round 79'",
            ),
        ),
    ],
)
def test_a_comb_with_tall_teeth_is_read(name, number):
    """`tests/generators/make_numbers.py --seed 72 --style filled` boxed-0063 and `--seed 15 --style
    thin` boxed-0086: read `163733` (the end tooth) and `810401` (the teeth; stubs) before."""
    (reading,) = read([str(Path(__file__).parent / "fixtures" / name)])
    assert reading.number == number


def write_cell_of_a_grid(
    digits, number: str, path: Path, *, level: int, margin: int, turn: float
) -> None:
    """`number` in a square cell cut out of a form's grid: the cell's box `margin` px inside
    the picture, its lines running on to the picture's edges, and the next row's and column's
    lines beyond it, as a cell cut out of a photo of a mark sheet shows them, turned `turn`
    degrees."""
    write_number(digits, number, path, gap=0.6)
    written = Image.open(path)
    side = written.width + 2 * margin
    image = Image.new("L", (side, side), 235)
    image.paste(written, (margin, (side - written.height) // 2))
    draw = ImageDraw.Draw(image)
    for at in (margin // 4, margin, side - margin):
        draw.line([(at, 0), (at, side)], fill=level, width=3)  # the column's, its neighbour's
    for at in (margin, side - margin, side - margin // 4):
        draw.line([(0, at), (side, at)], fill=level, width=3)  # the row's, the next row's
    image.rotate(turn, Image.Resampling.BILINEAR, fillcolor=235).save(path)


@pytest.mark.parametrize(
    ("number", "level", "margin", "turn"),
    [("19", 110, 16, 0.0), ("31", 60, 24, 2.0), ("45", 110, 28, -1.5)],
)
def test_a_cell_cut_out_of_a_grid_is_read_inside_its_box(
    digits, tmp_path, number, level, margin, turn
):
    """The box's sides, joined to its neighbours' lines beyond it, are no 1s (real mark
    sheets' cells: `31` was read `61`)."""
    cell = tmp_path / "cell.png"
    write_cell_of_a_grid(digits, number, cell, level=level, margin=margin, turn=turn)
    (reading,) = read([str(cell)])
    assert reading.number == number


def _pieces(mask: np.ndarray):
    """OpenCV's pieces of `mask` as `clutter.holding_hole` takes them: labels, boxes."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    x0, y0 = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    x1 = x0 + stats[1:, cv2.CC_STAT_WIDTH] - 1
    y1 = y0 + stats[1:, cv2.CC_STAT_HEIGHT] - 1
    return labels, (x0, y0, x1, y1)


def _boxed(sides: list[tuple[int, int]], digits: list[tuple[int, int]]) -> np.ndarray:
    """A mask 60 px high: boxes (left, right) from row 5 to row 55, joined as one piece by a
    line along their tops, and a digit-sized bar (left, right) from row 15 to row 45 in each
    place of `digits`."""
    mask = np.zeros((60, 200), bool)
    for left, right in sides:
        mask[5:56, left : left + 2] = mask[5:56, right - 1 : right + 1] = True
        mask[54:56, left : right + 1] = True
    mask[5:7, sides[0][0] : sides[-1][1] + 1] = True
    for left, right in digits:
        mask[15:46, left:right] = True
    return mask


def test_the_box_holding_a_number_is_found_and_a_row_of_boxes_is_not():
    """One box holding two digits is a box around a number; a row of two boxes, a digit in
    each, is not (no one hole holds both), nor a box a digit is joined to, which cuts its
    inside in two: the other digits in one part, the part beside as large as a digit (a
    boxed 39463 whose 3 and 9 touch the box was read 463)."""
    found = clutter.holding_hole(*_pieces(_boxed([(10, 120)], [(30, 45), (70, 85)])))
    assert found is not None and found[1] == (11, 6, 120, 55)  # up to the box's inner edge
    row = _boxed([(10, 60), (60, 110)], [(30, 40), (80, 90)])
    assert clutter.holding_hole(*_pieces(row)) is None
    joined = _boxed([(10, 120)], [(70, 85), (95, 110)])
    joined[6:55, 40:43] = True  # a 1 written from the box's top to its bottom
    assert clutter.holding_hole(*_pieces(joined)) is None


def write_hanging_boxes(digits, number: str, path: Path, *, edge: int) -> None:
    """`number` in a row of boxes cut out of a form below their top line: each box's sides
    run from the picture's top edge down to the bottom line (y 150, paper below it), and the
    form's black edge, `edge` px wide, runs down its left side (a tally form's field)."""
    truth = write_number(digits, number, path, gap=0.6)
    image = Image.open(path).crop((0, 0, truth[-1][2] + 40, 170))
    draw = ImageDraw.Draw(image)
    sides = [truth[0][0] - 20] + [(a[2] + b[0]) // 2 for a, b in pairwise(truth)]
    sides.append(truth[-1][2] + 20)
    draw.line([(0, 150), (sides[-1], 150)], fill=60, width=3)
    for x in sides:
        draw.line([(x, 0), (x, 150)], fill=60, width=3)
    draw.rectangle([(0, 0), (edge - 1, 150)], fill=15)
    image.save(path)


@pytest.mark.parametrize(("number", "edge"), [("213", 12), ("236", 12), ("4072", 10), ("895", 8)])
def test_boxes_hanging_from_their_bottom_line_are_not_read(digits, tmp_path, number, edge):
    """A tally form's field cut out below its top line: the boxes' sides and the form's black
    edge reach from the bottom line to the picture's top edge; the edge was read as a 1
    (`213` read `1213`, round 74's more numbers)."""
    write_hanging_boxes(digits, number, tmp_path / "field.png", edge=edge)
    (reading,) = read([str(tmp_path / "field.png")])
    assert reading.number == number


def test_a_field_narrower_than_its_boxes_are_high_keeps_its_bottom_line():
    """Two boxes hanging from their bottom line to the picture's top edge, the field less than
    twice as wide as they are high: the line runs across the picture, so it is printed (a
    printed line had to run two ink heights, and the sides made the ink the picture's
    height), and the sides hanging from it are taken out with it, the digits left."""
    mask = np.zeros((96, 150), bool)
    mask[86:89, :] = True  # the bottom line
    for x in (4, 75, 145):
        mask[:87, x : x + 3] = True  # the boxes' sides, from the top edge
    mask[40:70, 25:45] = mask[40:70, 100:120] = True  # two digits
    found = form_lines(mask)
    assert found[86:89].all() and found[:86, [4, 75, 145]].all()
    assert not found[40:70, 25:45].any() and not found[40:70, 100:120].any()


def test_a_cells_sides_from_edge_to_edge_leave_its_ink_as_it_was():
    """A cell cut out with its two sides and a digit's bar across most of it: the sides run
    from edge to edge, no box hangs from a line, and the bar is no printed line."""
    mask = np.zeros((96, 150), bool)
    mask[:, 2:5] = mask[:, 145:148] = True  # the cell's sides, edge to edge
    mask[30:33, 6:144] = True  # a 7's bar, nearly across
    mask[33:80, 100:104] = True  # its stem
    assert not form_lines(mask)[30:33, 6:144].any()


@needs_devsets
@pytest.mark.parametrize(
    ("crop", "number"), [("test22.jpg__crop_750_312", "74"), ("test23.jpg__crop_736_305", "150")]
)
def test_tally_fields_are_read_without_their_boxes(crop, number):
    """Round 74's more numbers: vote counts in an election tally form's three-box fields, cut
    out below their top line; their boxes stayed in the strip, and the line reader, reading
    the digits small between them, was unsure: refused as not a digit."""
    path = devset_file("more_numbers", f"*/rzwck+c1-form-reader__test_images_{crop}*")
    (reading,) = read([str(path)])
    assert reading.number == number


def _a_cell_of_a_register() -> np.ndarray:
    """A mask of a cell cut out of a register: its top and bottom lines across the picture,
    its left side at the picture's edge, its right side between its lines (which run on past
    it, into the next cell), and two digits between them."""
    mask = np.zeros((96, 150), bool)
    mask[4:7, :] = mask[88:91, :] = True  # the top and bottom lines
    mask[:, 2:5] = True  # the left side, edge to edge
    mask[4:91, 138:141] = True  # the right side
    mask[10:86, 30:34] = True  # a 1, from line to line nearly
    mask[30:70, 70:95] = True  # a digit
    return mask


def test_a_cells_lines_across_the_picture_are_printed_and_its_sides_with_them():
    """A cell's sides make the ink as high as the picture, and its lines ran two ink heights
    no longer: no line or side was found, and the line reader read the digits boxed (real
    register cells refused as not a digit, round 75's cell numbers). Lines across the picture
    above and below the middle of its height that the sides run are a cell's, and its two
    outermost sides with them; a 1 between them, from line to line nearly, stays."""
    mask = _a_cell_of_a_register()
    found = form_lines(mask)
    assert found[4:7].all() and found[88:91].all()
    assert found[10:85, 2:5].all() and found[10:85, 138:141].all()
    assert not found[10:86, 30:34].any() and not found[30:70, 70:95].any()


@needs_devsets
@pytest.mark.parametrize(
    ("crop", "number"),
    [
        ("Yuvanm1s1+OCR-TextExtractor__readme-images_input_attendance.jpg__crop_14_200", "2068"),
        ("Yuvanm1s1+OCR-TextExtractor__readme-images_input_attendance.jpg__crop_14_346", "2071"),
        ("hans-ctrly+KniffelCam__kniffelcam_testImage.jpeg__crop_584_743", "24"),
        ("Yuvanm1s1+OCR-TextExtractor__readme-images_input_marksheet.jpg__crop_820_682", "12"),
        ("Yuvanm1s1+OCR-TextExtractor__readme-images_input_marksheet.jpg__crop_513_900", "18"),
        ("hans-ctrly+KniffelCam__kniffelcam_testImage.jpeg__crop_584_795", "63"),
        ("OliverLengwinat+textbox_recognition__images_1_orig.jpg__crop_815_2415", "142"),
        ("hans-ctrly+KniffelCam__kniffelcam_testImage.jpeg__crop_499_795", "65"),
    ],
)
def test_register_cells_are_read_inside_their_lines(crop, number):
    """Round 75's cell numbers: photographed cells of an attendance register, a mark sheet and
    a score card, cut out with their lines; refused as not a digit, their lines in the line
    reader's strip."""
    path = devset_file("cell_numbers", f"*/{crop}*")
    (reading,) = read([str(path)])
    assert reading.number == number


def test_a_cell_cut_off_above_its_number_keeps_no_sides():
    """A cell cut out below its top line: its bottom line across the picture, its sides nearly
    the picture's height (a register's mark cell, `12` refused as not a digit with its sides
    in the line reader's strip). The line and the sides are printed; the digits stay."""
    mask = np.zeros((100, 140), bool)
    mask[88:91, :] = True  # the bottom line
    mask[2:97, 3:7] = mask[4:99, 133:137] = True  # the sides
    mask[40:75, 40:44] = True  # a 1
    mask[40:75, 60:85] = True  # a digit
    found = form_lines(mask)
    assert found[88:91].all() and found[10:85, 3:7].all() and found[10:85, 133:137].all()
    assert not found[40:75, 40:44].any() and not found[40:75, 60:85].any()


def test_a_line_and_two_runs_far_from_the_writings_end_are_no_cell():
    """A shadow's band across the top of a clinic cell, its left edge and a straight smear in
    its middle as tall as the picture, the number beyond the smear: the smear is no side (the
    writing runs on past it by far), so no cell; taken for one, the smear went as a side, and
    the faint decimal point beside it with it (`12.2` read `122`)."""
    mask = np.zeros((96, 169), bool)
    mask[0:14, :] = True  # the band across the top
    mask[:, 0:10] = mask[:, 55:64] = True  # the left edge and the smear
    mask[40:80, 100:125] = mask[40:80, 135:160] = True  # the digits
    found = form_lines(mask)
    assert not found[20:90, 55:64].any()


def test_a_bar_across_a_cell_cut_off_above_stays():
    """A cell with its bottom line and its sides, its top line cut off, and a 7's bar from
    side to side above its middle: the bottom line is the cell's, the bar no line."""
    mask = np.zeros((100, 140), bool)
    mask[88:91, :] = True  # the bottom line
    mask[2:97, 3:7] = mask[4:99, 133:137] = True  # the sides
    mask[30:33, 5:135] = True  # a 7's bar, side to side
    mask[33:80, 100:104] = True  # its stem
    found = form_lines(mask)
    assert found[88:91].all() and not found[30:33, 10:130].any()


def test_a_cells_lines_inside_a_taller_crop_are_printed_where_its_side_crosses_them():
    """A score card's cell cut out taller than the cell: its double bottom line across the
    picture above the bottom fifth, its right side running on past it to the next cell, a
    piece of that cell's line below (`63` refused as not a digit, its lines in the line
    reader's strip). A line across the picture that a cell's side, near the picture's edge,
    crosses is the cell's; the digits stay."""
    mask = np.zeros((100, 160), bool)
    mask[68:71, :] = mask[74:78, :] = True  # the double bottom line
    mask[5:100, 136:142] = True  # the right side, on to the next cell
    mask[96:99, 80:100] = True  # a piece of the next cell's line
    mask[20:62, 20:26] = mask[20:62, 50:78] = True  # the digits
    found = form_lines(mask)
    assert found[74:78, :130].all() and found[10:60, 136:142].all()
    assert not found[20:62, 20:26].any() and not found[20:62, 50:78].any()


@pytest.mark.parametrize("faint_mask", [True, False])
def test_a_band_that_strokes_cross_stays_ink(faint_mask):
    """A faint mask's band across a clinic cell's digits, the cell's side at the picture's
    edge crossing it (`230`), and a 4's bar across a tight crop, crossed by its stem away
    from the edge: neither is a cell's line."""
    mask = np.zeros((96, 169), bool)
    mask[33:36, 4:165] = True  # the band, across nine tenths of the picture and more
    if faint_mask:
        strokes = [40, 70, 100]  # the digits' strokes through the band
        for left in strokes:
            mask[15:60, left : left + 6] = True
        mask[:, 153:161] = True  # the cell's side, edge to edge
    else:
        strokes = [120]
        mask[:, 120:126] = True  # the 4's stem, the crop's height
    found = form_lines(mask)
    assert not any(found[33:36, left : left + 6].any() for left in strokes)


def test_a_side_that_reaches_the_inner_of_a_double_line_is_the_cells():
    """A score card's cell: its right side runs from under its top line to the inner of its
    double bottom line, which stops a few rows short of the outer one (`65` was read `67`,
    the side a 7's stem). A double line's inner band is the line a side reaches; the digits
    stay."""
    mask = np.zeros((102, 163), bool)
    mask[5:10, 4:162] = True  # the top line
    mask[76:81, 2:160] = mask[83:87, 2:160] = True  # the double bottom line
    mask[12:102, 139:146] = True  # the right side, on past it to the next cell
    mask[93:98, 76:104] = True  # a piece of the next cell's line
    mask[25:65, 30:36] = mask[25:65, 70:100] = True  # the digits
    found = form_lines(mask)
    assert found[14:74, 139:146].all()
    assert not found[25:65, 30:36].any() and not found[25:65, 70:100].any()
