"""No stage copies a setting at import: a module-level name bound to a field of `DEFAULT` or of
`tuned()` keeps the default when an `overridden` block (a sweep, a test) puts another in force,
so the stage that reads it and the one that reads `tuned()` disagree (`images.WORK_SIZE` was
one; `reading/ink.py`, `formlines.py` and the sheet finder were others before it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("digitcli/imaging", "digitcli/reading")


def _is_settings(node: ast.AST) -> bool:
    """`DEFAULT`, `something.DEFAULT` or a call of `tuned()`/`something.tuned()`."""
    if isinstance(node, ast.Name):
        return node.id == "DEFAULT"
    if isinstance(node, ast.Attribute):
        return node.attr == "DEFAULT"
    if isinstance(node, ast.Call):
        called = node.func
        return getattr(called, "id", getattr(called, "attr", None)) == "tuned"
    return False


def copies_at_import(source: str) -> list[str]:
    """`line: field` for each field of the settings read by a module-level statement (class
    bodies included; function bodies, which run when used, not)."""
    found = []
    pending = list(ast.parse(source).body)
    while pending:
        statement = pending.pop()
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(statement, ast.ClassDef):
            pending += statement.body
            continue
        found += [
            f"{node.lineno}: {node.attr}"
            for node in ast.walk(statement)
            if isinstance(node, ast.Attribute) and _is_settings(node.value)
        ]
    return sorted(found)


def _modules() -> list[Path]:
    return [
        path
        for folder in FOLDERS
        for path in sorted((ROOT / folder).glob("*.py"))
        if path.name != "settings.py"
    ]


@pytest.mark.parametrize("module", _modules(), ids=lambda path: path.parent.name + "/" + path.name)
def test_no_setting_is_copied_at_import(module: Path) -> None:
    assert copies_at_import(module.read_text(encoding="utf-8")) == []


def test_the_walk_finds_copies_and_passes_reads_when_used() -> None:
    source = (
        "from digitcli.imaging import settings\n"
        "SIZE = DEFAULT.work_size\n"
        "FITS = {'preparation': settings.DEFAULT}\n"
        "class Box:\n"
        "    side: int = settings.tuned().paper_size\n"
        "def f():\n"
        "    return tuned().work_size\n"
    )
    assert copies_at_import(source) == ["2: work_size", "5: paper_size"]
