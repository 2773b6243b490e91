"""Train `digitcli/imaging/colours.tflite`: whether a colour picture the grey first look takes
for writing is a photo of a thing, from its colours (`colours.features`) and that look's answer.

    python bench/build/make_colours.py make --real REAL --real NUMBERS --things PHOTOS --out V.npz
    python bench/build/make_colours.py fit --data V.npz --out colours.tflite
    python bench/build/make_colours.py check [--model M] --things PHOTOS --writing SET ...

`make` opens each picture as `predict` does (`open_image`: its colours measured while it is
decoded) and keeps its colours with the grey network's chances (`polarity.chances`):
- writing (0): the colour pictures of the real development sets (`--real`: the folders
  `bench/checks/real_pictures.py build` and `real_numbers.py build` write; not the check sets
  `real_photos`, `pen_photos`, `paper_photos`) but those of no digit (`nondigit`), each also
  TINTS times under a light of another colour (`tinted`: a lamp's warm light, a cool one) and
  once on a sheet of coloured paper (`on_coloured_paper`: a sticky note of any hue); and
  `--made` photos and numbers made of MNIST's training digits (`made_writing`), each also on
  coloured paper;
- things (1): the photos of things `make_polarity.py` learns from (`thing_photos`: ImageNet's
  sample, every fifth kept out for `check`, those holding writing left out).
`fit` trains a logistic regression (one softmax layer over the features, standardised; the
writing weighing `--writing-weight`: a page refused as a thing costs more than a thing
answered) and writes it converted to LiteRT, stamped by `core/fits.py` with its data's digest,
its seed and its command. `check` counts the kept-out photos of things taken for things (by
the grey network alone and with the colours) and, per `--writing` folder (any folder of
pictures of writing, searched recursively), the pictures taken for things.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH / "build"))
sys.path.insert(0, str(BENCH.parent / "tests" / "generators"))

from make_polarity import command, split_photos, thing_photos  # noqa: E402
from real_pictures import file_name  # noqa: E402

from digitcli.core.fits import stamp  # noqa: E402
from digitcli.imaging import colours, polarity  # noqa: E402
from digitcli.imaging.grayscale import to_gray  # noqa: E402
from digitcli.imaging.opening import open_image  # noqa: E402
from digitcli.imaging.settings import tuned  # noqa: E402

TINTS = 2  # tinted copies of each picture of writing
PICTURES = (".png", ".jpg", ".jpeg", ".bmp")
WRITING, THING = colours.WRITING, colours.THING


def weighed(path: Path) -> np.ndarray | None:
    """What `colours.thing` weighs for the picture at `path`, as `predict` opens it: the grey
    network's chances, then its colours; None for a grey picture (the network alone answers)."""
    image = open_image(path)
    seen = image.info.get(colours.INFO)
    if seen is None:
        return None
    return np.concatenate([chances(image), seen])


def chances(image) -> np.ndarray:
    return polarity.chances(np.asarray(to_gray(image, tuned().work_size))).astype(np.float32)


def tinted(path: Path, rng: np.random.Generator) -> np.ndarray:
    """The colours of the picture at `path` under a light of another colour: each channel
    scaled by its own gain (0.75-1.25, a lamp's or a tinted sheet's cast)."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    gains = rng.uniform(0.75, 1.25, 3)
    return colours.features(np.clip(bgr * gains, 0, 255).astype(np.uint8))


def on_coloured_paper(path: Path, rng: np.random.Generator) -> np.ndarray:
    """The colours of the picture at `path` as if written on a sheet of coloured paper (a
    sticky note: yellow, orange, pink, green, blue, of any hue): its grey levels times the
    paper's colour (chroma 40-170, light), so that dark ink stays dark."""
    grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE).astype(np.float32) / 255.0
    hue, chroma = rng.integers(0, 180), rng.uniform(40, 170)
    paper = np.uint8([[[hue, round(chroma * 255 / 250), 250]]])  # HSV: S, V such that V - min
    colour = cv2.cvtColor(paper, cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)  # is the chroma
    return colours.features(np.clip(grey[..., None] * colour, 0, 255).astype(np.uint8))


def writing_rows(folder: Path) -> list[Path]:
    """The pictures of a built real development set (its manifest, the one .csv file in
    `folder`) that hold writing: all but those of no digit."""
    with next(folder.glob("*.csv")).open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["label"] != "nondigit"]
    named = (file_name(row["repo"], row["path"]) for row in rows)
    paths = (folder / row["fold"] / name for row, name in zip(rows, named, strict=True))
    return [path for path in paths if path.is_file()]


def made_writing(count: int, seed: int) -> list[Path]:
    """`count` user-style photos of MNIST's *training* digits (`make_photos.py`: paper, scans,
    drawings, dark canvases, in colour or grey) and `count` // 5 numbers of each kind
    (`make_numbers.py`), written in a temporary folder kept for the process."""
    import make_numbers
    import make_photos

    folder = Path(tempfile.mkdtemp(prefix="colours-made-"))
    x, y = make_photos.load_mnist("train")
    photos = make_photos.make_photo_set(x, y, folder / "photos", count, seed=seed)
    numbers = make_numbers.make_number_set(x, y, folder / "numbers", count // 5, seed=seed)
    return [path for path, _ in photos] + [folder / "numbers" / n.file for n in numbers]


def make(args) -> None:
    rng = np.random.default_rng(args.seed)
    rows, labels = [], []
    for folder in args.real:
        for path in writing_rows(folder):
            found = weighed(path)
            if found is None:
                continue
            rows.append(found)
            seen = found[: len(polarity.CLASSES)]
            rows += [np.concatenate([seen, tinted(path, rng)]) for _ in range(TINTS)]
            rows.append(np.concatenate([seen, on_coloured_paper(path, rng)]))
            labels += [WRITING] * (2 + TINTS)
    for path in made_writing(args.made, args.seed):
        found = weighed(path)
        if found is not None:
            seen = found[: len(polarity.CLASSES)]
            rows += [found, np.concatenate([seen, on_coloured_paper(path, rng)])]
            labels += [WRITING] * 2
    things = thing_photos(args.things)
    for path in things:
        found = weighed(path)
        if found is not None:
            rows.append(found)
            labels.append(THING)
    x, y = np.array(rows, np.float32), np.array(labels, np.int64)
    made = {
        "real": [p.name for p in args.real],
        "made": args.made,
        "things": len(things),
        "seed": args.seed,
    }
    np.savez_compressed(args.out, x=x, y=y, made=json.dumps(made))
    print(f"{args.out}: {int((y == WRITING).sum())} writing, {int((y == THING).sum())} things")


def fit(args) -> None:
    data = np.load(args.data)
    x, y = data["x"], data["y"]
    weights = {WRITING: args.writing_weight, THING: 1.0}
    network, said = softmax_fitted(x, y, weights, seed=args.seed, epochs=args.epochs,
                                   hidden=args.hidden)  # fmt: skip
    print(f"on its own data: things {np.mean(said[y == THING] == THING):.3f} taken, "
          f"writing {int(np.sum(said[y == WRITING] == THING))} of {int(np.sum(y == WRITING))} "
          "taken for things")  # fmt: skip
    args.out.write_bytes(network)
    training = {
        "seed": args.seed,
        "command": command(),
        "data": hashlib.sha256(x.tobytes() + y.tobytes()).hexdigest()[:16],
        "made": json.loads(str(data["made"])),
        "polarity": hashlib.sha256(polarity.MODEL.read_bytes()).hexdigest()[:16],
    }
    stamp(args.out, ("preparation",), colours.FITS, training)
    print(f"wrote {args.out}")


def softmax_fitted(
    x: np.ndarray,
    y: np.ndarray,
    weights: dict[int, float],
    *,
    seed: int,
    epochs: int,
    hidden: int = 0,
    scaled: bool = True,
) -> tuple[bytes, np.ndarray]:
    """A softmax layer over `x` (standardised where `scaled`; after a hidden layer of `hidden`
    units, where asked) fitted to the classes `y`, each weighing `weights` (Adam 0.01, batches
    of 256, TensorFlow on CPU): the network converted to LiteRT, and its class for each row."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((x.shape[1],))
    layer = inputs
    if scaled:
        scale = keras.layers.Normalization()
        scale.adapt(x)
        layer = scale(inputs)
    if hidden:
        layer = keras.layers.Dense(hidden, activation="relu")(layer)
    outputs = keras.layers.Dense(len(weights), activation="softmax")(layer)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=epochs, batch_size=256, verbose=0, class_weight=weights)
    said = np.argmax(model.predict(x, verbose=0), axis=1)
    return tf.lite.TFLiteConverter.from_keras_model(model).convert(), said


def check(args) -> None:
    if args.model is not None:
        colours.MODEL = args.model
    kept_out, _ = split_photos(args.things)
    alone = with_colours = 0
    for path in kept_out:
        image = open_image(path)
        found = polarity.Look.of(chances(image))
        alone += found.thing
        seen = image.info.get(colours.INFO)
        with_colours += found.thing or (seen is not None and colours.thing(chances(image), seen))
    print(f"kept-out photos of things: {alone} of {len(kept_out)} things to the grey network, "
          f"{with_colours} with their colours")  # fmt: skip
    for folder in args.writing:
        paths = sorted(p for p in folder.rglob("*") if p.suffix.lower() in PICTURES)
        taken = [p.name for p in paths if _taken(p)]
        print(f"{folder.name}: {len(taken)} of {len(paths)} taken for things by their colours")
        for name in taken:
            print(f"    {name}")


def _taken(path: Path) -> bool:
    found = weighed(path)
    if found is None:
        return False
    chance = found[: len(polarity.CLASSES)]
    return not polarity.Look.of(chance).thing and colours.thing(chance, found[len(chance) :])


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("make", "fit", "check"))
    parser.add_argument("--out", type=Path, default=colours.MODEL)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--real", type=Path, action="append", default=[])
    parser.add_argument("--things", type=Path)
    parser.add_argument("--writing", type=Path, action="append", default=[])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--made", type=int, default=400, help="made photos (and numbers / 5)")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--writing-weight", type=float, default=50.0)
    parser.add_argument("--hidden", type=int, default=0, help="a hidden layer's units (0: none)")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    {"make": make, "fit": fit, "check": check}[args.step](args)


if __name__ == "__main__":
    main()
