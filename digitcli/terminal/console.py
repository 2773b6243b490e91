"""Talking to people and to scripts: stdout carries data, stderr carries chatter.

In a terminal: Rich tables, colours and progress bars. Piped: plain, stable lines, no bars.
predict's and read's answers, in each of their formats, are written by formats.py.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitcli.core import strictjson

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

_consoles: dict[str, Console] = {}


def _console(name: str) -> Console:
    """The Rich console on stdout or stderr, made (and Rich imported) when first needed."""
    if name not in _consoles:
        from rich.console import Console

        _consoles[name] = Console(stderr=name == "stderr", highlight=False)
    return _consoles[name]


def __getattr__(name: str) -> Console:
    if name in ("stdout", "stderr"):  # console.stdout, console.stderr
        return _console(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_terminal(name: str = "stdout") -> bool:
    """Rich's answer to whether stdout (or stderr) is a terminal; for a pipe or a file it is
    known without importing Rich (a tenth of a one-image predict)."""
    forced = "FORCE_COLOR" in os.environ or os.environ.get("TTY_COMPATIBLE") == "1"
    stream = getattr(sys, name)
    try:
        a_tty = stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed: Rich says no
        a_tty = False
    return (forced or a_tty) and _console(name).is_terminal


def escape(text: str) -> str:
    """`text` with Rich markup escaped (shown as typed, not as styles) and its control
    characters made visible (`visible`)."""
    from rich.markup import escape as rich_escape

    return rich_escape(visible(text))


def visible(text: str) -> str:
    """`text` with every character that is not printable written as an escape (\\t \\n \\r
    \\xNN \\uNNNN): a file name holding ESC [2J is shown, never obeyed by the terminal, and
    a newline in it does not split a line."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escaped(char) for char in text)


def _escaped(char: str) -> str:
    code = ord(char)
    return _CONTROL_ESCAPES.get(char) or (f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}")


def interactive() -> bool:
    """True when stderr is a terminal: where bars and live updates belong."""
    return is_terminal("stderr")


def print_json(data: Any) -> None:
    """Strict JSON (RFC 8259): a value that is not a finite number is written as null."""
    sys.stdout.write(strictjson.dumps(data) + "\n")
    sys.stdout.flush()


def print_error(message: str) -> None:
    stderr = _console("stderr")
    stderr.print(
        f"[bold red]Error:[/] {escape(message)}"
        if stderr.is_terminal
        else f"Error: {visible(message)}",
        markup=stderr.is_terminal,
        soft_wrap=True,
    )


def print_note(message: str) -> None:
    message = visible(message)
    if not is_terminal("stderr"):  # a pipe: the same line, without importing Rich
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
        return
    _console("stderr").print(message, markup=False, soft_wrap=True)


def show(table: Table) -> None:
    """A table on stdout: drawn in a terminal (a record a row where the terminal is too narrow
    for the table's columns), tab-separated plain text in a pipe."""
    if is_terminal():
        out = _console("stdout")
        if _narrowest(out, table) <= out.width:
            out.print(table)
        else:
            _show_records(out, table)
        return
    columns = [str(column.header) for column in table.columns]
    sys.stdout.write("\t".join(columns) + "\n")
    for row in _rows(table):
        sys.stdout.write("\t".join(_plain(cell) for cell in row) + "\n")
    sys.stdout.flush()


def _rows(table: Table) -> Iterator[tuple]:
    """`table`'s rows, each a tuple of its cells."""
    return zip(*[list(column.cells) for column in table.columns], strict=False)


def _narrowest(out: Console, table: Table) -> int:
    """The fewest columns `table` takes without cutting a word (a file name) or a number:
    Rich would squeeze a column to nothing (COLUMNS=20 dropped the file column)."""
    from rich.measure import Measurement

    return Measurement.get(out, out.options.update_width(PIPE_WIDTH), table).minimum


def _show_records(out: Console, table: Table) -> None:
    """`table` as one record a row, a `header  value` line a cell, records apart by a blank
    line: every cell whole, however narrow the terminal."""
    headers = [_plain(column.header) for column in table.columns]
    width = max(map(len, headers), default=0)
    if table.title:
        out.print(table.title, style="italic", markup=False)
    for number, row in enumerate(_rows(table)):
        if number:
            out.print()
        for header, cell in zip(headers, row, strict=True):
            out.print(f"{header.ljust(width)}  {_plain(cell)}", markup=False)


PIPE_WIDTH = 10_000  # no screen to fit: a table measured or laid out for a pipe is never cut


def _plain(cell: Any) -> str:
    from rich.text import Text

    return cell.plain if isinstance(cell, Text) else Text.from_markup(str(cell)).plain


def percent(value: float) -> str:
    return f"{value * 100:.2f}%"


def sparkline(values: list[float]) -> str:
    bars = "▁▂▃▄▅▆▇█"
    values = [v for v in values if v == v]  # NaN (no validation set) has no bar
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(bars[int((v - low) / span * (len(bars) - 1))] for v in values)


PIPE_NOTE_SECONDS = 15.0  # in a pipe, a long count says it is at work this often


@contextlib.contextmanager
def counted(
    label: str, *, shown: bool, every: float = PIPE_NOTE_SECONDS
) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr for a long count (`evaluate`'s test images), as a callback
    `advance(done, total)`; nothing where `shown` is false. The bar shows from the start
    (pulsing, no count, while the data and model load) and goes at the end. Where stderr is
    not a terminal, a plain line every `every` seconds of a long count instead."""
    if not shown:
        yield lambda done, total: None
        return
    if not is_terminal("stderr"):
        with _noted_every(label, every) as advance:
            yield advance
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = (label, BarColumn(), MofNCompleteColumn(), "left", TimeRemainingColumn())
    with Progress(*columns, console=_console("stderr"), transient=True) as progress:
        task = progress.add_task(label, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


@contextlib.contextmanager
def _noted_every(label: str, every: float) -> Iterator[Callable[[int, int], None]]:
    """`label: still at work (N s; DONE of TOTAL)` on stderr every `every` seconds until the
    block ends: a pipe's reader (a log) sees a long run is alive; a short one says nothing."""
    import threading

    count = [0, 0]
    started, stop = time.monotonic(), threading.Event()

    def note() -> None:
        while not stop.wait(every):
            done, total = count
            far = f"; {done} of {total}" if total else ""
            seconds = time.monotonic() - started
            sys.stderr.write(f"{label}: still at work ({seconds:.0f} s{far})\n")
            sys.stderr.flush()

    watcher = threading.Thread(target=note, name="digitcli-still-at-work", daemon=True)
    watcher.start()
    try:
        yield lambda done, total: count.__setitem__(slice(None), [done, total])
    finally:
        stop.set()
        watcher.join()


@contextlib.contextmanager
def downloading(url: str, target: Path, *, bar: bool) -> Iterator[Callable[[int, int], None]]:
    """A download shown on stderr, as `download.Watch`: a bar of the bytes (of the total when
    the server says it) where `bar` and stderr is a terminal, else a plain line as it starts;
    a line as it ends, once the file is written."""
    got = [0]
    if not (bar and is_terminal("stderr")):
        print_note(f"downloading {url} into {target}")
        yield lambda done, total: got.__setitem__(0, done)
    else:
        from rich.progress import BarColumn, DownloadColumn, Progress, TaskProgressColumn

        columns = ("{task.description}", BarColumn(), TaskProgressColumn(), DownloadColumn())
        with Progress(*columns, console=_console("stderr"), transient=True) as progress:
            task = progress.add_task(escape(f"downloading {url}"), total=None)

            def advance(done: int, total: int) -> None:
                got[0] = done
                progress.update(task, completed=done, total=total or None, refresh=True)

            yield advance
    from rich.filesize import decimal

    print_note(f"downloaded {target} ({decimal(got[0])})")


# Training ------------------------------------------------------------------------------------


class PlainTrainReporter:
    """One line per epoch on stderr: for pipes, CI and batch jobs."""

    wants_batches = False

    def __init__(self, kind: str | None = None) -> None:
        self.epochs = 0
        self.kind = kind  # what is trained, in words; None: the config's network

    def start(self, config, *, start_epoch: int, steps_per_epoch: int) -> None:
        self.epochs = config.epochs
        print_note(training_line(config, steps_per_epoch, self.kind))

    def batch(self, step: int, logs: dict) -> None:
        pass

    def epoch(self, epoch: int, logs: dict) -> None:
        print_note(epoch_line(epoch, self.epochs, logs))

    def note(self, text: str) -> None:
        print_note(text)

    def downloading(self, url: str, target: Path) -> contextlib.AbstractContextManager:
        """MNIST downloaded before the run (download.Watch): a line as it starts and ends."""
        return downloading(url, target, bar=False)

    def finish(self) -> None:
        pass


def epoch_line(epoch: int, epochs: int, logs: dict) -> str:
    """`epoch  7/18 loss ...`: the same in a terminal and in a pipe, aligned within a run."""
    return f"epoch {epoch:>{len(str(epochs))}}/{epochs} " + _format_logs(logs)


def training_line(config, steps_per_epoch: int, kind: str | None = None) -> str:
    """The one line that starts a run, the same in a terminal and in a pipe; `kind`: what is
    trained (`cnn+cnn+mlp` for the bundled model), where the config's network does not say."""
    epochs = f"{config.epochs} epoch{'s' * (config.epochs != 1)}"
    return (
        f"Training {kind or config.arch} for {epochs} (batch {config.batch_size}, "
        f"{config.optimizer} lr {config.learning_rate:g}, {steps_per_epoch} steps per epoch)"
    )


class RichTrainReporter(PlainTrainReporter):
    """A progress bar per epoch with live loss and accuracy, a table row as each epoch ends."""

    wants_batches = True
    REFRESH_SECONDS = 0.1  # updating the bar more often costs training time and shows nothing new

    def __init__(self, kind: str | None = None) -> None:
        super().__init__(kind)
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]epoch {task.fields[epoch]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "loss [cyan]{task.fields[loss]}[/] accuracy [green]{task.fields[accuracy]}[/]"
            ),
            TextColumn("elapsed"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=_console("stderr"),
            transient=True,
        )
        self.task = None
        self.steps = 0
        self._last = 0.0

    def start(self, config, *, start_epoch: int, steps_per_epoch: int) -> None:
        self.epochs = config.epochs
        self.steps = steps_per_epoch
        self.progress.console.print(
            training_line(config, steps_per_epoch, self.kind), markup=False, highlight=False
        )
        self.progress.start()
        self._new_task(start_epoch + 1)

    def _new_task(self, epoch: int) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(
            "", total=self.steps, epoch=f"{epoch}/{self.epochs}", loss="-", accuracy="-"
        )

    def batch(self, step: int, logs: dict) -> None:
        now = time.monotonic()
        if now - self._last < self.REFRESH_SECONDS and step < self.steps:
            return
        self._last = now
        self.progress.update(
            self.task,
            completed=min(step, self.steps),  # steps_per_execution can overshoot the last step
            loss=f"{logs.get('loss', 0):.4f}",
            accuracy=f"{logs.get('accuracy', 0):.4f}",
        )

    def epoch(self, epoch: int, logs: dict) -> None:
        self.progress.console.print(
            epoch_line(epoch, self.epochs, logs), markup=False, highlight=False
        )
        if epoch < self.epochs:
            self._new_task(epoch + 1)

    def note(self, text: str) -> None:
        self.progress.console.print(text, markup=False)

    def downloading(self, url: str, target: Path) -> contextlib.AbstractContextManager:
        """MNIST downloaded before the run: a bar of its bytes, a line as it ends."""
        return downloading(url, target, bar=True)

    def finish(self) -> None:
        self.progress.stop()


def _format_logs(logs: dict) -> str:
    parts = []
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        if key in logs:
            parts.append(f"{key} {logs[key]:.4f}")
    if "learning_rate" in logs:
        parts.append(f"lr {logs['learning_rate']:.2e}")
    if "seconds" in logs:
        parts.append(f"{logs['seconds']:.1f}s")
    return "  ".join(parts)


def compact_table(title: str | None = None) -> Table:
    """A table with no vertical rules and one space of padding: fits 70 columns."""
    from rich import box
    from rich.table import Table

    return Table(
        title=title, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True
    )


def show_fields(data: dict) -> None:
    """A result in a pipe: one `key<TAB>value` line per scalar of its JSON object, numbers as
    numbers (the lists and tables are in `--json`)."""
    for key, value in data.items():
        if isinstance(value, (dict, list, tuple)):
            continue
        shown = "" if value is None else str(value).lower() if isinstance(value, bool) else value
        sys.stdout.write(f"{key}\t{plain_field(str(shown))}\n")
    sys.stdout.flush()


def plain_row(cells: list[str]) -> None:
    """One `a<TAB>b<TAB>...` line on stdout, each cell escaped as plain output escapes it."""
    sys.stdout.write("\t".join(plain_field(cell) for cell in cells) + "\n")


def plain_field(text: str) -> str:
    """A field of a tab-separated line: backslash, tab, newline, carriage return and other
    control characters written as escapes (\\ \\t \\n \\r \\xNN), so a line is a row."""
    if text.isprintable() and "\\" not in text:
        return text
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char in _CONTROL_ESCAPES:
            out.append(_CONTROL_ESCAPES[char])
        elif not char.isprintable():
            out.append(f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


_CONTROL_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def models_table(listed) -> Table:
    """`digitcli models` in a terminal: one row a model, the default marked with why."""
    from rich.table import Table

    table = Table(title="Models (* : used when no model is named)")
    for name in ("", "name", "arch", "test acc.", "created", "path"):
        table.add_column(name, overflow="fold")
    for row in listed:
        mark = f"* {row.model.why}" if row.default else ""
        accuracy = "-" if row.test_accuracy is None else percent(row.test_accuracy)
        if row.test_set is not None:
            accuracy = f"{accuracy} of {row.test_set}"
        arch = f"[red]broken: {escape(row.problem)}[/]" if row.problem else escape(row.arch or "")
        created = row.created[:16].replace("T", " ")
        table.add_row(
            mark, escape(row.model.name), arch, accuracy, created, escape(str(row.model.path))
        )
    return table


def show_path(label: str, path) -> None:
    """A path on its own line on stdout, never cut or wrapped by Rich (a terminal may fold it)."""
    shown = visible(f"{label} {path}")
    _console("stdout").print(shown, markup=False, highlight=False, soft_wrap=True)


def history_table(history: dict[str, list[float]], best_epoch: int) -> Table:
    from rich.table import Table

    table = Table(title="Training history")
    table.add_column("epoch", justify="right")
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"):
        table.add_column(key, justify="right")
    for index in range(len(history["loss"])):
        epoch = index + 1
        style = "bold green" if epoch == best_epoch else None
        row = [str(epoch)]
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            row.append(f"{history[key][index]:.4f}")
        row.append(f"{history['learning_rate'][index]:.2e}")
        row.append(f"{history['seconds'][index]:.1f}")
        table.add_row(*row, style=style)
    return table


def train_summary_table(result) -> Table:
    """The result; the model directory is said on its own line (`show_path`), never cut."""
    table = compact_table("Result")
    table.add_column("arch", no_wrap=True)
    for name in ("best epoch", "test accuracy", "test loss", "train time"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_row(
        result.kind,
        f"{result.best_epoch}/{len(result.history['loss'])}",
        f"[bold green]{percent(result.test.accuracy)}[/]"
        + (f" of {escape(result.test_set)}" if result.test_set else ""),
        f"{result.test.loss:.4f}",
        f"{result.train_seconds:.1f}s",
    )
    return table


# Evaluation ----------------------------------------------------------------------------------


def evaluation_tables(evaluation) -> list[Table]:
    overall = compact_table("Test set")
    for column in ("runtime", "images", "accuracy", "loss", "ECE"):
        overall.add_column(column, justify="left" if column == "runtime" else "right", no_wrap=True)
    overall.add_row(
        evaluation.runtime,
        str(evaluation.samples),
        f"[bold green]{percent(evaluation.accuracy)}[/]",
        f"{evaluation.loss:.4f}",
        f"{evaluation.ece:.4f}",
    )

    per_digit = compact_table("Per digit")
    for column in ("digit", "precision", "recall", "f1", "support"):
        per_digit.add_column(column, justify="right", no_wrap=True)
    for row in evaluation.per_class:
        per_digit.add_row(
            str(row.digit),
            f"{row.precision:.4f}",
            f"{row.recall:.4f}",
            f"{row.f1:.4f}",
            str(row.support),
        )

    return [overall, per_digit, confusion_table(evaluation.confusion_matrix)]


def confusion_table(matrix) -> Table:
    """Rows are true digits, columns predicted; off-diagonal cells shaded by how many."""
    table = compact_table("Confusion matrix (rows: true, columns: predicted)")
    table.add_column("true", justify="right", style="bold", no_wrap=True)
    for digit in range(10):
        table.add_column(str(digit), justify="right", no_wrap=True)
    worst = max(int(matrix[i][j]) for i in range(10) for j in range(10) if i != j) or 1
    for i in range(10):
        cells = []
        for j in range(10):
            count = int(matrix[i][j])
            if i == j:
                cells.append(f"[bold green]{count}[/]")
            elif count == 0:
                cells.append("[dim]0[/]")
            else:
                shade = 80 + int(175 * count / worst)
                cells.append(f"[rgb({shade},60,60)]{count}[/]")
        table.add_row(str(i), *cells)
    return table


# Export --------------------------------------------------------------------------------------


def export_table(result) -> Table:
    """One row: what was written, how big, and how it scored against the source model. The
    paths are said on their own lines (`show_path`), never cut."""
    verified = f"verified on {result.samples} test images" if result.verified else "not verified"
    table = compact_table(f"Export ({verified})")
    for name in ("format", "size", "accuracy", "source", "agreement", "per image"):
        table.add_column(name, justify="left" if name == "format" else "right", no_wrap=True)

    def score(value: float | None) -> str:
        return "-" if value is None else percent(value)

    seconds = result.seconds_per_image
    table.add_row(
        result.format,
        human_bytes(result.bytes),
        score(result.accuracy),
        score(result.source_accuracy),
        "-" if result.agreement is None else f"[bold]{percent(result.agreement)}[/]",
        "-" if seconds is None else human_seconds(seconds),
    )
    return table


def human_bytes(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1e3:.1f} kB"
    return f"{size / 1e6:.1f} MB"


def human_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"
