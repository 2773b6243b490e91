"""The one signal guard both training loops use (digitcli.signals)."""

import os
import signal

import pytest

from digitcli.signals import Interrupted, SignalGuard


def send(signum: int) -> None:
    os.kill(os.getpid(), signum)


def test_outside_held_a_signal_interrupts_at_once():
    guard = SignalGuard()
    with guard.installed(), pytest.raises(Interrupted) as stop:
        send(signal.SIGTERM)
        raise AssertionError("not interrupted")
    assert stop.value.signum == signal.SIGTERM


def test_inside_held_a_signal_waits_for_the_end_of_the_block():
    guard = SignalGuard()
    done = []
    with guard.installed(), pytest.raises(Interrupted) as stop:
        with guard.held():
            send(signal.SIGINT)
            done.append("the block ran to its end")
            with guard.held():  # nested blocks: only the outermost delivers
                pass
            done.append("and past a nested block")
    assert done == ["the block ran to its end", "and past a nested block"]
    assert stop.value.signum == signal.SIGINT and guard.pending is None


def test_a_loop_can_stop_at_its_next_step_boundary():
    guard = SignalGuard()
    steps = []
    with guard.installed(), pytest.raises(Interrupted):
        with guard.held():
            for step in range(5):
                guard.raise_pending()
                steps.append(step)
                if step == 1:
                    send(signal.SIGTERM)
    assert steps == [0, 1]


def test_the_previous_handlers_come_back():
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    guard = SignalGuard()
    with guard.installed():
        assert signal.getsignal(signal.SIGTERM) != before[signal.SIGTERM]
    assert {signum: signal.getsignal(signum) for signum in before} == before
