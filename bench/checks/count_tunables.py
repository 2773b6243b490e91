"""How many hand-tuned numbers a folder holds: module constants and numbers in conditions.

    python bench/checks/count_tunables.py                    # digitcli/imaging and digitcli/reading
    python bench/checks/count_tunables.py digitcli/imaging --list

Counted, per module (with Python's own parser, so comments and docstrings never count):
- tuned constants, the measure of issue 86 ("module-level numeric constants plus numeric
  fields of classes"; its target: at most 120 in imaging/ and reading/ together):
  module-level assignments to UPPERCASE names whose value holds a number
  (`MIN_CONTRAST = 24.0`, `FAINTEST_INK, FAINT_SEPARATION = 12.0, 8.0` counts two), and the
  fields of a module-level class whose default holds a number. Split three ways: the fields of
  the settings dataclasses (`settings.py`), the module constants that tests/test_tuned_numbers.py
  names as formats and limits, each with its reason (`NAMED`: MNIST's box, a PNG header, the
  decoding limits), and the numeric defaults of other classes. A field of another class
  whose default holds only 0s and 1s (a `Frame`'s angle 0.0, a line's 1 band) is an empty
  value, not a tuned one, and is not counted, as 0 and 1 are not in conditions (until round 7
  they were: 12 such fields in reading/ and imaging/);
- numbers in conditions: numeric literals other than 0 and 1 inside a comparison or inside
  the test of an `if`, `while`, conditional expression or `assert` (not part of the issue's
  measure; shown beside it).
"""

from __future__ import annotations

import argparse
import ast
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("digitcli/imaging", "digitcli/reading")
TARGET = 120  # issue 86: at most this many tuned constants in FOLDERS together
TRIVIAL = (0, 1)
NAMED_IN = REPO / "tests" / "test_tuned_numbers.py"  # its NAMED: (module path, name) -> reason
SETTINGS = "settings.py"


def named_formats() -> set[tuple[str, str]]:
    """The (module path, name) pairs tests/test_tuned_numbers.py names as formats and limits."""
    for node in ast.parse(NAMED_IN.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "NAMED" for target in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


def _numbers(node: ast.AST) -> list[ast.Constant]:
    return [
        sub
        for sub in ast.walk(node)
        if isinstance(sub, ast.Constant)
        and isinstance(sub.value, int | float)
        and not isinstance(sub.value, bool)
    ]


def _tuned_default(value: ast.AST | None, *, settings: bool) -> bool:
    """Whether a class field's default is a tuned number: any number in a settings dataclass,
    elsewhere one other than 0 and 1 (0 and 1 there are empty values: no angle, one band)."""
    numbers = [] if value is None else _numbers(value)
    return any(settings or number.value not in TRIVIAL for number in numbers)


def tuned_constants(tree: ast.Module, *, settings: bool = True) -> list[str]:
    """The UPPERCASE module-level names assigned a value that holds a number, and the fields of
    module-level classes whose default holds one (outside a settings module, one but 0 or 1)."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            found += [
                f"{node.name}.{field.target.id}"
                for field in node.body
                if isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and _tuned_default(field.value, settings=settings)
            ]
            continue
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not _numbers(node.value):
            continue
        for target in targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            found += [n.id for n in names if isinstance(n, ast.Name) and n.id.isupper()]
    return found


def numbers_in_conditions(tree: ast.Module) -> list[tuple[int, float]]:
    """(line, value) of each non-trivial numeric literal in a condition, each counted once."""
    seen: dict[int, ast.Constant] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
            parts = [node.test]
        elif isinstance(node, ast.Compare):
            parts = [node]
        else:
            continue
        for part in parts:
            for number in _numbers(part):
                if number.value not in TRIVIAL:
                    seen[id(number)] = number
    return sorted((n.lineno, n.value) for n in seen.values())


def kind_of(path: Path, name: str, named: set[tuple[str, str]]) -> str:
    """Which of the three a counted constant is: "settings", "formats" or "defaults"."""
    if path.name == SETTINGS:
        return "settings"
    if (path.relative_to(REPO).as_posix(), name) in named:
        return "formats"
    return "defaults" if "." in name else "other"


def count(folder: Path, *, listing: bool = False) -> tuple[Counter, int]:
    """The folder's tuned constants by kind, and its numbers in conditions."""
    kinds: Counter = Counter()
    conditions, named = 0, named_formats()
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = tuned_constants(tree, settings=path.name == SETTINGS)
        numbers = numbers_in_conditions(tree)
        kinds.update(kind_of(path, name, named) for name in names)
        conditions += len(numbers)
        if listing and (names or numbers):
            print(f"  {path.name}: {len(names)} constants, {len(numbers)} in conditions")
            print(f"    {', '.join(names)}")
    return kinds, conditions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", default=FOLDERS)
    parser.add_argument("--list", action="store_true", help="per module, with the names")
    args = parser.parse_args()
    total: Counter = Counter()
    for folder in args.folders:
        kinds, conditions = count(REPO / folder, listing=args.list)
        total += kinds
        print(f"{folder}: {kinds.total()} tuned constants ({_kinds(kinds)}) "
              f"+ {conditions} numbers in conditions = {kinds.total() + conditions}")  # fmt: skip
    together = f"together: {total.total()} tuned constants ({_kinds(total)})"
    print(f"{together}; issue 86's target: {TARGET}")


KINDS = ("settings", "formats", "defaults", "other")


def _kinds(kinds: Counter) -> str:
    return ", ".join(f"{kinds[kind]} {kind}" for kind in KINDS)


if __name__ == "__main__":
    main()
