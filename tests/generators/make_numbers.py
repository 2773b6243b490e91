"""Handwritten numbers made from MNIST *test* digits, as the files users hand to `digitcli read`.

Each number is a line of MNIST test digits (never training digits) written onto paper-like
backgrounds (lighting gradient, texture, noise, coloured ink, blur), 100-200 px high, saved as
PNG or JPEG, in five kinds:

- `spaced`: 3-6 digits with clear gaps;
- `tight`: 3-6 digits that touch or overlap;
- `grouped`: dates and codes written in groups ("2026 11 22", "123 456"), the groups parted by
  a space or a separator in the pen's ink ("/", "-", ".");
- `long`: 7-10 digits, gaps from touching to clear;
- `boxed`: 4-8 digits in a printed form field: one box per digit, a comb (a baseline with ticks
  between the digits), a box around the field, or a ruled line under it; lines dark, grey or
  coloured, boxes narrow to wide and short to tall, so that digits may cross the lines, and up
  to three empty boxes left over after the digits.

`--kinds` writes only the kinds named, and one more when named: `amount`, a cheque's amount
(`tests/generators/amounts.py`: `2,14,00,000/-`, its zeros often drawn as small joined loops,
closed by a tall `/` and a long dash); `joined`, a word written joined up with no digit
(`tests/generators/joined_words.py`), `printed`, a word printed by hand in a stroke font
(`tests/generators/printed_words.py`), and `barcode`, a row of printed bars
(`tests/generators/barcodes.py`), their `number` a 0 for each letter, a place-holder.

`--narrow` writes the sets as before the issue 52 widening (groups parted by spaces only;
boxed: boxes, field or rule in four colours, boxes of one proportion, none left empty).

Every kind gets a slight rotation of the whole picture (up to 4 degrees; `--turn DEG` up to DEG,
the picture grown to hold its corners beyond 4) and, for half of the numbers, a slant of the
handwriting (shear up to 0.25). `labels.jsonl` in the output folder
holds each file's kind, number and true digit boxes.

    python tests/generators/make_numbers.py --per-kind 200 --out numbers --seed 0 [--narrow]
                                 [--digits-from usps --usps zip.train.RData]

`--digits-from usps` writes the numbers with other writers' digits: the fixed held 30% of USPS
`zip.train` (`bench/build/usps.py`'s `held`, never trained on), drawn as MNIST draws its digits
(`usps.mnist_like`: 20x20 box, centred by mass in 28x28, grey strokes), laid out alike.

`--style filled` first stretches each digit (of either source) to fill a 16x16 box in both
directions, its aspect lost (a 1 becomes a slab), and binarises it (`filled_digits`): how some
collections and form scanners store every digit. The digits are then laid out as before, each
as high as an MNIST digit and as wide: a square.

`--style thin` draws each digit with a finer pen: enlarged twice (bicubic), its strokes eroded
by a disc of radius THIN_PEN and its darkest ink made full again (`thin_digits`): a ballpoint's
line where MNIST's writers used a felt pen.

    python tests/generators/make_numbers.py --per-kind 100 --out numbers --seed 9 --style filled

`--sheet K` writes each number in the middle of a sheet K times as high as its picture (and as
much wider), its paper continued all round: a photo of a number with the page around it.
`--desk dark` lays each sheet on a darker desk (grey levels 40-150, tinted), turned by up to 6
degrees, the desk showing on every side: a photo of a slip on a table; `--desk light` on a
lighter one (225-255): a slip on a scanner's lid. `--paper lined` writes each number on a
notebook's ruled lines (0.8-1.4 of the digits' height apart), `--paper squared` on 5-mm
squares (0.4-0.7), light blue or grey, 1-2 px thick, under the ink.

`--hand loose` writes in a looser hand: each digit 0.75-1.25 times the number's height (0.9-1.1
by default) and its top up to 0.18 of it off the line (0.06). MNIST made every digit as high as
the others; people write some larger, some lower. `--blur R` blurs each picture by a
Gaussian of radius 0.3 to R px (1.2 by default): R 2.5 is a photo out of focus.

`--marks S` writes a share S of the numbers (not boxed) with the marks people write in and after
numbers (`tests/generators/written_marks.py`: `18.056`, `443.000=`, `200.-`, `12,5`, `-150`, `$25`,
a long dash or a wavy end mark); `labels.jsonl`'s `text` is then what is written, `number` its
digits. `--cell` writes each number small in a register's cell (1.5-3 times its height), ruled on
every side and the next cells' ruling beyond, and darkens one or two of the picture's sides as a
scanner's border does (grey 0-60, ragged). `--cut-cell` writes it in a cell cut out of a register
as a cropped cell is: no ruling beyond, each side kept or gone and kept ones often short, a side at
the picture's edge close to the digits (read as a 1 if learnt as ink). `--far` writes the digits
far apart (gaps of `FAR_GAPS` of a digit's height: a number written across a sheet), where a plain
1 stands alone as a cell's side does. `--page-turn DEG` turns each whole picture last, page, rules
and border together (up to DEG degrees, its corners a lid's grey), as a page lies askew on a
scanner, with draws of its own: the same pages as without it, turned. `--perspective P` (with
`--desk`) photographs each sheet from beyond one of its edges, with draws of its own: that edge
up to P of its length shorter at each end, the sheet a trapezoid, as a phone held low sees it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from digitcli.imaging.morphology import bounds

import amounts  # noqa: E402
import barcodes  # noqa: E402
import joined_words  # noqa: E402
import printed_words  # noqa: E402
import written_marks  # noqa: E402
from make_photos import load_mnist  # noqa: E402

DIGIT_SOURCES = ("mnist", "usps", "uci")
UCI_TUNED = 1000  # load_digits' first 1,000 chose the classifier's redrawing (robustness.py)
STYLES = ("plain", "filled", "thin")  # as the source draws them, stretched square, a fine pen
KINDS = ("spaced", "tight", "grouped", "long", "boxed")
# written only when asked for: "amount" (`amounts`); "joined", a word joined up,
# "printed", a word printed by hand, and "barcode", a row of printed bars: no digit
ALL_KINDS = (*KINDS, "amount", "joined", "printed", "barcode")
WORDS = {"joined": joined_words, "printed": printed_words, "barcode": barcodes}  # their writers
# what a word is written with: no digit (make_number's x and y, unread for it)
NO_DIGITS = (np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8))
GROUPINGS = ((4, 2, 2), (2, 2, 4), (2, 2, 2), (3, 3), (3, 3, 3), (4, 4), (2, 2, 2, 2), (3, 4))
SEPARATORS = (" ", "/", "-", ".")  # between groups (wide sets); " " is a gap alone
PRINTED = ((40, 40, 40), (120, 140, 200), (200, 120, 120), (90, 90, 90))  # narrow sets
WIDE_PRINTED = (*PRINTED, (150, 150, 150), (185, 185, 185), (110, 170, 110), (225, 150, 80))
MNIST_BOX = 20  # MNIST fits each digit's ink in 20x20
TURN = 4.0  # degrees a picture is turned by, at most (--turn)
DESK_TURN = 6.0  # --desk: degrees a sheet lies askew, at most
DESK_LEVELS = {"dark": (40, 150), "light": (225, 255)}  # and the desk's grey levels
# --hand: how far each digit's height and top may stray, as a share of the digits' height
# (MNIST made every digit as high as the others; a loose hand writes some larger, some lower)
HANDS = {"even": (0.1, 0.06), "loose": (0.25, 0.18)}
BLUR = (0.3, 1.2)  # px: the Gaussian blur a picture gets, drawn in this range (--blur: its top)
# --paper: the ruled lines' spacing, as a share of the digits' height (a notebook's lines,
# 5-mm squares under digits 7-12 mm high), and their colours (light blue, grey)
RULED_SPACING = {"lined": (0.8, 1.4), "squared": (0.4, 0.7)}
RULED_COLOURS = ((150, 180, 225), (110, 160, 215), (170, 170, 170), (130, 190, 200))
FILLED_BOX = 16  # --style filled: the fixed cell each digit is stretched to fill ...
THIN_SCALE, THIN_PEN = 2, 1.6  # --style thin: enlarged this much, eroded by a disc this wide
FILLED_LEVEL = 0.5  # ... and the share of a cell's area that must be ink for it to be ink
CUT_KEPT = 0.6  # --cut-cell: the chance each side of the cell is kept ...
CUT_SHORT = 0.35  # ... and the most of its length cut off at either end
PAGE_LID = (0.0, 60.0)  # --page-turn: grey levels of the lid in the corners a turn leaves
PAGE_TURN_STREAM = 5  # --page-turn draws from a generator of its own: [seed, this]
FAR_GAPS = (0.7, 2.0)  # --far: the gap after each digit, as a share of a digit's height


@dataclass(frozen=True)
class Look:
    """How the numbers are written and photographed, beyond their digits."""

    wide: bool = False  # the styles of the issue 52 widening (the module's docstring)
    sheet: float = 1.0  # on paper this many times the picture's height
    desk: str | None = None  # that paper photographed on a desk: "dark" or "light"
    turn: float = TURN  # the most degrees a picture is turned by
    paper: str | None = None  # ruled paper under the ink: "lined" or "squared"
    hand: str = "even"  # HANDS' "even" or "loose"
    blur: float = BLUR[1]  # the most Gaussian blur, px
    marks: float = 0.0  # the share written with marks: "18.056", "200.-", "$25" (written_marks)
    cell: bool = False  # small in a register's ruled cell, a scanner's dark border at its edge
    cut: bool = False  # in a register's cell cut out as a crop does (`_in_a_cut_cell`; over `cell`)
    page_turn: float = 0.0  # the most degrees the whole picture, page and border, is turned by
    far: bool = False  # digits far apart (`FAR_GAPS`; not boxed): a 1 alone, as a side is
    perspective: float = 0.0  # --desk: a sheet's far edge up to this share shorter at each end
    small_dots: bool = False  # marks' dots down to a tap of the pen (written_marks.SMALL_DOT)


@dataclass
class Number:
    file: str
    kind: str
    number: str
    boxes: list[list[int]]  # true [left, top, right, bottom] of each digit's ink, input pixels
    text: str = ""  # what is written, marks included ("18.056"), where that is more than `number`


def number_digits(source: str = "mnist", usps_file: Path | None = None):
    """The digits numbers are written with: MNIST's test split, or USPS zip.train's held 30%
    as MNIST-like 28x28 digits (read from `usps_file`, ElemStatLearn's zip.train.RData)."""
    if source == "usps":
        sys.path.append(str(Path(__file__).resolve().parents[2] / "bench" / "build"))  # usps.py
        from usps import held_digits

        return held_digits(usps_file)
    if source == "uci":
        return uci_rest_digits()
    return load_mnist("t10k")  # test digits only: never the training split


def uci_rest_digits() -> tuple[np.ndarray, np.ndarray]:
    """UCI's optical digits (scikit-learn's `load_digits`, 8x8 counts of 43 writers) after the
    first UCI_TUNED, which no part of digitcli was chosen on (`uci-rest` in robustness.py),
    drawn as MNIST draws its digits (`usps.mnist_like`)."""
    from sklearn.datasets import load_digits

    sys.path.append(str(Path(__file__).resolve().parents[2] / "bench" / "build"))  # usps.py
    from usps import mnist_like

    digits = load_digits()
    ink = digits.images[UCI_TUNED:] / 16.0
    return mnist_like(ink), digits.target[UCI_TUNED:].astype(np.uint8)


def filled_digits(x: np.ndarray) -> np.ndarray:
    """Digits (n, h, w) uint8, ink bright, each one's box of ink (pixels FILLED_LEVEL bright
    or more) stretched to fill FILLED_BOX x FILLED_BOX (area-averaged, aspect lost) and
    binarised at FILLED_LEVEL: (n, 16, 16) uint8, ink 255. A blank digit stays blank."""
    out = np.zeros((len(x), FILLED_BOX, FILLED_BOX), np.uint8)
    for i, digit in enumerate(x):
        box = bounds(digit >= FILLED_LEVEL * 255)
        if box is None:
            continue
        crop = Image.fromarray(digit[box])
        cells = np.asarray(crop.resize((FILLED_BOX, FILLED_BOX), Image.Resampling.BOX))
        out[i] = np.where(cells >= FILLED_LEVEL * 255, 255, 0)
    return out


def thin_digits(x: np.ndarray) -> np.ndarray:
    """Digits (n, h, w) uint8, ink bright, drawn with a finer pen: (n, 2h, 2w) uint8."""
    from scipy import ndimage

    radius = math.ceil(THIN_PEN)
    disc = np.hypot(*np.mgrid[-radius : radius + 1, -radius : radius + 1]) <= THIN_PEN
    size = (x.shape[2] * THIN_SCALE, x.shape[1] * THIN_SCALE)
    out = np.zeros((len(x), size[1], size[0]), np.uint8)
    for i, digit in enumerate(x):
        big = np.asarray(Image.fromarray(digit).resize(size, Image.Resampling.BICUBIC))
        thin = ndimage.grey_erosion(big.astype(np.float32), footprint=disc)
        out[i] = np.clip(thin * (255.0 / max(float(thin.max()), 1.0)), 0, 255)
    return out


def styled(x: np.ndarray, style: str) -> tuple[np.ndarray, int]:
    """The digits drawn in `style` and the box their ink fills (see the module's docstring)."""
    if style == "filled":
        return filled_digits(x), FILLED_BOX
    if style == "thin":
        return thin_digits(x), MNIST_BOX * THIN_SCALE
    return x, MNIST_BOX


def add_digit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kinds", nargs="+", choices=ALL_KINDS, default=list(KINDS),
        help="the kinds written, each --per-kind times (all but amount: a cheque's amount, "
        "its zeros often drawn as joined loops; joined: a word joined up, no digit; printed: a "
        "word printed by hand, no digit; barcode: a row of printed bars, no digit)",
    )  # fmt: skip
    parser.add_argument(
        "--digits-from", choices=DIGIT_SOURCES, default="mnist",
        help="MNIST's test digits, USPS zip.train's held 30%% (needs --usps), or UCI's 797 "
        "optical digits never tuned on",
    )  # fmt: skip
    parser.add_argument("--usps", type=Path, help="ElemStatLearn's zip.train.RData")
    parser.add_argument(
        "--style", choices=STYLES, default="plain",
        help="filled: each digit stretched to fill a 16x16 box and binarised; thin: a finer pen",
    )  # fmt: skip
    parser.add_argument(
        "--sheet", type=float, default=1.0,
        help="each number in the middle of paper this many times its picture's height",
    )  # fmt: skip
    parser.add_argument(
        "--desk", choices=tuple(DESK_LEVELS),
        help="each sheet photographed on a desk, askew: darker (a table) or lighter (a lid)",
    )  # fmt: skip
    parser.add_argument(
        "--turn", type=float, default=TURN, help="the most degrees each picture is turned by"
    )
    parser.add_argument(
        "--paper", choices=tuple(RULED_SPACING), help="each number written on ruled paper"
    )
    parser.add_argument(
        "--hand", choices=tuple(HANDS), default="even",
        help="loose: digits' heights vary by 25%% and their tops by 18%% of it (even: 10, 6)",
    )  # fmt: skip
    parser.add_argument(
        "--blur", type=float, default=BLUR[1],
        help=f"the most Gaussian blur a picture gets, px (from {BLUR[0]:g}; {BLUR[1]:g})",
    )  # fmt: skip
    parser.add_argument(
        "--marks", type=float, default=0.0,
        help="the share of numbers written with marks: separators, end marks, a sign (0)",
    )  # fmt: skip
    parser.add_argument(
        "--cell", action="store_true",
        help="each number small in a ruled cell, a scanner's dark border at the picture's edge",
    )  # fmt: skip
    parser.add_argument(
        "--cut-cell", action="store_true",
        help="--cell, the cell cut out as a crop does: sides gone or short, one at the edge",
    )  # fmt: skip
    parser.add_argument(
        "--far", action="store_true",
        help="digits far apart, gaps of 0.7-2 digit heights (boxed numbers as before)",
    )  # fmt: skip
    parser.add_argument(
        "--page-turn", type=float, default=0.0,
        help="the whole picture, page, rules and border, turned by up to this many degrees",
    )  # fmt: skip
    parser.add_argument(
        "--perspective", type=float, default=0.0,
        help="with --desk: each sheet seen from beyond an edge, that edge up to this share of "
        "its length shorter at each end",
    )  # fmt: skip


def checked_digit_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit with a usage error (2) where --digits-from usps has no readable --usps file, or
    --sheet is under 1."""
    if args.sheet < 1.0:
        parser.error(f"--sheet {args.sheet:g}: give 1 (the picture alone) or more")
    if args.perspective and (args.desk is None or not 0.0 < args.perspective < 0.5):
        parser.error("--perspective needs --desk and a share between 0 and 0.5")
    if args.digits_from != "usps":
        if args.usps is not None:
            parser.error("--usps is read only with --digits-from usps")
        return
    if args.usps is None:
        parser.error("--digits-from usps needs --usps PATH (ElemStatLearn's zip.train.RData)")
    if not args.usps.is_file():
        parser.error(f"--usps {args.usps}: no such file")


def make_number_set(
    x: np.ndarray,
    y: np.ndarray,
    out: Path,
    per_kind: int,
    seed: int = 0,
    style: str = "plain",
    look: Look = Look(wide=True),
    kinds: tuple[str, ...] = KINDS,
) -> list[Number]:
    """Write `per_kind` numbers of each of `kinds` into `out` (and labels.jsonl); return them."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    turns = np.random.default_rng([seed, PAGE_TURN_STREAM])  # --page-turn's own draws
    x, box = styled(x, style)
    numbers = []
    for kind in kinds:
        for i in range(per_kind):
            stem = out / f"{kind}-{i:04d}"
            numbers.append(make_number(x, y, kind, stem, rng, box, look, turns))
    with open(out / "labels.jsonl", "w") as f:
        for number in numbers:
            f.write(json.dumps(asdict(number)) + "\n")
    return numbers


def make_number_set_of(args: argparse.Namespace, out: Path) -> list[Number]:
    """`make_number_set` with the options `add_digit_options` (and --per-kind, --seed,
    --narrow) parsed into `args`, written into `out`."""
    x, y = number_digits(args.digits_from, args.usps)
    look = Look(
        wide=not args.narrow, sheet=args.sheet, desk=args.desk, turn=args.turn, paper=args.paper,
        hand=args.hand, blur=args.blur, marks=args.marks, cell=args.cell, cut=args.cut_cell,
        page_turn=args.page_turn, far=args.far, perspective=args.perspective,
    )  # fmt: skip
    kinds = tuple(args.kinds)
    return make_number_set(x, y, out, args.per_kind, args.seed, args.style, look, kinds)


def load_labels(folder: Path) -> list[Number]:
    with open(folder / "labels.jsonl") as f:
        return [Number(**json.loads(line)) for line in f]


def make_number(
    x,
    y,
    kind: str,
    stem: Path,
    rng: np.random.Generator,
    box: int = MNIST_BOX,
    look: Look = Look(),
    turns: np.random.Generator | None = None,
) -> Number:
    """One number of `kind` made from digits `x` (labels `y`), written to `stem` + .png or .jpg,
    written and photographed as `look` says; `box`: the size of the box the digits' ink fills
    in `x` (drawn digit_h high); `turns`: the draws of `look.page_turn` and `look.perspective`
    (default `rng`'s), so that a set turned whole or seen in perspective holds the same pages
    as the set without."""
    wide = look.wide
    count = {"long": rng.integers(7, 11), "boxed": rng.integers(4, 9)}.get(kind, rng.integers(3, 7))
    amount = None
    if kind == "amount":
        count, amount = amounts.plan(rng)
    groups = list(GROUPINGS[rng.integers(len(GROUPINGS))]) if kind == "grouped" else [int(count)]
    picks = rng.integers(0, len(x), sum(groups))
    if amount is not None:  # a first digit that is no 0, and the zeros it ends with
        picks[0] = rng.choice(np.flatnonzero(y != 0))
        picks[-amount.zeros :] = rng.choice(np.flatnonzero(y == 0), amount.zeros)
    height = int(rng.integers(100, 201))
    digit_h = (
        height * rng.uniform(0.45, 0.7) if kind != "boxed" else height * rng.uniform(0.4, 0.55)
    )
    separator = str(rng.choice(SEPARATORS)) if wide and kind == "grouped" else " "
    marks = None
    if look.marks > 0.0 and kind not in ("boxed", *WORDS) and rng.random() < look.marks:
        marks, separator = written_marks.pattern(len(picks), rng), " "
    if amount is not None:
        marks = amount.marks
    if kind in WORDS:  # a word: its letters' place-holders are 0s
        ink, boxes = WORDS[kind].written(digit_h, rng)
        picks, y = np.zeros(len(boxes), int), np.zeros(1, int)
    else:
        ink, boxes = _write(
            x[picks], kind, groups, digit_h, rng, separator, wide, box, look.hand, marks,
            look.far, amount, written_marks.SMALL_DOT if look.small_dots else written_marks.DOT,
        )  # fmt: skip
    slant = rng.uniform(-0.25, 0.25) if rng.random() < 0.5 else 0.0
    ink, boxes = _shear(ink, boxes, slant)
    printed = np.zeros_like(ink)
    if kind == "boxed":  # room for the printed field around the digits
        pad = int(0.3 * digit_h)
        empty = int(rng.integers(0, 4)) if wide else 0
        pitch = (boxes[-1][2] - boxes[0][0]) / len(boxes) if wide else 0.0
        ink = np.pad(ink, ((pad, pad), (pad, pad + int(empty * pitch))))
        printed = np.zeros_like(ink)
        boxes = _moved_boxes(boxes, pad, pad)
        draw = _wide_form_lines if wide else _form_lines
        printed = draw(ink.shape, boxes, digit_h, rng, empty)
    margin_y = max(2, (height - ink.shape[0]) // 2)
    margin_x = int(rng.integers(8, 40))
    ink = np.pad(ink, ((margin_y, margin_y), (margin_x, margin_x)))
    printed = np.pad(printed, ((margin_y, margin_y), (margin_x, margin_x)))
    boxes = _moved_boxes(boxes, margin_x, margin_y)
    angle = rng.uniform(-look.turn, look.turn)
    ink, printed, boxes = _rotate(ink, printed, boxes, angle, room=look.turn > TURN)
    if look.sheet > 1.0:
        ink, printed, boxes = _on_a_sheet(ink, printed, boxes, look.sheet)
    if look.cut:
        ink, printed, boxes = _in_a_cut_cell(ink, printed, boxes, rng)
    elif look.cell:
        ink, printed, boxes = _in_a_cell(ink, printed, boxes, rng)
    ruled = _ruled(ink.shape, digit_h, rng, look.paper) if look.paper is not None else None
    image = _paper(ink, printed, rng, WIDE_PRINTED if wide else PRINTED, ruled, look.blur)
    if look.desk is not None:
        seen = (turns or rng, look.perspective) if look.perspective > 0 else None
        image, boxes = _on_a_desk(image, boxes, rng, DESK_LEVELS[look.desk], seen)
    if look.cell and not look.cut:  # a cut cell is a crop inside the page
        image = _scanner_border(image, boxes, rng)
    if look.page_turn > 0:
        image, boxes = _page_turned(image, boxes, turns or rng, look.page_turn)
    path = _save(image, stem, rng)
    number = "".join(str(int(d)) for d in y[picks])
    text = "".join(m + d for m, d in zip(marks, [*number, ""], strict=True)) if marks else ""
    return Number(path.name, kind, number, boxes, text)


def _write(
    digits,
    kind,
    groups,
    digit_h,
    rng,
    separator=" ",
    wide=False,
    box=MNIST_BOX,
    hand="even",
    marks=None,
    far=False,
    amount: amounts.Amount | None = None,
    dot: tuple[float, float] = written_marks.DOT,
) -> tuple[np.ndarray, list[list[int]]]:
    """The digits' ink coverage (0-1) side by side, and each one's box; `separator` is drawn
    in the gap after each group but the last; `marks` (`written_marks.pattern`) before the
    first digit and after each, in room of their own; `far`: the digits far apart (`FAR_GAPS`);
    `amount`: the zeros an amount ends with drawn as its loops (`amounts.loop`); `dot`: the
    marks' dots' radii (`written_marks.draw_marks`)."""
    size_spread, top_spread = HANDS[hand]
    pieces = []
    for digit in digits:
        crop = Image.fromarray(digit[bounds(digit > 0)])
        scale = digit_h / box * rng.uniform(1 - size_spread, 1 + size_spread)
        size = (max(1, round(crop.width * scale)), max(1, round(crop.height * scale)))
        pieces.append(np.asarray(crop.resize(size, Image.Resampling.BICUBIC), np.float32) / 255)
    gaps = _gaps(kind, groups, digit_h, rng, wide, far)
    rooms = [written_marks.room(m, digit_h) for m in marks] if marks else [0.0] * (len(pieces) + 1)
    if amount is not None and marks[-1] == "/-":
        rooms[-1] = amounts.SLASH_ROOM * digit_h
    gaps = [max(g, 0.05 * digit_h) + r if r else g for g, r in zip(gaps, rooms[1:], strict=False)]
    if amount is not None and amount.drawn:
        _looped(pieces, gaps, amount, marks, digit_h, rng)
    top_jitter = [rng.uniform(-top_spread, top_spread) * digit_h for _ in pieces]
    # each digit's left edge is rounded (up to 0.5 px more a digit); the ink is cropped below
    width = sum(p.shape[1] for p in pieces) + int(sum(max(g, 0) for g in gaps)) + len(pieces) + 4
    width += int(rooms[0] + rooms[-1]) + 2
    height = int(max(p.shape[0] for p in pieces) + 0.15 * digit_h) + 4
    reach = math.ceil(written_marks.REACH * height) if marks else 0  # room for the marks
    ink = np.zeros((height + 2 * reach, width), np.float32)
    boxes, left = [], 2.0 + rooms[0]
    for i, piece in enumerate(pieces):
        h, w = piece.shape
        top = int(round((height - h) / 2 + top_jitter[i]))
        top = reach + min(max(top, 0), height - h)
        col = max(0, int(round(left)))  # a narrow digit overlapped by more than its width
        region = ink[top : top + h, col : col + w]
        np.maximum(region, np.clip(piece, 0, 1), out=region)
        boxes.append([col, top, col + w, top + h])
        left = col + w + (gaps[i] if i < len(gaps) else 0)
    if separator != " ":
        ends = np.cumsum(groups)[:-1] - 1  # the last digit of each group but the last
        for end in ends:
            _separator(ink, separator, boxes[end], boxes[end + 1], digit_h, rng)
    if marks:
        top = min(b[1] for b in boxes)
        bottom = max(b[3] for b in boxes)
        after = [boxes[i][2] for i in range(len(boxes))]
        for i, mark in enumerate(marks):
            if mark:
                start = 2.0 if i == 0 else after[i - 1] + 0.05 * digit_h * (i == len(boxes))
                if amount is not None and mark == "/-" and i == len(boxes):
                    amounts.draw_slash_dash(ink, start, top, bottom, amount, rng)
                    continue
                written_marks.draw_marks(ink, mark, start, top, bottom, rng, dot)
        last = after[-1] + rooms[-1] + 0.05 * digit_h
        return _marks_room_trimmed(ink[:, : min(ink.shape[1], int(last) + 2)], boxes, reach)
    used = int(max(b[2] for b in boxes)) + 2
    return ink[:, :used], boxes


def _marks_room_trimmed(ink: np.ndarray, boxes, reach: int):
    """`ink` less the rows of the marks' room (`reach` above the digits' canvas and below it)
    that no ink reached, 2 px kept beyond the ink; the boxes moved with it. Where the ink
    stays 2 px inside the digits' canvas, that canvas as it was."""
    box = bounds(ink > 0)
    rows = box[0] if box is not None else slice(reach, len(ink) - reach)
    above = min(reach, max(0, rows.start - 2))
    below = min(reach, max(0, len(ink) - 2 - rows.stop))
    return ink[above : len(ink) - below], _moved_boxes(boxes, 0, -above)


def _looped(pieces, gaps, amount: amounts.Amount, marks, digit_h, rng) -> None:
    """An amount's last zeros redrawn in place as loops, those with no mark between them
    joined when `amount.joined` (each loop's stroke reaching into the next one)."""
    last, linked = len(pieces) - 1, False
    for i in range(last - amount.zeros + 1, last + 1):
        if linked:  # the last loop's stroke reaches into this one
            gaps[i - 1] = -0.3 * pieces[i - 1].shape[1]
        linked = amount.joined and i < last and not marks[i + 1]
        closed = marks[-1] == "/-" or rng.random() < 0.5  # the last loop's stroke to its `/`
        tail = linked or (amount.joined and i == last and closed)
        pieces[i] = amounts.loop(digit_h, amount, tail, rng)


def _separator(ink, mark: str, before, after, digit_h, rng) -> None:
    """A "/", "-" or "." in the pen's ink between two digits' boxes, drawn in place."""
    pen = max(2, int(digit_h * rng.uniform(0.08, 0.14)))
    left, right = before[2], after[0]
    middle = (left + right) / 2 + rng.uniform(-0.05, 0.05) * digit_h
    top, bottom = min(before[1], after[1]), max(before[3], after[3])
    with written_marks.pen_on(ink) as draw:
        if mark == "/":
            lean = rng.uniform(0.15, 0.3) * digit_h
            draw.line([(middle - lean, bottom), (middle + lean, top)], fill=255, width=pen)
        elif mark == "-":
            half = rng.uniform(0.15, 0.3) * digit_h
            y = (top + bottom) / 2 + rng.uniform(-0.1, 0.1) * digit_h
            draw.line([(middle - half, y), (middle + half, y)], fill=255, width=pen)
        else:
            r = pen * rng.uniform(0.6, 1.0)
            y = bottom - r - rng.uniform(0, 0.05) * digit_h
            draw.ellipse([middle - r, y - r, middle + r, y + r], fill=255)


def _gaps(kind, groups, digit_h, rng, wide: bool = False, far: bool = False) -> list[float]:
    """The space after each digit but the last (negative: the next digit overlaps it)."""
    count = sum(groups)
    if far and kind != "boxed":
        return list(rng.uniform(*FAR_GAPS, count - 1) * digit_h)
    if kind == "boxed" and wide:  # boxes narrow (digits cross their sides) to wide
        pitch = rng.uniform(0.1, 1.0) * digit_h
        return list(pitch + rng.uniform(-0.05, 0.05, count - 1) * digit_h)
    if kind == "spaced":
        return list(rng.uniform(0.12, 0.6, count - 1) * digit_h)
    if kind == "tight":
        return list(rng.uniform(-0.12, 0.03, count - 1) * digit_h)
    if kind == "long":
        return list(rng.uniform(-0.08, 0.35, count - 1) * digit_h)
    if kind == "boxed":  # digits are centred in boxes later: equal pitch, small jitter
        return list(rng.uniform(0.3, 0.5) * digit_h + rng.uniform(-0.05, 0.05, count - 1) * digit_h)
    gaps = []
    for g, size in enumerate(groups):
        gaps += list(rng.uniform(-0.02, 0.25, size - 1) * digit_h)
        if g < len(groups) - 1:
            gaps.append(rng.uniform(0.6, 1.4) * digit_h)
    return gaps


def _shear(ink, boxes, slant: float):
    """Slant the handwriting: x' = x + slant * (centre_y - y) (positive leans right)."""
    if slant == 0.0:
        return ink, boxes
    h, w = ink.shape
    extra = int(math.ceil(abs(slant) * h / 2)) + 1
    out_w = w + 2 * extra
    cy = h / 2
    image = Image.fromarray(ink, "F")
    # PIL's affine maps output (u, v) to input (a*u + b*v + c, d*u + e*v + f).
    coeffs = (1, slant, -extra - slant * cy, 0, 1, 0)
    sheared = np.asarray(
        image.transform((out_w, h), Image.Transform.AFFINE, coeffs, Image.Resampling.BILINEAR)
    )
    moved = []
    for left, top, right, bottom in boxes:
        xs = [left + slant * (cy - top), left + slant * (cy - bottom)]
        xs += [right + slant * (cy - top), right + slant * (cy - bottom)]
        moved.append([int(min(xs)) + extra, top, int(math.ceil(max(xs))) + extra, bottom])
    return np.clip(sheared, 0, 1), moved


def _form_lines(shape, boxes, digit_h, rng, empty: int = 0) -> np.ndarray:
    """Printed lines (0-1 coverage): a box per digit, a box around the field, or a ruled line."""
    h, w = shape
    image = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(image)
    width = int(rng.integers(1, 4))
    style = rng.choice(["comb", "field", "ruled"], p=[0.5, 0.25, 0.25])
    top = max(0, min(b[1] for b in boxes) - int(rng.uniform(0.05, 0.2) * digit_h))
    bottom = min(h - 1, max(b[3] for b in boxes) + int(rng.uniform(0.05, 0.2) * digit_h))
    left = max(0, boxes[0][0] - int(rng.uniform(0.1, 0.25) * digit_h))
    right = min(w - 1, boxes[-1][2] + int(rng.uniform(0.1, 0.25) * digit_h))
    if style == "ruled":
        y = min(h - 1, max(b[3] for b in boxes) + int(rng.uniform(-0.1, 0.1) * digit_h))
        draw.line([(left, y), (right, y)], fill=255, width=width)
    elif style == "field":
        draw.rectangle([left, top, right, bottom], outline=255, width=width)
    else:
        edges = (
            [left] + [(a[2] + b[0]) // 2 for a, b in zip(boxes, boxes[1:], strict=False)] + [right]
        )
        for x0, x1 in zip(edges, edges[1:], strict=False):
            draw.rectangle([x0, top, x1, bottom], outline=255, width=width)
    return np.asarray(image, np.float32) / 255.0


def _wide_form_lines(shape, boxes, digit_h, rng, empty: int = 0) -> np.ndarray:
    """Printed lines (0-1 coverage) of every style: a box per digit, a comb, a box around the
    field or a ruled line; top and bottom from inside the digits (they cross the lines) to
    well clear of them; `empty` more boxes (or teeth) at the same pitch after the digits."""
    h, w = shape
    image = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(image)
    width = int(rng.integers(1, 4))
    style = rng.choice(["boxes", "comb", "field", "ruled"], p=[0.35, 0.3, 0.15, 0.2])
    top = int(min(b[1] for b in boxes) - rng.uniform(-0.1, 0.35) * digit_h)
    bottom = int(max(b[3] for b in boxes) + rng.uniform(-0.1, 0.35) * digit_h)
    top, bottom = max(0, top), min(h - 1, bottom)
    edges = [(a[2] + b[0]) // 2 for a, b in zip(boxes, boxes[1:], strict=False)]
    pitch = (edges[-1] - edges[0]) / max(1, len(edges) - 1) if len(edges) > 1 else digit_h
    pitch = max(pitch, 0.5 * digit_h)
    left = max(0, int(edges[0] - pitch) if edges else boxes[0][0] - int(0.2 * digit_h))
    right = int(edges[-1] + pitch) if edges else boxes[-1][2] + int(0.2 * digit_h)
    edges = [left, *edges, *(right + int(i * pitch) for i in range(empty + 1))]
    edges = [min(w - 1, e) for e in edges]
    if style == "ruled":
        draw.line([(edges[0], bottom), (edges[-1], bottom)], fill=255, width=width)
    elif style == "field":
        draw.rectangle([edges[0], top, edges[-1], bottom], outline=255, width=width)
    elif style == "comb":
        tick = top + int(rng.uniform(0.3, 0.7) * (bottom - top))
        draw.line([(edges[0], bottom), (edges[-1], bottom)], fill=255, width=width)
        for x in edges:
            draw.line([(x, tick), (x, bottom)], fill=255, width=width)
    else:
        for x0, x1 in zip(edges, edges[1:], strict=False):
            draw.rectangle([x0, top, x1, bottom], outline=255, width=width)
    return np.asarray(image, np.float32) / 255.0


def _rotate(ink, printed, boxes, angle: float, room: bool = False):
    """Turn the whole picture by `angle` degrees (counter-clockwise), boxes included; `room`:
    the picture grows to hold its turned corners (digits at a long line's ends stay in it)."""
    both = [
        Image.fromarray(a, "F").rotate(angle, Image.Resampling.BILINEAR, expand=room)
        for a in (ink, printed)
    ]
    size = ink.shape[::-1]
    return np.asarray(both[0]), np.asarray(both[1]), _turned_boxes(boxes, size, angle, both[0].size)


def _turned_boxes(boxes, size, angle: float, turned_size) -> list[list[int]]:
    """`boxes` in a picture of `size` (w, h) turned by `angle` degrees about its centre into one
    of `turned_size`, centred alike (PIL's rotate, with or without expand)."""
    theta = math.radians(angle)
    (cx, cy), (tx, ty) = (size[0] / 2, size[1] / 2), (turned_size[0] / 2, turned_size[1] / 2)
    turned = []
    for left, top, right, bottom in boxes:
        xs, ys = [], []
        for px, py in ((left, top), (right, top), (left, bottom), (right, bottom)):
            dx, dy = px - cx, py - cy
            xs.append(tx + dx * math.cos(theta) + dy * math.sin(theta))
            ys.append(ty - dx * math.sin(theta) + dy * math.cos(theta))
        turned.append(_bounds(xs, ys))
    return turned


def _bounds(xs, ys) -> list[int]:
    """The box (left, top, right, bottom) in whole pixels around the points (xs, ys)."""
    return [int(min(xs)), int(min(ys)), int(math.ceil(max(xs))), int(math.ceil(max(ys)))]


def _moved_boxes(boxes, dx: int, dy: int) -> list[list[int]]:
    """`boxes` (left, top, right, bottom) moved right by dx and down by dy pixels."""
    return [[b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy] for b in boxes]


def _on_a_desk(
    image: Image.Image, boxes, rng: np.random.Generator, levels=DESK_LEVELS["dark"], seen=None
):
    """The picture as a sheet lying on a desk of grey `levels`, turned by up to DESK_TURN
    degrees, the desk showing on every side (0.25-1.25 of the sheet's height above and below,
    as much left and right); `seen`: (draws, most), the sheet in perspective (`_in_perspective`)."""
    angle = rng.uniform(-DESK_TURN, DESK_TURN)
    sheet = image.convert("RGB").rotate(angle, Image.Resampling.BICUBIC, expand=True)
    shape = Image.new("L", image.size, 255).rotate(angle, Image.Resampling.BICUBIC, expand=True)
    boxes = _turned_boxes(boxes, image.size, angle, sheet.size)
    if seen is not None:
        sheet, shape, boxes = _in_perspective(sheet, shape, boxes, *seen)
    h = image.height
    left, top = (int(h * rng.uniform(0.25, 1.25)) for _ in range(2))
    right, bottom = (int(h * rng.uniform(0.25, 1.25)) for _ in range(2))
    size = (sheet.width + left + right, sheet.height + top + bottom)
    colour = rng.uniform(*levels) * rng.uniform(0.7, 1.1, 3)
    desk = colour + rng.normal(0, rng.uniform(2, 8), (size[1], size[0], 1))
    photo = Image.fromarray(np.clip(desk, 0, 255).astype(np.uint8), "RGB")
    photo.paste(sheet, (left, top), shape)
    return photo, _moved_boxes(boxes, left, top)


def _in_perspective(sheet: Image.Image, shape: Image.Image, boxes, rng, most: float):
    """`sheet` (its `shape` the mask of its paper) seen from beyond one of its four edges,
    picked at random: that edge 0-`most` of its length shorter at each end, a trapezoid in the
    same frame; each of `boxes` the bounds of its corners seen so."""
    w, h = sheet.size
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    first = int(rng.integers(4))  # the edge from corner `first` to the next
    nearer = corners[(first + 1) % 4] - corners[first]
    shift = nearer * np.float32(rng.uniform(0.0, most))
    seen = corners.copy()
    seen[first] += shift
    seen[(first + 1) % 4] -= shift
    view = cv2.getPerspectiveTransform(corners, seen)
    warped = [
        Image.fromarray(cv2.warpPerspective(np.asarray(picture), view, (w, h)))
        for picture in (sheet, shape)
    ]
    moved = []
    for left, top, right, bottom in boxes:
        points = np.float32([[[left, top], [right, top], [right, bottom], [left, bottom]]])
        moved.append(_bounds(*cv2.perspectiveTransform(points, view)[0].T))
    return warped[0], warped[1], moved


def _on_a_sheet(ink, printed, boxes, times: float):
    """The picture's ink and print in the middle of one `times` as high, (times - 1) x its
    height wider: the paper is drawn over all of it."""
    extra = round((times - 1.0) * ink.shape[0] / 2)
    around = ((extra, extra), (extra, extra))
    return np.pad(ink, around), np.pad(printed, around), _moved_boxes(boxes, extra, extra)


def _in_a_cell(ink, printed, boxes, rng: np.random.Generator):
    """The number small in a register's cell: the cell 1.5-3 times its height and wider,
    ruled 1-4 px on every side, the next cells' ruling beyond it on some."""
    h, w = ink.shape
    cell_h, cell_w = int(h * rng.uniform(1.5, 3.0)), int(w * rng.uniform(1.2, 2.2))
    top, left = int(rng.integers(0, cell_h - h + 1)), int(rng.integers(0, cell_w - w + 1))
    beyond = [int(rng.integers(0, 2) * rng.uniform(0.1, 0.5) * h) for _ in range(4)]
    pad = ((beyond[0] + top + 4, beyond[1] + cell_h - h - top + 4),
           (beyond[2] + left + 4, beyond[3] + cell_w - w - left + 4))  # fmt: skip
    ink, printed = np.pad(ink, pad), np.pad(printed, pad)
    pen = int(rng.integers(1, 5))
    rows = (beyond[0], ink.shape[0] - beyond[1] - pen)
    cols = (beyond[2], ink.shape[1] - beyond[3] - pen)
    for at in rows:
        printed[at : at + pen, :] = 1.0
    for at in cols:
        printed[:, at : at + pen] = 1.0
    return ink, printed, _moved_boxes(boxes, pad[1][0], pad[0][0])


def _in_a_cut_cell(ink, printed, boxes, rng: np.random.Generator):
    """The number in a register's cell as a crop cuts it out: the cell a little wider than the
    number, its pen 1-4 px; each side kept (CUT_KEPT), a kept side often short, and at least
    one upright side, at the picture's edge."""
    inked_rows, inked_cols = np.nonzero((ink > 0) | (printed > 0))  # the margins go
    y0, y1 = int(inked_rows.min()), int(inked_rows.max()) + 1
    x0, x1 = int(inked_cols.min()), int(inked_cols.max()) + 1
    ink, printed, boxes = ink[y0:y1, x0:x1], printed[y0:y1, x0:x1], _moved_boxes(boxes, -x0, -y0)
    h, w = ink.shape
    cell_h = int(h * rng.uniform(1.2, 2.0))
    cell_w = w + int(h * rng.uniform(0.2, 1.2))
    top, left = int(rng.integers(0, cell_h - h + 1)), int(rng.integers(0, cell_w - w + 1))
    pen = int(rng.integers(1, 5))
    pad = ((top + pen, cell_h - h - top + pen), (left + pen, cell_w - w - left + pen))
    ink, printed = np.pad(ink, pad), np.pad(printed, pad)
    kept = rng.random(4) < CUT_KEPT  # top, bottom, left, right
    if not kept[2:].any():
        kept[2 + int(rng.integers(0, 2))] = True
    rows, cols = ink.shape
    for side, at in enumerate((0, rows - pen, 0, cols - pen)):
        if not kept[side]:
            continue
        length = (cols, cols, rows, rows)[side]
        start, stop = (int(length * rng.uniform(0.0, CUT_SHORT)) for _ in range(2))
        span = slice(start, length - stop)
        band = slice(at, at + pen)
        printed[(band, span) if side < 2 else (span, band)] = 1.0
    return ink, printed, _moved_boxes(boxes, pad[1][0], pad[0][0])


def _page_turned(image: Image.Image, boxes, rng: np.random.Generator, most: float):
    """The whole picture (page, rules and scanner's border) turned by up to `most` degrees
    about its centre, as a page lying askew on a scanner, and its digits' boxes: the corners
    the turn leaves are a lid's grey (PAGE_LID). `--turn` turns the number alone."""
    angle = rng.uniform(-most, most)
    lid = int(rng.uniform(*PAGE_LID))
    fill = lid if len(image.getbands()) == 1 else (lid,) * len(image.getbands())
    turned = image.rotate(angle, Image.Resampling.BICUBIC, fillcolor=fill)
    return turned, _turned_boxes(boxes, image.size, angle, turned.size)


def _scanner_border(image: Image.Image, boxes, rng: np.random.Generator) -> Image.Image:
    """A scanner's dark border on one or two of the picture's sides, clear of the digits:
    grey levels 0-60, 3-12% of the side across, its edge ragged."""
    pixels = np.asarray(image).copy()
    h, w = pixels.shape[:2]
    ink_box = [min(b[0] for b in boxes), min(b[1] for b in boxes),
               max(b[2] for b in boxes), max(b[3] for b in boxes)]  # fmt: skip
    for side in rng.choice(4, size=int(rng.integers(1, 3)), replace=False):
        across = (h, w, h, w)[side]
        room = (ink_box[1], ink_box[0], h - ink_box[3], w - ink_box[2])[side]
        depth = int(min(room - 2, across * rng.uniform(0.03, 0.12)))
        if depth < 2:
            continue
        ragged = depth + np.round(rng.normal(0, 1.0, (w, h)[side % 2]).cumsum() * 0.3).astype(int)
        ragged = np.clip(ragged, 1, room - 1)
        level = rng.uniform(0, 60)
        for i, reach in enumerate(ragged):
            if side == 0:
                pixels[:reach, i] = level
            elif side == 1:
                pixels[i, :reach] = level
            elif side == 2:
                pixels[h - reach :, i] = level
            else:
                pixels[i, w - reach :] = level
    return Image.fromarray(pixels)


def _ruled(shape, digit_h: float, rng: np.random.Generator, paper: str):
    """Ruled paper's lines (0..1, `shape`), 1-2 px thick: rows, and for "squared" columns."""
    spacing = digit_h * rng.uniform(*RULED_SPACING[paper])
    lines = np.zeros(shape, np.float32)
    for axis in (0, 1) if paper == "squared" else (0,):
        for at in np.arange(rng.uniform(0, spacing), shape[axis], spacing).astype(int):
            band = slice(at, at + 1 + int(rng.random() < 0.3))
            lines[(band, slice(None)) if axis == 0 else (slice(None), band)] = 1.0
    return lines


def _paper(ink, printed, rng, colours=PRINTED, ruled=None, blur=BLUR[1]) -> Image.Image:
    """The ink and print on paper (lighting, texture, noise, a pen's colour; `ruled`: its
    ruled lines), blurred by up to `blur` px."""
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    direction = rng.uniform(0, 2 * math.pi)
    ramp = (xx * math.cos(direction) + yy * math.sin(direction)) / max(h, w)
    paper = rng.uniform(170, 245) + rng.uniform(0, 40) * (ramp - ramp.mean())
    smooth = Image.fromarray(rng.normal(0, 1, (h // 8 + 2, w // 8 + 2)).astype(np.float32), "F")
    texture = np.asarray(smooth.resize((w, h), Image.Resampling.BICUBIC)) * rng.uniform(2, 6)
    paper = paper + texture + rng.normal(0, rng.uniform(1.5, 6), (h, w))
    tint = rng.uniform(0.9, 1.0, 3)
    pen = np.asarray(
        [[25, 25, 30], [30, 40, 130], [20, 60, 150], [60, 60, 60]][rng.integers(4)], np.float32
    )
    pen = pen + rng.normal(0, 8, 3)
    press = colours[rng.integers(len(colours))]
    rgb = paper[..., None] * tint
    if ruled is not None:
        line = np.asarray(RULED_COLOURS[rng.integers(len(RULED_COLOURS))], np.float32)
        rgb = np.minimum(rgb, rgb * (1 - ruled[..., None]) + line * ruled[..., None])
    rgb = rgb * (1 - printed[..., None]) + np.asarray(press, np.float32) * printed[..., None]
    rgb = rgb * (1 - ink[..., None]) + pen * ink[..., None]
    image = Image.fromarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8), "RGB")
    return image.filter(ImageFilter.GaussianBlur(rng.uniform(BLUR[0], blur)))


def _save(image: Image.Image, stem: Path, rng) -> Path:
    """Saved as JPEG half the time, else PNG (grey for 30% of those)."""
    if rng.random() < 0.5:
        path = stem.with_suffix(".jpg")
        image.save(path, "JPEG", quality=int(rng.integers(70, 96)))
    else:
        path = stem.with_suffix(".png")
        (image.convert("L") if rng.random() < 0.3 else image).save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--narrow", action="store_true", help="the sets before the widening")
    add_digit_options(parser)
    args = parser.parse_args(argv)
    checked_digit_options(parser, args)
    numbers = make_number_set_of(args, args.out)
    print(f"wrote {len(numbers)} numbers to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
