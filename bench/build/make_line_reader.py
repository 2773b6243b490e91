"""Train `digitcli/reading/lines.tflite`: the line reader, which reads a whole line of digits
at once.

Numbers are written by `make_numbers.make_number` with *training* digits (the read benchmark
writes its numbers with test digits, or USPS's held 30%), every kind, tight ones twice as
often, half of them in the widened styles (`--wide`: separators in dates, combs), and
`segment.find_line` finds each one's strip (`Line.strips`: the line's ink, 32 px high). A
small convolutional network reads the strip column by column and is trained with CTC
(connectionist temporal classification, as handwriting recognisers are), so it needs no
segmentation: it says how many digits a line holds and which, where touching digits defeat
the cuts. `read` weighs its readings against the segmentation's (`digitcli.reading.lines`).
Each batch is restyled anew (`restyled`: a third of the lines in a thicker pen, a fifth in a
finer one, half slanted).
`--sources` names the digits, each run of kinds from the next: `mnist` (MNIST's training
split), `usps` (USPS zip.train's 70% that may be trained on, `usps.training_digits`; needs
`--usps`), and either `-filled` (each digit stretched to fill a square cell first) or `-thin`
(drawn with a finer pen), as `make_numbers.py --style` draws them.

The shipped model was made in three steps. First on MNIST alone: 30,000 numbers written in 16
parts on 16 cores (`--parts 16`), trained with Keras's torch backend on a GPU (12 epochs,
`--save-weights`; about 25 minutes on 2 cores) and exported with TensorFlow (`--weights`);
validation loss (CTC, -ln P(the true number), on lines as written) 0.167. Then fine-tuned from
those weights on 2 cores (`--start`, 30 minutes), 4 in 9 of its numbers MNIST's, the rest
USPS's training digits and both sources filled or thin:

    python bench/build/make_line_reader.py --start lines.weights.h5 --rate 1e-4 --epochs 3 \
        --numbers 24000 --usps zip.train.RData --sources mnist mnist mnist mnist usps \
        mnist-filled usps-filled mnist-thin usps-thin

(validation loss 0.27, on its own mixed lines). Then fine-tuned again from those weights the
same way, half of the numbers written in a loose hand (`--loose 0.5`: digits of uneven height
and baseline, make_numbers' `--hand loose`; validation loss 0.41 on its own lines):

    python bench/build/make_line_reader.py --start lines.weights.h5 --rate 1e-4 --epochs 3 \
        --numbers 24000 --usps zip.train.RData --loose 0.5 --sources mnist mnist mnist mnist \
        usps mnist-filled usps-filled mnist-thin usps-thin

The reader shipped since 0.9.x was fine-tuned from that one once more (`--start` of its LiteRT
file, the output grown by the marks) on written lines with marks, in a loose hand, in a
register's ruled cell (`--celled`) and with plain 1s three times as often (the `-ones` sources),
and on 7,324 real cells of clinic registers (`bench/build/cell_strips.py`), 6 epochs at 3e-4:
the commands and figures are in docs/measurements/reading-numbers.md, "Round 5". Round 15's
reader is the mean of two fine-tunes of that one (`--weights B C --folded`), with half of
one set of lines written in a register's cell cut out as a crop does (`--cut`: a side at the
picture's edge is no 1) and the real cells twice: "Round 15" there.

`--far S` writes a share S of the numbers with their digits far apart (make_numbers' `--far`),
and the `-strokes` style adds 1s written as one straight stroke (`straight_ones`; `-thin-strokes`
then draws them all with the finer pen); `--kinds` writes only the kinds named (`--kinds boxed`:
form fields, combs among them). The reader shipped since round 29 is the mean of that one and
two fine-tunes of it on such lines beside round 15's (`--weights lines-6c424ed.tflite
ckF.weights.h5 ckJ.weights.h5 --folded`: a `.tflite` is read back as `--start` reads it):
"Round 29" there, with their data and commands; "Round 28", the fine-tunes tried before.

Measured and not kept: without restyling, 40,000
MNIST numbers for 10 epochs, and fine-tuning with a quarter or 40% of MNIST numbers at twice
the rate (about 0.7 points fewer MNIST numbers read exactly), and without the thin pen:
[docs/measurements/experiments.md](../docs/measurements/experiments.md).

Marks (`lines.MARKS`: `. , - = / : '`, a long dash, `~`, `$`) are classes of their own: with
`--marked S` a share S of the numbers is written with them (`make_numbers`' `marks`), each
label the written text (digit d is d + 1, a mark 11 + its place, a letter the last class);
`--small-dots` draws their dots down to a tap of the pen (the shipped reader, round 50, learnt
so to keep the decimal points it dropped: docs/measurements/reading-numbers.md, "Round 50").
The `letters` sources write words instead, as numbers are written but with letters and signs
for digits (`--letters`: `judge_small.py`'s sets of real handwritten letters, as `predict`
makes each a 28x28; Omniglot's characters), each labelled `lines.LETTER`: a line of them is no
number to `read`. The `joined` source writes words joined up instead, drawn by code
(make_numbers' kind `joined`, `tests/generators/joined_words.py`), the `printed` source
words printed by hand in a stroke font (kind `printed`, `tests/generators/printed_words.py`),
and the `barcode` source rows of printed bars (kind `barcode`, `tests/generators/barcodes.py`),
each labelled so too.
`--start lines.tflite`
fine-tunes a shipped LiteRT reader: its weights are read back (batch normalisation folded in,
`from_litert`) and its output grown by the marks and the letters; `--head-only` trains its
output layer alone, `--grown-only` only the classes it was grown by (the shipped reader learnt
its letter class so, round 35: every other weight as it was, digits and marks read as before),
`--letters-only` the letter class alone (a fine-tune's letters, learnt beside the digits, taught
again on their own).
`--checkpoint FILE` saves the weights after each epoch and a run begun again goes on from there;
`--data-only` writes the strips only, `--first-seed` seeds their parts, `--more-data` trains on
more saved strips. The exported reader records this run's command, seed and data in its fits
record (`training`), or `--record FILE`'s. The reader shipped since round 79 is round 50's
fine-tuned once more on its replay sets, a fifth of each batch's lines drawn in a finer pen
(`restyled`), its letter class then taught again alone: its record holds the commands;
docs/measurements/reading-numbers.md, "Round 79", the readers tried beside it. Tried in round
4 and not shipped: docs/measurements/reading-numbers.md.

    python bench/build/make_line_reader.py             # writes digitcli/reading/lines.tflite
    python bench/build/make_line_reader.py --numbers 2000 --out lines-test.tflite --data strips.npz
    python bench/build/make_line_reader.py --weights lines.weights.h5      # export saved weights
    python bench/build/make_line_reader.py --stamp-only     # record a changed setting's new stamp
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from multiprocessing import Pool
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TYPE_CHECKING

import numpy as np

from digitcli.core.fits import stamp
from digitcli.reading.lines import CLASSES, FITS, LETTER, STRIP_SHAPE, SYMBOLS
from digitcli.reading.settings import DEFAULT

if TYPE_CHECKING:
    from digitcli.reading import segment

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / kind) for kind in (".", "build", "checks", "perf")
]
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "generators"))

from make_numbers import (  # noqa: E402
    ALL_KINDS,
    BLUR,
    MNIST_BOX,
    NO_DIGITS,
    WORDS,
    Look,
    Number,
    make_number,
    styled,
)
from make_photos import load_mnist  # noqa: E402

REPO = Path(__file__).resolve().parents[2]

KINDS = ("tight", "tight", "long", "spaced", "grouped", "boxed")
MAX_DIGITS = 16  # labels are padded to this many symbols (digits and marks)
MARKED = 0.0  # the share written with marks (make_numbers' `marks`: "18.056", "200.-")
SEED_BASE = 1000  # the first part's seed (the removed verifier's numbers used 0, 1, ...)
WIDE = 0.5  # the share of numbers written in the widened styles (make_numbers' `wide`)
LOOSE = 0.0  # the share written in a loose hand (make_numbers' `hand`), drawn apart
BLURRED = 0.0  # the share blurred by up to BLURRED_PX (make_numbers' `blur`), drawn apart
BLURRED_PX = 2.5
CELLED = 0.0  # the share written small in a register's ruled cell (make_numbers' `cell`)
CUT = 0.0  # the share in a cell cut out as a crop does (make_numbers' `cut`), drawn apart
FAR = 0.0  # the share written with its digits far apart (make_numbers' `far`), drawn apart
BATCH = 64
SOURCES = tuple(
    f"{name}{style}"
    for style in ("", "-filled", "-thin", "-writers", "-ones", "-strokes", "-thin-strokes")
    for name in ("mnist", "usps")
) + ("letters", "letters-thin", "joined", "printed", "barcode")
WRITERS_SEED = 51  # `-writers`: the one redrawing of a source's digits ...
WRITERS_SHARE = 0.5  # ... of this share of them
STROKES_SEED = 52  # `-strokes`: the one drawing of the straight 1s ...
STROKES_PER_ONE = 2  # ... this many for each 1 of the source
STROKE_TILT = 12.0  # degrees either way from upright
STROKE_PEN = (1.2, 3.0)  # px at 28x28
STROKE_HIGH = (15.0, 20.0)  # px at 28x28 (MNIST's box is 20)
STROKE_FLAGGED = 0.25  # the share with a short flag at the top, as many write a 1
PARTS = 2  # the numbers are written in this many parts, each with its own seed, in parallel


def kept(
    path: Path | None, names: tuple[str, ...], make: Callable[[], tuple[np.ndarray, ...]]
) -> tuple[np.ndarray, ...]:
    """`make()`'s arrays, saved at `path` (.npz, under `names`) when given, or loaded from it
    when it exists."""
    if path and path.exists():
        with np.load(path) as saved:
            return tuple(saved[name] for name in names)
    arrays = make()
    if path:
        np.savez_compressed(path, **dict(zip(names, arrays, strict=True)))
    return arrays


def in_parts(
    work: Callable[[tuple[int, int]], tuple[np.ndarray, ...]],
    count: int,
    parts: int,
    first_seed: int = 0,
) -> tuple[np.ndarray, ...]:
    """`work((seed, share))` for `parts` parts of `count` numbers, seeds `first_seed`, `first_seed
    + 1`, ..., in parallel; each of its arrays joined across the parts."""
    share = -(-count // parts)
    with Pool(min(parts, os.cpu_count() or 1)) as pool:
        done = pool.map(work, [(first_seed + part, share) for part in range(parts)])
    return tuple(np.concatenate(arrays) for arrays in zip(*done, strict=True))


def is_wide(index: int, kinds: int, share: float) -> bool:
    """Whether number `index` is written wide: of each run of `kinds` numbers (every kind once),
    a `share` of the runs, spread evenly."""
    run = index // kinds
    return math.floor((run + 1) * share) > math.floor(run * share)


def training_digits(source: str, usps_file: Path | None = None, letters: tuple[Path, ...] = ()):
    """The digits numbers are written with for `source` (SOURCES): MNIST's training split, or
    USPS zip.train's 70% that may be trained on (`usps.training_digits`), as drawn, `-filled`
    or `-thin` (make_numbers' `--style`): (x, y, the box their ink fills). `letters`: no
    digits but letters and signs (`letter_glyphs`), written as words."""
    name, _, style = source.partition("-")
    if name in WORDS:  # drawn by code: words joined up or printed, barcodes (make_numbers' kinds)
        return *NO_DIGITS, MNIST_BOX
    if name == "letters":
        x, y = letter_glyphs(letters)
    elif name == "usps":
        from usps import training_digits as usps_training

        if usps_file is None:
            raise SystemExit(
                "--sources usps... needs --usps PATH (ElemStatLearn's zip.train.RData)"
            )
        x, y = usps_training(usps_file)
    else:
        x, y = load_mnist("train")
    if style == "ones":  # plain 1s three times as often: a lone stroke is a 1, not a cell's side
        ones = y == 1
        x, y = np.concatenate([x, x[ones], x[ones]]), np.concatenate([y, y[ones], y[ones]])
        style = "plain"
    if style.endswith("strokes"):  # 1s as one straight stroke too (`-thin-strokes`: then thin)
        drawn = straight_ones(STROKES_PER_ONE * int((y == 1).sum()))
        x, y = np.concatenate([x, drawn]), np.concatenate([y, np.ones(len(drawn), y.dtype)])
        style = style.removesuffix("strokes").rstrip("-") or "plain"
    if style == "writers":
        from digitcli.training.augment import writers_augment

        x = writers_augment(x, np.random.default_rng(WRITERS_SEED), WRITERS_SHARE, labels=y)
        style = "plain"
    x, box = styled(x, style or "plain")
    return x, y, box


def letter_glyphs(files: tuple[Path, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The 28x28 letters and signs of `files` (`judge_small.py`'s sets, as `predict` prepares a
    picture: white on black, the ink in a 20 px box): their `made` labelled not a digit (1), or
    an Omniglot set's `train`; each labelled 0, a place-holder (a word's label is all LETTER)."""
    if not files:
        raise SystemExit("--sources letters needs --letters NPZ... (judge_small.py's sets)")
    glyphs = []
    for file in files:
        with np.load(file) as saved:
            glyphs.append(
                saved["train"] if "train" in saved else saved["made"][saved["labels"] == 1]
            )
    x = np.concatenate(glyphs)
    return x, np.zeros(len(x), np.uint8)


def straight_ones(count: int) -> np.ndarray:
    """`count` 1s written as one straight stroke (28x28 uint8, white on black, as MNIST's):
    `STROKE_HIGH` px high, turned up to `STROKE_TILT` degrees, a pen `STROKE_PEN` px wide, a
    `STROKE_FLAGGED` share with a short flag at the top; drawn 8 times larger, then shrunk."""
    import cv2

    rng, scale = np.random.default_rng(STROKES_SEED), 8
    drawn = np.zeros((count, 28, 28), np.uint8)
    for i in range(count):
        big = np.zeros((28 * scale, 28 * scale), np.uint8)
        high, tilt = rng.uniform(*STROKE_HIGH), np.radians(rng.uniform(-STROKE_TILT, STROKE_TILT))
        dx, dy = 0.5 * high * np.sin(tilt), 0.5 * high * np.cos(tilt)
        top, bottom = (14 + dx, 14 - dy), (14 - dx, 14 + dy)
        pen = max(1, round(rng.uniform(*STROKE_PEN) * scale))
        ends = [(top, bottom)]
        if rng.random() < STROKE_FLAGGED:
            flag = 0.3 * high
            ends.append((top, (top[0] - flag * 0.8, top[1] + flag * 0.6)))
        for start, end in ends:
            points = [tuple(int(round(v * scale)) for v in point) for point in (start, end)]
            cv2.line(big, points[0], points[1], 255, pen, cv2.LINE_AA)
        drawn[i] = cv2.resize(big, (28, 28), interpolation=cv2.INTER_AREA)
    return drawn


@dataclass(frozen=True)
class Writing:
    """How the training numbers are written: `kinds` in turn, each run of kinds from the next
    of `sources` (`training_digits`; `usps_file` and `letters` where they need them), a `wide`
    share in the widened styles, a `loose` share in a loose hand, a `blurred` share blurred
    by up to BLURRED_PX, a `marked` share with marks (`small_dots`: their dots down to a tap of
    the pen), a `celled` share in a ruled cell, a `cut` share in a cut-out one and a `far`
    share with their digits far apart, each share drawn by a generator of its own."""

    kinds: tuple[str, ...] = KINDS
    sources: tuple[str, ...] = ("mnist",)
    usps_file: Path | None = None
    letters: tuple[Path, ...] = ()
    wide: float = WIDE
    loose: float = LOOSE
    blurred: float = BLURRED
    marked: float = MARKED
    celled: float = CELLED
    cut: float = CUT
    far: float = FAR
    small_dots: bool = False


def written_numbers(
    seed: int, count: int, writing: Writing
) -> Iterator[tuple[Number, segment.Line]]:
    """`count` numbers written with training digits as `writing` says, each with the line
    `segment.find_line` finds in it."""
    from digitcli.imaging.images import open_image
    from digitcli.reading.segment import find_line

    kinds, sources = writing.kinds, writing.sources
    loaded = {
        source: training_digits(source, writing.usps_file, writing.letters)
        for source in dict.fromkeys(sources)
    }
    digits = [loaded[source] for source in sources]  # a source named twice is loaded once
    seeds = (seed, [seed, 1], [seed, 2], [seed, 3], [seed, 4])
    rng, hands, focus, ruled, cropped = (np.random.default_rng(seed_) for seed_ in seeds)
    spread = np.random.default_rng([seed, 5])
    with TemporaryDirectory(prefix="digitcli-numbers-") as tmp:
        for i in range(count):
            source = source_of(i, kinds, sources)
            x, y, box = digits[source]
            look = Look(
                wide=is_wide(i, len(kinds), writing.wide),
                hand="loose" if hands.random() < writing.loose else "even",
                blur=BLURRED_PX if focus.random() < writing.blurred else BLUR[1],
                marks=writing.marked,
                cell=ruled.random() < writing.celled,
                cut=cropped.random() < writing.cut,
                far=spread.random() < writing.far,
                small_dots=writing.small_dots,
            )
            kind = sources[source] if sources[source] in WORDS else kinds[i % len(kinds)]
            number = make_number(x, y, kind, Path(tmp) / f"n{i}", rng, box, look)
            yield (
                number,
                find_line(open_image(Path(tmp) / number.file, max_side=DEFAULT.work_width)),
            )


def strips(task: tuple[int, int], writing: Writing) -> tuple[np.ndarray, np.ndarray]:
    """Strips and padded labels for `count` numbers written as `writing` says: digit d is
    d + 1, a mark 11 + its place in `lines.MARKS`, a letter of a word the last class
    (`lines.LETTER`); 0 is CTC's blank."""
    seed, count = task
    found, labels = [], []
    for i, (number, line) in enumerate(written_numbers(seed, count, writing)):
        if line.strips is None or len(line.strips) != 1:  # a line longer than one strip
            continue
        text = number.text or number.number
        source = writing.sources[source_of(i, writing.kinds, writing.sources)]
        words = source.startswith(("letters", *WORDS))
        found.append(line.strips[0])
        labels.append(label_of(as_word(text) if words else text))
    return np.stack(found), np.stack(labels)


def source_of(index: int, kinds: tuple[str, ...], sources: tuple[str, ...]) -> int:
    """Which of `sources` number `index` is written with: each run of kinds from the next."""
    return (index // len(kinds)) % len(sources)


def as_word(text: str) -> str:
    """A word's text: each of its letters (written as a number's digits are) LETTER."""
    return "".join(LETTER if symbol.isdigit() else symbol for symbol in text)


def label_of(text: str) -> np.ndarray:
    """A number's (or a word's) written text as CTC's padded label."""
    label = np.zeros(MAX_DIGITS, np.int32)
    symbols = [1 + SYMBOLS.index(c) for c in text][:MAX_DIGITS]
    label[: len(symbols)] = symbols
    return label


def written(
    count: int, writing: Writing, parts: int = PARTS, first_seed: int = SEED_BASE
) -> tuple[np.ndarray, np.ndarray]:
    """`strips` of `count` numbers written as `writing` says, in `parts` parts seeded from
    `first_seed` on (`in_parts`)."""
    return in_parts(partial(strips, writing=writing), count, parts, first_seed)


def network(shape: tuple[int, int], classes: int = CLASSES, folded: bool = False):
    """The line reader; `folded`: each convolution's batch normalisation folded into its
    weights and bias, as a LiteRT export holds them (`from_litert`)."""
    import keras
    from keras import layers

    def conv(x, filters):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=folded)(x)
        return layers.ReLU()(x if folded else layers.BatchNormalization()(x))

    pixels = keras.Input((*shape, 1), dtype="uint8")
    x = layers.Rescaling(1 / 255)(pixels)
    x = layers.MaxPooling2D(2)(conv(x, 32))  # 16 x W/2
    x = layers.MaxPooling2D(2)(conv(x, 48))  # 8 x W/4
    x = layers.MaxPooling2D((2, 1))(conv(x, 64))  # 4 x W/4
    x = conv(x, 64)
    x = layers.Permute((2, 1, 3))(x)  # columns first
    x = layers.Reshape((shape[1] // 4, 4 * 64))(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    for _ in range(2):
        x = layers.Conv1D(128, 5, padding="same", activation="relu")(x)
        x = layers.Dropout(0.2)(x)
    logits = layers.Dense(classes)(x)  # blank, digits 0-9, the marks, a letter
    return keras.Model(pixels, logits)


def from_litert(path: Path, classes: int = CLASSES):
    """The folded network (`network(folded=True)`) with the weights of a shipped LiteRT line
    reader (`lines.tflite`, exported from either network), its output grown to `classes`: a new
    class starts as unlikely as the old blank made 50 times less likely, its weights small and
    random."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    named = {}
    for detail in interpreter.get_tensor_details():
        if detail["dtype"] == np.float32 and len(detail["shape"]) in (1, 2, 4):
            try:
                named[detail["name"]] = interpreter.get_tensor(detail["index"])
            except ValueError:
                continue

    def find(*parts: str, dims: int) -> np.ndarray:
        hits = [v for k, v in named.items() if all(p in k for p in parts) and v.ndim == dims]
        return [h for h in hits if h.shape[0] > 1][0] if len(hits) > 1 else hits[0]

    model = network(STRIP_SHAPE, classes, folded=True)
    folded_export = not any("batch_normalization" in name for name in named)  # no norms left
    weights = []
    convs = (("conv2d_1/", "batch_normalization_1/"), ("conv2d_1_2/", "batch_normalization_1_2/"),
             ("conv2d_2_1/", "batch_normalization_2_1/"),
             ("conv2d_3_1/", "batch_normalization_3_1/"))  # fmt: skip
    for conv, norm in convs:
        kernel = find(conv + "convolution", dims=4).transpose(1, 2, 3, 0)
        if not weights:  # the export folded the input's rescaling into the first kernel too
            kernel = kernel * 255.0
        weights += [kernel, find(conv + "BiasAdd" if folded_export else norm, "Relu", dims=1)]
    weights += [find("dense_1/Tensordot/MatMul", dims=2).T, find("dense_1/BiasAdd", dims=1)]
    for conv1d in ("conv1d_1/", "conv1d_1_2/"):
        weights += [find(conv1d + "convolution", dims=4)[:, 0].transpose(1, 2, 0),
                    find(conv1d + "Relu", dims=1)]  # fmt: skip
    out_kernel = find("dense_1_2/Tensordot/MatMul", dims=2).T
    out_bias = find("dense_1_2/BiasAdd", dims=1)
    rng = np.random.default_rng(0)
    grown = rng.normal(0, 0.01, (out_kernel.shape[0], classes)).astype(np.float32)
    grown[:, : out_kernel.shape[1]] = out_kernel
    bias = np.full(classes, out_bias[0] - np.log(50), np.float32)
    bias[: len(out_bias)] = out_bias
    model.set_weights([*weights, grown, bias])
    return model


def restyled(strip: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A strip as another pen or hand might have written it: a third of them thicker (a 2x2
    or 3x3 grey dilation), a fifth finer (a 1x2 grey erosion: a fine pen's photographed
    strokes, a plain 1's among them, are narrower in the strip than nearly every line written
    here, and were no digit to a reader only ever shown thicker pens), half slanted (a shear
    of up to 0.4 about the middle row)."""
    from scipy import ndimage

    pen = rng.random()
    if pen < 0.35:
        strip = ndimage.grey_dilation(strip, size=(2, 2) if pen < 0.25 else (3, 3))
    elif pen < 0.55:
        strip = ndimage.grey_erosion(strip, size=(1, 2))
    if rng.random() < 0.5:
        shear, middle = rng.uniform(-0.4, 0.4), strip.shape[0] / 2
        slant = np.array([[1.0, 0.0], [shear, 1.0]])  # column read from: c + shear * (r - middle)
        strip = ndimage.affine_transform(strip, slant, offset=(0.0, -shear * middle), order=1)
    return strip


def train(
    x: np.ndarray,
    y: np.ndarray,
    epochs: int,
    seed: int = 0,
    start: Path | None = None,
    rate: float = 1e-3,
    checkpoint: Path | None = None,
    folded: bool = False,
    head_only: bool = False,
    grown_only: bool = False,
    letters_only: bool = False,
):
    """The network trained with CTC on the first 90% of the strips, each batch restyled anew,
    validated on the last 10% as written; from the weights `start` where given (fine-tuning:
    Keras weights, or a LiteRT line reader, its output grown by `from_litert`), its learning
    rate warmed up from `rate` to twice it, then decayed. After each epoch the weights are
    saved at `checkpoint` (and the epochs done beside it); a run begun again with the same
    arguments goes on from there (Adam's moments begin anew). `grown_only`: only the classes
    the LiteRT `start`'s output was grown by learn (`GrownOnly`); every other weight stays.
    `letters_only`: the same for the letter class alone (the output's last), one the reader
    already has: a letter class learnt beside the digits is taught again on its own."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    held = len(x) // 10
    taught, labels = x[:-held], y[:-held]

    class Batches(keras.utils.PyDataset):
        def __init__(self) -> None:
            super().__init__()
            self.rng = np.random.default_rng(seed)
            self.order = self.rng.permutation(len(taught))

        def __len__(self) -> int:
            return len(taught) // BATCH

        def __getitem__(self, step: int):
            chosen = self.order[step * BATCH : (step + 1) * BATCH]
            strips = np.stack([restyled(strip, self.rng) for strip in taught[chosen]])
            return strips[..., None], labels[chosen]

        def on_epoch_end(self) -> None:
            self.order = self.rng.permutation(len(taught))

    keras.utils.set_random_seed(seed)
    litert = start is not None and start.suffix == ".tflite"
    model = from_litert(start) if litert else network(x.shape[1:], folded=folded)
    if start is not None and not litert:
        model.load_weights(start)
    if head_only:  # only the output layer learns: the digits' features stay as they were
        for layer in model.layers[:-1]:
            layer.trainable = False
    done_file = checkpoint.with_suffix(".done") if checkpoint else None
    done = int(done_file.read_text()) if done_file and done_file.exists() else 0
    if done:
        model.load_weights(checkpoint)
        print(f"resumed from {checkpoint} after {done} epochs")
    grown = None  # or only the output's classes from `known` on learn (`GrownOnly`)
    if letters_only:
        grown = GrownOnly(model, known=CLASSES - 1)
    elif grown_only and litert:
        grown = GrownOnly(model, known=classes_of(start))
    taught_model = grown.model if grown else model
    per_epoch = len(taught) // BATCH
    steps = epochs * per_epoch
    schedule = keras.optimizers.schedules.CosineDecay(rate, steps, warmup_target=2 * rate,
                                                       warmup_steps=steps // 20)  # fmt: skip
    taught_model.compile(keras.optimizers.Adam(schedule), keras.losses.CTC())
    taught_model.optimizer.build(taught_model.trainable_variables)
    taught_model.optimizer.iterations.assign(done * per_epoch)

    class Saved(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None) -> None:
            if grown:
                grown.merge()
            if checkpoint is not None:
                model.save_weights(checkpoint)
                done_file.write_text(str(epoch + 1))

    taught_model.fit(Batches(), epochs=epochs, initial_epoch=done, callbacks=[Saved()],
                     validation_data=(x[-held:, ..., None], y[-held:]), verbose=2)  # fmt: skip
    return model


def classes_of(path: Path) -> int:
    """How many classes a LiteRT line reader's output has."""
    from ai_edge_litert.interpreter import Interpreter

    return int(Interpreter(model_path=str(path)).get_output_details()[0]["shape"][-1])


class GrownOnly:
    """`network`'s model `whole` taught only its output's classes from `known` on (those its
    output was grown by): `model` shares every layer of `whole` but the output, all frozen, and
    computes the output as two layers, the first `known` classes' (frozen, as they were) and the
    rest's (learnt); `merge` writes both back into `whole`'s output. The digits and marks are
    read as before wherever the new classes are unlikely."""

    def __init__(self, whole, known: int) -> None:
        import keras
        from keras import layers

        self.whole = whole
        kernel, bias = whole.layers[-1].get_weights()
        for layer in whole.layers:
            layer.trainable = False
        self.kept, self.new = layers.Dense(known, trainable=False), layers.Dense(len(bias) - known)
        features = whole.layers[-1].input
        logits = layers.Concatenate()([self.kept(features), self.new(features)])
        self.model = keras.Model(whole.input, logits)
        self.kept.set_weights([kernel[:, :known], bias[:known]])
        self.new.set_weights([kernel[:, known:], bias[known:]])

    def merge(self) -> None:
        (kept, kept_bias), (new, new_bias) = self.kept.get_weights(), self.new.get_weights()
        self.whole.layers[-1].set_weights(
            [np.concatenate([kept, new], axis=1), np.concatenate([kept_bias, new_bias])]
        )


def trained(weights: list[Path], folded: bool = False):
    """The network with weights saved by `--save-weights` or `--checkpoint` (on any Keras
    backend), or read back from a LiteRT reader (`.tflite`, as `--start` reads it; folded);
    given several files (fine-tunes of one network), the mean of their weights."""
    model = network(STRIP_SHAPE, folded=folded)
    every = []
    for path in weights:
        if Path(path).suffix == ".tflite":
            every.append(from_litert(path).get_weights())
            continue
        model.load_weights(path)
        every.append(model.get_weights())
    model.set_weights([np.mean(layer, axis=0) for layer in zip(*every, strict=True)])
    return model


def export(model, out: Path, training: dict | None = None) -> None:
    import keras
    import tensorflow as tf

    probabilities = keras.Sequential([model, keras.layers.Softmax()])
    spec = tf.TensorSpec((None, *model.input_shape[1:]), tf.uint8)
    function = tf.function(lambda pixels: probabilities(pixels, training=False))
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [function.get_concrete_function(spec)]
    )
    out.write_bytes(converter.convert())
    stamp(out, ("preparation", "segmentation"), FITS, training)


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=30000, help="numbers to write (30000)")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--wide", type=float, default=WIDE, help="share written wide (0.5)")
    parser.add_argument("--loose", type=float, default=LOOSE, help="share in a loose hand (0)")
    parser.add_argument("--blurred", type=float, default=BLURRED, help="share blurred more (0)")
    parser.add_argument("--celled", type=float, default=CELLED, help="share in a ruled cell (0)")
    parser.add_argument(
        "--cut", type=float, default=CUT, help="share in a cell cut out as a crop does (0)"
    )
    parser.add_argument(
        "--far", type=float, default=FAR, help="share with its digits far apart (0)"
    )
    parser.add_argument("--marked", type=float, default=MARKED, help="share with marks (0)")
    parser.add_argument(
        "--small-dots", action="store_true",
        help="the marks' dots drawn down to a tap of the pen (make_numbers' `small_dots`)",
    )  # fmt: skip
    parser.add_argument(
        "--kinds", nargs="+", choices=sorted(ALL_KINDS), default=list(KINDS),
        help="the kinds of numbers written, in turn (tight twice, long, spaced, grouped, boxed)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="training's seed (0)")
    parser.add_argument("--checkpoint", type=Path, help="save weights here each epoch; resume")
    parser.add_argument(
        "--folded",
        action="store_true",
        help="--weights/--start are the folded network's (tuned from a .tflite)",
    )
    parser.add_argument("--parts", type=int, default=PARTS, help="parts (seeds) written at once")
    parser.add_argument(
        "--sources", nargs="+", choices=SOURCES, default=["mnist"],
        help="the training digits numbers are written with, in turn (mnist)",
    )  # fmt: skip
    parser.add_argument("--usps", type=Path, help="ElemStatLearn's zip.train.RData")
    parser.add_argument(
        "--letters", type=Path, nargs="+", default=[],
        help="judge_small.py's sets of letters and signs (.npz) `letters` writes words with",
    )  # fmt: skip
    parser.add_argument(
        "--start", type=Path, help="fine-tune these Keras weights, or a .tflite line reader's"
    )
    parser.add_argument("--rate", type=float, default=1e-3, help="learning rate (1e-3)")
    parser.add_argument("--data", type=Path, help="save (or reuse) the strips here (.npz)")
    parser.add_argument("--data-only", action="store_true", help="only write --data's strips")
    parser.add_argument("--head-only", action="store_true", help="train the output layer only")
    parser.add_argument(
        "--grown-only", action="store_true",
        help="train only the classes --start's .tflite output is grown by (the letters)",
    )  # fmt: skip
    parser.add_argument(
        "--letters-only", action="store_true",
        help="train only the letter class, every other weight kept (--start's letters taught "
        "again alone)",
    )  # fmt: skip
    parser.add_argument(
        "--more-data", type=Path, nargs="+", default=[],
        help="also train on the strips saved in these (.npz, by --data)",
    )  # fmt: skip
    parser.add_argument(
        "--first-seed", type=int, default=SEED_BASE,
        help=f"the seed of the first part of the numbers written ({SEED_BASE})",
    )  # fmt: skip
    parser.add_argument("--save-weights", type=Path, help="also save the Keras weights here")
    parser.add_argument(
        "--weights", type=Path, nargs="+",
        help="export these Keras weights or LiteRT readers (several: fine-tunes of one network, "
        "averaged; a .tflite read back as --start reads it, with --folded)",
    )  # fmt: skip
    parser.add_argument(
        "--stamp-only", action="store_true",
        help="only record this digitcli's versions in --out (after a setting changed that the "
        "strips it was trained on do not depend on); no training",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=REPO / "digitcli" / "reading" / "lines.tflite")
    parser.add_argument(
        "--record", type=Path,
        help="a JSON file: how the network was made (data, seed, commands), recorded in --out "
        "instead of this run's own",
    )  # fmt: skip
    return parser


def main(argv: list[str] | None = None) -> int:
    args = arguments().parse_args(argv)
    if args.stamp_only:
        stamp(args.out, ("preparation", "segmentation"), FITS)
        print(f"stamped {args.out}")
        return 0
    record = json.loads(args.record.read_text()) if args.record else None
    if args.weights:
        export(trained(args.weights, args.folded), args.out, record)
        print(f"wrote {args.out}")
        return 0
    x, y = kept(
        args.data,
        ("x", "y"),
        lambda: written(args.numbers, writing(args), args.parts, args.first_seed),
    )
    if args.data_only:
        print(f"wrote {len(x)} lines to {args.data}")
        return 0
    for more in args.more_data:
        with np.load(more) as saved:
            x, y = np.concatenate([saved["x"], x]), np.concatenate([saved["y"], y])
    letters = int((y == CLASSES - 1).sum())
    print(f"{len(x)} lines, {int((y > 0).sum())} symbols, {int((y > 10).sum()) - letters} marks, "
          f"{letters} letters")  # fmt: skip
    model = train(
        x, y, args.epochs, args.seed, args.start, args.rate, args.checkpoint, args.folded,
        args.head_only, args.grown_only, args.letters_only,
    )  # fmt: skip
    if args.save_weights:
        model.save_weights(args.save_weights)
    export(model, args.out, record or this_run(argv, args, len(x)))
    print(f"wrote {args.out}")
    return 0


def writing(args: argparse.Namespace) -> Writing:
    """How the command line says the numbers are written."""
    return Writing(
        kinds=tuple(args.kinds), sources=tuple(args.sources), usps_file=args.usps,
        letters=tuple(args.letters), wide=args.wide, loose=args.loose, blurred=args.blurred,
        marked=args.marked, celled=args.celled, cut=args.cut, far=args.far,
        small_dots=args.small_dots,
    )  # fmt: skip


def this_run(argv: list[str] | None, args: argparse.Namespace, lines: int) -> dict:
    """The training record of this run (`core.fits`' "training"): its command, seed and data."""
    words = sys.argv[1:] if argv is None else argv
    return {
        "command": "python bench/build/make_line_reader.py " + " ".join(words),
        "seed": args.seed,
        "data": f"{lines} lines of numbers ({', '.join(dict.fromkeys(args.kinds))}) written by "
        "tests/generators/make_numbers.py with the training "
        f"digits of {', '.join(dict.fromkeys(args.sources))}, parts seeded from "
        f"{args.first_seed}; {args.marked:g} with marks"
        + (" (dots down to a tap of the pen)" if args.small_dots else "")
        + f", {args.loose:g} in a loose hand, "
        f"{args.celled:g} in a ruled cell, {args.cut:g} in a cut-out one, {args.far:g} with its "
        "digits far apart"
        + "".join(f"; words written with the letters of {file.name}" for file in args.letters)
        + "".join(f"; and the strips saved in {more.name}" for more in args.more_data),
    }


if __name__ == "__main__":
    raise SystemExit(main())
