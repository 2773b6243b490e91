"""What is not one digit: blank paper (shadows, edges, folds, ruled lines, an empty cell) is
"no digit found" for predict and read; several digits are refused by predict; a page of text
or a row too long to read is no number; one digit reads the same in predict and read."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.imaging import count, verdict
from digitcli.imaging.images import fit_and_centre, prepare, prepare_file

MNIST = Path(__file__).resolve().parent.parent / "MNIST"
runner = CliRunner()


@pytest.fixture(scope="module")
def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    """MNIST's first 300 test digits (white ink on black) and their labels."""
    raw = gzip.decompress((MNIST / "t10k-images-idx3-ubyte.gz").read_bytes())
    labels = gzip.decompress((MNIST / "t10k-labels-idx1-ubyte.gz").read_bytes())[8:308]
    images = np.frombuffer(raw, np.uint8, count=300 * 784, offset=16).reshape(300, 28, 28)
    return images, np.frombuffer(labels, np.uint8)


def _jsonl(args: list[str]) -> list[dict]:
    done = runner.invoke(app, args)
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_read_a_row_of_100_digits(mnist_test, tmp_path):
    images, labels = mnist_test
    row = np.zeros((40, 3000), np.uint8)
    for i in range(100):
        row[6:34, i * 30 + 1 : i * 30 + 29] = images[i]
    Image.fromarray(255 - row).save(tmp_path / "row.png")
    (answer,) = _jsonl(["read", str(tmp_path / "row.png"), "--format", "jsonl"])
    truth = "".join(str(d) for d in labels[:100])
    assert answer["number"] is not None, answer
    assert len(answer["number"]) == 100
    assert sum(a == b for a, b in zip(answer["number"], truth, strict=True)) >= 95


@pytest.mark.parametrize("shape", [(10, 1500), (40, 640)])
def test_read_a_strip_of_noise_weighs_a_bounded_number_of_readings(tmp_path, monkeypatch, shape):
    """Pixels of noise: hundreds of specks, readings of hundreds of counts, each weighed by the
    line reader's forward pass over its columns, took minutes (0.4.0: 76 s on 1500x10), also
    where no count was near the line reader's own (640x40: 240 s). Only the few counts
    nearest the line reader's are weighed."""
    import digitcli.reading.read as reading_module

    noise = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    Image.fromarray(noise).save(tmp_path / "noise.png")
    calls = []

    def counted(probabilities, number):
        calls.append(len(number))
        if len(calls) > 200:
            raise AssertionError("more than 200 forward passes for one line")
        return likelihood(probabilities, number)

    from digitcli.reading.lines import likelihood

    monkeypatch.setattr(reading_module, "likelihood", counted)
    (answer,) = _jsonl(["read", str(tmp_path / "noise.png"), "--format", "jsonl"])
    assert "error" not in answer and len(calls) <= 200


def test_read_a_row_of_300_small_digits_is_too_many(mnist_test, tmp_path):
    images, _ = mnist_test
    row = np.full((40, 3000), 255, np.uint8)
    for i in range(300):
        small = np.asarray(Image.fromarray(images[i]).resize((10, 10), Image.BILINEAR))
        row[15:25, i * 10 : i * 10 + 10] = 255 - small
    Image.fromarray(row).save(tmp_path / "row.png")
    (answer,) = _jsonl(["read", str(tmp_path / "row.png"), "--format", "jsonl"])
    assert "blank" not in json.dumps(answer)
    assert answer["error"].startswith("too many digits, or digits too small")


def test_read_a_page_of_printed_text_is_no_number(tmp_path):
    page = Image.new("L", (1000, 1300), 245)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=22)
    for i in range(40):
        draw.text((40, 30 + 31 * i), "The quick brown fox jumps over the lazy dog", 20, font)
    page.save(tmp_path / "page.png")
    (answer,) = _jsonl(["read", str(tmp_path / "page.png"), "--format", "jsonl"])
    assert answer["number"] is None
    assert answer["note"] == verdict.NOT_DIGITS  # the one verdict's words


def _number_on_paper(
    images: np.ndarray, labels: np.ndarray, digits: str, gap: float
) -> Image.Image:
    """`digits` (MNIST test digits, 112 px high) in faint ink on light paper, `gap` of a
    digit's height apart: a number written close together."""
    rng = np.random.default_rng(0)
    paper = np.full((200, 140 * len(digits) + 80), 215.0)
    x = 40
    for char in digits:
        image = images[np.flatnonzero(labels == int(char))[0]]
        ink = np.asarray(Image.fromarray(image).resize((112, 112), Image.BICUBIC)) / 255.0
        cols = np.flatnonzero(ink.max(axis=0) > 0.2)
        ink = ink[:, cols[0] : cols[-1] + 1]
        window = paper[40:152, x : x + ink.shape[1]]
        np.minimum(window, 215.0 - 40.0 * ink, out=window)
        x += ink.shape[1] + round(gap * 112)
    paper += rng.normal(0, 3, paper.shape)
    return Image.fromarray(np.clip(paper[:, : x + 40], 0, 255).astype(np.uint8), "L")


def test_predict_refuses_a_number_written_close_together(mnist_test, tmp_path):
    _number_on_paper(*mnist_test, "2026", gap=0.1).save(tmp_path / "n.png")
    (answer,) = _jsonl(["predict", str(tmp_path / "n.png"), "--format", "jsonl"])
    assert answer["digit"] is None
    assert answer["note"] == "several digits (4 found): use `digitcli read`"


@pytest.mark.parametrize("digits", ["2026", "4072", "90210"])
def test_predict_refuses_a_number_written_into_each_other(mnist_test, tmp_path, digits):
    """Digits overlapping by a fifth of their height are one piece of ink: one group, which
    predict answered as one digit (0.6.7: 98 of 3,500 number pictures never looked at). Ink
    in thin strokes more than twice as wide as high is several digits."""
    _number_on_paper(*mnist_test, digits, gap=-0.2).save(tmp_path / "n.png")
    (answer,) = _jsonl(["predict", str(tmp_path / "n.png"), "--format", "jsonl"])
    assert answer["digit"] is None
    assert answer["note"] == "several digits (2 or more, touching): use `digitcli read`"


def _number_in_boxes(
    images: np.ndarray, labels: np.ndarray, digits: str, empty: int
) -> Image.Image:
    """`digits` (MNIST test digits, 150 px high) written across the lines of a row of 100-px
    boxes, `empty` boxes left over, the row filling the picture down to its bottom edge."""
    size, cell, count = 150, 100, len(digits) + empty
    paper = np.full((130, 40 + count * cell), 225.0)
    for k, char in enumerate(digits):
        image = images[np.flatnonzero(labels == int(char))[0]]
        ink = np.asarray(Image.fromarray(image).resize((size, size), Image.BICUBIC)) / 255.0
        left = 70 + k * cell - size // 2
        ink = ink[10:140, max(0, -left) :]
        window = paper[:, max(0, left) : max(0, left) + ink.shape[1]]
        np.minimum(window, 225.0 - 190.0 * ink[:, : window.shape[1]], out=window)
    image = Image.fromarray(paper.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    right = 20 + count * cell
    for x in range(20, right + 1, cell):
        draw.line([(x, 14), (x, 129)], fill=140, width=2)
    draw.line([(20, 14), (right, 14)], fill=140, width=2)
    draw.line([(20, 129), (right, 129)], fill=140, width=2)
    noisy = np.asarray(image, np.float32) + np.random.default_rng(0).normal(0, 3, paper.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


@pytest.mark.parametrize(("digits", "empty"), [("6696", 3), ("4072", 2), ("51862394", 1)])
def test_a_number_in_a_row_of_boxes_filling_the_picture_is_no_blank(
    mnist_test, tmp_path, digits, empty
):
    """Digits written across the lines of a row of boxes are one piece with it, and a row
    down to the picture's edge was taken for the band a desk leaves along it: predict
    answered "no digit found" to 30 of 6,500 number pictures, 28 of them boxed."""
    _number_in_boxes(*mnist_test, digits, empty).save(tmp_path / "n.png")
    (answer,) = _jsonl(["predict", str(tmp_path / "n.png"), "--format", "jsonl"])
    assert answer["digit"] is None
    assert answer["note"].startswith("several digits (")


@pytest.mark.parametrize("angle", [0, 18])
def test_a_flat_stroke_is_not_several_digits_written_into_each_other(angle):
    """A dash or a bar is as wide as a number, but one stroke: not digits written into each
    other, to the count network (`count`: it replaced a rule on the ink's shape). (Its
    verdict is the judge's, which counts digits since round 8, and which takes the bar,
    no digit either, for several: tests/test_one_count_of_digits.py.)"""
    stroke = Image.new("L", (300, 300), 0)
    ImageDraw.Draw(stroke).line([(40, 150), (260, 150)], fill=255, width=24)
    bar = np.asarray(stroke.rotate(angle, center=(150, 150)), np.float32)
    assert bar.any() and not count.sure(count.chance(fit_and_centre(bar).astype(np.uint8)))


@pytest.mark.parametrize("name", ["lined-01335.jpg", "lined-31376.jpg", "lined-78825.jpg"])
def test_predict_refuses_a_number_on_faint_ruled_lines(name):
    """A faint ruled line inked along half its length above the strokes' faint level was no
    ruled line, so its ink touching both sides made the number "lines across the picture":
    predict said blank where `read` reads the number. The third picture has one such line
    well inside it and another too faint to count."""
    fixture = Path(__file__).parent / "fixtures" / name
    (answer,) = _jsonl(["predict", str(fixture), "--format", "jsonl"])
    assert answer["digit"] is None
    assert answer["note"].startswith("several digits (")


def test_predict_answers_a_digit_in_pieces(tmp_path):
    """A 5 whose top bar stands apart, and an 8 broken at its waist, are one digit each."""
    five = Image.new("L", (300, 300), 230)
    draw = ImageDraw.Draw(five)
    draw.line([(110, 70), (200, 70)], fill=30, width=14)  # the bar, apart
    draw.line([(105, 95), (100, 150)], fill=30, width=14)
    draw.arc([90, 130, 210, 240], 200, 160, fill=30, width=14)
    five.save(tmp_path / "five.png")
    eight = Image.new("L", (300, 300), 230)
    draw = ImageDraw.Draw(eight)
    draw.ellipse([110, 50, 190, 140], outline=30, width=14)
    draw.ellipse([100, 152, 200, 250], outline=30, width=14)
    eight.save(tmp_path / "eight.png")
    answers = _jsonl(
        ["predict", str(tmp_path / "five.png"), str(tmp_path / "eight.png"), "--format", "jsonl"]
    )
    assert [answer.get("note") for answer in answers] == [None, None]
    assert all(answer["digit"] is not None for answer in answers)


def _paper(rng: np.random.Generator, size: tuple[int, int] = (900, 700)) -> np.ndarray:
    """Light paper photographed: uneven light, grain, noise (float grey levels)."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    light = 215.0 + 20.0 * (xx / w - 0.5) + 10.0 * (yy / h - 0.5)
    grain = np.asarray(
        Image.fromarray(rng.normal(0, 4, (8, 8)).astype(np.float32), "F").resize((w, h))
    )
    return light + grain + rng.normal(0, 4, (h, w))


def _blank_photos(folder: Path) -> list[Path]:
    """One photo of each kind of blank paper: on a desk with a shadow, folded, ruled
    (lined, squared), and a table's empty cell; saved as phone JPEGs."""
    rng = np.random.default_rng(3)
    h, w = 700, 900
    yy, xx = np.mgrid[0:h, 0:w]
    pictures = {}
    desk = _paper(rng)
    beyond = np.clip((0.35 * xx + yy - 560) / 2.0, 0, 1)  # the paper's edge, a dark desk
    desk = desk * (1 - beyond) + 70 * beyond
    pictures["desk"] = desk * (1 - 0.3 / (1 + np.exp(-(xx - 0.7 * w) / 40)))  # and a shadow
    fold = _paper(rng)
    side = xx - 0.4 * yy - 300
    pictures["fold"] = fold * np.where(side > 0, 0.93, 1.0) - 25 * np.exp(-0.5 * (side / 2) ** 2)
    for name, down in (("lined", False), ("squared", True)):
        paper = _paper(rng)
        ruled = (yy % 60 < 3) | ((xx % 60 < 3) if down else False)
        pictures[name] = paper * np.where(ruled, 0.7, 1.0)
    cell = _paper(rng)
    rules = (np.abs(xx - 40) < 4) | (np.abs(xx - 860) < 4) | (np.abs(yy - 30) < 4)
    pictures["cell"] = cell * np.where(rules | (np.abs(yy - 670) < 4), 0.35, 1.0)
    paths = []
    for name, gray in pictures.items():
        path = folder / f"{name}.jpg"
        Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8), "L").save(path, quality=85)
        paths.append(path)
    return paths


def test_blank_paper_is_no_digit_for_predict_and_read(tmp_path):
    paths = [str(path) for path in _blank_photos(tmp_path)]
    predicted = _jsonl(["predict", *paths, "--format", "jsonl"])
    read = _jsonl(["read", *paths, "--format", "jsonl"])
    assert [a["digit"] for a in predicted] == [None] * len(paths), predicted
    assert all(a["note"].startswith("no digit found") for a in predicted)
    assert [a["number"] for a in read] == [None] * len(paths), read
    assert all(a["note"].startswith("no digit found") for a in read)


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_predict_and_read_give_one_digit_the_same_answer():
    """Photo files of one MNIST test digit (tests/generators/make_photos.py's 43rd and 149th,
    shrunk) that read gave another digit than predict: read now classifies a picture of one digit as
    predict does."""
    files = [str(FIXTURES / "one-digit-43.jpg"), str(FIXTURES / "one-digit-149.jpg")]
    predicted = _jsonl(["predict", *files, "--format", "jsonl"])
    read = _jsonl(["read", *files, "--format", "jsonl"])
    assert [a["digit"] for a in predicted] == [2, 9]
    assert [a["number"] for a in read] == ["2", "9"]
    assert [a["confidence"] for a in read] == [a["confidence"] for a in predicted]


def test_read_does_not_cut_one_digit_in_two():
    """tests/generators/make_photos.py's 269th photo file, a 0 read as 12 (two overlapping
    halves)."""
    (read,) = _jsonl(["read", str(FIXTURES / "one-digit-269.jpg"), "--format", "jsonl"])
    assert read["number"] == "0"


def _desk_in_a_shadow(shade: float, digit: bool = False) -> Image.Image:
    """Paper on a dark desk (its edge near the right side) under a soft shadow darkening its
    lower half by `shade` of its level (0.5: the desk's edge in the shadow is no darker than
    the picture's median grey). `digit`: a 7 written on the paper too."""
    rng = np.random.default_rng(0)
    h, w = 600, 450
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    paper = 215.0 + rng.normal(0, 4, (h, w))
    if digit:
        seven = Image.new("L", (w, h), 0)
        draw = ImageDraw.Draw(seven)
        draw.line([(150, 200), (260, 200), (180, 380)], fill=1, width=14)
        paper -= 150.0 * np.asarray(seven, np.float32)
    beyond = np.clip((xx + 0.2 * yy - 0.9 * w) / 2.0, 0, 1)
    out = paper * (1 - beyond) + (90.0 + rng.normal(0, 3, (h, w))) * beyond
    out *= 1 - shade / (1 + np.exp(-(yy - 0.3 * xx - 0.5 * h) / (0.1 * h)))
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "L")


def test_a_desks_edge_in_a_shadow_is_no_digit():
    """The background, which follows the shadow, leaves a band of the desk along its edge;
    judged against the whole picture's median (the shadow's half as dark), that band was not
    taken for the edge of a dark region, and was answered a digit."""
    assert not prepare(_desk_in_a_shadow(0.5)).has_ink
    assert not prepare(_desk_in_a_shadow(0.3)).has_ink
    seven = prepare(_desk_in_a_shadow(0.3, digit=True))
    assert seven.has_ink and seven.inverted


def _squared_askew(digit: bool = False) -> Image.Image:
    """Squared paper photographed 3.5 degrees askew, its light falling off to one corner:
    where the lines are faintest they fall under the ink threshold, and the grid breaks into
    pieces. `digit`: a 4 written on it too."""
    rng = np.random.default_rng(0)
    lines = Image.new("L", (600, 600), 0)
    draw = ImageDraw.Draw(lines)
    for at in range(10, 600, 55):
        draw.line([(0, at), (600, at)], fill=255, width=2)
        draw.line([(at, 0), (at, 600)], fill=255, width=2)
    mask = np.asarray(lines.rotate(3.5, Image.Resampling.BILINEAR), np.float32) / 255
    yy, xx = np.mgrid[0:600, 0:600]
    paper = 200.0 + 40.0 * ((xx + yy) / 600 - 1) + rng.normal(0, 4, (600, 600))
    paper *= 1 - 0.2 * mask
    if digit:
        four = Image.new("L", (600, 600), 0)
        ImageDraw.Draw(four).line([(330, 180), (240, 380), (400, 380)], fill=1, width=16)
        ImageDraw.Draw(four).line([(360, 260), (350, 460)], fill=1, width=16)
        paper -= 120.0 * np.asarray(four, np.float32)
    return Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L")


def test_a_piece_of_askew_ruled_lines_is_no_digit():
    """Ruled lines are looked for as rows inked across the picture; askew, a line crosses
    rows, and a piece of the grid cut off by the threshold was answered a digit."""
    assert not prepare(_squared_askew()).has_ink
    assert prepare(_squared_askew(digit=True)).has_ink


def test_predict_and_read_agree_on_a_wide_five(tmp_path):
    """A 5 with a long bar and a low belly, light on a dark canvas: read cut it into "27"
    (0.47), predict read 5 (0.999)."""
    image = Image.new("L", (640, 400), 20)
    draw = ImageDraw.Draw(image)
    draw.line([(220, 120), (440, 110)], fill=200, width=16)  # the bar
    draw.line([(220, 120), (210, 192)], fill=200, width=16)
    draw.arc([190, 168, 392, 280], 250, 160, fill=200, width=16)
    image.save(tmp_path / "five.png")
    (predicted,) = _jsonl(["predict", str(tmp_path / "five.png"), "--format", "jsonl"])
    (read,) = _jsonl(["read", str(tmp_path / "five.png"), "--format", "jsonl"])
    assert predicted["digit"] == 5
    assert read["number"] == "5"


def _dense_squared_paper() -> Image.Image:
    """Squared paper, its lines 13 px apart at 480 px, 2.6 degrees askew, under blotchy
    light: the lines are much of the picture."""
    rng = np.random.default_rng(12)
    size = 480
    step = rng.uniform(0.03, 0.12) * size
    lines = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(lines)
    for at in np.arange(rng.uniform(0, step), size, step):
        draw.line([(0, at), (size, at)], fill=255, width=2)
        draw.line([(at, 0), (at, size)], fill=255, width=2)
    tilt = rng.uniform(-3, 3)
    mask = np.asarray(lines.rotate(tilt, Image.Resampling.BILINEAR), np.float32) / 255
    blotches = rng.normal(0, 6, (6, 6)).astype(np.float32)
    blotches = np.asarray(Image.fromarray(blotches, "F").resize((size, size), Image.BICUBIC))
    xx = np.mgrid[0:size, 0:size][1]
    paper = 190.0 + rng.uniform(-30, 30) * (xx / size - 0.5) + blotches
    paper += rng.normal(0, 3, (size, size))
    paper *= 1 - rng.uniform(0.15, 0.4) * mask
    return Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L")


def test_a_piece_of_dense_squared_paper_is_no_digit():
    """Where the lines are much of the picture, the noise floor measured from the median of
    what lies above the background lay over them: askew lines were not found, and a piece
    of the grid was answered a digit."""
    assert not prepare(_dense_squared_paper()).has_ink


def _faint_seven_by_a_shadowed_corner() -> Image.Image:
    """A faint 7 (20 grey levels) with paper around it, its bar near a shadow over the top
    right corner."""
    rng = np.random.default_rng(0)
    h, w = 600, 480
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    paper = 190.0 + rng.normal(0, 3, (h, w))
    seven = Image.new("L", (w, h), 0)
    ImageDraw.Draw(seven).line([(360, 130), (430, 125), (385, 290)], fill=1, width=18)
    paper -= 20.0 * np.asarray(seven, np.float32)
    corner = np.hypot(xx - w, yy) / w
    paper *= 1 - 0.25 / (1 + np.exp((corner - 0.35) / 0.08))
    return Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L")


def _a_filled_block(pixels: np.ndarray) -> bool:
    """Whether the prepared ink fills most of its box: a patch of shade, not a digit's strokes."""
    rows, cols = np.flatnonzero(pixels.any(axis=1)), np.flatnonzero(pixels.any(axis=0))
    box = pixels[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return np.count_nonzero(box > 128) > 0.7 * box.size


def test_a_faint_digit_near_a_shadowed_corner_is_a_digit():
    """A faint 7 (20 grey levels) with paper around it, its bar near a shadow over the top
    right corner: its faint pixels join the shadow, and it was taken for the shadow's edge
    when every ink on paper was asked whether it is one."""
    assert prepare(_faint_seven_by_a_shadowed_corner()).has_ink


@pytest.mark.xfail(
    strict=True,
    reason="the 7 stands no higher above the paper than what the background leaves of the "
    "shadow's edge: it is never found as ink, and a patch of the shadow's edge is prepared "
    "instead (a filled block; the rules answered it as a digit too)",
)
def test_a_faint_digit_near_a_shadowed_corner_is_found():
    """What is prepared is the 7's strokes, not a patch of the shadow."""
    prepared = prepare(_faint_seven_by_a_shadowed_corner())
    assert prepared.has_ink and not _a_filled_block(prepared.pixels)


def _folded(seed: int, digit: bool = False) -> Image.Image:
    """Paper folded flat again, its right part 10% darker beyond a straight, slanted step
    (no crease line): the background's coarse blocks cannot follow the step, and leave a
    band about one block wide on its darker side. `digit`: a 7 written left of it."""
    rng = np.random.default_rng(seed)
    h, w = 450, 600
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    paper = 205.0 + rng.normal(0, 3, (h, w))
    if digit:
        seven = Image.new("L", (w, h), 0)
        ImageDraw.Draw(seven).line([(60, 120), (170, 120), (100, 320)], fill=1, width=14)
        paper -= 140.0 * np.asarray(seven, np.float32)
    paper *= np.where(xx - 0.5 * yy - 300 > 0, 0.9, 1.0)
    return Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L")


def test_the_band_beside_a_folds_step_is_no_digit():
    """That band has one sharp edge, the step, straight, and all its ink on one side of it;
    a pen's stroke is edged on both sides. It was answered a digit."""
    assert [prepare(_folded(seed)).has_ink for seed in range(3)] == [False] * 3
    assert all(prepare(_folded(seed, digit=True)).has_ink for seed in range(3))


def _creased_twice(seed: int, digit: bool = False) -> Image.Image:
    """Paper creased twice in a V opening upwards, each fold 15% darker beyond its crease,
    lit unevenly and slightly blurred: between the creases, a wedge with two straight steps
    for edges runs off the top. `digit`: a 4 written beside it."""
    rng = np.random.default_rng(seed)
    h, w = 600, 450
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    paper = 170.0 + 40.0 * xx / w + rng.normal(0, 3, (h, w))
    if digit:
        four = Image.new("L", (w, h), 0)
        ImageDraw.Draw(four).line([(90, 330), (40, 450), (150, 450)], fill=1, width=12)
        ImageDraw.Draw(four).line([(120, 390), (115, 540)], fill=1, width=12)
        paper -= 120.0 * np.asarray(four, np.float32)
    left, right = xx - 260 + 0.3 * (yy - 150), xx - 260 - 0.3 * (yy - 150)
    paper *= np.where(left > 0, 0.85, 1.0) * np.where(right < 0, 0.85, 1.0)
    paper += 15.0 * (np.exp(-0.5 * (left / 2) ** 2) + np.exp(-0.5 * (right / 2) ** 2))
    image = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "L")
    return image.filter(ImageFilter.GaussianBlur(1.5))


@pytest.mark.xfail(
    strict=True,
    reason="its band stands 10-24 levels above the paper: the judge sees it since round 56 "
    "(faint ink on paper is judged, not refused unseen) and takes it for a digit (0.69, 0.90); "
    "fine-tuning the judge on made folds did not teach it (docs/measurements/preparation.md)",
)
def test_a_wedge_between_two_creases_is_no_digit():
    """Edged by two straight steps, the ink on one side of each, running off the picture:
    a wedge of the background's band, answered a digit before (until round 20, whose
    polarity network calls the wedge's paper dark ink, where the rule had called it light)."""
    assert [prepare(_creased_twice(seed)).has_ink for seed in range(2)] == [False] * 2


def test_a_digit_beside_two_creases_is_found():
    assert all(prepare(_creased_twice(seed, digit=True)).has_ink for seed in range(2))


def test_a_band_as_dark_as_the_paper_beside_it_is_no_digit():
    """Blank paper photographed (tests/generators/make_blanks.py's fold and shadow pictures): the
    background left a band along the darker side of a fold and of a shadow's edge, answered
    a 1 at 99% before. A pen's stroke is darker than the paper on both of its sides; these
    bands are as dark as the paper beyond them on one side."""
    for name in ("blank-fold-band.jpg", "blank-shadow-band.jpg"):
        assert not prepare_file(FIXTURES / name).has_ink, name
    for name in ("one-digit-43.jpg", "one-digit-149.jpg"):
        assert prepare_file(FIXTURES / name).has_ink, name


@pytest.mark.parametrize("digits", ["461101", "40721", "7167141"])
def test_a_number_touching_the_pictures_edge_is_no_blank(mnist_test, tmp_path, digits):
    """A number cropped close, its digits touching the bottom edge: predict's preparation
    took the wide ink touching one side for the band the background leaves along a desk's
    edge, and predict and read answered "blank" (loose-hand numbers of USPS `--seed 74`)."""
    image = _number_on_paper(*mnist_test, digits, gap=0.3)
    image.crop((0, 0, image.width, 148)).save(tmp_path / "n.png")
    (answer,) = _jsonl(["predict", str(tmp_path / "n.png"), "--format", "jsonl"])
    assert answer["note"] == f"several digits ({len(digits)} found): use `digitcli read`"
    (reading,) = _jsonl(["read", str(tmp_path / "n.png"), "--format", "jsonl"])
    assert reading["number"] == digits


def test_predict_counts_the_digits_of_a_number_on_a_slant(mnist_test, tmp_path):
    """A number written uphill, each digit 14 px above the last: its digits' middles lie
    further apart than half a digit's height, so they stood on no one line, and predict
    answered one digit for the whole number."""
    images, labels = mnist_test
    paper = np.full((330, 560), 215.0)
    for k, char in enumerate("52806"):
        image = images[np.flatnonzero(labels == int(char))[0]]
        ink = np.asarray(Image.fromarray(image).resize((112, 112), Image.BICUBIC)) / 255.0
        window = paper[180 - 14 * k : 292 - 14 * k, 20 + 104 * k : 132 + 104 * k]
        np.minimum(window, 215.0 - 150.0 * ink, out=window)
    paper += np.random.default_rng(0).normal(0, 3, paper.shape)
    Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8)).save(tmp_path / "n.png")
    (answer,) = _jsonl(["predict", str(tmp_path / "n.png"), "--format", "jsonl"])
    assert answer["digit"] is None
    assert answer["note"].startswith("several digits (")  # the 5's flag apart: 4 or 5


def _faint_drawing(digit: str, contrast: int) -> Image.Image:
    """A thin 1 or 9 drawn `contrast` grey levels darker than a flat white canvas, saved at
    MNIST's 28x28 (a drawing program's export): no noise at all."""
    canvas = Image.new("L", (28, 28), 255)
    draw = ImageDraw.Draw(canvas)
    if digit == "1":
        draw.line([(8, 4), (7, 13), (5, 26)], fill=255 - contrast, width=1)
    else:
        draw.ellipse([11, 2, 16, 9], outline=255 - contrast, width=1)
        draw.line([(16, 6), (15, 21)], fill=255 - contrast, width=1)
    return canvas


def test_a_faint_drawing_at_mnists_size_is_a_digit():
    """A thin pen's 9 10 grey levels from a canvas of one level, without noise: it is plainly
    ink (a real development drawing of 19 levels was blank with `faintest_ink` 12)."""
    assert prepare(_faint_drawing("9", 10)).has_ink


@pytest.mark.xfail(
    strict=True,
    reason="under 24 grey levels of contrast and faintest_ink (10) between Otsu's two classes a "
    "picture is blank before any judge looks; a judge taught faint drawings was tried and not "
    "kept (docs/measurements/preparation.md, round 4)",
)
def test_a_fainter_drawing_at_mnists_size_is_a_digit():
    """A thin pen's 1 8 grey levels from a canvas of one level, without noise."""
    assert prepare(_faint_drawing("1", 8)).has_ink


@pytest.mark.parametrize("size", [28, 200])
def test_a_quiet_canvas_is_no_digit(size):
    """A canvas of one level with a little noise and a gradient: nothing stands out of the
    noise (a judge taught faint drawings took the 28x28 one for a digit)."""
    rng = np.random.default_rng(size)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    canvas = 230 + 12 * xx / size + rng.normal(0, 2, (size, size))
    assert not prepare(Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), "L")).has_ink


def _broken_three(faint: int) -> Image.Image:
    """A 3 drawn at 28x28 whose strokes' dark cores stand in short pieces, joined by ink
    `faint` grey levels darker than the paper (a soft pen, a scan's uneven ink)."""
    canvas = Image.new("L", (28, 28), 255)
    draw = ImageDraw.Draw(canvas)
    path = [(8, 5), (11, 4), (14, 3), (17, 4), (19, 6), (19, 9), (17, 11), (14, 12), (17, 13),
            (19, 15), (19, 19), (17, 21), (14, 22), (11, 21), (8, 19)]  # fmt: skip
    draw.line(path, fill=255 - faint, width=2)
    for start, end in [(0, 1), (2, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14)]:
        draw.line(path[start : end + 1], fill=20, width=2)
    return canvas


@pytest.mark.parametrize("faint", [40, 80])
def test_a_digit_whose_cores_stand_in_pieces_is_one_digit(faint):
    """The pieces of the cores alone, counted, stood in two columns (the 3's left ends apart
    from the rest): "several digits". Joined by their faint ink, they are one stroke."""
    prepared = prepare(_broken_three(faint))
    assert prepared.has_ink and not prepared.several


def test_predict_and_read_say_why_in_one_wording(tmp_path):
    """`predict` said "no digit found: ..." where `read` said "no digits found: ..." for the
    same blank picture: one verdict, one wording."""
    path = tmp_path / "blank.png"
    rng = np.random.default_rng(0)
    Image.fromarray((200 + rng.normal(0, 2, (150, 200))).astype(np.uint8)).save(path)
    (predicted,) = _jsonl(["predict", str(path), "--format", "jsonl"])
    (read,) = _jsonl(["read", str(path), "--format", "jsonl"])
    assert predicted["note"] == read["note"] == "no digit found: the image is blank"


def test_read_a_line_of_a_thousand_digits_is_too_many_not_blank(mnist_test, tmp_path):
    """A line of 1,000 MNIST digits shrunk to the work image's width left no ink: "blank"
    (200 digits said "too many digits")."""
    images, _ = mnist_test
    row = np.full((28, 28 * 1000), 255, np.uint8)
    for i in range(1000):
        row[:, i * 28 : i * 28 + 28] = 255 - images[i % len(images)]
    Image.fromarray(row).save(tmp_path / "long.png")
    (answer,) = _jsonl(["read", str(tmp_path / "long.png"), "--format", "jsonl"])
    assert "blank" not in json.dumps(answer)
    assert answer["error"].startswith("too many digits, or digits too small")


@pytest.mark.parametrize("shape", [(1, 5000), (2, 2000), (28, 28 * 1000)])
def test_read_of_a_long_blank_line_is_blank_not_too_many_digits(shape, tmp_path):
    """A blank picture shrunk to the work image's width was "too many digits" (exit 1): it is
    blank, as `predict` says (exit 3), however long."""
    path = tmp_path / "long-blank.png"
    Image.fromarray(np.full(shape, 200, np.uint8)).save(path)
    (predicted,) = _jsonl(["predict", str(path), "--format", "jsonl"])
    (read,) = _jsonl(["read", str(path), "--format", "jsonl"])
    assert predicted["note"] == read.get("note") == "no digit found: the image is blank", read
