"""Read a set of pictures of numbers with `digitcli read`, optionally with some of `read`'s
settings overridden by name, and print each file's reading and confidence and the exact rate.

    python bench/checks/read_pictures.py real [--set DIR] [--with FIELD=VALUE ...] [--json FILE]
    python bench/checks/read_pictures.py fixtures [--with FIELD=VALUE ...] [--json FILE]

`real`: the real set's several-digit pictures (labels `several:NNN` in its manifest,
bench/checks/real_pictures.py), the number being NNN. `fixtures`: the number pictures in
tests/fixtures,
the number being the digits in the file's name (`blank-*`: none). `--with` puts a field of
`ReadingSettings` (or, `prep.FIELD`, of `PreparationSettings`) in force while reading: a
benchmark of a setting, as `settings.overridden` runs one. `--json`: every file's reading and
confidence, to compare two runs file for file.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from contextlib import ExitStack
from dataclasses import fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from real_pictures import file_name  # noqa: E402

from digitcli.imaging import settings as preparation  # noqa: E402
from digitcli.reading import settings as reading  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PICTURES = (".jpg", ".png")
ONE_DIGIT = {"one-digit-43": "2", "one-digit-149": "9", "one-digit-269": "0"}  # tests' labels


def real_numbers(folder: Path) -> dict[str, str]:
    """The several-digit pictures of a built real set: file -> its number."""
    answers = {}
    with (folder / "real_pictures.csv").open() as manifest:
        for row in csv.DictReader(manifest):
            if row["label"].startswith("several:"):
                name = file_name(row["repo"], row["path"])
                answers[str(folder / row["fold"] / name)] = row["label"].split(":", 1)[1]
    return answers


def fixture_numbers() -> dict[str, str]:
    """The number pictures in tests/fixtures: file -> the digits its name holds ('' for blank)."""
    return {
        str(path): ONE_DIGIT.get(path.stem, "".join(re.findall(r"\d", path.stem)))
        for path in sorted(FIXTURES.iterdir())
        if path.suffix in PICTURES
    }


def _setting(text: str) -> tuple[object, str, float | int]:
    """`FIELD=VALUE` or `prep.FIELD=VALUE` -> (settings module, field, typed value)."""
    name, _, value = text.partition("=")
    module = preparation if name.startswith("prep.") else reading
    name = name.removeprefix("prep.")
    kinds = {field.name: field.type for field in fields(module.DEFAULT)}
    if name not in kinds or not value:
        raise argparse.ArgumentTypeError(f"not a setting: {text!r}")
    return module, name, {"int": int, "float": float}[str(kinds[name])](value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", choices=("real", "fixtures"))
    parser.add_argument(
        "--set", type=Path, help="the built real set (bench/checks/real_pictures.py)"
    )
    parser.add_argument("--with", dest="settings", type=_setting, action="append", default=[])
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--json", type=Path, help="write every file's reading here")
    args = parser.parse_args(argv)
    if args.which == "real" and args.set is None:
        parser.error("real needs --set")
    numbers = real_numbers(args.set) if args.which == "real" else fixture_numbers()
    from digitcli.reading.read import read

    with ExitStack() as stack:
        for module, name, value in args.settings:
            stack.enter_context(module.overridden(**{name: value}))
        readings = {r.file: r for r in read(list(numbers), model=args.model)}
    rows, right = [], 0
    for file, number in numbers.items():
        got = readings[file]
        right += (got.number or "") == number
        rows.append({"file": Path(file).name, "number": number, "read": got.number,
                     "confidence": got.confidence, "note": got.note})  # fmt: skip
        confidence = "-" if got.confidence is None else f"{got.confidence:.3f}"
        mark = "ok" if (got.number or "") == number else "  "
        print(f"{mark} {Path(file).name[:60]:60} {number:>12} {got.number or '-':>12} {confidence}")
    print(f"exact: {right} of {len(numbers)} ({right / len(numbers):.1%})")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
