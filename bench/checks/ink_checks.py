"""The ink finder against the rules it replaces, on every check set of pictures of paper, in one
run: each picture read as `digitcli predict` reads it (bundled model), once with
`learned_ink=False` (the rules of `imaging/ink.py`), once with the ink finder and once with the
settings as shipped (no override).

    python bench/checks/ink_checks.py [--pages-seed 7] [--real DIR] [--photos DIR] [--paper DIR]
        [--pen DIR] [--blanks DIR] [--numbers DIR] [--ways rules finder ships] [--json]

- `--pages-seed`: `bench/checks/other_pages.py`'s pages of that seed (a generator family the ink
  finder never learned from), 40 of each kind blank and 40 with a digit;
- `--real`, `--photos`, `--paper`, `--pen`: sets `bench/checks/real_pictures.py build` made (the
  development set; the check sets of photos, of paper photos, of pen photos): single digits
  read right and refused, blank and several-digit pictures refused;
- `--blanks`, `--numbers`: folders of `make_blanks.py` / `make_numbers.py` pictures, every one
  of which should be refused.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path[:0] = [str(ROOT / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import other_pages  # noqa: E402
from picture_checks import answer, bundled_runtime, made_pictures, real_pictures  # noqa: E402

from digitcli.imaging.settings import overridden  # noqa: E402

# "ships": the settings as shipped, no override (whatever `learned_ink` defaults to).
WAYS = {"rules": False, "finder": True, "ships": None}


def pages_scores(made, runtime) -> dict[str, Counter]:
    counts: dict[str, Counter] = {kind: Counter() for kind in other_pages.KINDS}
    for path, kind, label in made:
        said = answer(path, runtime)
        row = counts[kind]
        if label == "blank":
            row["blank"] += 1
            row["blank refused"] += not said.isdigit()
        else:
            row["digits"] += 1
            row["right"] += said == label
    return counts


def real_scores(folder: Path, runtime) -> tuple[Counter, list[str]]:
    row, wrong = Counter(), []
    for path, label, _ in real_pictures(folder):
        said = answer(path, runtime)
        if label.isdigit():
            row["digits"] += 1
            row["right"] += said == label
            row["refused"] += not said.isdigit()
            if said != label:
                wrong.append(f"{path.name}: {label} -> {said}")
        elif label == "blank" or label.startswith("several"):
            row[label.split(":")[0]] += 1
            row[f"{label.split(':')[0]} refused"] += not said.isdigit()
            if said.isdigit():
                wrong.append(f"{path.name}: {label} -> {said}")
    return row, wrong


def made_scores(folder: Path, runtime) -> Counter:
    row = Counter()
    for path in made_pictures(folder):
        row["pictures"] += 1
        row["refused"] += not answer(path, runtime).isdigit()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages-seed", type=int, default=None)
    for name in ("real", "photos", "paper", "pen", "blanks", "numbers"):
        parser.add_argument(f"--{name}", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--ways", nargs="+", choices=list(WAYS), default=list(WAYS))
    args = parser.parse_args()
    runtime = bundled_runtime()
    made = None
    if args.pages_seed is not None:
        made = other_pages.make(Path(tempfile.mkdtemp()), 40, args.pages_seed)
    results: dict = {}
    for way in args.ways:
        shipped = WAYS[way] is None
        with nullcontext() if shipped else overridden(learned_ink=WAYS[way]):
            scores: dict = {}
            if made is not None:
                scores["pages"] = pages_scores(made, runtime)
            for name in ("real", "photos", "paper", "pen"):
                if getattr(args, name) is not None:
                    scores[name] = real_scores(getattr(args, name), runtime)
            for name in ("blanks", "numbers"):
                if getattr(args, name) is not None:
                    scores[name] = made_scores(getattr(args, name), runtime)
        results[way] = scores
    if args.json:
        print(json.dumps(results, indent=2, default=dict))
        return
    for way, scores in results.items():
        print(f"== {way}")
        for name, value in scores.items():
            if name == "pages":
                total = sum(value.values(), Counter())
                for kind, row in {**value, "total": total}.items():
                    print(f"pages {kind:<9} blank refused {row['blank refused']}/{row['blank']}"
                          f"  digits right {row['right']}/{row['digits']}")  # fmt: skip
            elif isinstance(value, tuple):
                row, wrong = value
                print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(row.items())))
                for line in wrong:
                    print(f"    {line}")
            else:
                print(f"{name}: refused {value['refused']}/{value['pictures']}")


if __name__ == "__main__":
    main()
