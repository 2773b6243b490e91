"""The CVL Single Digit database (ICDAR 2013 HDRC, TU Wien): continental writers, by writer.

    python bench/build/cvl.py score --cvl DIR --model MODEL [--model MODEL ...] \
        [--split test] [--json]
    python bench/build/cvl.py mix --cvl DIR [--copies 3] [--usps bench/results/usps] [--mnist MNIST]
                            [--out build/cvl]

DIR holds the database's `train/`, `valid/` and `test/` folders of 28x28 PNGs, dark ink on light
paper, each named `DIGIT-WRITER-...png` (the `database/` folder of `fetch
github:linhusp/digit-classifier`, which holds all of it): 7,000 digits of 67 writers, 7,000 of 60
other writers and 21,780 of the remaining 176. The database's terms: free for research; `valid/`
may be used to choose settings but not to train on; publications cite M. Diem, S. Fiel, A. Garz,
M. Keglevic, F. Kleber, R. Sablatnig, "ICDAR 2013 Competition on Handwritten Digit Recognition
(HDRC 2013)", ICDAR 2013 (CVL, TU Wien). The files are never committed.

Every file is prepared once, as `predict` prepares it (`images.prepare_file`), and cached in
`--cache` (an npz a split: pixels, has_ink, labels, writers); a file found blank counts as a
wrong answer at confidence 0.

`score` gives each model's accuracy, ECE (15 bins), share answered and right at `--threshold`,
the commonest confusions, and the spread of accuracy over writers. `mix` writes
`mnist-cvl<k>[-usps].npz` for `digitcli train --data`: MNIST's training set less the digits the
bundled model's members hold out for validation (`--validation-seed 0`), so that
`bench/build/make_bundled.py` still calibrates on digits no member trained on, with CVL
`train/` added `--copies` times (and USPS zip.train's 70%, `bench/build/usps.py build`, once);
MNIST's test set as its test set.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path[:0] = [str(ROOT / "bench" / kind) for kind in (".", "build", "checks", "perf")]

SPLITS = ("train", "valid", "test")
BUNDLED_SPLIT = (0.1, 0)  # validation share and seed the bundled model's members hold out
TOP_CONFUSIONS = 8


def items(cvl: Path, split: str) -> list[tuple[Path, int, int]]:
    """The split's files with their digit and writer, from names `DIGIT-WRITER-...png`."""
    files = sorted((cvl / split).glob("*.png"))
    if not files:
        raise SystemExit(f"{cvl / split}: no PNG files; give --cvl the database's folder")
    found = []
    for path in files:
        digit, writer = path.name.split("-")[:2]
        found.append((path, int(digit), int(writer)))
    return found


def load_split(cvl: Path, split: str, cache: Path) -> dict[str, np.ndarray]:
    """The split prepared as `predict` prepares each file: x (n, 28, 28) uint8, ink (has ink),
    y (digits) and writer; read from `cache` when it is there."""
    from digitcli.core.errors import ImageError
    from digitcli.imaging.images import prepare_file

    target = cache / f"cvl-{split}.npz"
    if target.is_file():
        return dict(np.load(target))
    found = items(cvl, split)
    pixels = np.zeros((len(found), 28, 28), np.uint8)
    ink = np.zeros(len(found), bool)
    for i, (path, _, _) in enumerate(found):
        try:
            done = prepare_file(path)
        except ImageError:
            continue
        pixels[i], ink[i] = done.pixels, done.has_ink
    arrays = {
        "x": pixels,
        "ink": ink,
        "y": np.array([digit for _, digit, _ in found], np.int64),
        "writer": np.array([writer for _, _, writer in found], np.int64),
    }
    cache.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(target, **arrays)
    return arrays


def confusions(probabilities: np.ndarray, data: dict[str, np.ndarray]) -> list[list[int]]:
    """The commonest misreads: [true digit, answer, count], most first."""
    answers = probabilities.argmax(axis=1)
    wrong = answers != data["y"]
    pairs = Counter(zip(data["y"][wrong].tolist(), answers[wrong].tolist(), strict=True))
    return [[true, said, count] for (true, said), count in pairs.most_common(TOP_CONFUSIONS)]


def by_writer(probabilities: np.ndarray, data: dict[str, np.ndarray]) -> dict[str, float]:
    """Accuracy over writers: the worst writer, the 10th percentile and the median."""
    correct = (probabilities.argmax(axis=1) == data["y"]) & data["ink"]
    rates = [correct[data["writer"] == w].mean() for w in np.unique(data["writer"])]
    return {
        "writers": len(rates),
        "worst": float(np.min(rates)),
        "p10": float(np.percentile(rates, 10)),
        "median": float(np.median(rates)),
    }


def score_models(models: list[str], data: dict[str, np.ndarray], threshold: float) -> dict:
    """Each model's scores on `data` (other_writers' cells, confusions, spread over writers)."""
    from other_writers import scores

    from digitcli.models.modeldir import named_model
    from digitcli.models.runtimes import load_runtime

    results = {}
    for model in models:
        probabilities = load_runtime(named_model(model)).predict(data["x"])
        results[model] = {
            **scores(probabilities, data, threshold),
            "confusions": confusions(probabilities, data),
            "by_writer": by_writer(probabilities, data),
        }
    return results


def mix(cvl: Path, cache: Path, copies: int, usps: Path | None, mnist: Path, out: Path) -> Path:
    """MNIST's training set less the bundled members' validation digits, with CVL `train/`
    added `copies` times and USPS's 70% once where `usps` is given; MNIST's test set."""
    from digitcli.datasets.data import load_dataset
    from digitcli.training.splits import split_validation

    data = load_dataset(mnist, role="train", download=False)
    fit, _ = split_validation(data.train, *BUNDLED_SPLIT)
    train = load_split(cvl, "train", cache)
    kept = train["ink"]
    xs, ys = [fit.x] + [train["x"][kept]] * copies, [fit.y] + [train["y"][kept]] * copies
    name = f"mnist-cvl{copies}"
    if usps is not None:
        extra = np.load(usps / "usps.npz")
        xs, ys, name = xs + [extra["x_train"]], ys + [extra["y_train"]], name + "-usps"
    target = out / f"{name}.npz"
    out.mkdir(parents=True, exist_ok=True)
    x, y = np.concatenate(xs), np.concatenate(ys).astype(np.uint8)
    np.savez(target, x_train=x, y_train=y, x_test=data.test.x, y_test=data.test.y)
    return target


def table(results: dict) -> str:
    lines = ["| model | accuracy | ECE | answered / right | worst writer | top confusions |"]
    lines.append("|---|---|---|---|---|---|")
    for model, r in results.items():
        top = ", ".join(f"{t}->{s} {n}" for t, s, n in r["confusions"][:4])
        lines.append(
            f"| {model} | {r['accuracy']:.2%} | {r['ece']:.4f} | {r['answered']:.1%} / "
            f"{r['right_when_answered']:.2%} | {r['by_writer']['worst']:.1%} | {top} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    scoring = commands.add_parser("score", help="score models on one split")
    mixing = commands.add_parser("mix", help="MNIST's training set with CVL train/ added")
    for sub in (scoring, mixing):
        sub.add_argument("--cvl", type=Path, required=True, help="the database's folder")
        sub.add_argument("--cache", type=Path, default=ROOT / "build" / "cvl")
    scoring.add_argument("--model", action="append", required=True)
    scoring.add_argument("--split", choices=SPLITS, default="valid")
    scoring.add_argument("--threshold", type=float, default=0.9)
    scoring.add_argument("--json", action="store_true")
    mixing.add_argument("--copies", type=int, default=3)
    mixing.add_argument("--usps", type=Path, help="bench/build/usps.py build's folder (usps.npz)")
    mixing.add_argument("--mnist", type=Path, default=ROOT / "MNIST")
    mixing.add_argument("--out", type=Path, default=ROOT / "build" / "cvl")
    args = parser.parse_args(argv)
    if args.command == "mix":
        print(mix(args.cvl, args.cache, args.copies, args.usps, args.mnist, args.out))
        return 0
    data = load_split(args.cvl, args.split, args.cache)
    results = score_models(args.model, data, args.threshold)
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
