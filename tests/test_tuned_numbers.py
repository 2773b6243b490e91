"""Every tuned number of a stage lives in its settings object, nowhere else in its folder.

The test walks the syntax tree of each module of the folders in STAGES and fails on a numeric
literal in a condition (an `if`, `while`, conditional expression, comprehension filter, assert
or comparison) or a module-level numeric constant, outside the folder's settings module. A
folder joins by adding it to STAGES (with its structural names in NAMED, if any).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = {  # folder -> its settings module, which holds its tuned numbers
    "digitcli/reading": "settings.py",
    "digitcli/imaging": "settings.py",
}
# Numbers that are never tuned: indexes and axes, "the other one" (-1), halves, 8-bit levels
# (255, and 256 of them in a histogram).
STRUCTURAL = {0, 1, 2, -1, 0.5, 255, 256}
# Module-level numbers that are not settings, each with its reason.
NAMED = {
    ("digitcli/reading/lines.py", "BLANK"): "the shipped network's class for no digit",
    ("digitcli/reading/lines.py", "CLASSES"): "the shipped network's output: blank, digits",
    ("digitcli/reading/lines.py", "DIGIT_CLASSES"): "the shipped network's blank and ten digits",
    ("digitcli/reading/lines.py", "STRIP_SHAPE"): "the shipped network's input",
    ("digitcli/reading/count.py", "MAX_DIGIT_COUNT"): "a bound on --digits, not on reading",
    ("digitcli/imaging/fitting.py", "BOX_SIZE"): "MNIST's format: each digit fits 20x20",
    ("digitcli/imaging/fitting.py", "CENTRE"): "MNIST's format: the centre of mass's place",
    ("digitcli/imaging/grayscale.py", "MID_GREY"): "halfway between black and white",
    ("digitcli/imaging/clutter.py", "_ROW_AND_NEIGHBOURS"): "a row and its neighbours' shape",
    ("digitcli/imaging/opening.py", "MAX_PIXELS"): "a security limit on decoding, not tuning",
    ("digitcli/imaging/opening.py", "_UPRIGHT"): "EXIF's orientation values",
    ("digitcli/imaging/decoding.py", "MAX_INPUT_BYTES"): "a security limit on input, not tuning",
    ("digitcli/imaging/decoding.py", "MAX_DECODED_BYTES"): "a security limit on memory",
    ("digitcli/imaging/decoding.py", "ROW_BYTES"): "the memory bound's cost of a row",
    ("digitcli/imaging/decoding.py", "LIBPNG_MAX_SIDE"): "libpng's limit in OpenCV's build",
    ("digitcli/imaging/decoding.py", "PIPE_TIMEOUT"): "a limit on waiting for input",
    ("digitcli/imaging/decoding.py", "_CHUNK"): "bytes read at a time (speed only)",
    ("digitcli/imaging/decoding.py", "_REDUCED"): "OpenCV's reduced decoding factors",
    ("digitcli/imaging/decoding.py", "RGB_PIXEL_BYTES"): "the memory bound's cost of a pixel",
    ("digitcli/imaging/decoding.py", "PNG_8_BIT"): "PNG's format: 8-bit depth",
    ("digitcli/imaging/decoding.py", "PNG_DEPTH_AT"): "PNG's format: the header's depth byte",
    ("digitcli/imaging/decoding.py", "COLOUR_CHANNELS"): "OpenCV's colour channels: BGR, BGRA",
}


def _numbers(node: ast.AST) -> list[ast.Constant]:
    """The numeric literals in `node` (booleans are not numbers here)."""
    return [
        found
        for found in ast.walk(node)
        if isinstance(found, ast.Constant)
        and isinstance(found.value, int | float | complex)
        and not isinstance(found.value, bool)
    ]


def _conditions(tree: ast.AST) -> list[ast.AST]:
    """Every expression that decides something: tests of branches and loops, comprehension
    filters, asserts and comparisons wherever they are."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
            found.append(node.test)
        elif isinstance(node, ast.comprehension):
            found.extend(node.ifs)
        elif isinstance(node, ast.Compare):
            found.append(node)
    return found


def tuned_numbers(source: str, path: str = "<module>") -> list[str]:
    """`path:line: number` for each tuned number outside a settings object in `source`."""
    tree = ast.parse(source)
    found = {
        (number.lineno, number.value)
        for condition in _conditions(tree)
        for number in _numbers(condition)
        if number.value not in STRUCTURAL and -number.value not in STRUCTURAL
    }
    for statement in tree.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = {target.id for target in targets if isinstance(target, ast.Name)}
            if any((path, name) in NAMED for name in names):
                continue
            found |= {(number.lineno, number.value) for number in _numbers(statement.value)}
    return [f"{path}:{line}: {value!r}" for line, value in sorted(found)]


def _modules() -> list[Path]:
    return [
        path
        for folder, settings in STAGES.items()
        for path in sorted((ROOT / folder).glob("*.py"))
        if path.name != settings
    ]


@pytest.mark.parametrize("module", _modules(), ids=lambda path: path.name)
def test_no_tuned_number_outside_the_settings(module: Path) -> None:
    relative = module.relative_to(ROOT).as_posix()
    assert tuned_numbers(module.read_text(), relative) == []


def test_the_walk_finds_tuned_numbers_and_passes_structural_ones() -> None:
    source = (
        "LIMIT = 3\n"
        "def f(x, y):\n"
        "    if x[0] > 0.7 * y[-1]:\n"
        "        return [v for v in x if v < 4]\n"
        "    small = x < 0.5 * y\n"
        "    return small if x.size > 20 else 255 - x * 1.5\n"
    )
    assert tuned_numbers(source) == [
        "<module>:1: 3",
        "<module>:3: 0.7",
        "<module>:4: 4",
        "<module>:6: 20",
    ]


def test_every_folder_has_its_settings_module() -> None:
    for folder, settings in STAGES.items():
        assert (ROOT / folder / settings).is_file()
