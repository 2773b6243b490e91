"""How many of your own digits are worth writing: `train --data DIR --init bundled` on CVL writers.

    python bench/checks/cvl_finetune.py --cvl DIR [--writers 10] [--sizes 20 50 100] [--epochs 10]
                                 [--work build/cvl-finetune] [--json]

For each of `--writers` writers of CVL `test/` (`bench/build/cvl.py` says what it is), drawn with a
fixed seed among those with enough of every digit, `--sizes` of their digits (the same number
of each digit; the smaller sets inside the larger) are copied as files into folders `0/` .. `9/`
and fine-tuned on exactly as a user would: `digitcli train --arch cnn --init bundled --data
DIR --epochs N --batch-size B` (run in-process, one Python for all; small batches, so that a
few digits make several steps an epoch). Each fine-tuned model and the bundled
model are scored on the writer's digits outside the largest set, the same digits for every
size. The table: accuracy of the bundled model, of the fine-tuned CNN at each size, the mean
gain over writers in points and its spread (standard deviation, worst and best writer).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path[:0] = [str(ROOT / "bench" / kind) for kind in (".", "build", "checks", "perf")]

WRITER_SEED = 2013  # which writers, and which of their digits, are drawn


def chosen_writers(labels: np.ndarray, writers: np.ndarray, count: int, per_digit: int) -> list:
    """`count` writers, drawn with a fixed seed among those with more than `per_digit` of
    every digit (so that each keeps some of every digit to be scored on)."""
    eligible = [
        w
        for w in np.unique(writers)
        if all((labels[writers == w] == d).sum() > per_digit for d in range(10))
    ]
    rng = np.random.default_rng(WRITER_SEED)
    return sorted(rng.choice(eligible, size=count, replace=False).tolist())


def nested_picks(labels: np.ndarray, sizes: list[int], rng: np.random.Generator) -> dict:
    """For each size, the indices (into `labels`) of size/10 of each digit; smaller sets are
    the first digits of the larger ones."""
    orders = {d: rng.permutation(np.flatnonzero(labels == d)) for d in range(10)}
    return {n: np.concatenate([orders[d][: n // 10] for d in range(10)]) for n in sizes}


def fine_tuned(
    files: list[Path], labels: np.ndarray, folder: Path, epochs: int, batch_size: int
) -> Path:
    """`digitcli train --arch cnn --init bundled` on these files, copied into `folder`/data."""
    from typer.testing import CliRunner

    from digitcli.cli import app
    from digitcli.models.backend import keras

    data = folder / "data"
    shutil.rmtree(data, ignore_errors=True)  # a run before left its own files
    for path, digit in zip(files, labels, strict=True):
        (data / str(digit)).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, data / str(digit) / path.name)
    output = folder / "model"
    args = ["train", "--arch", "cnn", "--init", "bundled", "--data", str(data)]
    args += ["--epochs", str(epochs), "--batch-size", str(batch_size)]
    args += ["--output", str(output), "--force", "-q"]
    result = CliRunner().invoke(app, args)
    keras.backend.clear_session()
    if result.exit_code != 0:
        raise SystemExit(f"train failed ({result.exit_code}): {result.output}")
    return output


def run(
    cvl: Path, cache: Path, work: Path, count: int, sizes: list[int], training: tuple[int, int]
) -> dict:
    """Every writer's accuracies (bundled, then per size) on their digits not trained on."""
    from cvl import items, load_split

    from digitcli.models.modeldir import named_model
    from digitcli.models.runtimes import load_runtime

    data = load_split(cvl, "test", cache)
    files = [path for path, _, _ in items(cvl, "test")]
    bundled = load_runtime(named_model("bundled"))
    rows = {}
    for writer in chosen_writers(data["y"], data["writer"], count, max(sizes) // 10):
        mine = np.flatnonzero(data["writer"] == writer)
        picks = nested_picks(data["y"][mine], sizes, np.random.default_rng([WRITER_SEED, writer]))
        rest = np.setdiff1d(mine, mine[picks[max(sizes)]])
        x, y = data["x"][rest], data["y"][rest]
        row = {"scored": len(rest), "bundled": float((bundled.predict(x).argmax(1) == y).mean())}
        for n in sizes:
            chosen = mine[picks[n]]
            start = time.perf_counter()
            model = fine_tuned(
                [files[i] for i in chosen], data["y"][chosen], work / f"{writer}-{n}", *training
            )
            answers = load_runtime(named_model(model)).predict(x).argmax(1)
            row[str(n)] = float((answers == y).mean())
            row[f"seconds_{n}"] = round(time.perf_counter() - start, 1)
        rows[str(writer)] = row
        print(json.dumps({writer: row}), file=sys.stderr)
    return rows


def summary(rows: dict, sizes: list[int]) -> str:
    """The markdown table: the mean accuracy of each model, the gain over the bundled model."""
    bundled = np.array([row["bundled"] for row in rows.values()])
    lines = ["| digits of the writer | accuracy on their other digits | gain (points) |"]
    lines += ["|---|---|---|", f"| 0 (the bundled model) | {bundled.mean():.2%} | - |"]
    for n in sizes:
        tuned = np.array([row[str(n)] for row in rows.values()])
        gain = 100 * (tuned - bundled)
        lines.append(
            f"| {n} | {tuned.mean():.2%} | {gain.mean():+.2f} (sd {gain.std(ddof=1):.2f}, "
            f"{gain.min():+.1f} .. {gain.max():+.1f}) |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cvl", type=Path, required=True, help="the database's folder")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "cvl")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "cvl-finetune")
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 50, 100])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=16, help="a few digits: small batches")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    training = (args.epochs, args.batch_size)
    rows = run(args.cvl, args.cache, args.work, args.writers, sorted(args.sizes), training)
    print(json.dumps(rows, indent=2) if args.json else summary(rows, sorted(args.sizes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
