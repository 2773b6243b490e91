"""Write docs/commands.md, the command reference, from the app itself (a test keeps it current).

python docs/make_commands.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from digitcli.cli import app

TARGET = Path(__file__).with_name("commands.md")
WIDTH = 100


def reference() -> str:
    runner = CliRunner()
    parts = [
        "# Command reference\n",
        "Generated from `digitcli --help` and each command's `--help` by "
        "`python docs/make_commands.py`; `tests/test_docs.py` fails when it is out of date.\n",
    ]
    names = [""] + [info.name or info.callback.__name__ for info in app.registered_commands]
    for name in names:
        args = [name, "--help"] if name else ["--help"]
        shown = runner.invoke(app, args, prog_name="digitcli", terminal_width=WIDTH).stdout
        parts.append(f"## digitcli {name}".rstrip() + "\n\n```\n" + shown.rstrip() + "\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    TARGET.write_text(reference())
    print(f"wrote {TARGET}", file=sys.stderr)
