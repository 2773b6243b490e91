"""Sweep one of `read`'s settings by name: read a set of numbers with each value, print how many
were read exactly.

    python bench/checks/sweep_reading.py FIELD V1 V2 ... [--per-kind 40] [--seed 1] [--out DIR]
                                  [--model MODEL] [make_numbers.py's options: --style, --paper...]

FIELD is a field of `digitcli.reading.settings.ReadingSettings` (`line_doubt`, `max_atoms`...).
The set is written as bench/checks/read_numbers.py writes its own (`make_numbers.py`, MNIST test
digits
unless `--digits-from` says otherwise; a folder that holds `labels.jsonl` is read again, not
rewritten), by default with `--seed 1`: a tuning set, not the benchmark's `--seed 0`. The set is
read with the default settings, then once per value inside `settings.overridden(FIELD=value)`,
which `read`'s worker processes see too. The shipped line reader's `fits` stamp holds the
default settings, so a swept value never refuses it; a value worth keeping becomes the default
in settings.py, and the line reader is stamped again (bench/build/make_line_reader.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import fields
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / kind) for kind in (".", "build", "checks", "perf")
]
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "generators"))

from read_numbers import default_folder, score  # noqa: E402

from digitcli.reading.settings import DEFAULT, overridden  # noqa: E402

from make_numbers import (  # noqa: E402
    add_digit_options,
    checked_digit_options,
    load_labels,
    make_number_set_of,
)

TYPES = {field.name: {"int": int, "float": float}[str(field.type)] for field in fields(DEFAULT)}


def exact(folder: Path, model: str, **setting: float) -> tuple[float, float]:
    """The share of the set's numbers read exactly, and of its digits, with `setting` in force."""
    from digitcli.reading.read import read

    numbers = load_labels(folder)
    with overridden(**setting):
        files = [str(folder / number.file) for number in numbers]
        answers = {Path(reading.file).name: reading.number for reading in read(files, model=model)}
    _, right, digits = score(numbers, answers)["all"]
    return right, digits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("field", choices=sorted(TYPES), metavar="FIELD", help="a setting's name")
    parser.add_argument("values", nargs="+", metavar="VALUE", help="the values to read with")
    parser.add_argument("--per-kind", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--narrow", action="store_true", help="make_numbers.py --narrow's set")
    parser.add_argument("--out", type=Path, help="default: a folder named by the set's options")
    parser.add_argument("--model", default=None, help="default: the bundled model")
    add_digit_options(parser)
    args = parser.parse_args(argv)
    checked_digit_options(parser, args)
    try:
        values = [TYPES[args.field](value) for value in args.values]
    except ValueError as error:
        parser.error(f"{args.field} takes {TYPES[args.field].__name__} values: {error}")
    args.out = args.out or Path(tempfile.gettempdir()) / default_folder(args)
    if not (args.out / "labels.jsonl").exists():
        make_number_set_of(args, args.out)
    repo = Path(__file__).resolve().parents[2]
    model = args.model or str(repo / "digitcli" / "models" / "pretrained")
    print(f"{args.out.name}, {len(load_labels(args.out))} numbers")
    print(f"| {args.field} | exact | digits |\n|---|---|---|")
    default = getattr(DEFAULT, args.field)
    for value in [default, *(value for value in values if value != default)]:
        right, digits = exact(args.out, model, **{args.field: value})
        shown = f"{value:g}" + " (default)" * (value == default)
        print(f"| {shown} | {right:.1%} | {digits:.1%} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
