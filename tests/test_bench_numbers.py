"""tests/generators/make_numbers.py and bench/checks/read_numbers.py with other writers' digits
(USPS's held 30%)."""

import itertools
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from digitcli.imaging.morphology import runs

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import read_numbers  # noqa: E402
import usps  # noqa: E402

import amounts  # noqa: E402
import barcodes  # noqa: E402
import joined_words  # noqa: E402
import make_numbers  # noqa: E402
import printed_words  # noqa: E402


def a_usps_one() -> np.ndarray:
    """A 16x16 USPS-style 1: a stroke filling the rows, grey at its edges, faint haze around."""
    ink = np.full((16, 16), 0.02)
    ink[:, 6:9] = 1.0
    ink[:, 5] = ink[:, 9] = 0.4
    return ink


def test_a_usps_digit_is_drawn_as_mnist_draws_its_digits():
    digit = usps.mnist_like(a_usps_one()[None])[0]
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    assert rows[-1] - rows[0] + 1 == 20  # the longer side fills MNIST's 20x20 box
    assert cols[-1] - cols[0] + 1 < 10  # the haze is dropped: a narrow 1 stays narrow
    mass = digit.astype(float)
    centre = [(mass.sum(axis=a) * np.arange(28)).sum() / mass.sum() for a in (1, 0)]
    assert np.allclose(centre, 13.5, atol=1.0)  # centred by mass
    assert ((digit > 20) & (digit < 235)).any() and digit.max() > 240  # grey edges, dark core


def test_a_blank_usps_digit_stays_blank():
    assert not usps.mnist_like(np.zeros((1, 16, 16))).any()


def test_numbers_take_only_the_held_thirty_percent():
    labels = np.arange(60, dtype=np.uint8) % 10
    ink = np.repeat(a_usps_one()[None], 60, axis=0)
    x, y = usps.held_as_mnist(ink, labels)
    held = usps.held_back(60)
    assert x.shape == (held.sum(), 28, 28)
    assert np.array_equal(y, labels[held])


def fake_zip_train(path: Path, rows: int = 80) -> np.ndarray:
    """An RData file holding a zip.train-like matrix whose held rows are all 7s and the rest 3s."""
    import pytest

    rdata = pytest.importorskip("rdata")
    held = usps.held_back(rows)
    table = np.full((rows, 257), -1.0)
    table[:, 0] = np.where(held, 7, 3)
    table[:, 1:] = a_usps_one().ravel() * 2 - 1
    rdata.write_rda(path, {"zip.train": table})
    return held


def test_make_numbers_writes_usps_numbers_from_held_digits_only(tmp_path):
    fake_zip_train(tmp_path / "zip.train.RData")
    out = tmp_path / "numbers"
    args = ["--per-kind", "1", "--out", str(out), "--seed", "3"]
    usps_args = ["--digits-from", "usps", "--usps", str(tmp_path / "zip.train.RData")]
    assert make_numbers.main(args + usps_args) == 0
    numbers = make_numbers.load_labels(out)
    assert sorted(n.kind for n in numbers) == sorted(make_numbers.KINDS)
    assert all(set(n.number) == {"7"} for n in numbers)  # never a training 3
    assert all((out / n.file).is_file() for n in numbers)


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "bench" / "checks" / "read_numbers.py"), *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_usps_numbers_need_a_usps_file(tmp_path):
    missing = bench("--digits-from", "usps", "--out", str(tmp_path / "n"))
    assert missing.returncode == 2 and "needs --usps PATH" in missing.stderr
    absent = bench("--digits-from", "usps", "--usps", str(tmp_path / "none.RData"))
    assert absent.returncode == 2 and "no such file" in absent.stderr
    stray = bench("--usps", str(tmp_path / "none.RData"))
    assert stray.returncode == 2 and "only with --digits-from usps" in stray.stderr
    for done in (missing, absent, stray):
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "n").exists()


def test_mnist_stays_the_default_source_of_digits():
    parser = read_numbers.argparse.ArgumentParser()
    make_numbers.add_digit_options(parser)
    assert parser.parse_args([]).digits_from == "mnist"


def test_misread_digits_are_paired_along_the_shortest_edit_path():
    assert read_numbers.aligned("4074058", "40714058")[3] == ("", "1")
    assert ("2", "7") in read_numbers.aligned("1234", "1734")
    assert read_numbers.aligned("123", "13") == [("1", "1"), ("2", ""), ("3", "3")]
    assert read_numbers.aligned("", "") == []


def test_mistakes_name_the_confused_digits(tmp_path):
    Number = make_numbers.Number
    numbers = [Number("a.png", "tight", "1234", []), Number("b.png", "long", "777", [])]
    answers = {"a.png": "1734", "b.png": None}
    line = read_numbers.mistakes_report(numbers, answers, tmp_path / "m.jsonl")
    assert line.startswith("misread 2 of 2") and "7 lost x3" in line and "2 read as 7 x1" in line
    written = [json.loads(x) for x in (tmp_path / "m.jsonl").read_text().splitlines()]
    assert [(w["file"], w["read"]) for w in written] == [("a.png", "1734"), ("b.png", None)]


def a_mnist_one() -> np.ndarray:
    """A 28x28 MNIST-style 1: a bar 4 px wide, 20 high, grey at its edges."""
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 12:16] = 255
    digit[4:24, 11] = digit[4:24, 16] = 90
    return digit


def test_a_filled_digit_fills_its_16x16_box_in_black_and_white():
    one, blank = make_numbers.filled_digits(np.stack([a_mnist_one(), np.zeros((28, 28), np.uint8)]))
    assert one.shape == (16, 16) and set(np.unique(one)) <= {0, 255}
    assert one.all()  # a 1 becomes a slab
    assert not blank.any()
    eight = np.zeros((28, 28), np.uint8)
    eight[4:24, 8:20] = 255
    eight[8:11, 11:17] = eight[16:20, 11:17] = 0  # two holes
    filled = make_numbers.filled_digits(eight[None])[0]
    assert set(np.unique(filled)) == {0, 255} and filled[:, 0].all() and filled[-1].all()


def test_the_plain_style_leaves_the_digits_as_they_are():
    x = np.stack([a_mnist_one()])
    same, box = make_numbers.styled(x, "plain")
    assert same is x and box == make_numbers.MNIST_BOX


def test_a_thin_digit_is_drawn_with_a_finer_pen_twice_as_large():
    x = np.stack([a_mnist_one(), np.zeros((28, 28), np.uint8)])
    (one, blank), box = make_numbers.styled(x, "thin")
    assert one.shape == (56, 56) and box == 2 * make_numbers.MNIST_BOX
    assert one.max() == 255 and not blank.any()  # the darkest ink full again
    enlarged = np.asarray(Image.fromarray(a_mnist_one()).resize((56, 56), Image.BICUBIC))
    rows = np.flatnonzero(one.max(axis=1) >= 128)
    width = np.count_nonzero(one[28] >= 128)
    assert rows[-1] - rows[0] > 30  # as tall
    assert 0 < width <= np.count_nonzero(enlarged[28] >= 128) - 2  # a finer stroke


def digit_aspects(out: Path) -> list[float]:
    """Each written digit's width / height, from labels.jsonl's true boxes."""
    boxes = [b for n in make_numbers.load_labels(out) if n.kind == "spaced" for b in n.boxes]
    return [(r - left) / (bottom - top) for left, top, r, bottom in boxes]


def test_filled_numbers_are_written_with_square_digits(tmp_path):
    fake_zip_train(tmp_path / "zip.train.RData")
    usps_args = ["--digits-from", "usps", "--usps", str(tmp_path / "zip.train.RData")]
    for style in ("plain", "filled"):
        args = ["--per-kind", "2", "--out", str(tmp_path / style), "--seed", "3"]
        assert make_numbers.main([*args, *usps_args, "--style", style]) == 0
    assert max(digit_aspects(tmp_path / "plain")) < 0.75  # narrow 1s, even slanted
    assert min(digit_aspects(tmp_path / "filled")) > 0.9  # as wide as high


def test_a_number_on_a_sheet_lies_in_the_middle_of_more_paper(tmp_path):
    for sheet in ("1", "3"):
        args = ["--per-kind", "1", "--out", str(tmp_path / sheet), "--seed", "3"]
        assert make_numbers.main([*args, "--sheet", sheet]) == 0
    alone, sheet = (make_numbers.load_labels(tmp_path / name) for name in ("1", "3"))
    first, middle = alone[0], sheet[0]  # the same number, drawn alike up to the paper
    assert first.number == middle.number
    high = Image.open(tmp_path / "1" / first.file).height
    assert Image.open(tmp_path / "3" / middle.file).height == 3 * high
    assert np.subtract(middle.boxes, first.boxes).tolist() == [[high] * 4] * len(first.boxes)
    refused = bench("--sheet", "0.5", "--out", str(tmp_path / "n"))
    assert refused.returncode == 2 and "--sheet 0.5: give 1" in refused.stderr


def test_a_number_on_a_desk_lies_on_a_darker_surround_with_its_boxes(tmp_path):
    for name, extra in (("plain", []), ("desk", ["--desk", "dark"])):
        args = ["--per-kind", "1", "--out", str(tmp_path / name), "--seed", "3", *extra]
        assert make_numbers.main(args) == 0
    plain, *_ = make_numbers.load_labels(tmp_path / "plain")
    first, *_ = desks = make_numbers.load_labels(tmp_path / "desk")
    assert first.number == plain.number  # the same number, drawn alike up to the desk
    sheet = Image.open(tmp_path / "plain" / plain.file)
    photo = Image.open(tmp_path / "desk" / first.file)
    assert photo.height > 1.4 * sheet.height and photo.width > sheet.width
    for desk in desks:
        photo = np.asarray(Image.open(tmp_path / "desk" / desk.file).convert("L"), float)
        assert max(photo[0, 0], photo[0, -1], photo[-1, 0], photo[-1, -1]) < 165  # the desk
        for left, top, right, bottom in desk.boxes:  # each digit's ink, darker than its paper
            assert 0 <= left < right <= photo.shape[1] and 0 <= top < bottom <= photo.shape[0]
            assert photo[top:bottom, left:right].min() < 120


def test_numbers_turned_further_keep_their_corners(tmp_path):
    for turn in ("4", "12"):
        args = ["--per-kind", "2", "--out", str(tmp_path / turn), "--seed", "3", "--turn", turn]
        assert make_numbers.main(args) == 0
    for number in make_numbers.load_labels(tmp_path / "12"):
        width, height = Image.open(tmp_path / "12" / number.file).size
        assert all(0 <= b[0] and b[2] <= width and 0 <= b[1] and b[3] <= height
                   for b in number.boxes)  # fmt: skip


def test_read_numbers_knows_only_its_styles(tmp_path):
    wrong = bench("--style", "stretched", "--out", str(tmp_path / "n"))
    assert wrong.returncode == 2 and "invalid choice: 'stretched'" in wrong.stderr
    assert not (tmp_path / "n").exists()


def _default_folder(*args: str) -> str:
    """read_numbers.py's default folder for a set written with these options."""
    return read_numbers.default_folder(read_numbers.arguments().parse_args(list(args)))


def test_each_set_of_numbers_has_its_own_default_folder() -> None:
    # Two runs of other seeds shared digitcli-numbers and the second read the first's set.
    sets = [(), ("--seed", "9"), ("--seed", "9", "--narrow"), ("--per-kind", "20"),
            ("--digits-from", "usps"), ("--digits-from", "uci"), ("--style", "filled"),
            ("--sheet", "3"), ("--desk", "dark"), ("--desk", "light"), ("--paper", "lined"),
            ("--turn", "12"), ("--hand", "loose"), ("--blur", "2.5"), ("--marks", "1"),
            ("--cell",), ("--cut-cell",), ("--cell", "--page-turn", "2"), ("--far",),
            ("--desk", "dark", "--perspective", "0.2"), ("--kinds", "amount")]  # fmt: skip
    assert len({_default_folder(*args) for args in sets}) == len(sets)


def test_a_set_written_by_other_generators_gets_its_own_default_folder(tmp_path, monkeypatch):
    # Round 42's amounts at seed 43 were read again after the generator changed (84.0% for
    # the new generator's 74.3%): the default folder's name did not say which generator wrote it.
    generators = tmp_path / "generators"
    shutil.copytree(read_numbers.GENERATORS, generators)
    monkeypatch.setattr(read_numbers, "GENERATORS", generators)
    args = ("--seed", "43", "--per-kind", "300", "--kinds", "amount")
    before = _default_folder(*args)
    assert _default_folder(*args) == before
    amounts = generators / "amounts.py"
    amounts.write_text(amounts.read_text() + "\n# a change\n")
    assert _default_folder(*args) != before


def test_a_page_turned_whole_turns_its_border_and_its_digits_boxes(tmp_path):
    # The page, its rules and its scanner's border turned together (--page-turn), as a page
    # lies askew on a scanner: the same pages as without it; a set without it as before.
    for name, more in (
        ("flat", []),
        ("flat-again", ["--page-turn", "0"]),
        ("turned", ["--page-turn", "3"]),
    ):
        args = ["--per-kind", "2", "--out", str(tmp_path / name), "--seed", "5", "--cell", *more]
        assert make_numbers.main(args) == 0
    flat, again, turned = (
        make_numbers.load_labels(tmp_path / n) for n in ("flat", "flat-again", "turned")
    )
    for a, b in zip(flat, again, strict=True):
        assert (tmp_path / "flat" / a.file).read_bytes() == (
            tmp_path / "flat-again" / b.file
        ).read_bytes()
    moved = 0
    for a, b in zip(flat, turned, strict=True):
        assert a.number == b.number
        picture = np.asarray(Image.open(tmp_path / "turned" / b.file).convert("L"), float)
        for left, top, right, bottom in b.boxes:  # each digit's ink, darker than its paper
            assert 0 <= left < right <= picture.shape[1] and 0 <= top < bottom <= picture.shape[0]
            assert picture[top:bottom, left:right].min() < 120
        moved += a.boxes != b.boxes
    assert moved > 0


def test_a_sheet_in_perspective_is_the_same_page_seen_from_beyond_an_edge(tmp_path):
    # --perspective: each sheet on its desk a trapezoid, with draws of its own: the same
    # numbers on the same pages as without it, each digit's box still around its ink.
    for name, more in (("flat", []), ("seen", ["--perspective", "0.3"])):
        args = ["--per-kind", "2", "--out", str(tmp_path / name), "--seed", "5", "--desk", "dark"]
        assert make_numbers.main([*args, *more]) == 0
    flat, seen = (make_numbers.load_labels(tmp_path / n) for n in ("flat", "seen"))
    changed = 0
    for a, b in zip(flat, seen, strict=True):
        assert a.number == b.number
        picture = np.asarray(Image.open(tmp_path / "seen" / b.file).convert("L"), float)
        for left, top, right, bottom in b.boxes:
            assert 0 <= left < right <= picture.shape[1] and 0 <= top < bottom <= picture.shape[0]
            assert picture[top:bottom, left:right].min() < 120
        changed += a.boxes != b.boxes
    assert changed > 0


@pytest.mark.parametrize(
    "more", [["--perspective", "0.2"], ["--desk", "dark", "--perspective", "0.7"]]
)
def test_perspective_needs_a_desk_and_a_share_under_half(tmp_path, more, capsys):
    with pytest.raises(SystemExit) as stopped:
        make_numbers.main(["--per-kind", "1", "--out", str(tmp_path), *more])
    assert stopped.value.code == 2
    assert "--perspective needs --desk" in capsys.readouterr().err


def test_a_cut_cell_keeps_an_upright_side_at_the_pictures_edge():
    # A register's cell as a crop cuts it: the side that `read` took for a 1 ("31" read 131).
    rng = np.random.default_rng(4)
    ink = np.zeros((20, 60), np.float32)
    ink[5:15, 20:40] = 1.0
    boxes = [[20, 5, 40, 15]]
    for _ in range(20):
        cut, printed, moved = make_numbers._in_a_cut_cell(ink, np.zeros_like(ink), boxes, rng)
        edges = printed[:, :4].max(axis=1).mean(), printed[:, -4:].max(axis=1).mean()
        assert max(edges) >= 1 - make_numbers.CUT_SHORT * 2  # an upright side, at an edge
        left, top, right, bottom = moved[0]
        assert (cut[top:bottom, left:right] == 1.0).all()  # the digits moved with their boxes
        assert left <= 5 + 1.2 * 20 and cut.shape[1] - right <= 5 + 1.2 * 20  # close to them


def test_the_line_reader_is_taught_usps_training_digits_only(tmp_path):
    import make_line_reader

    fake_zip_train(tmp_path / "zip.train.RData")
    x, y, box = make_line_reader.training_digits("usps", tmp_path / "zip.train.RData")
    assert x.shape[1:] == (28, 28) and set(y) == {3}  # never a held 7
    filled, _, filled_box = make_line_reader.training_digits(
        "usps-filled", tmp_path / "zip.train.RData"
    )
    assert filled.shape[1:] == (16, 16) and filled_box == 16 and box == 20


def test_the_line_reader_writes_each_run_of_kinds_from_the_next_source(tmp_path):
    import make_line_reader

    fake_zip_train(tmp_path / "zip.train.RData")
    kinds = ("spaced", "tight")
    writing = make_line_reader.Writing(
        kinds, ("usps", "mnist"), usps_file=tmp_path / "zip.train.RData", wide=0.0
    )
    written = make_line_reader.written_numbers(5, 4, writing)
    numbers = [number.number for number, _ in written]
    assert all(set(n) == {"3"} for n in numbers[:2])  # the first run: USPS's training 3s
    assert not all(set(n) == {"3"} for n in numbers[2:])  # the next: MNIST's digits


def test_uci_numbers_are_written_with_the_797_digits_never_tuned_on():
    from sklearn.datasets import load_digits

    x, y = make_numbers.number_digits("uci")
    uci = load_digits()
    assert x.shape == (797, 28, 28) and x.dtype == np.uint8
    assert (y == uci.target[1000:]).all()  # load_digits' first 1,000 chose the redrawing
    assert (x[0] == usps.mnist_like(uci.images[1000][None] / 16.0)[0]).all()


def test_the_line_reader_can_be_taught_other_writers_redrawings(tmp_path):
    import make_line_reader

    fake_zip_train(tmp_path / "zip.train.RData")
    rdata = tmp_path / "zip.train.RData"
    plain, y, _ = make_line_reader.training_digits("usps", rdata)
    redrawn, redrawn_y, box = make_line_reader.training_digits("usps-writers", rdata)
    again, _, _ = make_line_reader.training_digits("usps-writers", rdata)
    assert redrawn.shape == plain.shape and box == 20 and (redrawn_y == y).all()
    assert not (redrawn == plain).all() and (again == redrawn).all()  # one fixed redrawing


def test_usps_digits_for_the_line_reader_need_a_usps_file():
    import make_line_reader
    import pytest

    with pytest.raises(SystemExit, match="needs --usps PATH"):
        make_line_reader.training_digits("usps")


def test_ruled_paper_has_rows_and_squared_paper_columns_too():
    rng = np.random.default_rng(0)
    lined = make_numbers._ruled((100, 300), 40.0, rng, "lined")
    squared = make_numbers._ruled((100, 300), 40.0, rng, "squared")
    assert lined.all(axis=1).sum() >= 2 and not lined.all(axis=0).any()
    assert squared.all(axis=1).sum() >= 3 and squared.all(axis=0).sum() >= 10


def test_a_loose_hand_writes_digits_whose_heights_and_tops_stray():
    square = np.zeros((12, 28, 28), np.uint8)
    square[:, 4:24, 4:24] = 255  # twelve digits alike, each filling MNIST's 20x20 box
    rng = np.random.default_rng(0)
    for hand, (size, top) in make_numbers.HANDS.items():
        _, boxes = make_numbers._write(square, "spaced", [12], 100.0, rng, hand=hand)
        heights = np.array([b[3] - b[1] for b in boxes])
        middles = np.array([(b[1] + b[3]) / 2 for b in boxes])
        assert heights.max() <= 100 * (1 + size) + 1 and heights.min() >= 100 * (1 - size) - 1
        assert np.ptp(middles) <= 2 * 100 * top + 2
        if hand == "loose":  # beyond what an even hand can do
            even_size, even_top = make_numbers.HANDS["even"]
            assert heights.max() / heights.min() > (1 + even_size) / (1 - even_size)
            assert np.ptp(middles) > 2 * 100 * even_top + 2


def test_the_line_reader_writes_a_share_of_its_numbers_in_a_loose_hand(tmp_path):
    import make_line_reader

    kinds = ("spaced",)
    for loose in (0.0, 1.0):
        writing = make_line_reader.Writing(kinds, wide=0.0, loose=loose)
        numbers = [n for n, _ in make_line_reader.written_numbers(5, 3, writing)]
        heights = [np.ptp([b[3] - b[1] for b in n.boxes]) / (n.boxes[0][3] - n.boxes[0][1])
                   for n in numbers]  # fmt: skip
        if loose == 0.0:
            even = max(heights)
    assert max(heights) > even


def test_blur_softens_the_same_picture(tmp_path):
    for blur in ("0.3", "3"):
        args = ["--per-kind", "1", "--out", str(tmp_path / blur), "--seed", "3", "--blur", blur]
        assert make_numbers.main(args) == 0
    sharp, soft = (make_numbers.load_labels(tmp_path / blur)[0] for blur in ("0.3", "3"))
    assert sharp.number == soft.number and sharp.boxes == soft.boxes  # drawn alike

    def edges(path: Path) -> float:
        grey = np.asarray(Image.open(path).convert("L"), float)
        return float(np.abs(np.diff(grey, axis=1)).mean())

    assert edges(tmp_path / "3" / soft.file) < 0.7 * edges(tmp_path / "0.3" / sharp.file)


def test_the_line_reader_blurs_a_share_of_its_numbers_apart_from_the_rest():
    import make_line_reader

    kinds = ("spaced",)
    writing = make_line_reader.Writing(kinds, wide=0.0, loose=0.5)
    sharp = list(make_line_reader.written_numbers(5, 2, writing))
    soft = list(make_line_reader.written_numbers(5, 2, replace(writing, blurred=1.0)))
    assert [n.number for n, _ in sharp] == [n.number for n, _ in soft]
    assert not np.array_equal(sharp[0][1].strips, soft[0][1].strips)


def test_digits_written_far_apart_leave_gaps_of_most_of_a_digits_height():
    # Real numbers written across a sheet (`0123456789`, a digit's height or two apart) lost
    # their plain 1s to the line reader, which had seen gaps of at most 0.6 of a height.
    square = np.zeros((6, 28, 28), np.uint8)
    square[:, 4:24, 4:24] = 255
    for far, (least, most) in ((False, (0.0, 0.6)), (True, make_numbers.FAR_GAPS)):
        rng = np.random.default_rng(3)
        _, boxes = make_numbers._write(square, "spaced", [6], 100.0, rng, far=far)
        gaps = np.array([b[0] - a[2] for a, b in itertools.pairwise(boxes)]) / 100.0
        assert gaps.min() >= least - 0.02 and gaps.max() <= most + 0.02
        assert (gaps.max() > 0.7) == far


def widest_gap(number: make_numbers.Number) -> float:
    """A written number's widest gap between two digits, in its digits' (median) heights."""
    gaps = [b[0] - a[2] for a, b in itertools.pairwise(number.boxes)]
    return max(gaps) / float(np.median([b[3] - b[1] for b in number.boxes]))


def test_far_numbers_leave_a_digit_wide_gap_between_digits_but_in_boxes(tmp_path):
    for far in ((), ("--far",)):
        out = tmp_path / ("far" if far else "near")
        assert make_numbers.main(["--per-kind", "4", "--out", str(out), "--seed", "3", *far]) == 0
    near, apart = (make_numbers.load_labels(tmp_path / name) for name in ("near", "far"))
    unboxed = [n for n in apart if n.kind != "boxed"]
    near_gaps = [widest_gap(n) for n in near if n.kind in ("tight", "long")]
    assert min(widest_gap(n) for n in unboxed) > 0.6 > max(near_gaps)


def test_the_line_reader_can_be_taught_1s_written_as_one_straight_stroke():
    import make_line_reader

    import digitcli

    drawn = make_line_reader.straight_ones(40)
    assert drawn.shape == (40, 28, 28) and drawn.dtype == np.uint8
    assert (drawn == make_line_reader.straight_ones(40)).all()  # one fixed drawing
    rows = np.flatnonzero((drawn > 128).any(axis=(0, 2)))
    assert rows.min() >= 3 and rows.max() <= 24  # within MNIST's 20x20 box, about
    answers = digitcli.load("bundled").probabilities(drawn).argmax(axis=1)
    assert (answers == 1).mean() >= 0.9  # the digit model reads them as 1s
    plain, y, _ = make_line_reader.training_digits("mnist")
    stroked, stroked_y, box = make_line_reader.training_digits("mnist-thin-strokes")
    added = make_line_reader.STROKES_PER_ONE * int((y == 1).sum())
    assert len(stroked) == len(plain) + added and (stroked_y[-added:] == 1).all()
    assert box == 40 and stroked.shape[1:] == (56, 56)  # then drawn thin, as `-thin` draws


def test_the_line_reader_writes_a_share_of_its_numbers_far_apart():
    import make_line_reader

    def widest(far: float) -> float:  # the widest gap of any number written
        writing = make_line_reader.Writing(("spaced",), wide=0.0, far=far)
        written = make_line_reader.written_numbers(5, 3, writing)
        return max(widest_gap(number) for number, _ in written)

    assert widest(0.0) < 0.7 < widest(1.0)


def test_the_line_reader_can_be_taught_one_kind_of_number(tmp_path):
    import make_line_reader

    saved = tmp_path / "boxed.npz"
    words = ["--numbers", "4", "--parts", "1", "--wide", "1", "--kinds", "boxed"]
    assert make_line_reader.main([*words, "--data", str(saved), "--data-only"]) == 0
    with np.load(saved) as boxed:
        lengths = (boxed["y"] > 0).sum(axis=1)
    assert len(lengths) and all(4 <= n <= 8 for n in lengths)  # a boxed number's 4-8 digits
    record = make_line_reader.this_run(words, make_line_reader.arguments().parse_args(words), 4)
    assert "(boxed)" in record["data"]


def test_an_amount_plans_its_zeros_separators_and_end_mark():
    rng = np.random.default_rng(4)
    plans = [amounts.plan(rng) for _ in range(200)]
    assert all(2 <= a.zeros < count and len(a.marks) == count + 1 for count, a in plans)
    assert all(not any(a.marks[:1]) for _, a in plans)  # nothing before the first digit
    india = [a.marks for count, a in plans if count == 7 and a.marks[4] and a.marks[2]]
    assert india and all(not m[3] and not m[5] for m in india)  # 44,20,000: 2s after the 3
    assert {"/-", "="} <= {a.marks[-1] for _, a in plans}
    drawn, joined = sum(a.drawn for _, a in plans), sum(a.joined for _, a in plans)
    assert 100 < drawn < 200 and 0 < joined < drawn  # some zeros the source's own, some apart


def test_an_amounts_text_is_its_digits_and_marks(tmp_path):
    x, y = make_numbers.number_digits()
    rng = np.random.default_rng(4)
    for i in range(12):
        number = make_numbers.make_number(x, y, "amount", tmp_path / f"a{i}", rng)
        assert number.number[0] != "0" and number.number.endswith("00")
        written = number.text or number.number
        assert "".join(c for c in written if c.isdigit()) == number.number
        assert (tmp_path / number.file).is_file()


def test_a_cheques_dash_now_and_then_crosses_its_slash():
    # Real cheques close `2255000/-` with the dash drawn through the slash halfway up; the
    # line reader read such a dash as a digit where the generator only drew it after the slash.
    top, bottom, left = 20, 80, 40
    h = bottom - top
    amount = amounts.Amount(3, [""] * 5, drawn=True, joined=True, pen=0.08)
    crossed = 0
    for seed in range(40):
        ink = np.zeros((120, 200), np.float32)
        amounts.draw_slash_dash(ink, left, top, bottom, amount, np.random.default_rng(seed))
        firsts = [
            next(iter(runs(row)), None)
            for row in ink[top + int(0.3 * h) : top + int(0.7 * h)] > 0.5
        ]
        crossed += any(  # one stroke through the slash, a digit long
            run is not None and run.start <= left and run.stop - 1 - run.start >= 0.7 * h
            for run in firsts
        )
    assert 3 <= crossed < 40


def test_a_zero_drawn_as_a_loop_is_a_closed_ring_on_the_baseline():
    rng = np.random.default_rng(0)
    amount = amounts.Amount(3, [""] * 5, drawn=True, joined=True, pen=0.1)
    ring = amounts.loop(60.0, amount, tail=False, rng=rng) > 0.5
    rows = np.flatnonzero(ring.any(axis=1))
    assert rows[-1] >= ring.shape[0] - 12 and rows[0] > 0  # on the baseline, under the top
    count, regions = cv2.connectedComponents((~ring).astype(np.uint8), connectivity=4)
    edge = set(regions[0]) | set(regions[-1]) | set(regions[:, 0]) | set(regions[:, -1])
    inside = [(regions == i).sum() for i in range(1, count) if i not in edge]
    assert max(inside, default=0) > 0.1 * ring.size  # the loop closes round its inside
    tailed = amounts.loop(60.0, amount, tail=True, rng=np.random.default_rng(0)) > 0.5
    assert tailed.shape[1] > ring.shape[1] and tailed[:, -2:].any()  # the stroke to the next


def test_make_numbers_writes_only_the_kinds_asked_for(tmp_path):
    script = REPO / "tests" / "generators" / "make_numbers.py"
    run = [sys.executable, str(script), "--per-kind", "3", "--seed", "2", "--out", str(tmp_path),
           "--kinds", "amount"]  # fmt: skip
    subprocess.run(run, check=True, capture_output=True)
    labels = [json.loads(line) for line in (tmp_path / "labels.jsonl").read_text().splitlines()]
    assert [label["kind"] for label in labels] == ["amount"] * 3
    assert all(label["number"].endswith("00") for label in labels)


@pytest.mark.parametrize("kind, seed", [("joined", 5), ("printed", 7), ("barcode", 9)])
def test_a_word_has_a_place_holder_for_each_letter(tmp_path, kind, seed):
    # `--kinds joined`, `printed`, `barcode`: a word written joined up, printed by hand in a
    # stroke font, or a row of printed bars, no digit; `number` a 0 for each letter.
    rng = np.random.default_rng(seed)
    for i in range(8):
        word = make_numbers.make_number(*make_numbers.NO_DIGITS, kind, tmp_path / f"w{i}", rng)
        assert set(word.number) == {"0"} and 3 <= len(word.number) <= 8
        assert len(word.boxes) == len(word.number) and not word.text
        grey = cv2.imread(str(tmp_path / word.file), cv2.IMREAD_GRAYSCALE)
        assert (grey < grey.max() - 60).any()  # ink on the paper


def test_a_printed_word_holds_no_letter_written_like_a_digit():
    rng = np.random.default_rng(7)
    words = [printed_words.word(rng) for _ in range(200)]
    assert not set("".join(words)) & set("0123456789OolIiSsZzBbGgqT")  # none like a digit
    assert any(w.isupper() for w in words) and any(w.islower() for w in words)


def test_a_printed_words_letters_each_have_a_box_along_its_ink():
    rng = np.random.default_rng(8)
    for _ in range(20):
        ink, boxes = printed_words.written(80.0, rng)
        assert all(left < right <= ink.shape[1] + 1 for left, _, right, _ in boxes)
        assert all(a[2] <= b[0] + 1 for a, b in itertools.pairwise(boxes))  # left to right
        columns = np.flatnonzero((ink > 0.5).any(axis=0))
        boxed = [any(a <= c < b for a, _, b, _ in boxes) for c in columns]
        assert np.mean(boxed) > 0.8  # a script face's swash reaches out of its letter's box


def test_a_barcode_is_a_row_of_bars_and_spaces_ending_in_bars():
    rng = np.random.default_rng(10)
    for _ in range(50):
        bars = barcodes.modules(rng)
        assert bars[0] and bars[-1] and barcodes.MODULES[0] <= len(bars)
        widths = np.diff(np.flatnonzero(np.diff(np.r_[-1, bars.astype(int), -1])))
        assert widths.max() <= barcodes.WIDEST


def test_a_barcodes_bars_stand_across_its_height_and_its_letters_cover_its_width():
    rng = np.random.default_rng(11)
    for _ in range(20):
        ink, boxes = barcodes.written(80.0, rng)
        inked = ink > 0.5
        columns = inked.any(axis=0)
        high = inked[:, columns].mean(axis=0)  # a bar runs down its column, a space has none
        assert columns.mean() > 0.2 and np.median(high) > 0.85
        assert boxes[0][0] == 0 and boxes[-1][2] == ink.shape[1]
        assert all(a[2] == b[0] for a, b in itertools.pairwise(boxes))  # equal parts, in turn
        assert barcodes.LETTERS[0] <= len(boxes) <= barcodes.LETTERS[1]


def test_a_joined_words_letters_are_written_in_fewer_pieces_than_letters():
    rng = np.random.default_rng(6)
    joined = 0
    for _ in range(40):
        ink, boxes = joined_words.written(80.0, rng)
        count, _, stats, _ = cv2.connectedComponentsWithStats((ink > 0.5).astype(np.uint8))
        strokes = sum(stats[1:, cv2.CC_STAT_AREA] > 0.05 * ink.shape[0] ** 2)  # no dots
        joined += 1 <= strokes < len(boxes)
        assert all(left < right for left, _, right, _ in boxes)
    assert joined >= 36  # with the pen lifted after every letter: 29


def test_the_marks_written_in_a_number_are_drawn_whole():
    # A comma reaches a third of a digit's height below the digits and a cheque's slash as far
    # above them: on a canvas as tall as the digits, most were cut off at its edge, so the
    # truth said `1,70,000` where the picture showed a speck (three amounts in four).
    x, y = make_numbers.number_digits()
    rng = np.random.default_rng(7)
    cut = 0
    for _ in range(60):
        count, amount = amounts.plan(rng)
        picks = rng.integers(0, len(x), count)
        ink, boxes = make_numbers._write(
            x[picks], "spaced", [count], 80.0, rng, marks=amount.marks, amount=amount
        )
        among_digits = np.zeros(ink.shape[1], bool)
        for left, _, right, _ in boxes:
            among_digits[int(left) : int(right)] = True
        edges = (ink[0] > 0.3) | (ink[-1] > 0.3)
        cut += bool((edges & ~among_digits).any())
    assert cut == 0
