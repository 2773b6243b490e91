"""The README's Performance table, brought up to date with the rows of a `bench/run.py` run.

Rows are matched by their first cell, the measure: a row the run measured replaces the row of
the same measure, rows it did not measure stay as they were (each came from the run the
README's text names), and rows the table lacks go to its end, in the run's order.
"""

from __future__ import annotations

import os
from pathlib import Path

HEADER = "| measure | baseline | digitcli | result | target | met |"


def measure(line: str) -> str:
    """A table row's first cell, without its padding."""
    return line.split("|")[1].strip()


def merged(text: str, rows: list[str]) -> str:
    """`text` (a README) with `rows` (table lines, without line ends) merged into its table."""
    lines = text.splitlines(keepends=True)
    heads = [i for i, line in enumerate(lines) if line.rstrip("\n") == HEADER]
    if len(heads) != 1:
        raise ValueError(f"expected one table headed {HEADER!r}, found {len(heads)}")
    start = heads[0] + 2  # past the header and its |---| line
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    fresh = {measure(row): row + "\n" for row in rows}
    table = [fresh.pop(measure(line), line) for line in lines[start:end]]
    table += list(fresh.values())
    return "".join([*lines[:start], *table, *lines[end:]])


def update(path: Path, rows: list[str]) -> None:
    """Rewrite the README at `path` with `rows` merged in, whole or not at all."""
    text = merged(path.read_text(encoding="utf-8"), rows)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
