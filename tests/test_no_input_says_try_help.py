"""`digitcli predict` (and `read`) with nothing to read is a usage error like any other: the
error line, then "Try 'digitcli predict -h' for help.", exit code 2 (issue 88)."""

from __future__ import annotations

import pytest

from inprocess import digitcli


@pytest.mark.parametrize("command", ["predict", "read"])
def test_no_image_says_what_to_give_and_where_help_is(command: str) -> None:
    done = digitcli(command, text=True)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "Error: give at least one IMAGE, or --from-list FILE",
        f"Try 'digitcli {command} -h' for help.",
    ]
