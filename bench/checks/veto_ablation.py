"""What each rule of the preparation on paper gains once the judge (`digitcli.imaging.judge`)
looks at the ink: `bench/checks/picture_checks.py`'s scores with one rule switched off alone (or the
judge itself). The table: docs/measurements/preparation.md.

    python bench/checks/veto_ablation.py --real DIR --blanks DIR --numbers DIR [--judges JUDGES]
        [--only NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import types
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH.parent))
sys.path[:0] = [str(BENCH / kind) for kind in (".", "build", "checks", "perf")]

import picture_checks  # noqa: E402

from digitcli.imaging import clutter, ink, paper, pieces, verdict  # noqa: E402
from digitcli.imaging.settings import overridden  # noqa: E402


@contextmanager
def patched(module, name: str, value):
    before = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, before)


def proxy(module, **changes) -> types.SimpleNamespace:
    """`module`'s names, some replaced."""
    return types.SimpleNamespace(**{**vars(module), **changes})


def never(*_args, **_kwargs) -> bool:
    return False


def nothing(labels, boxes, *_args) -> np.ndarray:
    return np.zeros(len(boxes[0]), bool)


def no_neighbours(x0, *_args) -> np.ndarray:
    return np.zeros(len(x0), bool)


OFF = {
    "judge": lambda: patched(ink, "verdict", proxy(verdict, judged=lambda *a, **k: None)),
    "crossing_pieces": lambda: patched(pieces, "clutter", proxy(clutter, crossing_pieces=nothing)),
    "box_pieces": lambda: patched(pieces, "clutter", proxy(clutter, box_pieces=nothing)),
    "neighbour_pieces": lambda: patched(
        pieces, "clutter", proxy(clutter, neighbour_pieces=no_neighbours)
    ),
    "ruled_lines": lambda: patched(ink, "clutter", proxy(clutter, ruled_lines=lambda *a: None)),
    "slanted_lines": lambda: patched(ink, "clutter", proxy(clutter, slanted_lines=lambda *a: None)),
    "paper_inside_a_box": lambda: patched(
        paper, "clutter", proxy(clutter, paper_inside_a_box=lambda gray, band, border, c: border)
    ),
    # the parts of `clutter.runs_off` (the pieces `crossing_pieces` drops)
    "runs_off: hairlines": lambda: overridden(hairline=0.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    picture_checks.add_set_arguments(parser)
    parser.add_argument("--only", nargs="*", default=None, help="configurations to run")
    args = parser.parse_args()
    configurations = {"as shipped": (), **{name: (name,) for name in OFF}}
    for label, names in configurations.items():
        if args.only is not None and label not in args.only:
            continue
        with ExitStack() as stack:
            for name in names:
                stack.enter_context(OFF[name]())
            scores = picture_checks.score(args)
        real = scores.get("real")
        parts = [f"{label:<16}"]
        if real is not None:
            others = real["others"]
            parts.append(
                f"real {real['right']}/{real['total']} refused {len(real['refused'])}"
                f" | several {others.get('several refused', 0)}/{others.get('several total', 0)}"
                f" nondigit {others.get('nondigit refused', 0)}/{others.get('nondigit total', 0)}"
                f" blank {others.get('blank refused', 0)}/{others.get('blank total', 0)}"
            )
        for name in ("blanks", "numbers"):
            if name in scores:
                made = scores[name]
                parts.append(f"{name} {made['refused']}/{made['total']}")
        print(" | ".join(parts), flush=True)
        if real is not None:
            for line in real["refused"]:
                print(f"    refused {line}")


if __name__ == "__main__":
    main()
