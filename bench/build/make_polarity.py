"""Train `digitcli/imaging/polarity.tflite`: whether a picture's ink is darker than its paper.

    python bench/build/make_polarity.py make --real REAL --real NUMBERS --out VIEWS.npz
    python bench/build/make_polarity.py fit --data VIEWS.npz --out polarity.tflite
    python bench/build/make_polarity.py check [--model polarity.tflite]
    python bench/build/make_polarity.py stamp      # record a changed setting's new stamp

`make` draws the pictures and keeps each one's view (`polarity.view`) with its label (1: the
ink is dark), known by construction:
- `tests/generators/ink_scenes.py` scenes of seeds SCENE_SEEDS (pages lit unevenly, under
  hard and soft shadows, in a window's light, sheets on desks, canvases of any tone; never
  `CHECK_SEED`, which `check` scores): the ink is dark where its strokes (the scene's mask)
  are darker than the paper just around them; a scene with no strokes, or strokes within
  `FAINT` grey levels of their paper, is left out; a quarter of them are inverted, the label
  with them;
- MNIST's training digits as tight crops, as a PNG of a digit is: on paper of any tone, ink
  of any contrast and width, enlarged or not, half of them light ink on dark (a crop under
  `paper_size` a side is judged by the rule, `polarity.ink_is_dark`; these teach the network
  a digit filling a picture of paper); and 3,000 strips of 2-7 of them side by side, cut
  tight as a form's field or a cell is, the pen any width, blurred or not (`number_strip`);
- pictures of no ink (an even tone, a gradient): light paper is taken for dark ink;
- the real development pictures (`--real`: the folders `bench/checks/real_pictures.py build`
  and `real_numbers.py build` write; not the check sets `real_photos`, `pen_photos`,
  `paper_photos`), REAL_REPEATS times each, in a window's light or inverted as the scenes are:
  their ink is dark but for those `polarity_light.csv` names (by eye; the pictures of no
  digit, photos of things, left out).
Three in ten scenes and real pictures get a window's light on part of the page
(`window_light`): the case the rule the network replaced got wrong.
`fit` trains a small network (TensorFlow only here, on CPU) and writes it converted to
LiteRT, stamped by `core/fits.py` with its data's digest, its seeds and its command. `check`
counts, for the shipped network (or `--model`), the scenes of `CHECK_SEED` whose polarity is
right, per family, and MNIST's *test* digits in both polarities.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

import cv2
import numpy as np

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH.parent / "tests" / "generators"))

from digitcli.core.fits import stamp  # noqa: E402
from digitcli.imaging import polarity  # noqa: E402
from digitcli.imaging.grayscale import to_gray  # noqa: E402
from digitcli.imaging.opening import open_image  # noqa: E402

import ink_scenes  # noqa: E402

SCENE_SEEDS = (101, 102, 103, 104)  # never CHECK_SEED
SCENES = 3000  # scenes of each seed
CHECK_SEED = 16  # the ink_scenes seed `check` scores, a check set since round 19
MNIST = 8000  # MNIST training digits as tight crops
BLANKS = 1000  # pictures of no ink
STRIPS = 3000  # strips of numbers cut tight from MNIST's training digits
REAL_REPEATS = 4  # views of each real development picture
LIGHT = Path(__file__).with_name("polarity_light.csv")  # the real pictures of light ink
FAINT = 10.0  # grey levels: strokes this close to their paper tell no polarity
INVERTED = 0.25  # the share of scenes inverted, the label with them
WINDOW = 0.3  # the share of scenes with a window's light on part of the page
EPOCHS = 12  # the shipped network's
VIEW = 64  # px a side of what the network sees (`polarity.view`)


def view(gray: np.ndarray) -> np.ndarray:
    return polarity.view(gray, VIEW)


def labelled_scene(picture: np.ndarray, mask: np.ndarray) -> int | None:
    """1 where the scene's strokes are darker than the paper just around them, 0 where
    lighter, None where it holds none or they are too faint to tell."""
    strokes = mask.astype(bool)
    if strokes.sum() < 20:
        return None
    ring = cv2.dilate(mask, np.ones((5, 5), np.uint8)).astype(bool) & ~strokes
    difference = float(picture[ring].mean()) - float(picture[strokes].mean())
    return None if abs(difference) < FAINT else int(difference > 0)


def lit_or_inverted(
    picture: np.ndarray, label: int, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """`picture` in a window's light (`WINDOW` of the time), then inverted with its label
    (`INVERTED` of the time)."""
    if rng.random() < WINDOW:
        picture = window_light(picture, rng)
    if rng.random() < INVERTED:
        picture, label = 255 - picture, 1 - label
    return picture, label


def scene_views(seed: int, count: int) -> tuple[list[np.ndarray], list[int]]:
    rng = np.random.default_rng(seed + 1000)
    views, labels = [], []
    for picture, mask, _family in ink_scenes.scenes(count, seed, ink_scenes.load_strokes()):
        label = labelled_scene(picture, mask)
        if label is None:
            continue
        picture, label = lit_or_inverted(picture, label, rng)
        views.append(view(picture))
        labels.append(label)
    return views, labels


def window_light(picture: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`picture` with a window's light falling on part of it: the paper beyond a hard-edged
    line (any slant, a soft edge of 0-6 px) brightened 1.2-2 times, up to white."""
    h, w = picture.shape
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:h, 0:w]
    x0, y0 = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h  # a point on the line
    across = (xs - x0) * np.cos(angle) + (ys - y0) * np.sin(angle)
    lit = np.clip(across / max(rng.uniform(0, 6), 0.5), 0, 1)
    gain = 1.0 + lit * (rng.uniform(1.2, 2.0) - 1.0)
    return np.clip(picture * gain, 0, 255).astype(np.uint8)


def crop(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """An MNIST digit as a tight crop: paper of any tone, ink of any contrast and width, 8 to
    200 px a side, noisy or not; its label."""
    dark = rng.random() < 0.5
    paper = rng.uniform(150, 255) if dark else rng.uniform(0, 105)
    contrast = rng.uniform(40, 255)
    ink = max(0.0, paper - contrast) if dark else min(255.0, paper + contrast)
    side = int(rng.choice([8, 16, 28, 28, 28, 56, 112, 200]))
    thicker = int(rng.choice([0, 0, 1, 2, 3]))  # a marker's or a brush's stroke
    if thicker:
        digit = cv2.dilate(digit, np.ones((thicker + 1, thicker + 1), np.uint8))
    shape = cv2.resize(digit, (side, side), interpolation=cv2.INTER_LINEAR) / 255.0
    grain = rng.normal(0, rng.choice([0.0, 2.0, 6.0]), shape.shape)
    picture = paper + (ink - paper) * shape + grain
    return np.clip(picture, 0, 255).astype(np.uint8), int(dark)


def number_strip(digits: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """2-7 MNIST digits side by side, cropped tight to a strip of a number (as a cell or a
    form's field is cut out), the pen any width, blurred or not, dark on light or light on
    dark; its label. A thick pen's strip is mostly ink."""
    count = int(rng.integers(2, 8))
    picked = digits[rng.integers(0, len(digits), count)]
    thicker = int(rng.choice([0, 1, 2, 3]))
    if thicker:
        picked = np.stack([cv2.dilate(d, np.ones((thicker + 1,) * 2, np.uint8)) for d in picked])
    strip = np.concatenate([d[:, 2:26] for d in picked], axis=1)
    height = int(rng.integers(32, 100))
    shape = cv2.resize(strip, (strip.shape[1] * height // 28, height)) / 255.0
    if rng.random() < 0.5:
        shape = cv2.GaussianBlur(shape, (0, 0), rng.uniform(0.5, 2.5))
    dark = rng.random() < 0.5
    paper = rng.uniform(140, 255) if dark else rng.uniform(0, 100)
    ink = paper - rng.uniform(60, paper) if dark else paper + rng.uniform(60, 255 - paper)
    grain = rng.normal(0, rng.choice([0.0, 3.0, 6.0]), shape.shape)
    return np.clip(paper + (ink - paper) * shape + grain, 0, 255).astype(np.uint8), int(dark)


def crop_views(count: int, seed: int) -> tuple[list[np.ndarray], list[int]]:
    rng = np.random.default_rng(seed)
    digits = ink_scenes.load_strokes()[:count]
    pairs = [crop(digit, rng) for digit in digits]
    pairs += [number_strip(digits, rng) for _ in range(STRIPS)]
    return [view(p) for p, _ in pairs], [label for _, label in pairs]


def blank_views(count: int, seed: int) -> tuple[list[np.ndarray], list[int]]:
    """Pictures of no ink (an even tone, a gradient, grain): light paper is taken to hold
    dark ink, a dark board light ink, the prior where nothing tells."""
    rng = np.random.default_rng(seed)
    views, labels = [], []
    for _ in range(count):
        h, w = (int(v) for v in rng.integers(8, 193, 2))
        tone = rng.uniform(0, 255)
        ramp = np.linspace(0, rng.uniform(-30, 30), w)[None, :] + np.zeros((h, 1))
        picture = tone + ramp + rng.normal(0, rng.choice([0.0, 2.0, 5.0]), (h, w))
        views.append(view(np.clip(picture, 0, 255).astype(np.uint8)))
        labels.append(int(tone > 127.5))
    return views, labels


def light_ink() -> set[tuple[str, str]]:
    """(repo, path) of the real development pictures whose ink is lighter than its paper
    (`LIGHT`, by eye); all the others' is darker."""
    with LIGHT.open(newline="") as handle:
        return {(row["repo"], row["path"]) for row in csv.DictReader(handle)}


def real_views(folder: Path, seed: int) -> tuple[list[np.ndarray], list[int]]:
    """REAL_REPEATS views of each picture of a built real development set (its manifest, the
    one .csv file in `folder`) but those of no digit (`nondigit`), in a window's light or
    inverted as the scenes are."""
    rng = np.random.default_rng(seed)
    light = light_ink()
    views, labels = [], []
    with next(folder.glob("*.csv")).open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["label"] != "nondigit"]
    for row in rows:
        name = f"{row['repo'].replace('/', '+')}__{row['path'].replace('/', '_')}"
        path = folder / row["fold"] / name
        if not path.is_file():
            continue
        gray = np.asarray(to_gray(open_image(path)))
        dark = int((row["repo"], row["path"]) not in light)
        for _ in range(REAL_REPEATS):
            picture, label = lit_or_inverted(gray, dark, rng)
            views.append(view(picture))
            labels.append(label)
    return views, labels


def make(args) -> None:
    views, labels = crop_views(MNIST, seed=7)
    more_views, more_labels = blank_views(BLANKS, seed=8)
    views += more_views
    labels += more_labels
    for index, folder in enumerate(args.real):
        more_views, more_labels = real_views(folder, seed=9 + index)
        views += more_views
        labels += more_labels
    for seed in SCENE_SEEDS:
        more_views, more_labels = scene_views(seed, SCENES)
        views += more_views
        labels += more_labels
    x, y = np.stack(views).astype(np.float16), np.array(labels, np.uint8)
    made = {
        "command": command(),
        "scenes": {
            "generator": "tests/generators/ink_scenes.py",
            "seeds": list(SCENE_SEEDS),
            "each": SCENES,
            "checked_on": CHECK_SEED,
        },
        "mnist": f"MNIST's first {MNIST} training digits as tight crops, and {STRIPS} tight "
        "strips of numbers drawn from them (seed 7)",
        "blanks": f"{BLANKS} pictures of no ink (seed 8)",
        "real": [f"{folder.name}, {REAL_REPEATS} views each" for folder in args.real],
        "light_ink": LIGHT.name,
    }
    np.savez_compressed(args.out, x=x, y=y, made=json.dumps(made))
    print(f"{len(y)} views ({y.mean():.0%} dark ink) -> {args.out}")


def build():
    import keras
    from keras import layers

    inputs = keras.Input((VIEW, VIEW, 2))
    x = inputs
    for filters in (16, 32):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.Concatenate()([layers.GlobalMaxPooling2D()(x), layers.GlobalAveragePooling2D()(x)])
    x = layers.Dense(16, activation="relu")(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                  metrics=["accuracy"])  # fmt: skip
    return model


def fit(args) -> None:
    import keras
    import tensorflow as tf

    data = np.load(args.data)
    x, y = data["x"].astype(np.float32), data["y"].astype(np.float32)
    keras.utils.set_random_seed(args.seed)
    order = np.random.default_rng(args.seed).permutation(len(y))
    x, y = x[order], y[order]
    model = build()
    model.fit(x, y, epochs=args.epochs, batch_size=64, validation_split=0.05, verbose=2)
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    args.out.write_bytes(converter.convert())
    training = {
        "seed": args.seed,
        "command": command(),
        "views": hashlib.sha256(data["x"].tobytes() + data["y"].tobytes()).hexdigest()[:16],
        "made": json.loads(str(data["made"])),
    }
    stamp(args.out, ("preparation",), polarity.FITS, training)
    print(f"wrote {args.out}")


def command() -> str:
    """This run's command line, each path in it by its name alone (no machine's folders)."""
    named = (Path(word).name if "/" in word else word for word in sys.argv[1:])
    return " ".join(["python bench/build/make_polarity.py", *named])


def check(args) -> None:
    chance = _chance(args.model)
    right: dict[str, list[int]] = {}
    strokes = ink_scenes.load_strokes()
    for picture, mask, family in ink_scenes.scenes(args.count, CHECK_SEED, strokes):
        label = labelled_scene(picture, mask)
        if label is not None:
            right.setdefault(family, []).append(int((chance(picture) >= 0.5) == label))
    test = ink_scenes.load_strokes("t10k")[: args.mnist]
    right["MNIST, black on white"] = [int(chance(255 - d) >= 0.5) for d in test]
    right["MNIST, white on black"] = [int(chance(d) < 0.5) for d in test]
    for name, marks in right.items():
        print(f"{name:24s} {sum(marks):5d} / {len(marks):5d} right")


def _chance(model: Path | None):
    if model is None:
        return polarity.chance_dark
    from digitcli.core.litert import Runner

    runner = Runner(model)
    return lambda gray: float(runner(view(gray)[np.newaxis])[0, 0])


def restamp(args) -> None:
    """Record this digitcli's preparation version in the network at `--out` (the shipped
    one), its training record kept: after a setting changed or went."""
    stamp(args.out, ("preparation",), polarity.FITS)
    print(f"stamped {args.out}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("make", "fit", "check", "stamp"))
    parser.add_argument("--out", type=Path, default=polarity.MODEL)
    parser.add_argument("--data", type=Path)
    parser.add_argument(
        "--real", type=Path, action="append", default=[],
        help="a built real development set (real_pictures.py, real_numbers.py)",
    )  # fmt: skip
    parser.add_argument("--model", type=Path)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--count", type=int, default=900, help="check scenes")
    parser.add_argument("--mnist", type=int, default=2000, help="check MNIST test digits")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    {"make": make, "fit": fit, "check": check, "stamp": restamp}[args.step](args)


if __name__ == "__main__":
    main()
