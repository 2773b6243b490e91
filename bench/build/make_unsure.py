"""Train `digitcli/imaging/unsure.tflite`: whether one digit the classifier is unsure of, and
the letters network half takes for none, is no digit at all (`digitcli.imaging.unsure`).

    python bench/build/make_unsure.py make --real REAL --real DESK --real WORDS \
        --made ND82 --made ND83 --writers ROBUSTNESS --held 6000 --out U.npz
    python bench/build/make_unsure.py fit --data U.npz --digit-weight 10
    python bench/build/make_unsure.py check [--model unsure.tflite] SET [SET ...]

`make` prepares each picture as `predict` does (`images.prepare_file`) and, where it finds one
digit, keeps what the network weighs (`unsure.features`: the letters network's chance and
the bundled classifier's answer) with its label, 0 a digit the classifier reads right, 1 no
digit (a digit it misreads is left out: answering it is no better than refusing it):
- `--real`: the real development sets (`bench/checks/real_pictures.py build`'s folders: one
  `.csv` manifest each; never the check sets `fresh`, `real_photos`, `pen_photos`,
  `paper_photos`): single digits, and the pictures of no digit (`nondigit`, `blank`);
- `--made`: `tests/generators/nondigits.py` folders (never its check seed 81): its letters,
  signs, scribbles and blank scenes (its digits are not labelled: left out);
- `--writers`: a `bench/checks/robustness.py` folder: other writers' digits (its `labels.json`),
  but its checks (`-rest`) and `rescan` (MNIST's test digits, never learnt from); its `blank`
  pictures are none;
- `--held N`: the first N of the 6,000 MNIST training digits the bundled classifier's networks
  hold out (`--validation-seed 0`: docs/measurements/other-writers.md), each as a PNG file
  (`tests/generators/mnist_png.py`): digits it never learnt, read as unsurely as a new
  writer's.
`fit` trains a logistic regression (one softmax layer over the two log-odds; a digit weighing
`--digit-weight`: a digit refused costs more than a letter answered) and writes it converted
to LiteRT, stamped by `core/fits.py` with its data's digest, its seed, its command and the
classifier's and letters network's digests. `check` counts, per folder (a real set with its
manifest, or a `nondigits.py` folder), the digits and the pictures of no digit it refuses.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH / "build"))
sys.path.insert(0, str(BENCH / "checks"))
sys.path.insert(0, str(BENCH.parent / "tests" / "generators"))

from make_colours import softmax_fitted  # noqa: E402
from make_judge import digest, file_digest  # noqa: E402
from make_polarity import command  # noqa: E402
from picture_checks import bundled_runtime  # noqa: E402
from real_pictures import file_name  # noqa: E402

from digitcli.core.fits import stamp  # noqa: E402
from digitcli.datasets.data import Split  # noqa: E402
from digitcli.imaging import letters, unsure  # noqa: E402
from digitcli.imaging.images import prepare_file  # noqa: E402
from digitcli.models.runtimes import resolve_model  # noqa: E402
from digitcli.training.splits import split_validation  # noqa: E402

from make_photos import load_mnist  # noqa: E402
from mnist_png import png_bytes  # noqa: E402

DIGIT, NONE = unsure.DIGIT, unsure.NONE
NO_DIGIT = ("nondigit", "blank")  # a real set's labels of pictures that hold no digit
NOT_LEARNT = ("rescan",)  # robustness sources never learnt from (MNIST's test digits)
CHECK_SOURCE = "-rest"  # robustness sources that are checks end so
HELD_SHARE, HELD_SEED = 0.1, 0  # the bundled classifier's networks' validation split


def real_labelled(folder: Path) -> list[tuple[Path, int | None]]:
    """A real set's single digits (each its digit) and pictures of no digit (None)."""
    with next(folder.glob("*.csv")).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = []
    for row in rows:
        label = row["label"]
        if label in NO_DIGIT or (len(label) == 1 and label.isdigit()):
            path = folder / row["fold"] / file_name(row["repo"], row["path"])
            if path.is_file():
                found.append((path, None if label in NO_DIGIT else int(label)))
    return found


def made_labelled(folder: Path) -> list[tuple[Path, int | None]]:
    """A `nondigits.py` folder's pictures of no digit (its digits are not labelled)."""
    return [(path, None) for path in sorted(folder.glob("*.png"))
            if not path.stem.endswith("_digit")]  # fmt: skip


def writers_labelled(folder: Path) -> list[tuple[Path, int | None]]:
    """A robustness folder's learnt sources: its digits, and its blank pictures (None)."""
    sources = json.loads((folder / "labels.json").read_text())["sources"]
    return [
        (folder / name, None if label < 0 else label)
        for source, items in sources.items()
        if not source.endswith(CHECK_SOURCE) and source not in NOT_LEARNT
        for name, label in items
    ]


def held_labelled(count: int) -> list[tuple[bytes, int]]:
    """The first `count` MNIST training digits the bundled classifier never learnt, each as
    the bytes of a PNG file, with its digit."""
    x, y = load_mnist("train")
    _, held = split_validation(Split(x, y), HELD_SHARE, HELD_SEED)
    digits = zip(held.x[:count], held.y[:count], strict=True)
    return [(png_bytes(pixels), int(digit)) for pixels, digit in digits]


def answered(
    items: list[tuple[Path | bytes, int | None]], runtime
) -> list[tuple[np.ndarray, int | None, bool]]:
    """Of each picture `predict` finds one digit in: `unsure.features`, its digit (None: no
    digit) and whether the classifier reads that digit."""
    found = []
    for path, digit in items:
        prepared = prepare_file(path)
        if not prepared.has_ink or prepared.several:
            continue
        probabilities = runtime.predict(prepared.pixels[np.newaxis])[0]
        read = digit is not None and int(np.argmax(probabilities)) == digit
        found.append((unsure.features(prepared.letters, probabilities), digit, read))
    return found


def weighed(
    items: list[tuple[Path | bytes, int | None]], runtime
) -> tuple[list[np.ndarray], list[int]]:
    """`unsure.features` of each picture `predict` finds one digit in, labelled: a digit read
    right, or no digit (a digit misread left out)."""
    rows, labels = [], []
    for features, digit, read in answered(items, runtime):
        if digit is None or read:
            rows.append(features)
            labels.append(DIGIT if read else NONE)
    return rows, labels


def make(args) -> None:
    runtime = bundled_runtime()
    rows, labels = [], []
    for folders, labelled in ((args.real, real_labelled), (args.made, made_labelled),
                              (args.writers, writers_labelled)):  # fmt: skip
        for folder in folders:
            more, their = weighed(labelled(folder), runtime)
            rows += more
            labels += their
            print(f"{folder.name}: {their.count(DIGIT)} digits read right, "
                  f"{their.count(NONE)} none")  # fmt: skip
    if args.held:
        more, their = weighed(held_labelled(args.held), runtime)
        rows += more
        labels += their
        print(f"MNIST's held-out training digits: {their.count(DIGIT)} read right")
    x, y = np.array(rows, np.float32), np.array(labels, np.int64)
    made = {kind: [p.name for p in getattr(args, kind)] for kind in ("real", "made", "writers")}
    made["held"] = args.held
    np.savez_compressed(args.out, x=x, y=y, made=json.dumps(made))
    print(f"{args.out}: {int((y == DIGIT).sum())} digits, {int((y == NONE).sum())} none")


def fit(args) -> None:
    data = np.load(args.data)
    x, y = data["x"], data["y"]
    weights = {DIGIT: args.digit_weight, NONE: 1.0}
    network, said = softmax_fitted(x, y, weights, seed=args.seed, epochs=args.epochs,
                                   scaled=False)  # fmt: skip
    lost = int(np.sum(said[y == DIGIT] == NONE))
    print(f"on its own data: none {np.mean(said[y == NONE] == NONE):.3f} refused, digits "
          f"{lost} of {int(np.sum(y == DIGIT))} refused")  # fmt: skip
    args.out.write_bytes(network)
    classifier = resolve_model("bundled").path
    training = {
        "seed": args.seed,
        "command": command(),
        "data": digest(x, y),
        "made": json.loads(str(data["made"])),
        "letters": file_digest(letters.MODEL),
        "classifier": _digest(classifier),
    }
    stamp(args.out, ("preparation",), unsure.FITS, training)
    print(f"wrote {args.out}")


def _digest(folder: Path) -> str:
    """The bundled classifier's files, hashed together."""
    hashed = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        hashed.update(path.read_bytes())
    return hashed.hexdigest()[:16]


def check(args) -> None:
    if args.model is not None:
        unsure.MODEL = args.model
    runtime = bundled_runtime()
    for folder in args.sets:
        labelled = real_labelled if any(folder.glob("*.csv")) else made_labelled
        counts: Counter = Counter()
        for features, digit, read in answered(labelled(folder), runtime):
            kind = "none" if digit is None else "right" if read else "misread"
            counts[kind] += 1
            counts[kind, "refused"] += unsure.refused(features)
        print(f"{folder.name}, refused of those answered one digit: digits read right "
              f"{counts['right', 'refused']} of {counts['right']}, misread "
              f"{counts['misread', 'refused']} of {counts['misread']}, no digit "
              f"{counts['none', 'refused']} of {counts['none']}")  # fmt: skip


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("make", "fit", "check"))
    parser.add_argument("sets", type=Path, nargs="*", help="check: the folders to count")
    parser.add_argument("--out", type=Path, default=unsure.MODEL)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--real", type=Path, action="append", default=[])
    parser.add_argument("--made", type=Path, action="append", default=[])
    parser.add_argument("--writers", type=Path, action="append", default=[])
    parser.add_argument("--held", type=int, default=0, help="MNIST's held-out training digits")
    parser.add_argument("--model", type=Path)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--digit-weight", type=float, default=10.0)
    return parser.parse_intermixed_args()


def main() -> None:
    args = arguments()
    {"make": make, "fit": fit, "check": check}[args.step](args)


if __name__ == "__main__":
    main()
