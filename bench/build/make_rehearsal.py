"""Write `digitcli/training/rehearsal.npz`: the MNIST training digits a fine-tune of the bundled
model (`train --init bundled`) rehearses with, shipped so that it works from any folder.

    python bench/build/make_rehearsal.py --data MNIST          # `make rehearsal`

A stratified draw of PER_DIGIT digits of each class from MNIST's *training* split (never its
test split, which scores the fine-tuned model), seed SEED, stored as uint8 28x28 pictures and
uint8 labels in a compressed .npz with `about`: a JSON string naming the source, the sha256 of
each source file, the seed and this command. Needs no TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from digitcli.datasets.data import load_dataset  # noqa: E402

OUT = REPO / "digitcli" / "training" / "rehearsal.npz"
PER_DIGIT = 500  # 5,000 digits, 0.8 MB compressed; a 5-epoch fine-tune of 100 digits draws 2,560
SEED = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="MNIST", help="MNIST's folder (IDX files or mnist.npz)")
    parser.add_argument("--per-digit", type=int, default=PER_DIGIT)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    dataset = load_dataset(args.data, role="train", download=False)
    train = dataset.train
    rng = np.random.default_rng(args.seed)
    picks = np.concatenate(
        [rng.choice(np.flatnonzero(train.y == digit), args.per_digit, replace=False)
         for digit in range(10)]
    )  # fmt: skip
    picks = rng.permutation(picks)
    about = {
        "source": "MNIST training split (Yann LeCun, Corinna Cortes, Christopher J.C. Burges)",
        "format": dataset.format,
        "sha256": dataset.files,
        "per_digit": args.per_digit,
        "seed": args.seed,
        "command": f"python bench/build/make_rehearsal.py --per-digit {args.per_digit} "
        f"--seed {args.seed}",
    }
    images = np.asarray(train.x[picks], dtype=np.uint8).reshape(-1, 28, 28)
    labels = np.asarray(train.y[picks], dtype=np.uint8)
    staging = args.out.with_name(f".{args.out.name}.tmp.npz")
    np.savez_compressed(staging, x=images, y=labels, about=np.array(json.dumps(about)))
    staging.replace(args.out)
    size = args.out.stat().st_size
    print(f"wrote {args.out}: {len(labels)} digits, {size:,} bytes")


if __name__ == "__main__":
    main()
