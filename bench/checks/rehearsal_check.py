"""Whether the 5,000 MNIST training digits shipped in `digitcli/training/rehearsal.npz` serve a
fine-tune of the bundled model as well as MNIST's whole training split (60,000).

    python bench/checks/rehearsal_check.py --mnist MNIST --work build/rehearsal-check [--seeds 0 1]

"Your own digits" (`--writer`): `uci`, scikit-learn's `load_digits` (UCI optical digits, 8x8
scans of 43 writers), each enlarged onto paper as `bench/checks/robustness.py`'s `enlarged` set
makes them (seed 7); `rescan`, MNIST's last 1,500 *training* digits re-scanned at 8-16 px as
robustness.py's `rescan` set is made (seed 7; ~8% of them may be among the shipped 5,000). The first
FIT as the digits to learn, the next VALIDATE to pick the epoch (`--validation-data`), the rest
to test, never seen by the fine-tune. For each seed, `train --init bundled` (5 epochs, its
defaults) rehearsing with the whole split and with the shipped digits; each model scored on the
writer test digits and on MNIST's 10,000 test digits. Prints one JSON line a run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FIT, VALIDATE = 150, 150


def rescans(out: Path, mnist: str, count: int = 1500) -> list[tuple[Path, int]]:
    """MNIST's last `count` *training* digits re-scanned at 8-16 px as robustness.py's `rescan`
    set re-scans its test digits (seed 7): a writer the bundled model reads worse."""
    from robustness import rescanned

    from digitcli.datasets.data import load_dataset

    train = load_dataset(mnist, role="train", download=False).train
    rng, items = np.random.default_rng(7), []
    for i in range(len(train) - count, len(train)):
        scan = rescanned(train.x[i], rng)
        path = out / "rescan" / f"{i:05d}-{int(train.y[i])}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        scan.save(path)
        items.append((path, int(train.y[i])))
    return items


def writer_folders(work: Path, writer: str, mnist: str) -> dict[str, Path]:
    """Folders 0/..9/ of the writer's digits: fit, validate, test."""
    from robustness import _uci_scans

    if writer == "rescan":
        made = rescans(work / "made", mnist)
    else:
        rng = np.random.default_rng(7)
        made = _uci_scans(work / "made", "enlarged", slice(0, None), rng, enlarge=True)
    parts = {
        "fit": made[:FIT],
        "validate": made[FIT : FIT + VALIDATE],
        "test": made[FIT + VALIDATE :],
    }
    folders = {}
    for name, items in parts.items():
        for path, digit in items:
            target = work / name / str(digit) / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.symlink_to(path.resolve())
        folders[name] = work / name
    return folders


def accuracy(model: str | Path, split) -> float:
    from digitcli.models.runtimes import load_runtime, resolve_model

    runtime = load_runtime(resolve_model(model))
    return float(np.mean(runtime.predict(split.x).argmax(axis=1) == split.y))


def main() -> None:
    from digitcli.datasets.data import load_dataset
    from digitcli.training.finetune import Tuning, finetune_bundled

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mnist", default="MNIST")
    parser.add_argument("--work", type=Path, default=Path("build/rehearsal-check"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--writer", choices=("uci", "rescan"), default="uci")
    args = parser.parse_args()
    folders = writer_folders(args.work, args.writer, args.mnist)
    writer = load_dataset(folders["test"], role="test").test
    mnist = load_dataset(args.mnist, role="test").test
    base = {"writer_test": len(writer), "mnist_test": len(mnist)}
    print(json.dumps({"run": "bundled", **base, "writer": accuracy("bundled", writer),
                      "mnist": accuracy("bundled", mnist)}), flush=True)  # fmt: skip
    for seed in args.seeds:
        for name, rehearsal in (("full", args.mnist), ("shipped", None)):
            out = args.work / f"{name}-seed{seed}"
            finetune_bundled(
                Tuning(seed=seed), data=folders["fit"], validation_data=folders["validate"],
                output=out, rehearsal_data=rehearsal, force=True,
            )  # fmt: skip
            row = {"run": name, "seed": seed, **base}
            row.update(writer=accuracy(out, writer), mnist=accuracy(out, mnist))
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
