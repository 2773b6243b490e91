"""The benchmark tables: every row in docs/performance.md, a summary of at most 10 in README.md.

`bench/perf/run.py --readme` merges the rows it measured into docs/performance.md's table (matched
by their first cell, the measure: a measured row replaces the row of the same measure, rows
not measured stay, new ones go to the end), then writes README.md's summary between its two
markers from that table. `tests/test_bench_table.py` checks the README's summary is current.
"""

from __future__ import annotations

import os
from pathlib import Path

HEADER = "| measure | baseline | digitcli | result | target | met |"
RULE = "|---|---|---|---|---|---|"
BEGIN = "<!-- summary of docs/performance.md, written by make bench -->"
END = "<!-- end of the summary -->"
SUMMARY = (  # the README's rows, in this order: a measure not in the full table is left out
    "start-up: digitcli --help",
    "train mlp, 18 epochs: time",
    "train mlp, 18 epochs: test accuracy",
    "evaluate 10,000 test images (after start-up)",
    "predict --from-list, 1000 files, vs decoding them alone (2 procs)",
    "predict --from-list, the 460 JPEG photos of those",
    "predict --from-list, 50,000 files vs 1,000",
    "predict one image, cold: .tflite (LiteRT)",
    "predict one image, cold: bundled model",
    "train cnn (defaults, seed 0): test accuracy",
)


def measure(line: str) -> str:
    """A table row's first cell, without its padding."""
    return line.split("|")[1].strip()


def _table(lines: list[str]) -> tuple[int, int]:
    """The first and past-the-last line index of the rows of the one table headed HEADER."""
    heads = [i for i, line in enumerate(lines) if line.rstrip("\n") == HEADER]
    if len(heads) != 1:
        raise ValueError(f"expected one table headed {HEADER!r}, found {len(heads)}")
    start = end = heads[0] + 2  # past the header and its |---| line
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return start, end


def merged(text: str, rows: list[str]) -> str:
    """`text` (docs/performance.md) with `rows` (table lines, no line ends) merged in."""
    lines = text.splitlines(keepends=True)
    start, end = _table(lines)
    fresh = {measure(row): row + "\n" for row in rows}
    table = [fresh.pop(measure(line), line) for line in lines[start:end]]
    table += list(fresh.values())
    return "".join([*lines[:start], *table, *lines[end:]])


def summary(text: str) -> str:
    """The README's table: the SUMMARY rows of the full table in `text`, in SUMMARY's order."""
    lines = text.splitlines()
    start, end = _table(lines)
    by_measure = {measure(line): line for line in lines[start:end]}
    rows = [by_measure[name] for name in SUMMARY if name in by_measure]
    return "\n".join([HEADER, RULE, *rows]) + "\n"


def with_summary(readme: str, performance: str) -> str:
    """`readme` with the text between BEGIN and END replaced by the summary of `performance`."""
    head, found, rest = readme.partition(BEGIN + "\n")
    _, found_end, tail = rest.partition(END)
    if not found or not found_end:
        raise ValueError(f"expected the markers {BEGIN!r} and {END!r}")
    return head + BEGIN + "\n" + summary(performance) + END + tail


def _write(path: Path, text: str) -> None:
    """Replace `path` with `text`, whole or not at all."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def update(performance: Path, readme: Path, rows: list[str]) -> None:
    """Merge `rows` into the full table, then write the README's summary from it."""
    full = merged(performance.read_text(encoding="utf-8"), rows)
    short = with_summary(readme.read_text(encoding="utf-8"), full)
    _write(performance, full)
    _write(readme, short)
