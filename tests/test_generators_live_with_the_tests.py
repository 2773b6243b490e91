"""The pictures tests draw come from tests/generators/, not from bench/ (issue 89): only the
tests of bench's own scripts put a bench folder on `sys.path`, and a generator reaches into
bench/ only inside the function that reads outside data there (USPS, the development set)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# Tests of a bench script itself: its scorer, its sweep, its memory measure.
OF_BENCH = {"test_hostile_inputs.py", "test_predict_read_agree.py", "test_reading_settings.py"}
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)  # run when called, not imported
# bench/ named on a sys.path line, or its folders by kind: (".", "build", "checks", "perf")
ON_THE_PATH = re.compile(r"sys\.path.*\bbench\b|\"bench\" / kind|\(\"\.\", \"build\", \"checks\"")


def _puts_bench_on_the_path(source: str) -> bool:
    return any(ON_THE_PATH.search(line) for line in source.splitlines())


def test_only_the_tests_of_bench_scripts_put_bench_on_the_path() -> None:
    reaching = sorted(
        path.name
        for path in TESTS.glob("test_*.py")
        if _puts_bench_on_the_path(path.read_text())
        and not path.name.startswith("test_bench_")
        and path.name not in OF_BENCH
        and path != Path(__file__).resolve()  # this test names the ways, to check itself
    )
    assert reaching == [], f"draw with tests/generators/, not bench/: {reaching}"


def test_no_generator_puts_bench_on_the_path_when_imported() -> None:
    """At a module's top level: what runs when a test imports it."""
    at_import = []
    for path in sorted((TESTS / "generators").glob("*.py")):
        source = path.read_text()
        top = [node for node in ast.parse(source).body if not isinstance(node, DEFINITIONS)]
        lines = [ast.get_source_segment(source, node) or "" for node in top]
        if any(_puts_bench_on_the_path(line) for line in lines):
            at_import.append(path.name)
    assert len(list((TESTS / "generators").glob("*.py"))) >= 9
    assert at_import == []


def test_the_check_sees_the_ways_a_test_put_bench_on_the_path() -> None:
    for line in (
        'sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks")]',
        'sys.path.insert(0, str(REPO / "bench"))',
        'str(HERE.parents[1] / kind) for kind in (".", "build", "checks")',
    ):
        assert _puts_bench_on_the_path(line)
    assert not _puts_bench_on_the_path('sys.path.insert(1, str(HERE / "generators"))')
