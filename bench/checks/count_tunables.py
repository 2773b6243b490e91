"""How many hand-tuned numbers a folder holds: module constants and numbers in conditions.

    python bench/checks/count_tunables.py                    # digitcli/imaging and digitcli/reading
    python bench/checks/count_tunables.py digitcli/imaging --list

Counted, per module (with Python's own parser, so comments and docstrings never count):
- tuned constants: module-level assignments to UPPERCASE names whose value holds a number
  (`MIN_CONTRAST = 24.0`, `FAINTEST_INK, FAINT_SEPARATION = 12.0, 8.0` counts two), and the
  fields of a module-level class (a settings dataclass) whose default holds a number;
- numbers in conditions: numeric literals other than 0 and 1 inside a comparison or inside
  the test of an `if`, `while`, conditional expression or `assert`.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("digitcli/imaging", "digitcli/reading")
TRIVIAL = (0, 1)


def _numbers(node: ast.AST) -> list[ast.Constant]:
    return [
        sub
        for sub in ast.walk(node)
        if isinstance(sub, ast.Constant)
        and isinstance(sub.value, int | float)
        and not isinstance(sub.value, bool)
    ]


def tuned_constants(tree: ast.Module) -> list[str]:
    """The UPPERCASE module-level names assigned a value that holds a number, and the fields of
    module-level classes whose default holds one."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            found += [
                f"{node.name}.{field.target.id}"
                for field in node.body
                if isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and field.value is not None
                and _numbers(field.value)
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


def count(folder: Path, *, listing: bool = False) -> tuple[int, int]:
    constants = conditions = 0
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names, numbers = tuned_constants(tree), numbers_in_conditions(tree)
        constants += len(names)
        conditions += len(numbers)
        if listing and (names or numbers):
            print(f"  {path.name}: {len(names)} constants, {len(numbers)} in conditions")
            print(f"    {', '.join(names)}")
    return constants, conditions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", default=FOLDERS)
    parser.add_argument("--list", action="store_true", help="per module, with the names")
    args = parser.parse_args()
    for folder in args.folders:
        constants, conditions = count(REPO / folder, listing=args.list)
        print(f"{folder}: {constants} tuned constants + {conditions} numbers in conditions "
              f"= {constants + conditions}")  # fmt: skip


if __name__ == "__main__":
    main()
