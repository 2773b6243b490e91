"""How the command line shows its own interface: help that fits the window, and usage errors
in two plain lines with the allowed values, instead of a box of validator wording."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

RICH_HELP_FROM = 100  # columns: narrower, Rich's help panels cut option names; click's wrap

EMPTY = "''"  # how an empty value typed (--digits "") is shown: a space alone shows nothing
_BOUND = re.compile(r"is not in the range|is not a valid (?:int|integer|float)")
_CHOICES = re.compile(r"'(.*)' is not one of (.*)\.$")
_NO_SUCH = re.compile(
    r"No such option: (\S+)(?: \(Possible options: (.*)\)| Did you mean (\S+)\?)?"
)


class DigitcliTyper(typer.Typer):
    """The `digitcli` app: a command line that names a command builds that command alone.

    Typer makes every command's options from its signature at each start, a noticeable share
    of a cold `predict` that needs one of them. Anything else (help, a
    misspelt command, shell completion) builds them all."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        named = _named_command(self, sys.argv[1:])
        if named is None:
            return super().__call__(*args, **kwargs)
        every = self.registered_commands
        self.registered_commands = [named]
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self.registered_commands = every


def _named_command(app: typer.Typer, args: Sequence[str]) -> Any:
    """The registered command `args` starts with, or None."""
    if not args or os.environ.get("_DIGITCLI_COMPLETE"):
        return None
    for command in app.registered_commands:
        name = command.name or typer.main.get_command_name(command.callback.__name__)
        if name == args[0]:
            return command
    return None


class DigitcliGroup(TyperGroup):
    """The `digitcli` group: chooses the help style per window, words usage errors plainly."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        standalone_mode: bool = True,
        **extra,
    ):
        args = list(sys.argv[1:] if args is None else args) or ["--help"]  # bare: help, exit 0
        mode = "rich" if _wide_terminal() else None
        for command in (self, *self.commands.values()):
            command.rich_markup_mode = mode
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except typer.TyperException as error:  # click's usage errors (Typer carries click)
            if not standalone_mode:
                raise
            _show_usage_error(error, args)
            code = error.exit_code
        except typer.Abort:
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def _wide_terminal() -> bool:
    return sys.stdout.isatty() and shutil.get_terminal_size().columns >= RICH_HELP_FROM


def _show_usage_error(error: typer.TyperException, args: list[str]) -> None:
    from digitcli.terminal.console import print_error

    print_error(plain_message(error, args))
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        option = ctx.help_option_names[0] if ctx.help_option_names else "--help"
        typer.echo(f"Try '{ctx.command_path} {option}' for help.", err=True)


def plain_message(error: typer.TyperException, args: list[str]) -> str:
    """The error in plain words: the option as typed, its value, what it takes."""
    message = error.format_message()
    param = getattr(error, "param", None)
    missing = _NO_SUCH.match(message)
    if missing:
        typed, possible, meant = missing.groups()
        hint = (possible or meant or "").replace(", ", " or ")
        return f"no such option {typed}" + (f": did you mean {hint}?" if hint else "")
    if param is not None and type(error).__name__ == "MissingParameter":  # click's
        name = max(param.opts, key=len) if param.opts else param.human_readable_name
        choices = getattr(param.type, "choices", None)
        wanted = f": give one of {', '.join(map(str, choices))}" if choices else ""
        return f"{name} is required{wanted}"
    if isinstance(error, typer.BadParameter) and param is None:  # a command's own words
        return getattr(error, "message", message)
    if not isinstance(error, typer.BadParameter):
        return message[0].lower() + message[1:] if message[:2] != message[:2].upper() else message
    name = max(param.opts, key=len) if param.opts else param.human_readable_name
    value = _typed_value(param, args)
    shown = f"{name} {value or EMPTY}" if value is not None else name
    choices = _CHOICES.search(message)
    if choices:
        allowed = choices.group(2).replace("'", "")
        return f"{shown}: give one of {allowed}"
    if _BOUND.search(message):
        return f"{shown}: give {_wanted(param)}"
    raw = getattr(error, "message", message)  # without click's "Invalid value for ..."
    return f"{shown}: {raw.removeprefix('Value error, ')}"


def _wanted(param) -> str:
    low, high = getattr(param.type, "min", None), getattr(param.type, "max", None)
    whole = getattr(param.type, "name", "").startswith("int")
    kind = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        return f"{kind} from {low} to {high}"
    if low is not None:
        return f"{kind} of {low} or more"
    return f"{kind} of {high} or less" if high is not None else kind


def _typed_value(param, args: list[str]) -> str | None:
    """What the user typed for `param` (the last time: the one that counts)."""
    found = None
    for index, arg in enumerate(args):
        for opt in param.opts:
            if arg == opt and index + 1 < len(args):
                found = args[index + 1]
            elif arg.startswith(opt + "="):
                found = arg[len(opt) + 1 :]
    return found
