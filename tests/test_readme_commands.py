"""Every digitcli command the README and docs/ show is one the app accepts: the docs cannot drift
from the options. The usage error the README prints is the one the app prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from digitcli.cli import app

from inprocess import digitcli

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
PLACEHOLDERS = re.compile(
    r"\[|\.\.\.|\|[a-z]|\b[A-Z]{2,}\b"
)  # synopses: [--x], IMAGE..., a|b, MODEL
SHELL_ENDS = ("|", ">", "2>", "&&", ";", "#", "2>/dev/null")


def page_commands(page: Path) -> list[tuple[str, str]]:
    """("PAGE:LINE", command) for each `digitcli ...` in a code block or an inline code span."""
    found = []
    in_block = False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            in_block = not in_block
            continue
        if in_block:
            match = re.match(r"^(?:\$ )?(digitcli(?: .*)?)$", line.strip())
            candidates = [match.group(1)] if match else []
        else:
            candidates = re.findall(r"`(digitcli(?: [^`]*)?)`", line)
        invocations = [text for text in candidates if in_block or len(text.split()) > 2]
        where = f"{page.name}:{number}"
        found += [(where, text) for text in invocations if not PLACEHOLDERS.search(text)]
    return found


def words(command: str) -> list[str]:
    args = shlex.split(command, comments=True)[1:]
    for index, word in enumerate(args):
        if word in SHELL_ENDS or word.startswith((">", "2>")):
            return args[:index]
    return args


def parses(args: list[str]) -> None:
    """Parse as `digitcli ARGS` would, without running the command."""
    group = typer.main.get_command(app)
    if args and args[0] in group.commands:
        group.commands[args[0]].make_context(args[0], args[1:])
    else:
        assert not args or args[0].startswith("-"), f"no such command: {args[0]}"
        group.make_context("digitcli", args, resilient_parsing=True)  # runs no callback


COMMANDS = [found for page in PAGES for found in page_commands(page)]


def test_the_readme_shows_a_command_of_each_section():
    shown = {command.split()[1] for where, command in COMMANDS if where.startswith("README")}
    assert {"train", "evaluate", "predict", "read", "export", "serve"} <= shown


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[where for where, _ in COMMANDS])
def test_a_documented_command_is_accepted(where, command):
    if "--top-k 0" in command:  # the README's example of a usage error: checked below
        return
    parses(words(command))


def test_the_usage_error_the_readme_shows_is_the_one_printed():
    text = README.read_text()
    shown = text.split("$ digitcli predict photo.jpg --top-k 0\n", 1)[1].split("```", 1)[0]
    done = digitcli("predict", "photo.jpg", "--top-k", "0", text=True)
    assert done.stderr == shown
