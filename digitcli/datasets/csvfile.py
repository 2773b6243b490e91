"""MNIST as CSV: one labelled file (label, then 784 pixels, a header row or not) or Kaggle-style
digit_xtrain.csv/digit_ytrain.csv pairs. numpy's C parser reads the common case fast; when it
fails, a scan names the line and column of the first bad cell. One of the formats
`data.load_dataset` recognises."""

from __future__ import annotations

import codecs
import io
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from digitcli.core.config import IMAGE_SIZE
from digitcli.core.errors import DataError
from digitcli.datasets.checks import (
    PIXELS,
    Loader,
    Split,
    complete_pairs,
    pair,
    read_hashed,
    to_labels,
    to_pixels,
)

DIGIT_CSV = re.compile(r"digit_([xy])(train|test)\.csv", re.IGNORECASE)
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_HEADER_CELL = re.compile(r"[A-Za-z_][\w .-]*|\d+x\d+")  # label, pixel0, 1x1


def digit_csv_pairs(folder: Path, names: list[str]) -> dict[str, tuple[Path, Path]]:
    halves = {}
    for name in names:
        if match := DIGIT_CSV.fullmatch(name):
            halves[(match.group(2).lower(), match.group(1).lower())] = name
    return complete_pairs(
        folder, halves, ("x", "y"), lambda split, kind: f"digit_{kind}{split}.csv"
    )


def digit_csv_loader(pairs: dict[str, tuple[Path, Path]]) -> Loader:
    def load(files: dict[str, str]) -> dict[str, Split]:
        splits = {}
        for split, (x_path, y_path) in pairs.items():
            table, lines = _csv_table(x_path, read_hashed(x_path, files), PIXELS, "784 pixels")
            x = to_pixels(table, _csv_where(x_path, lines, PIXELS, 1))
            table, y_lines = _csv_table(y_path, read_hashed(y_path, files), 1, "a label")
            y = to_labels(table[:, 0], _csv_where(y_path, y_lines, 1, 1))
            x = x.reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
            splits[split] = pair(x, y, f"{x_path}", y_path.name, "rows")
        return splits

    return load


def load_labelled_csv(path: Path, files: dict[str, str]) -> Split:
    table, lines = _csv_table(
        path, read_hashed(path, files), 1 + PIXELS, "a label, then 784 pixels"
    )
    y = to_labels(table[:, 0], _csv_where(path, lines, 1, 1))
    x = to_pixels(table[:, 1:], _csv_where(path, lines, PIXELS, 2))
    return Split(x.reshape(-1, IMAGE_SIZE, IMAGE_SIZE), y)


def _csv_where(path: Path, lines: list[int], width: int, first_column: int) -> Callable[[int], str]:
    """Names the line and column of the i-th value of a (rows, width) block of a CSV."""
    return lambda i: f"{path}: line {lines[i // width]}, column {i % width + first_column}"


def _csv_table(path: Path, data: bytes, width: int, meaning: str) -> tuple[np.ndarray, list[int]]:
    """The numbers of a CSV as a (rows, width) array, and the line number of each row."""
    data = data.removeprefix(codecs.BOM_UTF8)
    lines = data.split(b"\n")
    numbers = [i + 1 for i, line in enumerate(lines) if line and not line.isspace()]
    if numbers and _is_header(lines[numbers[0] - 1]):
        cells = lines[numbers[0] - 1].count(b",") + 1
        if cells != width:
            raise DataError(
                f"{path}: line {numbers[0]}: header has {cells} cells, expected {width}"
            )
        numbers = numbers[1:]
    if not numbers:
        raise DataError(f"{path}: no rows of data")
    body = b"\n".join(lines[number - 1] for number in numbers)
    table = _loadtxt(body, np.int32)
    floats = b"." in body or b"e" in body or b"E" in body
    if table is None and floats:
        table = _loadtxt(body, np.float64)
    if table is None or table.shape != (len(numbers), width):
        _raise_first_bad_cell(path, lines, numbers, width, meaning)
        if table is None and not floats:  # numbers too big for int32: the range check names them
            table = _loadtxt(body, np.float64)
    if table is None or table.shape != (len(numbers), width):
        raise DataError(f"{path}: cannot be read as CSV of numbers")
    return table, numbers


def _loadtxt(body: bytes, dtype: type) -> np.ndarray | None:
    """numpy's fast C parser; None when it fails, to let the precise scan find out where."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.loadtxt(
                io.BytesIO(body), delimiter=",", dtype=dtype, ndmin=2, comments=None, quotechar=None
            )
    except (ValueError, OverflowError, UnicodeDecodeError):
        return None


def _raise_first_bad_cell(
    path: Path, lines: list[bytes], numbers: list[int], width: int, meaning: str
) -> None:
    for number in numbers:
        line = lines[number - 1].rstrip(b"\r")
        cells = line.count(b",") + 1
        if cells != width:
            count = f"{cells} cell{'s' if cells > 1 else ''}"
            raise DataError(f"{path}: line {number} has {count}, expected {width} ({meaning})")
        empty_cell = b",," in line or line.startswith(b",") or line.endswith(b",")
        if line.translate(None, b",").isdigit() and not empty_cell:  # the common case, fast
            continue
        for column, cell in enumerate(line.decode("utf-8", "replace").split(","), 1):
            if not _NUMBER.fullmatch(cell):
                shown = cell.strip()
                shown = shown if len(shown) <= 20 else shown[:20] + "..."
                raise DataError(
                    f"{path}: line {number}, column {column}: {shown!r} is not a number"
                )


def _is_header(line: bytes) -> bool:
    """True for a row of names such as label,pixel0,... or label,1x1,...: no cell a number."""
    cells = [c.strip().strip("\"'") for c in line.decode("utf-8", "replace").strip().split(",")]
    return all(_HEADER_CELL.fullmatch(cell) and not _is_float(cell) for cell in cells)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
