"""The `digitcli` command: the Typer app, its global options and its commands (digitcli.commands,
thin layers over the library). Nothing heavy is imported here."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from digitcli.commands import errors
from digitcli.commands.answers import predict, read
from digitcli.commands.models import evaluate, export, models
from digitcli.commands.serving import serve
from digitcli.commands.training import train
from digitcli.core.config import DEBUG_ENV
from digitcli.core.version import VERSION as __version__
from digitcli.terminal.usage import DigitcliGroup, DigitcliTyper

app = DigitcliTyper(
    cls=DigitcliGroup,
    help="Train, evaluate, run and export handwritten-digit classifiers.",
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def run() -> None:
    """The `digitcli` program (console script and `python -m digitcli`). Calling `app()` from
    Python ends with SystemExit, as any Typer app does."""
    import sys

    from digitcli.core import process
    from digitcli.core.errors import EXIT_BROKEN_PIPE
    from digitcli.core.streams import flushed

    process.claim()  # the command line's own process: quiet TensorFlow, one OpenCV thread
    try:
        app(prog_name="digitcli")
    except SystemExit:
        if not flushed(sys.stdout):  # the reader left before the last lines were written
            raise SystemExit(EXIT_BROKEN_PIPE) from None
        raise


def _version(value: bool) -> None:
    if value:
        typer.echo(f"digitcli {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help=f"Show full tracebacks (also ${DEBUG_ENV}=1).")
    ] = False,
) -> None:
    """digitcli: handwritten digits, from training to deployment."""
    errors.debug["on"] = debug or bool(os.environ.get(DEBUG_ENV))


for command in (train, evaluate, export, predict, read, serve, models):  # the order --help lists
    app.command()(command)
