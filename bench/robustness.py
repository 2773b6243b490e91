"""Accuracy and calibration on digits from outside MNIST's writers, per source.

Reads the files `bench/make_robustness.py` wrote, exactly as a user's files are read (through
`digitcli.predict.predict`: the real preparation, the model's runtime), and prints per model and
per source: accuracy, ECE (15 bins), and with `--threshold` (default 0.9) the share answered and
the accuracy of those answers. "No digit found" counts as a wrong answer.

    python bench/make_robustness.py --out robustness
    python bench/robustness.py --data robustness \
        digitcli/pretrained MNIST/models/mlp-512-64-lr0.001-e18
    python bench/robustness.py --data robustness --json MODEL ...     # one JSON object per line
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from digitcli.evaluate import expected_calibration_error
from digitcli.predict import predict


@dataclass(frozen=True)
class SourceScore:
    model: str
    source: str
    samples: int
    accuracy: float
    ece: float
    answered: float  # share with confidence >= threshold
    answered_accuracy: float  # accuracy among those


def read_labels(folder: Path) -> list[tuple[Path, str, int]]:
    with (folder / "labels.csv").open() as handle:
        return [
            (folder / row["file"], row["source"], int(row["digit"]))
            for row in csv.DictReader(handle)
        ]


def score_model(model: str, folder: Path, threshold: float) -> list[SourceScore]:
    rows = read_labels(folder)
    answers = predict([str(path) for path, _, _ in rows], model=model, top_k=1)
    by_source: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for (_, source, digit), answer in zip(rows, answers, strict=True):
        confidence = answer.confidence or 0.0
        by_source[source].append((confidence, answer.digit == digit))
        by_source["all"].append((confidence, answer.digit == digit))
    scores = []
    for source, pairs in by_source.items():
        confidence = np.array([c for c, _ in pairs])
        correct = np.array([r for _, r in pairs], dtype=bool)
        kept = confidence >= threshold
        scores.append(
            SourceScore(
                model=model,
                source=source,
                samples=len(pairs),
                accuracy=round(float(correct.mean()), 4),
                ece=round(expected_calibration_error(confidence, correct), 4),
                answered=round(float(kept.mean()), 4),
                answered_accuracy=round(float(correct[kept].mean()), 4) if kept.any() else 0.0,
            )
        )
    return scores


def render(scores: list[SourceScore], threshold: float) -> str:
    lines = [
        f"| model | source | n | accuracy | ECE | answered at {threshold:g} "
        "| right when answered |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.model} | {s.source} | {s.samples} | {s.accuracy:.2%} | {s.ece:.3f} "
            f"| {s.answered:.1%} | {s.answered_accuracy:.2%} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="model directories or files")
    parser.add_argument("--data", type=Path, default=Path("robustness"))
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    scores = [s for model in args.models for s in score_model(model, args.data, args.threshold)]
    if args.json:
        for s in scores:
            print(json.dumps(asdict(s)))
    else:
        print(render(scores, args.threshold))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
