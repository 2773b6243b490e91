"""predict's and read's answers, written as they come: a Rich table in a terminal, or plain
tab-separated lines, CSV, JSON or JSON lines for scripts; failures also said on stderr.

Apart from console.py: console.py is how anything is said (streams, notes, tables of results);
this is the one place an answer's formats are laid out, and the exit code's facts counted.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from digitcli.core import strictjson
from digitcli.terminal import console
from digitcli.terminal.console import (
    PIPE_WIDTH,
    escape,
    is_terminal,
    percent,
    plain_field,
    print_error,
    print_json,
    show,
)

if TYPE_CHECKING:
    from rich.table import Table


@dataclass(frozen=True)
class Shown:
    """How answers are shown: the format, whether failures are also said on stderr, and the
    model that answered (named in the table's title, in every JSON answer, and for plain and
    CSV in one stderr line)."""

    fmt: str
    quiet: bool = False
    model: str | None = None  # the table's title: how the model is named to a person
    answered_by: dict | None = None  # the `model` object of each JSON answer

    @property
    def errors_on_stderr(self) -> bool:
        """A table in the terminal shows each failure in its row: once is enough there."""
        return not self.quiet and not (self.fmt == "table" and is_terminal())

    def title(self, count: int) -> str | None:
        parts = [f"{count} images"] if count > 1 else []
        parts += [f"answered by {escape(self.model)}"] if self.model else []
        return " · ".join(parts) or None

    def answer(self, row) -> dict:
        """`row` as JSON, naming the model that answered (an error row names none)."""
        data = row.to_json()
        if self.answered_by is not None and "error" not in data:
            data["model"] = self.answered_by
        return data


@dataclass(frozen=True)
class Tally:
    """How many inputs failed (an error row) and how many were answered with no digit or number
    (below --threshold, another --digits count, no digit found): the exit code's facts."""

    failed: int = 0
    unanswered: int = 0


def render_predictions(predictions, shown: Shown, top_k: int) -> Tally:
    """Write predictions to stdout as they come; report failures on stderr too."""
    return _render(
        predictions,
        shown,
        ["file", "digit", "confidence", "note", "top"],
        _csv_row,
        _plain_row,
        lambda rows: prediction_table(rows, top_k, title=shown.title(len(rows))),
        "digit",
    )


def render_readings(readings, shown: Shown) -> Tally:
    """`render_predictions` for `read`'s numbers; plain, CSV and table show one row for each
    line of an image with several."""
    if shown.fmt not in ("json", "jsonl"):
        readings = (row for reading in readings for row in reading.rows())
    return _render(
        readings,
        shown,
        ["file", "number", "confidence", "note", "text"],
        _reading_csv_row,
        _reading_plain_row,
        lambda rows: reading_table(rows, title=shown.title(len(rows))),
        "number",
    )


def _render(rows, shown: Shown, header: list[str], csv_row, plain_row, table, key: str) -> Tally:
    fmt = shown.fmt
    failed = unanswered = 0
    collected = []
    writer = CsvLines(sys.stdout) if fmt == "csv" else None
    if writer:
        writer.writerow(header)
    for row in rows:
        answer = shown.answer(row)
        if row.failed:
            failed += 1
            if shown.errors_on_stderr:
                print_error(f"{row.file}: {row.error}")
        elif answer.get(key) is None and not _every_line_answered(answer, key):
            unanswered += 1
        if fmt == "jsonl":
            sys.stdout.write(strictjson.dumps(answer) + "\n")
        elif fmt == "csv":
            writer.writerow(csv_row(row))
        elif fmt == "plain":
            sys.stdout.write("\t".join(plain_row(row)) + "\n")
        else:
            collected.append((row, answer))
    if fmt == "json":
        print_json([answer for _, answer in collected])
    elif fmt == "table":
        show(table([row for row, _ in collected]))
    sys.stdout.flush()
    return Tally(failed, unanswered)


class CsvLines:
    """CSV rows ending in "\\n", a field holding a carriage return or newline quoted: Python's
    writer quotes only the characters of its own line ending, so rows are made with "\\r\\n"
    (RFC 4180's) and written with "\\n"."""

    def __init__(self, stream: TextIO) -> None:
        import csv

        self._stream = stream
        self._line = io.StringIO()
        self._writer = csv.writer(self._line, lineterminator="\r\n")

    def writerow(self, cells: list) -> None:
        self._line.seek(0)
        self._line.truncate()
        self._writer.writerow(cells)
        self._stream.write(self._line.getvalue()[:-2] + "\n")


def _every_line_answered(answer: dict, key: str) -> bool:
    """An image of several lines (`read`) is answered when each of its lines is."""
    lines = answer.get("lines") or []
    return bool(lines) and all(line.get(key) is not None for line in lines)


def _why(prediction) -> str:
    return f"error: {prediction.error}" if prediction.failed else (prediction.note or "")


def _csv_row(prediction) -> list[str]:
    digit = "" if prediction.digit is None else str(prediction.digit)
    confidence = "" if prediction.confidence is None else f"{prediction.confidence:.6f}"
    top = " ".join(f"{d}:{q:.6f}" for d, q in prediction.top)  # honours --top-k
    return [prediction.file, digit, confidence, _why(prediction), top]


def _plain_row(prediction) -> list[str]:
    """Always three fields: file, digit (empty when none), why (empty when answered)."""
    digit = "" if prediction.digit is None else str(prediction.digit)
    return [plain_field(prediction.file), digit, plain_field(_why(prediction))]


def prediction_table(
    predictions, top_k: int, width: int | None = None, title: str | None = None
) -> Table:
    """File names and numbers are never cut: the top-k column is left out when it would not
    fit on one line, and the note column when no prediction has a note."""
    from rich.table import Table

    width = width or (console.stdout.width if is_terminal() else PIPE_WIDTH)
    tops = ["  ".join(f"{d}: {percent(q)}" for d, q in p.top) for p in predictions]
    files = max((len(p.file) for p in predictions), default=4)
    notes = any(p.failed or p.note for p in predictions)
    fixed = files + 5 + 10 + 3 * 4 + (24 if notes else 0)  # the columns, their padding, borders
    show_top = top_k > 1 and fixed + max(map(len, tops), default=0) + 3 <= width
    table = Table(title=title)
    table.add_column("file", overflow="fold")
    table.add_column("digit", justify="center", style="bold", no_wrap=True)
    table.add_column("confidence", justify="right", no_wrap=True)
    if show_top:
        table.add_column(f"top {top_k}", no_wrap=True)
    if notes:
        table.add_column("note")
    for p, top in zip(predictions, tops, strict=True):
        digit = "-" if p.digit is None else str(p.digit)
        confidence = "-" if p.confidence is None else percent(p.confidence)
        cells = [escape(p.file), digit, confidence, *([top] if show_top else [])]
        if notes:
            cells.append(f"[red]{escape(p.error)}[/]" if p.failed else escape(p.note or ""))
        table.add_row(*cells)
    return table


def _reading_csv_row(reading) -> list[str]:
    number = reading.number or ""
    confidence = "" if reading.confidence is None else f"{reading.confidence:.6f}"
    return [reading.file, number, confidence, _why(reading), reading.text or ""]


def _reading_plain_row(reading) -> list[str]:
    """Always four fields: file, number (empty when none), why (empty when read), text (what
    was written, marks included; empty when no number)."""
    return [
        plain_field(reading.file), reading.number or "", plain_field(_why(reading)),
        plain_field(reading.text or ""),
    ]  # fmt: skip


def reading_table(readings, width: int | None = None, title: str | None = None) -> Table:
    """Numbers are never cut: the per-digit column is left out when the terminal is narrow,
    the note column when no reading has a note, and the text column (what was written, marks
    included) when every reading's text is its number."""
    from rich.table import Table

    width = width or (console.stdout.width if is_terminal() else PIPE_WIDTH)
    table = Table(title=title)
    table.add_column("file", overflow="fold")
    table.add_column("number", style="bold", no_wrap=True)
    table.add_column("confidence", justify="right", no_wrap=True)
    each = width >= 100
    notes = any(r.failed or r.note for r in readings)
    written = any((r.text or r.number) != r.number for r in readings)
    if written:
        table.add_column("text", no_wrap=True)
    if each:
        table.add_column("digits (confidence)")
    if notes:
        table.add_column("note")
    for r in readings:
        cells = [escape(r.file), r.number or "-"]
        cells.append("-" if r.confidence is None else percent(r.confidence))
        if written:
            cells.append(escape(r.text or "-"))
        if each:
            cells.append(" ".join(f"{d.digit}:{percent(d.confidence)}" for d in r.digits))
        if notes:
            cells.append(f"[red]{escape(r.error)}[/]" if r.failed else escape(r.note or ""))
        table.add_row(*cells)
    return table
