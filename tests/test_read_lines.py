"""digitcli read on a form with several lines: one number a line, never one made of two."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from devsets import devset_file, needs_devsets
from PIL import Image, ImageFilter
from test_read import write_number
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.imaging.images import open_image
from digitcli.reading.multiline import line_spans
from digitcli.reading.read import read
from digitcli.reading.settings import DEFAULT

FIXTURES = Path(__file__).parent / "fixtures"

runner = CliRunner()


@pytest.fixture(scope="module")
def digits(request: pytest.FixtureRequest) -> dict[int, list[np.ndarray]]:
    """test_read's MNIST test digits of each class, in one piece each."""
    return request.getfixturevalue("mnist_test_digits")


def write_form(digits, numbers: list[str], path: Path, *, ruled: bool = False) -> list[int]:
    """Each of `numbers` on its own line, one under the other (200 px a line), as one image;
    returns each line's top row."""
    parts = []
    for index, number in enumerate(numbers):
        part = path.with_name(f"part-{index}.png")
        write_number(digits, number, part)
        parts.append(np.asarray(Image.open(part)))
    width = max(p.shape[1] for p in parts)
    page = np.full((200 * len(parts), width), 235, np.uint8)
    for index, part in enumerate(parts):
        page[200 * index : 200 * index + 200, : part.shape[1]] = part
        if ruled:  # a printed rule under each field
            page[200 * index + 165 : 200 * index + 168, 20 : width - 20] = 90
    Image.fromarray(page).save(path)
    return [200 * index for index in range(len(parts))]


def test_two_lines_are_two_numbers_top_to_bottom(digits, tmp_path):
    tops = write_form(digits, ["4072", "1958"], tmp_path / "form.png")
    (reading,) = read([str(tmp_path / "form.png")])
    assert reading.number is None  # never "40721958"
    assert reading.note == "found 2 lines: 4072, 1958"
    assert [line.number for line in reading.lines] == ["4072", "1958"]
    for line, top in zip(reading.lines, tops, strict=True):
        assert top <= line.box[1] < line.box[3] <= top + 200
        assert all(top <= d.box[1] < d.box[3] <= top + 200 for d in line.digits)


def test_ruled_fields_are_lines_and_their_rules_are_not(digits, tmp_path):
    write_form(digits, ["508", "2026", "7316"], tmp_path / "form.png", ruled=True)
    spans = line_spans(open_image(tmp_path / "form.png", max_side=DEFAULT.work_width))
    assert len(spans) == 3
    (reading,) = read([str(tmp_path / "form.png")])
    assert [line.number for line in reading.lines] == ["508", "2026", "7316"]


def test_one_line_is_one_span(digits, tmp_path):
    write_number(digits, "2026 11 22", tmp_path / "n.png", boxes=True)
    assert len(line_spans(open_image(tmp_path / "n.png", max_side=DEFAULT.work_width))) == 1


def test_what_is_left_of_a_fields_boxes_is_no_line_of_its_own():
    """Strips of a row of boxes' top and bottom rules that outlast the rules' removal are
    bands of ink above and below the digits, but thin ones: no page of three lines of text
    (no number before)."""
    (reading,) = read([str(FIXTURES / "boxed-12431902.jpg")])
    assert reading.number == "12431902"


def test_json_has_each_line_with_its_box(digits, tmp_path):
    write_form(digits, ["4072", "1958"], tmp_path / "form.png")
    done = runner.invoke(app, ["read", str(tmp_path / "form.png"), "--format", "jsonl"])
    assert done.exit_code == 0, done.output
    answer = json.loads(done.stdout)
    assert answer["number"] is None and answer["digits"] == []
    assert [line["number"] for line in answer["lines"]] == ["4072", "1958"]
    first, second = (line["box"] for line in answer["lines"])
    assert first[3] <= second[1]
    assert "file" not in answer["lines"][0] and len(answer["lines"][0]["digits"]) == 4


def test_plain_and_csv_have_a_row_a_line(digits, tmp_path):
    write_form(digits, ["4072", "1958"], tmp_path / "form.png")
    name = str(tmp_path / "form.png")
    plain = runner.invoke(app, ["read", name, "--format", "plain"])
    assert plain.stdout == f"{name}\t4072\tline 1 of 2\t4072\n{name}\t1958\tline 2 of 2\t1958\n"
    rows = runner.invoke(app, ["read", name, "--format", "csv"]).stdout.splitlines()
    assert rows[0] == "file,number,confidence,note,text"
    assert [row.split(",")[1::2] for row in rows[1:]] == [["4072", "line 1 of 2"],
                                                          ["1958", "line 2 of 2"]]  # fmt: skip
    assert [row.split(",")[-1] for row in rows[1:]] == ["4072", "1958"]


def test_digits_rule_checks_each_line(digits, tmp_path):
    write_form(digits, ["4072", "195"], tmp_path / "form.png")
    (reading,) = read([str(tmp_path / "form.png")], digits=(4, 4))
    assert [line.number for line in reading.lines] == ["4072", None]
    assert reading.lines[1].note == "read 3 digits (195), expected 4"


@pytest.mark.parametrize("number", ["3958", "695563"])
def test_a_number_in_the_middle_of_a_sheet_is_read_at_its_own_size(digits, number, tmp_path):
    """A line is read from its own rows, not shrunk with the paper around it: written 80 px
    high in a picture four times its 200 px (3958 read 8958, 695563 read 695568 before)."""
    truth = write_number(digits, number, tmp_path / "n.png")
    (reading,) = _read_on_a_sheet(tmp_path / "n.png", tmp_path / "sheet.png")
    assert reading.number == number
    for digit, (left, top, right, bottom) in zip(reading.digits, truth, strict=True):
        assert np.abs(np.subtract(digit.box, (left, 300 + top, right, 300 + bottom))).max() < 8


@pytest.mark.parametrize("number", ["3958", "695563"])
def test_a_number_in_a_tall_cell_is_read_from_its_own_rows(digits, number, tmp_path):
    """A register's cell, its sides running down the whole picture: they are no line of
    digits. With them the ink made one band of every row, and one band without them too; the
    tie went to the sides' band, so the page was read whole and the number shrank with it (a
    made `--cell --sheet 3` set: 56.0% read exactly, 67.5% now)."""
    write_number(digits, number, tmp_path / "n.png")
    (reading,) = _read_on_a_sheet(tmp_path / "n.png", tmp_path / "cell.png", cell=True)
    assert reading.number == number


def _read_on_a_sheet(number: Path, sheet_path: Path, cell: bool = False) -> list:
    """`number`'s 200 px line written at rows 300-500 of an 800 px sheet (`cell`: 40 px of
    paper either side, then a cell's sides running top to bottom); checks that its lone line
    is found at the digits' rows and returns `read`'s readings of the sheet."""
    line = np.asarray(Image.open(number), float)
    margin = 40 if cell else 0
    sheet = np.full((800, line.shape[1] + 2 * margin), 235.0)
    sheet[300:500, margin : margin + line.shape[1]] = line
    if cell:
        sheet[:, 10:13] = sheet[:, -13:-10] = 90.0  # the cell's sides, top to bottom
    sheet += np.random.default_rng(0).normal(0, 3, sheet.shape)
    Image.fromarray(np.clip(sheet, 0, 255).astype(np.uint8)).save(sheet_path)
    [(top, bottom)] = line_spans(open_image(sheet_path, max_side=DEFAULT.work_width))
    assert 200 < top < 360 and 440 < bottom < 600  # the digits' rows are 300 + 60 to 140
    return list(read([str(sheet_path)]))


def test_a_lone_line_is_never_cropped_wider_than_segmentation_reads(tmp_path):
    """Cropped to a band of rows wider than `work_width` / `work_height`, a line would be shrunk
    to fit the width and found too small to read: its crop keeps that shape at least."""
    sheet = np.full((600, 4000), 235, np.uint8)
    for left in range(100, 3900, 60):  # a long row of blots 40 px high
        sheet[280:320, left : left + 30] = 40
    Image.fromarray(sheet).save(tmp_path / "wide.png")
    # smaller, the same shape
    opened = open_image(tmp_path / "wide.png", max_side=DEFAULT.work_width)
    [(top, bottom)] = line_spans(opened)
    assert top < 280 * opened.height / 600 and bottom > 320 * opened.height / 600
    assert bottom - top >= opened.width * DEFAULT.work_height / DEFAULT.work_width - 1


@pytest.mark.parametrize("number", ["36498432", "52602"])
def test_a_number_beside_a_hard_shadows_edge_is_found_as_a_line(digits, number, tmp_path):
    """A phone photo of a sheet half in shade, the light's edge running down beside the number
    (real development photos of 36498432 and 52602 were read 943 and 4): its rows are found on
    a copy whose paper level follows the edge. Measured in blocks a fifth of the copy's
    height, the shaded side stood in the ink, the paper's spread outgrew the number's contrast,
    no line was found, and the whole photo was read as one line, the number a few px high."""
    write_number(digits, number, tmp_path / "n.png")
    line = np.asarray(Image.open(tmp_path / "n.png"), float)  # digits 80 px high
    height, width = 1600, 1200
    y, x = np.mgrid[0:height, 0:width] / height
    shade = 100.0 + 40.0 * x + 20.0 * y  # darker away from the window
    lit = x > 0.45 + 0.3 * np.clip(y - 0.5, 0, None)  # the edge bends down the page
    sheet = np.where(lit, 225.0 - 15.0 * y, shade).astype(np.uint8)
    sheet = np.asarray(Image.fromarray(sheet).filter(ImageFilter.BoxBlur(8)), float)
    sheet[700:900, 60 : 60 + line.shape[1]] *= line / 235.0  # ink darkens as the paper does
    sheet += np.random.default_rng(0).normal(0, 2, sheet.shape)
    Image.fromarray(np.clip(sheet, 0, 255).astype(np.uint8)).save(tmp_path / "shade.jpg")
    [(top, bottom)] = line_spans(open_image(tmp_path / "shade.jpg", max_side=DEFAULT.work_width))
    assert 600 < top < 760 and 840 < bottom < 1000  # the digits' rows are 700 + 60 to 140


def _under_a_row_of_dashes(digits, number: str, path: Path) -> None:
    """`number` as `test_read.write_number` writes it, under a band of short dashes at
    scattered heights (what is left of a cell's rule, a perforation): a band as high as a
    line's, its pieces far lower than a digit."""
    write_number(digits, number, path)
    paper = np.asarray(Image.open(path).convert("L"))
    page = np.full((paper.shape[0] + 80, paper.shape[1]), 235, np.uint8)
    page[80:] = paper
    rng = np.random.default_rng(2)
    for x in range(40, paper.shape[1] - 60, 22):
        y = int(rng.integers(5, 45))
        page[y : y + 8, x : x + 12] = 90
    Image.fromarray(page).save(path)


@pytest.mark.parametrize("number", ["110", "4072"])
def test_a_band_of_no_digits_height_is_no_line(digits, tmp_path, number):
    """A register's 110 was "found 2 lines: -, 110": a rule's remnant above it was a band of
    its own. A band whose pieces are lower than `small` of the tallest line's holds no digit;
    the number is the picture's (a band of dashes was read `1`: "found 2 lines: 1, 4072")."""
    path = tmp_path / "dashes.png"
    _under_a_row_of_dashes(digits, number, path)
    (reading,) = read([str(path)])
    assert (reading.number, reading.note, reading.lines) == (number, None, ())


def _on_a_rule(path: Path, above: str) -> None:
    """9630 written on a ruled line that its digits touch (a crop of a page of ruled paper),
    and above it the ends of the strokes of the line above at the picture's top edge
    (`above` "ends") or a few dots inside the picture ("dots")."""
    page = np.full((110, 330), 225, np.uint8)
    cv2.putText(page, "9630", (20, 84), cv2.FONT_HERSHEY_SIMPLEX, 2.4, 30, 5, cv2.LINE_AA)
    cv2.line(page, (0, 86), (329, 86), 40, 3)
    for x in (60, 150, 260):
        if above == "ends":
            cv2.line(page, (x, 0), (x + 2, 6), 40, 3)
        else:
            cv2.circle(page, (x, 8), 2, 40, -1)
    Image.fromarray(page).save(path)


@pytest.mark.parametrize("above", ["ends", "dots"])
def test_digits_written_on_a_rule_are_the_line_not_what_is_left_above_them(above, tmp_path):
    """Digits that touch the rule they are written on are one piece with it, a piece crossing
    the picture: left out with it, the only band left was the strokes' ends above them, cut
    by the crop, or specks, and the number was read from those (the written numbers' `9630`
    refused as no digit, `1947` read `7010`). The writing's bands are found with the printed
    lines taken out first."""
    path = tmp_path / "ruled.png"
    _on_a_rule(path, above)
    ((top, bottom),) = line_spans(open_image(path, max_side=DEFAULT.work_width))
    assert top <= 30 and bottom >= 84  # the digits' rows, not the top edge's
    (reading,) = read([str(path)])
    assert reading.number == "9630"


@needs_devsets
@pytest.mark.parametrize(
    ("name", "number"), [("9630_1", "9630"), ("1947_2", "1947"), ("444613_1", "444613")]
)
def test_real_numbers_written_on_a_rule_are_read(name, number):
    """Round 78's written numbers: photos of numbers on ruled paper whose digits touch the
    rule, the ends of the strokes above at the top edge (`9630` refused as no digit, `1947`
    read `7010` before) or the dots of the rule above inside the picture (`444613` refused)."""
    path = devset_file("written_numbers", f"*/*Images_2_{name}.JPG")
    (reading,) = read([str(path)])
    assert reading.number == number
