"""The code's shape: no import cycles among digitcli's modules, no overlong functions, and the
stages' import contract enforced (`make lint` runs import-linter on `.importlinter`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "digitcli"
MAX_FUNCTION_LINES = 80  # a function that fits on a screen or two
SHORT_FUNCTIONS_IN = (  # packages and modules held to MAX_FUNCTION_LINES
    *("runtimes", "serve", "train", "distribute", "predict", "read", "segment", "images"),
    *("usage", "console", "data", "export", "evaluate", "augment", "modeldir"),
    *("recipe", "checkpoint", "signals", "lines", "place", "inputs"),
    *("ink", "frame", "formlines", "atoms", "render"),  # segment's steps
    "commands",  # a command parses, makes one library call, renders
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The digitcli modules `name` imports anywhere in its file (lazy imports count: a lazy
    import is still a dependency, and a cycle through one is still a tangle)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in known and module != name}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in `graph`, as the list of modules around it, or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target, [*path, target])):
                return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def _long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        f"{path.name}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


@pytest.mark.parametrize("where", SHORT_FUNCTIONS_IN)
def test_functions_fit_on_a_screen(where: str) -> None:
    paths = sorted(  # the module `where`, or every module of the folder `where`
        path
        for path in PACKAGE.rglob("*.py")
        if path.stem == where or where in path.relative_to(PACKAGE).parts[:-1]
    )
    assert paths
    assert [line for path in paths for line in _long_functions(path)] == []


def test_the_readme_tree_names_every_module() -> None:
    readme = (PACKAGE.parent / "README.md").read_text()
    tree = readme.split("## Development", 1)[1].split("```")[1].split("\nbench/")[0]
    named = set(re.findall(r"[\w.]+\.py|\w+/", tree))
    modules = {
        path.name
        for path in PACKAGE.rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    }
    packages = {f"{path.parent.name}/" for path in PACKAGE.rglob("__init__.py")}
    missing = sorted((modules | packages) - named)
    assert not missing, f"README's Development tree does not name {missing}: add a line for each"
    gone = sorted(name for name in named if name.endswith(".py") and name not in modules)
    assert not gone, f"README's Development tree names modules that do not exist: {gone}"


def test_the_stage_contract_fails_on_an_import_that_climbs(tmp_path: Path) -> None:
    """import-linter, as `make lint` runs it, refuses a stage importing one above it."""
    import shutil
    import subprocess
    import sys

    shutil.copytree(
        PACKAGE,
        tmp_path / "digitcli",
        ignore=shutil.ignore_patterns("*.npz", "*.tflite", "pretrained"),
    )
    shutil.copy(PACKAGE.parent / ".importlinter", tmp_path)
    lint = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    env = {"PYTHONPATH": str(tmp_path), "PATH": ""}
    kept = subprocess.run(lint, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    errors = tmp_path / "digitcli" / "core" / "errors.py"
    errors.write_text(errors.read_text() + "\nfrom digitcli.reading import read  # noqa\n")
    broken = subprocess.run(lint, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert (
        broken.returncode == 1 and "digitcli.core.errors -> digitcli.reading.read" in broken.stdout
    )


def _private_imports_across_folders(name: str, source: str) -> list[str]:
    """`from digitcli.X.y import _z` in module `name` where X is not `name`'s own folder."""
    folder = name.split(".")[1] if name.count(".") >= 1 else ""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("digitcli."):
            other = node.module.split(".")[1]
            private = [alias.name for alias in node.names if alias.name.startswith("_")]
            if private and other != folder:
                found += [f"{name}: {node.module}.{alias}" for alias in private]
    return found


def test_the_private_import_finder_finds_one() -> None:
    source = "def f():\n    from digitcli.predicting.predict import _prepare\n"
    assert _private_imports_across_folders("digitcli.datasets.imagefolder", source)
    assert not _private_imports_across_folders("digitcli.predicting.other", source)


def test_no_module_imports_a_private_name_from_another_folder() -> None:
    found = [
        line
        for name, path in sorted(_modules().items())
        for line in _private_imports_across_folders(name, path.read_text())
    ]
    assert not found, f"underscore names are their folder's own: {found}"
