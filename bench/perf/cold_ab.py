"""A cold one-image `predict`, two checkouts and the bare-import floor, alternated.

    git worktree add --detach ../before main
    python bench/perf/cold_ab.py ONE.jpg ONE.png --before ../before --rounds 9
    python bench/perf/cold_ab.py ONE.jpg --before ../before --also ../step1 ../step2   # more trees

Each round runs, in turn, the floor (`predict_ab.FLOOR`: a process that imports what a cold
predict cannot do without) and `python -m digitcli predict FILE` of each file with each
checkout (its own bundled model), so that a busy machine slows all of them alike. Prints, per
file and checkout, the median wall and CPU seconds and their ratio to the floor's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / kind) for kind in (".", "build", "checks", "perf")
]

from predict_ab import FLOOR, REPO, Times, timed, timed_command  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+", help="image files, one predict each")
    parser.add_argument("--before", type=Path, required=True, help="the checkout to compare")
    parser.add_argument("--after", type=Path, default=REPO, help="the other (this one)")
    parser.add_argument("--also", type=Path, nargs="*", default=[], help="more checkouts")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    trees.update({tree.name: tree.resolve() for tree in args.also})
    runs: dict[str, Times] = {"floor": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            runs["floor"].append(timed_command(["-c", FLOOR], REPO, Path(tmp)))
            for file in args.files:
                for name, repo in trees.items():
                    key = f"{name} {file.name}"
                    runs.setdefault(key, []).append(timed(repo, [str(file.resolve())], Path(tmp)))
    report(runs)


def report(runs: dict[str, Times]) -> None:
    """Median wall and CPU of each, and its ratio to the floor's."""
    floor = [statistics.median(t[which] for t in runs["floor"]) for which in (0, 1)]
    for key, times in runs.items():
        wall, cpu = (statistics.median(t[which] for t in times) for which in (0, 1))
        print(
            f"{key:20} wall {wall:.3f} s ({wall / floor[0]:.2f}x floor)"
            f"  CPU {cpu:.3f} s ({cpu / floor[1]:.2f}x floor)"
        )


if __name__ == "__main__":
    main()
