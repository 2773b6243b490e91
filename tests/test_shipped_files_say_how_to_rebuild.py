"""Every file digitcli ships that code wrote (networks, digit banks) has a row in the rebuild
table of docs/measurements/house.md, and that row's command names a Makefile target or a script
that exists (issue 89: docs/ says how to rebuild every shipped file)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TABLE = REPO / "docs" / "measurements" / "house.md"
BUILT = ("*.tflite", "*.keras", "*.npz")  # written by a builder, not by hand


def _rows() -> dict[str, str]:
    """The rebuild table: each row's first cell (the file or folder) -> its command cell."""
    section = TABLE.read_text().split("## Rebuilding each shipped file", 1)[1].split("\n## ")[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and not set(cells[0]) <= set("-: "):
            rows[cells[0]] = cells[1]
    return rows


def _row_for(path: str, rows: dict[str, str]) -> str | None:
    for named, command in rows.items():
        for where in re.findall(r"`([^`]+)`", named):
            if path == where or path.startswith(where.rstrip("/") + "/"):
                return command
    return None


def _runnable(command: str) -> bool:
    """The command names a Makefile target or a script of the repository that exists."""
    targets = set(re.findall(r"^([\w-]+):", (REPO / "Makefile").read_text(), re.MULTILINE))
    makes = re.findall(r"`make ([\w-]+)", command)
    scripts = re.findall(r"`python ([\w/.-]+\.py)", command)
    return (
        bool(makes or scripts)
        and all(m in targets for m in makes)
        and all((REPO / s).is_file() for s in scripts)
    )


def test_every_built_file_of_the_package_has_a_rebuild_command() -> None:
    shipped = sorted(
        path.relative_to(REPO).as_posix()
        for pattern in BUILT
        for path in (REPO / "digitcli").rglob(pattern)
    )
    assert len(shipped) >= 6
    rows = _rows()
    missing = [path for path in shipped if _row_for(path, rows) is None]
    assert not missing, f"no row in {TABLE.name}'s rebuild table: {missing}"
    broken = [path for path in shipped if not _runnable(_row_for(path, rows))]
    assert not broken, f"their command names no Makefile target or script that exists: {broken}"


def test_the_check_finds_a_file_with_no_row_and_a_command_that_is_gone() -> None:
    rows = {"`digitcli/imaging/judge.tflite`": "`make judge REAL=DIR`"}
    assert _row_for("digitcli/reading/lines.tflite", rows) is None
    assert _row_for("digitcli/imaging/judge.tflite", rows) == "`make judge REAL=DIR`"
    assert not _runnable("`python bench/build/no_such_builder.py`")
    assert not _runnable("`make no-such-target`")
