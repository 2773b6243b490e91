"""The one signal guard the training loop uses (digitcli.core.signals)."""

import os
import signal
import traceback

import pytest

from digitcli.core.config import train_config
from digitcli.core.errors import TrainingInterrupted
from digitcli.core.signals import Interrupted, SignalGuard
from digitcli.training.reporting import NullReporter
from digitcli.training.train import train

pytestmark = pytest.mark.signals


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


class SignalAtStep(NullReporter):
    """Sends SIGINT to its own process once, at a batch of the second epoch."""

    wants_batches = True

    def __init__(self) -> None:
        self.epochs_done = 0
        self.sent = False

    def epoch(self, epoch: int, logs: dict) -> None:
        self.epochs_done = epoch

    def batch(self, step: int, logs: dict) -> None:
        if self.epochs_done == 1 and step >= 4 and not self.sent:
            self.sent = True
            send(signal.SIGINT)


@pytest.mark.trains
def test_training_stops_at_a_batch_boundary_never_inside_tensorflow(tmp_path, tiny_data):
    """The handler only notes the signal while `fit` runs; the stop is raised where training
    can stop cleanly, not from the handler wherever the main thread stood (here: inside the
    reporter's callback)."""
    config = train_config("mlp", epochs=3, layers=(16,), batch_size=4, deskew=False)
    with pytest.raises(TrainingInterrupted) as stopped:
        train(config, data=tiny_data, output=tmp_path / "m", reporter=SignalAtStep())
    assert stopped.value.exit_code == 130 and "after epoch 1" in str(stopped.value)
    interrupted = stopped.value.__context__
    assert isinstance(interrupted, Interrupted)
    frames = [frame.f_code.co_name for frame, _ in traceback.walk_tb(interrupted.__traceback__)]
    assert frames[-1] == "raise_pending", frames[-6:]
