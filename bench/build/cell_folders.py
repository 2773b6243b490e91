"""Real register cells as folders for the judge to learn from (`make_judge.py --folder
several=DIR/several --folder digit=DIR/digit`): a number of two digits or more in a ruled cell
is several digits, not lines or blank paper.

    python bench/build/cell_folders.py --pictures DIR --values FILE --out OUT \
        [--leave-out bench/checks/real_numbers.csv] [--seed 8] [--several 1500] [--digits 300]

`--pictures` and `--values` are as `cell_strips.py` takes them (the AI4Good Meza OCR
Challenge's `cell_images/training_set` and `training_set_values.txt`). Cells whose text holds
two digits or more go to OUT/several, those of one digit to OUT/digit, `--several` and
`--digits` of each picked at random with `--seed`, each copied under a name that puts them in
that random order (`make_judge.py` takes the first `--per-folder` of a folder's sorted names).
Pictures whose bytes a `--leave-out` manifest names (the development set of `read`) are left
out, so that set stays a measure.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cell_strips import left_out, values  # noqa: E402


def by_count(folder: Path, texts: dict[str, str], skip: set[str]) -> dict[str, list[Path]]:
    """The pictures in `folder` that `texts` names, by how many digits their text holds
    ("digit": one, "several": two or more; none: not kept)."""
    found: dict[str, list[Path]] = {"digit": [], "several": []}
    for name, text in sorted(texts.items()):
        path = folder / name
        digits = sum(c.isdigit() for c in text)
        if not digits or not path.is_file():
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() in skip:
            continue
        found["digit" if digits == 1 else "several"].append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pictures", type=Path, required=True)
    parser.add_argument("--values", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--leave-out", type=Path, action="append", default=[])
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--several", type=int, default=1500)
    parser.add_argument("--digits", type=int, default=300)
    args = parser.parse_args(argv)
    found = by_count(args.pictures, values(args.values), left_out(args.leave_out))
    rng = np.random.default_rng(args.seed)
    for kind, most in (("several", args.several), ("digit", args.digits)):
        paths = found[kind]
        chosen = rng.permutation(len(paths))[:most]
        into = args.out / kind
        into.mkdir(parents=True, exist_ok=True)
        for order, index in enumerate(chosen):
            path = paths[index]
            (into / f"{order:05d}-{path.name}").write_bytes(path.read_bytes())
        print(f"{kind}: {len(chosen)} of {len(paths)} cells -> {into}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
