"""What each check of pictures on paper in `isolate_ink` gains: `bench/picture_checks.py`'s
scores with one check (or all of them) switched off. (The table of
docs/measurements/preparation.md was made before the dark-region and weak-stroke checks went.)

    python bench/veto_ablation.py --real DIR --blanks DIR --numbers DIR [--only NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import types
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import picture_checks  # noqa: E402

from digitcli.imaging import clutter, folds, ink, pieces  # noqa: E402


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


OFF = {
    "runs_off": lambda: patched(ink, "clutter", proxy(clutter, runs_off=never)),
    "slanted_lines": lambda: patched(ink, "_on_slanted_lines", never),
    "dark_beside": lambda: patched(folds, "dark_beside", never),
    "one_sided_step": lambda: patched(folds, "one_sided_step", never),
    "ruled_lines": lambda: patched(ink, "clutter", proxy(clutter, ruled_lines=lambda *a: None)),
    "crossing_pieces": lambda: patched(
        pieces,
        "clutter",
        proxy(clutter, crossing_pieces=lambda labels, boxes, shape: np.zeros(len(boxes[0]), bool)),
    ),  # fmt: skip
}
VETOES = ("runs_off", "slanted_lines", "dark_beside", "one_sided_step")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path)
    parser.add_argument("--blanks", type=Path)
    parser.add_argument("--numbers", type=Path)
    parser.add_argument("--only", nargs="*", default=None, help="configurations to run")
    args = parser.parse_args()
    configurations = {"rules": (), **{name: (name,) for name in OFF}, "all vetoes": VETOES}
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
