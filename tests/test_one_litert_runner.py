"""One LiteRT runner (issue 86 item 5): `digitcli.core.litert` is the only module of digitcli
that loads a `.tflite` file; the judge, the letters network, the line reader, the classifiers and
the check of a model's files all go through it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "digitcli"
RUNNER = PACKAGE / "core" / "litert.py"


def _imports_litert(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ai_edge_litert"):
            return True
        if isinstance(node, ast.Import) and any(
            alias.name.startswith("ai_edge_litert") for alias in node.names
        ):
            return True
    return False


def test_only_the_runner_imports_litert():
    loaders = [p.relative_to(PACKAGE).as_posix() for p in sorted(PACKAGE.rglob("*.py"))
               if p != RUNNER and _imports_litert(p)]  # fmt: skip
    assert loaders == []
    assert _imports_litert(RUNNER)
