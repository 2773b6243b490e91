"""Learning one writer without forgetting the others: `train --init bundled` per CVL writer.

    python bench/checks/cvl_writers.py --cvl DIR [--split valid] [--writers 30] [--ks 2 5 10]
                                [--epochs 5] [--rehearsal 0.5] [--minutes M] [--more]
                                [--out bench/figures/cvl-writers.json] [--table]

The per-writer protocol of issue 79. For each of `--writers` writers of CVL `--split` (drawn with
a fixed seed among those with more than max(ks) digits of every class; `valid/`: 60 writers the
bundled model never trained on; `bench/build/cvl.py` says where the database comes from), k = 2, 5
and 10 digits of each class (the smaller sets inside the larger) are copied as files into
folders `0/` .. `9/` and the bundled model is fine-tuned on them as a user would
(`digitcli train --init bundled --data DIR --epochs N --rehearsal R`, in-process: every
digit fitted, checked on the same folder). Each fine-tuned model and the bundled model are
then scored on

- the writer's other digits (those outside the largest set: the same digits for every k),
- MNIST's 10,000 test digits (`MNIST/`, as `evaluate` reads them),
- CVL `test/` (21,780 digits of 176 other writers, as `predict` prepares them).

`--table` prints, for each k, the median and spread (quartiles) of the fall in errors on the
writer's other digits, and the median and worst MNIST test and other-writer accuracy; the
results file holds every row and the digitcli version. `--minutes` stops starting writers
after that many minutes (a machine shared by others: the rows so far are kept); `--more` runs
the writers --out has no rows of yet, keeping its rows.
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

WRITER_SEED = 79  # which writers, and which of their digits, are drawn
KS = (2, 5, 10)


def chosen_writers(labels: np.ndarray, writers: np.ndarray, count: int, per_digit: int) -> list:
    """`count` writers (all, if fewer qualify), in a fixed random order, among those with more
    than `per_digit` of every digit, so that each keeps some of every digit to be scored on."""
    eligible = [
        int(w)
        for w in np.unique(writers)
        if all((labels[writers == w] == d).sum() > per_digit for d in range(10))
    ]
    order = np.random.default_rng(WRITER_SEED).permutation(eligible).tolist()
    return order[:count]


def nested_picks(labels: np.ndarray, ks: list[int], rng: np.random.Generator) -> dict:
    """For each k, the indices (into `labels`) of k of each digit; smaller sets inside larger."""
    orders = {d: rng.permutation(np.flatnonzero(labels == d)) for d in range(10)}
    return {k: np.concatenate([orders[d][:k] for d in range(10)]) for k in ks}


def tuned(files: list[Path], labels: np.ndarray, folder: Path, epochs: int, rehearsal: float):
    """The bundled model fine-tuned on these files (copied into `folder`/data), as
    `digitcli train --init bundled --data DIR --validation-data DIR` does it."""
    from digitcli.models.backend import keras
    from digitcli.training.finetune import Tuning, finetune_bundled

    data = folder / "data"
    shutil.rmtree(data, ignore_errors=True)
    for path, digit in zip(files, labels, strict=True):
        (data / str(digit)).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, data / str(digit) / path.name)
    tuning = Tuning(epochs=epochs, rehearsal=rehearsal)
    result = finetune_bundled(
        tuning,
        data=data,
        validation_data=data,
        rehearsal_data=ROOT / "MNIST",
        output=folder / "model",
        force=True,
    )
    keras.backend.clear_session()
    return result.model_dir


def accuracy(runtime, x: np.ndarray, y: np.ndarray) -> float:
    return float((runtime.predict(x).argmax(1) == y).mean())


def run(args: argparse.Namespace) -> dict:
    from cvl import items, load_split

    from digitcli import __version__
    from digitcli.datasets.data import load_dataset
    from digitcli.models.modeldir import named_model
    from digitcli.models.runtimes import load_runtime, resolve_model

    started = time.monotonic()
    ks = sorted(args.ks)
    data = load_split(args.cvl, args.split, args.cache)
    files = [path for path, _, _ in items(args.cvl, args.split)]
    others = load_split(args.cvl, "test", args.cache)
    mnist = load_dataset(ROOT / "MNIST", role="test").test
    bundled = load_runtime(resolve_model(named_model("bundled")))
    base = {
        "mnist_test": accuracy(bundled, mnist.x, mnist.y),
        "other_writers": accuracy(bundled, others["x"], others["y"]),
    }
    print(json.dumps({"bundled": base}), file=sys.stderr, flush=True)
    rows = json.loads(args.out.read_text())["rows"] if args.more and args.out.is_file() else []
    done = {row["writer"] for row in rows}
    writers = chosen_writers(data["y"], data["writer"], args.writers, max(ks))
    for writer in [writer for writer in writers if writer not in done]:
        if args.minutes and time.monotonic() - started > 60 * args.minutes:
            break
        mine = np.flatnonzero(data["writer"] == writer)
        picks = nested_picks(data["y"][mine], ks, np.random.default_rng([WRITER_SEED, writer]))
        rest = np.setdiff1d(mine, mine[picks[max(ks)]])
        x, y = data["x"][rest], data["y"][rest]
        errors_before = int((bundled.predict(x).argmax(1) != y).sum())
        for k in ks:
            began = time.monotonic()
            chosen = mine[picks[k]]
            folder = args.work / f"{writer}-{k}"
            model = load_runtime(resolve_model(tuned(
                [files[i] for i in chosen], data["y"][chosen], folder, args.epochs, args.rehearsal
            )))  # fmt: skip
            row = {
                "writer": writer,
                "k": k,
                "scored": len(rest),
                "errors_bundled": errors_before,
                "errors_tuned": int((model.predict(x).argmax(1) != y).sum()),
                "mnist_test": accuracy(model, mnist.x, mnist.y),
                "other_writers": accuracy(model, others["x"], others["y"]),
                "seconds": round(time.monotonic() - began, 1),
            }
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            shutil.rmtree(folder, ignore_errors=True)
    return {
        "digitcli_version": __version__,
        "command": (  # the database's folder is the reader's own
            f"python bench/checks/cvl_writers.py --cvl CVL --split {args.split} --writers "
            f"{args.writers} --ks {' '.join(map(str, ks))} --epochs {args.epochs} "
            f"--rehearsal {args.rehearsal:g}"
        ),
        "split": args.split,
        "epochs": args.epochs,
        "rehearsal": args.rehearsal,
        "writers_asked": args.writers,
        "bundled": base,
        "rows": rows,
    }


def summary(results: dict) -> str:
    """The markdown table: per k, the writers' fall in errors and what the others kept."""
    base = results["bundled"]
    lines = [
        "| k a class | writers | errors on their other digits, bundled -> tuned (sum) "
        "| fall in errors: median (quartiles) | MNIST test: median, worst "
        "| other writers: median, worst |",
        "|---|---|---|---|---|---|",
        f"| 0 (bundled) | - | - | - | {base['mnist_test']:.2%} | - | {base['other_writers']:.2%} |",
    ]
    for k in sorted({row["k"] for row in results["rows"]}):
        rows = [row for row in results["rows"] if row["k"] == k]
        before = np.array([row["errors_bundled"] for row in rows])
        after = np.array([row["errors_tuned"] for row in rows])
        fall = np.where(before > 0, 1 - after / np.maximum(before, 1), np.nan)
        shown = (
            "no errors to fall"
            if np.isnan(fall).all()
            else f"{np.nanmedian(fall):.0%} ({np.nanpercentile(fall, 25):.0%} .. "
            f"{np.nanpercentile(fall, 75):.0%})"
        )
        mnist = np.array([row["mnist_test"] for row in rows])
        other = np.array([row["other_writers"] for row in rows])
        lines.append(
            f"| {k} | {len(rows)} | {before.sum()} -> {after.sum()} | {shown} "
            f"| {np.median(mnist):.2%}, {mnist.min():.2%} "
            f"| {np.median(other):.2%}, {other.min():.2%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cvl", type=Path, help="the database's folder (not with --table)")
    parser.add_argument("--split", default="valid", choices=("train", "valid", "test"))
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "cvl")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "cvl-writers")
    parser.add_argument("--writers", type=int, default=30)
    parser.add_argument("--ks", type=int, nargs="+", default=list(KS))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rehearsal", type=float, default=0.5)
    parser.add_argument("--minutes", type=float, default=0, help="0: no limit")
    parser.add_argument("--more", action="store_true", help="keep --out's rows, add writers")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "figures" / "cvl-writers.json")
    parser.add_argument("--table", action="store_true", help="print the table of --out only")
    args = parser.parse_args(argv)
    if args.table:
        print(summary(json.loads(args.out.read_text())))
        return 0
    if args.cvl is None:
        parser.error("--cvl DIR: the database's folder (bench/build/cvl.py says where it is from)")
    results = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(summary(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
