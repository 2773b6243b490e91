"""The development table of other writers' digits, one column per collection, kept apart.

    python bench/checks/other_writers.py --usps bench/results/usps --model DIR [--model DIR ...]
                                  [--robustness bench/results/robustness] [--json]

Columns: MNIST's test set; `uci` and `uci-rest` (scikit-learn's UCI scans), `fonts` and `drawn`
(bench/checks/robustness.py's sets, made there with its seeds); `usps-held`, the 30% of USPS
zip.train
that bench/build/usps.py holds back and no recipe trains on. Every image file is prepared once, as
`predict` prepares it (`images.prepare_file`); an image found blank counts as a wrong answer at
confidence 0. Each cell: accuracy, ECE (15 bins), and at `--threshold` the share answered and
the share of those right. A model is a model directory (`digitcli train --output`), `bundled`
or an exported file: anything `digitcli predict --model` takes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path[:0] = [str(ROOT / "bench" / kind) for kind in (".", "build", "checks", "perf")]

ROBUST_SOURCES = ("uci", "uci-rest", "fonts", "drawn")
COLUMNS = ("mnist-test", *ROBUST_SOURCES, "usps-held")


def file_items(robustness: Path, usps: Path) -> dict[str, list[tuple[Path, int]]]:
    """Each collection's image files and labels."""
    import robustness as bench

    sets = bench.build(robustness, 1000)
    items = {name: sets[name] for name in ROBUST_SOURCES if sets.get(name)}
    held = sorted((usps / "held").glob("[0-9]/*"))
    if not held:
        raise SystemExit(f"{usps}/held: empty; run bench/build/usps.py build first")
    items["usps-held"] = [(path, int(path.parent.name)) for path in held]
    return items


def prepared(name: str, items: list[tuple[Path, int]], cache: Path) -> dict[str, np.ndarray]:
    """The collection's files prepared (pixels, has_ink, labels), cached in `cache`."""
    from digitcli.core.errors import ImageError
    from digitcli.imaging.images import prepare_file

    target = cache / f"{name}.npz"
    if target.is_file():
        return dict(np.load(target))
    pixels = np.zeros((len(items), 28, 28), np.uint8)
    ink = np.zeros(len(items), bool)
    for i, (path, _) in enumerate(items):
        try:
            done = prepare_file(path)
        except ImageError:
            continue
        pixels[i], ink[i] = done.pixels, done.has_ink
    arrays = {"x": pixels, "ink": ink, "y": np.array([d for _, d in items], np.int64)}
    cache.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(target, **arrays)
    return arrays


def mnist_test() -> dict[str, np.ndarray]:
    from digitcli.datasets.data import load_dataset

    test = load_dataset(ROOT / "MNIST", role="test", download=False).test
    return {"x": test.x, "ink": np.ones(len(test), bool), "y": test.y.astype(np.int64)}


SWEEP = (0.5, 0.8, 0.9, 0.95, 0.99)  # thresholds the JSON reports, to choose --threshold by


def scores(probabilities: np.ndarray, data: dict[str, np.ndarray], threshold: float) -> dict:
    from digitcli.reports.evaluate import expected_calibration_error

    confidence = np.where(data["ink"], probabilities.max(axis=1), 0.0)
    correct = (probabilities.argmax(axis=1) == data["y"]) & data["ink"]

    def at(level: float) -> tuple[float, float]:
        kept = confidence >= level
        return float(kept.mean()), float(correct[kept].mean()) if kept.any() else float("nan")

    answered, right = at(threshold)
    return {
        "n": len(correct),
        "accuracy": float(correct.mean()),
        "ece": float(expected_calibration_error(confidence, correct)),
        "answered": answered,
        "right_when_answered": right,
        "sweep": {str(level): at(level) for level in SWEEP},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--usps", type=Path, default=ROOT / "bench" / "results" / "usps")
    parser.add_argument(
        "--robustness", type=Path, default=ROOT / "bench" / "results" / "robustness"
    )
    parser.add_argument("--model", action="append", required=True)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from digitcli.models.modeldir import named_model
    from digitcli.models.runtimes import load_runtime

    cache = args.usps / "prepared"
    sets = {"mnist-test": mnist_test()}
    for name, items in file_items(args.robustness, args.usps).items():
        sets[name] = prepared(name, items, cache)
    results = {}
    for model in args.model:
        runtime = load_runtime(named_model(model))
        results[model] = {
            name: scores(runtime.predict(data["x"]), data, args.threshold)
            for name, data in sets.items()
        }
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print("| model | " + " | ".join(sets) + " |")
    print("|---|" + "---|" * len(sets))
    for model, row in results.items():
        cells = [f"{100 * r['accuracy']:.2f}% ({r['ece']:.3f})" for r in row.values()]
        print(f"| {model} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
