"""Every script in bench/ is referenced by the Makefile, a test or a doc (issue 89): one that
nothing names is an experiment whose result belongs in docs/measurements, not a script left."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *REPO.glob("*/README.md"), *(REPO / "docs").rglob("*.md")]


def _scripts() -> list[Path]:
    return sorted((REPO / "bench").glob("*/*.py"))


def _referenced(script: Path, texts: dict[str, str], tests: dict[str, str]) -> bool:
    """Named by its path in the Makefile or a doc or a test, or imported by a test."""
    path = script.relative_to(REPO).as_posix()
    if any(path in text for text in [*texts.values(), *tests.values()]):
        return True
    imported = re.compile(rf"^\s*(import|from) {script.stem}\b", re.MULTILINE)
    return any(imported.search(text) for text in tests.values())


def _unreferenced(scripts: list[Path]) -> list[str]:
    texts = {str(path): path.read_text() for path in [REPO / "Makefile", *DOCS]}
    tests = {  # every test but this one, which names scripts to check itself
        str(path): path.read_text()
        for path in (REPO / "tests").glob("test_*.py")
        if path != Path(__file__).resolve()
    }
    return [
        script.relative_to(REPO).as_posix()
        for script in scripts
        if not _referenced(script, texts, tests)
    ]


def test_every_bench_script_is_referenced_by_the_makefile_a_test_or_a_doc() -> None:
    scripts = _scripts()
    assert len(scripts) > 20
    unnamed = _unreferenced(scripts)
    assert not unnamed, f"named by no Makefile target, test or doc: {unnamed}"


def test_a_script_nothing_names_is_found() -> None:
    """The check itself: a script named nowhere is listed, one a doc names is not."""
    orphan = REPO / "bench" / "perf" / "no_such_script_anywhere.py"
    assert _unreferenced([orphan]) == ["bench/perf/no_such_script_anywhere.py"]
    # run.py: `make bench` runs it
    assert _unreferenced([REPO / "bench" / "perf" / "run.py"]) == []
