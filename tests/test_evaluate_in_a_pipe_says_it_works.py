"""A long `evaluate` in a pipe (no progress bar there) says every so often that it is still at
work, and how far it is, instead of nothing for two minutes; a short one says nothing."""

from __future__ import annotations

import threading
import time

from digitcli.terminal import console


def test_a_long_count_in_a_pipe_says_it_is_still_at_work(capsys) -> None:
    with console.counted("evaluating", shown=True, every=0.2) as advance:
        time.sleep(0.5)  # loading: no count yet
        advance(500, 1_500_000)
        time.sleep(0.3)
    said = capsys.readouterr().err.splitlines()
    assert said and said[0].startswith("evaluating: still at work")
    assert any("500 of 1500000" in line for line in said[1:]), said


def test_a_short_count_says_nothing(capsys) -> None:
    with console.counted("evaluating", shown=True, every=5.0) as advance:
        advance(10, 10)
    assert capsys.readouterr().err == ""
    assert threading.active_count() < 50  # the watcher ended


def test_quiet_says_nothing(capsys) -> None:
    with console.counted("evaluating", shown=False, every=0.1):
        time.sleep(0.3)
    assert capsys.readouterr().err == ""
