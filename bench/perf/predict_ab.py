"""Two checkouts of digitcli side by side: batch predict on many files, and cold predict of one.

    python tests/generators/make_photos.py --n 1000 --out photos
    git worktree add --detach ../before main
    python bench/perf/predict_ab.py photos --before ../before --rounds 5

Each round runs, alternately (so that a busy machine slows both alike), one
`python -m digitcli predict --from-list LIST --format jsonl > /dev/null` over every file with
each checkout first on PYTHONPATH, then --cold runs of `predict ONE_FILE` with each and of
the bare-import floor (a process that imports what a cold predict cannot do without, and does
nothing: `FLOOR`). Each checkout answers with its own bundled model (the same network; each
stamped for its own preparation, which `fits` checks). Prints the medians of the wall time
and of the CPU time (process and workers), the ratio before / after (above 1: this checkout
is faster), each checkout's images/s and its cold predict's ratio to the floor.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The bundled model in each checkout: where it is now, and where it was before 0.6
BUNDLED = (Path("digitcli") / "models" / "pretrained", Path("digitcli") / "pretrained")
# The floor under a cold predict in a pipe: the interpreter and the libraries it cannot do
# without (as bench/perf/run.py's IMPORTS_ALONE).
FLOOR = "import numpy, PIL.Image, typer, ai_edge_litert.interpreter"


def timed(repo: Path, args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the process and its workers (less moved by a busy
    machine's other work than the wall time, though not untouched)."""
    # from a folder without a digitcli: `python -m` imports the current folder's first
    model = str(next((repo / place for place in BUNDLED if (repo / place).is_dir()), repo))
    return timed_command(["-m", "digitcli", "predict", "--model", model, *args], repo, cwd)


def timed_command(args: list[str], repo: Path, cwd: Path) -> tuple[float, float]:
    """`python ARGS` with `repo` on PYTHONPATH: wall and CPU seconds, as `timed`. Byte-code
    is kept, as `pip install` leaves it, under `cwd` (not in the checkouts): with
    PYTHONDONTWRITEBYTECODE set, every process would compile digitcli's modules again
    (~0.04 s of CPU)."""
    env = dict(os.environ, PYTHONPATH=str(repo), PYTHONPYCACHEPREFIX=str(cwd / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                   check=False)  # fmt: skip
    _reap_orphans()
    wall = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime


def _adopt_orphans() -> None:
    """Become the subreaper of everything started here: worker processes that outlive their
    predict (a checkout that ends with os._exit leaves them to be killed by PR_SET_PDEATHSIG)
    are then waited for here, so that RUSAGE_CHILDREN counts their CPU time too."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER (Linux)


def _reap_orphans() -> None:
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


Times = list[tuple[float, float]]  # (wall, CPU) seconds of each run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", type=Path, help="a folder of image files (make_photos.py's)")
    parser.add_argument("--before", type=Path, required=True, help="the checkout to compare")
    parser.add_argument(
        "--after", type=Path, default=REPO, help="the checkout compared with it (this one)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold", type=int, default=3, help="one-image runs each per round")
    args = parser.parse_args()
    _adopt_orphans()
    files = sorted(p for p in args.photos.iterdir() if p.suffix in (".png", ".jpg"))
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    with tempfile.TemporaryDirectory() as tmp:
        batch, cold, floor = alternated(trees, files, args.rounds, args.cold, Path(tmp))
    report(trees, len(files), batch, cold, floor)


def alternated(
    trees: dict[str, Path], files: list[Path], rounds: int, colds: int, tmp: Path
) -> tuple[dict[str, Times], dict[str, Times], Times]:
    """Each tree's batch runs, its cold runs, and the floor's runs, alternated round by round."""
    batch: dict[str, Times] = {name: [] for name in trees}
    cold: dict[str, Times] = {name: [] for name in trees}
    floor: Times = []
    listing, few = tmp / "list.txt", tmp / "few.txt"
    listing.write_text("".join(f"{path}\n" for path in files))
    few.write_text("".join(f"{path}\n" for path in files[:32]))
    for repo in trees.values():  # untimed: byte-code written, files in the page cache
        timed(repo, ["--from-list", str(few)], tmp)
        timed(repo, [str(files[0])], tmp)
    timed_command(["-c", FLOOR], REPO, tmp)
    for _ in range(rounds):
        for name, repo in trees.items():
            batch[name].append(timed(repo, ["--from-list", str(listing), "--format", "jsonl"], tmp))
        for _ in range(colds):
            for name, repo in trees.items():
                cold[name].append(timed(repo, [str(files[0])], tmp))
            floor.append(timed_command(["-c", FLOOR], REPO, tmp))
    return batch, cold, floor


def report(
    trees: dict[str, Path],
    count: int,
    batch: dict[str, Times],
    cold: dict[str, Times],
    floor: Times,
) -> None:
    """Medians, ratios, images/s and each tree's cold predict over the floor."""
    for label, times in (("batch", batch), ("cold", cold)):
        for kind, which in (("wall", 0), ("cpu", 1)):
            before, after = (statistics.median(t[which] for t in times[name]) for name in trees)
            print(
                f"{label} {kind}: before {before:.3f} s, after {after:.3f} s, "
                f"before/after {before / after:.3f} (median of {len(times['after'])})"
            )
    for name in trees:
        rate = count / statistics.median(t[0] for t in batch[name])
        print(f"batch {name}: {rate:.0f} images/s ({count} files, median wall)")
    for kind, which in (("wall", 0), ("cpu", 1)):
        bare = statistics.median(t[which] for t in floor)
        ratios = ", ".join(
            f"{name} {statistics.median(t[which] for t in cold[name]) / bare:.2f}x"
            for name in trees
        )
        print(f"cold {kind} / floor ({bare:.3f} s): {ratios}")


if __name__ == "__main__":
    main()
