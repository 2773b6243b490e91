"""`digitcli ARGS` run in the test's own process with Typer's CliRunner, answered as
`subprocess.run` answers: for the tests that check only what a command prints and its exit
code (a real process stays for signals, pipes, terminals and killed workers)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from digitcli.cli import app


def digitcli(
    *args: str,
    input: bytes | str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    text: bool = False,
) -> subprocess.CompletedProcess:
    """The exit code, stdout and stderr (bytes, or str with `text`) of `digitcli ARGS` run in
    the folder `cwd` with `env` added to the environment. An exception that escaped the
    command is raised here: a real process would have printed its traceback."""
    before = Path.cwd()
    try:
        os.chdir(cwd or before)
        done = CliRunner().invoke(app, list(args), input=input, env=env, prog_name="digitcli")
    finally:
        os.chdir(before)
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    if text:
        return subprocess.CompletedProcess(args, done.exit_code, done.stdout, done.stderr)
    return subprocess.CompletedProcess(args, done.exit_code, done.stdout_bytes, done.stderr_bytes)
