"""How every command fails: the library's errors become one line on stderr and the documented
exit code (`--debug` shows the traceback instead). Shared by all the commands, so in one place."""

from __future__ import annotations

import errno
import functools
import os
from collections.abc import Callable

import typer

from digitcli.core.config import DEBUG_ENV

debug = {"on": bool(os.environ.get(DEBUG_ENV))}  # set by `digitcli --debug` (cli.main)
FULL_DISK = (errno.ENOSPC, errno.EDQUOT)  # the disk, or the user's quota, is full


def reports_errors(command: Callable) -> Callable:
    """Turn the library's errors into one line on stderr and the documented exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from digitcli.core.errors import (
            EXIT_BROKEN_PIPE,
            EXIT_FAILURE,
            EXIT_INTERRUPTED,
            DigitcliError,
            TrainingInterrupted,
        )
        from digitcli.terminal.console import print_error, print_note

        try:
            return command(*args, **kwargs)
        except TrainingInterrupted as exc:  # a stop the user asked for is not an error
            if debug["on"]:
                raise
            print_note(f"Stopped: {exc}")
            raise typer.Exit(exc.exit_code) from None
        except DigitcliError as exc:
            if debug["on"]:
                raise
            print_error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            if debug["on"]:
                raise
            print_error("interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            import sys

            from digitcli.core.streams import silence

            silence(sys.stdout)  # the reader left (`| head -1`): stop quietly, as Unix tools do
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except (typer.Exit, typer.Abort, typer.TyperException, SystemExit):
            raise  # TyperException: a usage error the app words (`DigitcliGroup.main`)
        except OSError as exc:
            if debug["on"]:
                raise
            if exc.errno in FULL_DISK:  # the user's to fix: say where
                where = f"{exc.filename}: " if exc.filename else ""
                print_error(f"{where}no space left on device: free some space and run it again")
            else:
                print_error(unexpected(exc))
            raise typer.Exit(EXIT_FAILURE) from None
        except Exception as exc:  # a bug: say so in one line, keep the traceback for --debug
            if debug["on"]:
                raise
            print_error(unexpected(exc))
            raise typer.Exit(EXIT_FAILURE) from None

    return wrapper


def unexpected(exc: Exception) -> str:
    return f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for details)"
