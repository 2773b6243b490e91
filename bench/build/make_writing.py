"""Train `digitcli/imaging/writing.tflite`: whether a piece of the ink kept for a digit is
writing or not (a shadow's band, a desk's edge, print, a stain).

    python bench/build/make_writing.py make --scenes 16000 --mnist 5000 --seed 101 \\
        --real REAL --numbers NUMBERS --out PIECES.npz
    python bench/build/make_writing.py make --scenes 0 --shadows 8000 --seed 101 --out SHADOWS.npz
    python bench/build/make_writing.py make --scenes 3000 --seed 120 --out CHECK.npz
    python bench/build/make_writing.py fit --data PIECES.npz --data SHADOWS.npz \\
        --check CHECK.npz --epochs 6 --seed 5 --out writing.keras
    python bench/build/make_writing.py export --model writing.keras --data PIECES.npz \\
        --data SHADOWS.npz --seed 5 --command "THE COMMANDS ABOVE"
    python bench/build/make_writing.py stamp           # record a changed setting's new stamp

(the shipped network: these commands; check sets of seed 120, 3,000 scenes and 1,000 shadows).

`make` finds the ink of each picture as the preparation does (its polarity, background and
`ink.find_strokes`) and keeps the views (`writing.views`) of each piece the rules keep, with
its label: scenes of paper whose strokes are known (`tests/generators/ink_scenes.py`, its
families and, `--shadows`, its shadows; a piece is writing where 30% or more of it lies on
the strokes, none where under 5%, else left out), MNIST's *training* digits enlarged and
blurred onto paper (writing: the network must not take an enlarged soft stroke for a
shadow's band), and the pieces kept on the real set's digits and several-digit pictures and
on the real numbers (`bench/checks/real_pictures.py build`, `real_numbers.py build`;
writing). `fit` trains a small network in chunks of one epoch, saving after each. `export`
writes it as LiteRT with its last bias moved by -ln 9, so that its 0.9 is 0.5
(`writing.writing_pieces` leaves out what it is that sure of), and stamps it (`core/fits.py`)
with its data's hashes, seed and command.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH.parent))
sys.path[:0] = [str(BENCH / kind) for kind in ("build", "checks")]
sys.path.insert(0, str(BENCH.parent / "tests" / "generators"))

import real_numbers  # noqa: E402
import real_pictures  # noqa: E402

from digitcli.core.errors import ImageError  # noqa: E402
from digitcli.core.fits import stamp  # noqa: E402
from digitcli.imaging import writing  # noqa: E402
from digitcli.imaging.background import estimate_background  # noqa: E402
from digitcli.imaging.grayscale import to_gray  # noqa: E402
from digitcli.imaging.ink import find_strokes  # noqa: E402
from digitcli.imaging.opening import open_image  # noqa: E402
from digitcli.imaging.polarity import look  # noqa: E402

import ink_scenes  # noqa: E402

SIDE = 32  # px: each view's side, the network's input
WRITING, NONE = 0, 1  # labels: the network answers the chance of NONE
SHIFT = math.log(9.0)  # the export's bias shift: the network's 0.9 becomes 0.5


def pieces_of(picture: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(flat, labels, stats) of the pieces the rules keep on a grey picture (uint8), found as
    `images.prepare` finds them on paper (no sheet nor scanner's border looked for); None
    where no ink is kept."""
    image = Image.fromarray(picture, "L")
    dark = look(picture, None).dark
    signal = (255 - picture if dark else picture).astype(np.float32)
    found = find_strokes(signal, estimate_background(image, dark))
    if found is None:
        return None
    _, labels, stats, _ = cv2.connectedComponentsWithStats(
        found.kept.view(np.uint8), connectivity=8
    )
    return found.flat, labels, stats


def scene_pieces(
    count: int, seed: int, families: tuple[str, ...] = ink_scenes.FAMILIES
) -> Iterator[tuple[np.ndarray, int]]:
    """(views, label) of the pieces of `count` ink scenes of `seed` and `families`."""
    strokes = ink_scenes.load_strokes()
    for picture, mask, _family in ink_scenes.scenes(count, seed, strokes, families):
        found = pieces_of(picture)
        if found is None:
            continue
        flat, labels, stats = found
        on_strokes = cv2.dilate(mask, np.ones((3, 3), np.uint8)) > 0
        shares = [on_strokes[labels == i].mean() for i in range(1, len(stats))]
        views = writing.views(flat, labels, stats, SIDE)
        for view, share in zip(views, shares, strict=True):
            if share >= 0.3 or share < 0.05:
                yield view, WRITING if share >= 0.3 else NONE


def enlarged_digit(rng: np.random.Generator, digit: np.ndarray) -> np.ndarray:
    """An MNIST digit enlarged and softened onto a picture of paper (dark ink, grey)."""
    side = int(rng.integers(60, 192))
    big = cv2.resize(digit.astype(np.float32), (side, side), interpolation=cv2.INTER_CUBIC)
    big = cv2.GaussianBlur(big, (0, 0), rng.uniform(0.5, side / 40))
    h, w = int(side * rng.uniform(1.0, 1.6)), int(side * rng.uniform(1.0, 1.6))
    paper = np.full((h, w), rng.uniform(150, 245), np.float32)
    top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
    darkness = rng.uniform(0.3, 0.9) * paper[0, 0] / 255.0
    paper[top : top + side, left : left + side] -= np.clip(big, 0, 255) * darkness
    paper += rng.normal(0, rng.uniform(1, 6), paper.shape)
    return np.clip(paper, 0, 255).astype(np.uint8)


def mnist_pieces(count: int, seed: int) -> Iterator[tuple[np.ndarray, int]]:
    """(views, WRITING) of the pieces of `count` enlarged MNIST training digits."""
    rng = np.random.default_rng(seed)
    digits = ink_scenes.load_strokes()
    for index in rng.choice(len(digits), count, replace=False):
        found = pieces_of(enlarged_digit(rng, digits[index]))
        if found is not None:
            for view in writing.views(*found, SIDE):
                yield view, WRITING


def real_files(real: Path | None, numbers: Path | None) -> list[Path]:
    """The built real set's digits and several-digit pictures, and the real numbers."""
    files = []
    if real is not None:
        for picture in real_pictures.read_manifest(real / "real_pictures.csv"):
            if picture.label.isdigit() or picture.label.startswith("several"):
                files.append(real / str(picture.fold) / real_pictures.file_name(
                    picture.repo, picture.path))  # fmt: skip
    if numbers is not None:
        manifest = next(numbers.glob("*.csv"))
        files += [n.file_in(numbers) for n in real_numbers.read_manifest(manifest)]
    return [f for f in files if f.is_file()]


def real_pieces(files: list[Path]) -> Iterator[tuple[np.ndarray, int]]:
    """(views, WRITING) of the pieces the rules keep on real pictures people made."""
    for path in files:
        try:
            picture = np.asarray(to_gray(open_image(path)))
        except ImageError:
            continue
        found = pieces_of(picture)
        if found is not None:
            for view in writing.views(*found, SIDE):
                yield view, WRITING


def make(args: argparse.Namespace) -> None:
    views, labels = [], []
    sources = [scene_pieces(args.scenes, args.seed)]
    if args.shadows:
        sources.append(scene_pieces(args.shadows, args.seed + 2, (ink_scenes.SHADOW,)))
    if args.mnist:
        sources.append(mnist_pieces(args.mnist, args.seed + 1))
    sources.append(real_pieces(real_files(args.real, args.numbers)))
    for source in sources:
        for view, label in source:
            views.append(view.astype(np.float16))
            labels.append(label)
    x, y = np.stack(views), np.array(labels, np.uint8)
    np.savez_compressed(args.out, x=x, y=y, command=" ".join(sys.argv[1:]))
    print(f"{len(y)} pieces, {int((y == NONE).sum())} no writing -> {args.out}")


def network():
    import keras

    inputs = keras.Input((SIDE, SIDE, 6))
    x = inputs
    for filters in (16, 32, 32):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    logit = keras.layers.Dense(1, name="logit")(x)
    return keras.Model(inputs, keras.layers.Activation("sigmoid")(logit))


def fit(args: argparse.Namespace) -> None:
    import keras

    keras.utils.set_random_seed(args.seed)
    parts = [np.load(path) for path in args.data]
    x = np.concatenate([part["x"] for part in parts]).astype(np.float32)
    y = np.concatenate([part["y"] for part in parts]).astype(np.float32)
    model = keras.models.load_model(args.out) if args.out.exists() else network()
    if not args.out.exists():
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"]
        )
    checks = [np.load(path) for path in args.check]
    for epoch in range(args.epochs):  # one epoch a chunk, saved after each
        model.fit(x, y, batch_size=128, epochs=1, shuffle=True, verbose=2)
        model.save(args.out)
        for path, check in zip(args.check, checks, strict=True):
            report(model, check["x"].astype(np.float32), check["y"], f"{path.name} {epoch + 1}")


def report(model, x: np.ndarray, y: np.ndarray, title: str) -> None:
    chance = model.predict(x, batch_size=512, verbose=0)[:, 0]
    for sure in (0.5, 0.9):
        left_out = chance >= sure
        print(f"{title} at {sure}: writing left out {left_out[y == WRITING].mean():.3f}, "
              f"no writing left out {left_out[y == NONE].mean():.3f}")  # fmt: skip


def export(args: argparse.Namespace) -> None:
    import keras
    import tensorflow as tf

    model = keras.models.load_model(args.model)
    layer = model.get_layer("logit")
    kernel, bias = layer.get_weights()
    layer.set_weights([kernel, bias - SHIFT])
    args.out.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    data = {path.name: _digest(path) for path in args.data}
    sources = "tests/generators/ink_scenes.py; MNIST's training digits; the real set, numbers"
    training = {"data": data, "seed": args.seed, "command": args.command, "sources": sources}
    stamp(args.out, ("preparation",), writing.FITS, training)
    print(f"wrote {args.out}: {json.dumps(training)}")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="step", required=True)
    making = commands.add_parser("make")
    making.add_argument("--scenes", type=int, default=8000)
    making.add_argument("--seed", type=int, default=101)
    making.add_argument("--mnist", type=int, default=0, help="enlarged MNIST training digits")
    making.add_argument("--shadows", type=int, default=0, help="ink scenes with a hard shadow")
    making.add_argument("--real", type=Path, help="the built real set")
    making.add_argument("--numbers", type=Path, help="the built real numbers")
    making.add_argument("--out", type=Path, required=True)
    fitting = commands.add_parser("fit")
    fitting.add_argument("--data", type=Path, action="append", required=True)
    fitting.add_argument("--check", type=Path, action="append", default=[])
    fitting.add_argument("--epochs", type=int, default=6)
    fitting.add_argument("--seed", type=int, default=5)
    fitting.add_argument("--out", type=Path, required=True)
    exporting = commands.add_parser("export")
    exporting.add_argument("--model", type=Path, required=True)
    exporting.add_argument("--data", type=Path, action="append", default=[])
    exporting.add_argument("--seed", type=int, default=5)
    exporting.add_argument("--command", default="", help="the commands that made it, recorded")
    exporting.add_argument("--out", type=Path, default=writing.MODEL)
    commands.add_parser("stamp")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    if args.step == "make":
        make(args)
    elif args.step == "fit":
        fit(args)
    elif args.step == "export":
        export(args)
    else:
        stamp(writing.MODEL, ("preparation",), writing.FITS)
        print(f"stamped {writing.MODEL}")


if __name__ == "__main__":
    main()
