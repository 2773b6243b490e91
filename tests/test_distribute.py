"""Training on tf.distribute: the strategy, the chief, the custom epoch loop, two real workers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.core.config import train_config
from digitcli.core.errors import TrainingInterrupted, UsageError
from digitcli.training.distribute import is_chief, make_strategy, task_from_env, written_by_chief
from digitcli.training.train import train

from conftest import subprocess_env
from mnist_files import synthetic_digits, write_idx

pytestmark = pytest.mark.trains

WORKER_TIMEOUT = 420  # seconds for one worker to train and exit; a few on CI


def tf_config(ports: list[int], index: int) -> str:
    workers = [f"127.0.0.1:{port}" for port in ports]
    return json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})


# Who is chief ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config, chief",
    [
        (None, True),
        ({"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 0}}, True),
        ({"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 1}}, False),
        (
            {
                "cluster": {"chief": ["c:0"], "worker": ["a:1"]},
                "task": {"type": "worker", "index": 0},
            },
            False,
        ),
        (
            {
                "cluster": {"chief": ["c:0"], "worker": ["a:1"]},
                "task": {"type": "chief", "index": 0},
            },
            True,
        ),
    ],
)
def test_chief_is_tensorflows_chief(monkeypatch, config, chief):
    if config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    assert is_chief("multi-worker") is chief
    assert is_chief("auto") and is_chief("mirrored")  # one process: always the chief


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        '{"cluster": {"worker": ["a:1"]}}',
        '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}',
        '{"cluster": {"worker": ["a:1"]}, "task": {"type": "ps", "index": 0}}',
    ],
)
def test_bad_tf_config_is_a_usage_error(monkeypatch, raw):
    monkeypatch.setenv("TF_CONFIG", raw)
    with pytest.raises(UsageError, match="TF_CONFIG"):
        task_from_env()


def test_task_describes_itself(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", tf_config([1, 2, 3], 2))
    assert str(task_from_env()) == "worker 2 of 3 workers"


# Strategies -----------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch):
    """Invoke the app in-process with errors reported as users see them (no --debug left on)."""
    import digitcli.commands.errors

    monkeypatch.setitem(digitcli.commands.errors.debug, "on", False)
    return lambda *args: CliRunner().invoke(app, list(args))


def test_multi_worker_needs_tf_config(monkeypatch, cli, tmp_path):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(UsageError, match="TF_CONFIG"):
        make_strategy("multi-worker")
    result = cli("train", "--strategy", "multi-worker", "--output", str(tmp_path / "m"))
    assert result.exit_code == 2
    assert "TF_CONFIG" in result.output
    assert not (tmp_path / "m").exists()


def test_unknown_strategy_is_refused(cli):
    with pytest.raises(UsageError, match="unknown strategy"):
        make_strategy("parameter-server")
    result = cli("train", "--strategy", "parameter-server")
    assert result.exit_code == 2


def test_auto_mirrors_only_over_several_gpus():
    from digitcli.models.backend import tf
    from digitcli.training.distribute import is_distributed

    strategy = make_strategy("auto")
    if len(tf.config.list_physical_devices("GPU")) > 1:
        assert isinstance(strategy, tf.distribute.MirroredStrategy)
    else:  # one GPU or none: the plain model.fit path, no strategy scope at all
        assert not is_distributed(strategy)
    assert not is_distributed(make_strategy("default"))
    assert is_distributed(make_strategy("mirrored"))


def test_only_the_chief_writes_where_asked(tmp_path):
    target = tmp_path / "out"
    with written_by_chief(target, chief=True) as path:
        assert path == target
    with written_by_chief(target, chief=False) as path:
        assert path != target and path.name == "out"
        path.mkdir()
        (path / "file").write_text("scratch")
        scratch = path.parent
    assert not scratch.exists() and not target.exists()


# The custom loop, in one process ---------------------------------------------------------------


class Recorder:
    """A reporter that keeps what it is shown; asks for batches like the Rich bars do."""

    wants_batches = True

    def __init__(self, stop_in_epoch: int | None = None) -> None:
        self.batches: list[tuple[int, dict]] = []
        self.epochs: list[int] = []
        self.stop_in_epoch = stop_in_epoch
        self.stopped = False

    def start(self, config, *, start_epoch: int, steps_per_epoch: int) -> None:
        self.steps = steps_per_epoch

    def batch(self, step: int, logs: dict) -> None:
        self.batches.append((step, dict(logs)))
        if len(self.epochs) + 1 == self.stop_in_epoch and not self.stopped:
            self.stopped = True
            os.kill(os.getpid(), signal.SIGINT)  # like Ctrl-C half-way through an epoch

    def epoch(self, epoch: int, logs: dict) -> None:
        self.epochs.append(epoch)

    def note(self, text: str) -> None:
        pass

    def finish(self) -> None:
        pass


def test_distributed_loop_trains_as_model_fit_does(tiny_data, tmp_path):
    """MirroredStrategy on this machine runs DistributedEpochs: the logs, progress and model
    of fit."""
    config = train_config("mlp", epochs=2, layers=(32,), batch_size=50)
    plain = train(config, data=tiny_data, output=tmp_path / "plain")
    shown = Recorder()
    mirrored = train(
        config, data=tiny_data, output=tmp_path / "mirrored", strategy="mirrored", reporter=shown
    )
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"):
        assert mirrored.history[key] == pytest.approx(plain.history[key], rel=1e-4, abs=1e-5)
    assert mirrored.test.accuracy == pytest.approx(plain.test.accuracy, abs=0.01)
    assert shown.epochs == [1, 2]
    assert [step for step, _ in shown.batches] == list(range(1, shown.steps + 1)) * 2
    assert set(shown.batches[-1][1]) == {"loss", "accuracy"}
    assert shown.batches[-1][1]["loss"] == pytest.approx(mirrored.history["loss"][-1], rel=1e-5)
    metadata = json.loads((tmp_path / "mirrored" / "metadata.json").read_text())
    assert metadata["config"]["strategy"] == "mirrored"
    written = sorted(p.name for p in tmp_path.iterdir() if p.name != "models")  # the registry's
    assert written == ["mirrored", "plain"]


def test_distributed_loop_resumes_to_the_uninterrupted_model(tiny_data, tmp_path):
    config = train_config("mlp", epochs=2, layers=(32,), batch_size=20, strategy="mirrored")
    straight = train(config, data=tiny_data, output=tmp_path / "straight")
    with pytest.raises(TrainingInterrupted, match="after epoch 1"):
        train(config, data=tiny_data, output=tmp_path / "m", reporter=Recorder(stop_in_epoch=2))
    assert (tmp_path / "m.checkpoint" / "state.json").is_file()
    resumed = train(config, data=tiny_data, output=tmp_path / "m", resume=True)
    assert resumed.history["loss"] == pytest.approx(straight.history["loss"], rel=1e-5)
    assert resumed.test.loss == pytest.approx(straight.test.loss, rel=1e-4)


# Two workers on this machine ------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def start_workers(folder: Path, data: Path, args: list[str]) -> list[tuple]:
    """Two `digitcli train --strategy multi-worker` processes; output in files, not pipes that
    could fill while we wait on the other worker."""
    ports = free_ports(2)
    scratch = folder / "tmp"  # where the non-chief's temporary copies go, to check they went
    scratch.mkdir(exist_ok=True)
    workers = []
    for index in range(2):
        env = subprocess_env(
            TF_CONFIG=tf_config(ports, index),
            TMPDIR=str(scratch),
            DIGITCLI_DATA=str(data),
            CUDA_VISIBLE_DEVICES="-1",  # two processes on one test machine: CPU, not one GPU
        )
        out = (folder / f"worker{index}.out").open("w+")
        err = (folder / f"worker{index}.err").open("w+")
        command = [sys.executable, "-m", "digitcli", "train", "--strategy", "multi-worker", *args]
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=folder, text=True)
        workers.append((child, out, err))
    return workers


def finish(workers: list[tuple], timeout: float = WORKER_TIMEOUT) -> list[tuple[int, str, str]]:
    """Wait for every worker; kill the stragglers if any runs past `timeout` or fails."""
    deadline = time.monotonic() + timeout
    try:
        for child, _, _ in workers:
            child.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        for child, _, _ in workers:
            if child.poll() is None:
                child.kill()
                child.wait()
    results = []
    for child, out, err in workers:
        out.seek(0)
        err.seek(0)
        results.append((child.returncode, out.read(), err.read()))
        out.close()
        err.close()
    return results


@pytest.mark.slow
@pytest.mark.timeout(600)  # several TensorFlow processes on 2 busy cores
def test_two_workers_train_one_model_as_good_as_one_process(tiny_data, tmp_path):
    models = tmp_path / "models"
    args = ["--epochs", "2", "--data", str(tiny_data), "--output", str(models / "mw"), "--json"]
    started = time.monotonic()
    (chief_code, chief_out, chief_err), (other_code, other_out, other_err) = finish(
        start_workers(tmp_path, tiny_data, args)
    )
    seconds = time.monotonic() - started
    assert chief_code == 0, chief_err[-3000:]
    assert other_code == 0, other_err[-3000:]

    # Exactly one model directory, whole, no checkpoint or lock left; the non-chief's copies gone.
    assert sorted(p.name for p in models.iterdir()) == ["default.json", "mw"]  # the chief's
    assert {"model.keras", "model.tflite", "metadata.json"} <= {
        p.name for p in (models / "mw").iterdir()
    }
    assert list((tmp_path / "tmp").iterdir()) == []
    metadata = json.loads((models / "mw" / "metadata.json").read_text())
    assert metadata["config"]["strategy"] == "multi-worker"

    # Data on the chief's stdout; the other worker logs plain lines on stderr, no data.
    result = json.loads(chief_out)
    assert result["model"] == str(models / "mw") and result["epochs"] == 2
    assert other_out == ""
    assert "epoch 2/2" in other_err and "done; the chief wrote" in other_err

    # As good as one process on the same data and epochs.
    single = train(train_config("mlp", epochs=2), data=tiny_data, output=tmp_path / "single")
    assert result["test_accuracy"] == pytest.approx(single.test.accuracy, abs=0.02)
    assert result["history"]["loss"] == pytest.approx(single.history["loss"], rel=0.02)
    print(
        f"two workers: {seconds:.1f}s, test accuracy {result['test_accuracy']:.4f}; "
        f"one process: {single.test.accuracy:.4f}"
    )


@pytest.fixture(scope="module")
def longer_data(tmp_path_factory):
    """Enough images at batch size 4 for a two-worker epoch to last several seconds."""
    folder = tmp_path_factory.mktemp("distribute-data")
    x, y = synthetic_digits(1200, seed=5)
    write_idx(folder, train=(x[:1000], y[:1000]), test=(x[1000:], y[1000:]))
    return folder


@pytest.mark.slow
@pytest.mark.timeout(600)  # several TensorFlow processes on 2 busy cores
def test_two_workers_resume_after_sigterm_to_the_uninterrupted_model(longer_data, tmp_path):
    output = tmp_path / "models" / "mw"
    args = ["--epochs", "2", "--batch-size", "4", "--arch", "mlp512", "--output", str(output)]
    workers = start_workers(tmp_path, longer_data, [*args, "--json"])
    deadline = time.monotonic() + WORKER_TIMEOUT
    state = output.parent / "mw.checkpoint" / "state.json"
    while not state.exists() and time.monotonic() < deadline:
        if any(child.poll() is not None for child, _, _ in workers):
            break
        time.sleep(0.1)
    for child, _, _ in workers:  # like a scheduler pre-empting the job, early in epoch 2
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    stopped = finish(workers)
    assert [code for code, _, _ in stopped] == [143, 143], stopped[0][2][-3000:]
    assert "interrupted after epoch 1" in stopped[0][2]
    assert [p.name for p in output.parent.iterdir()] == ["mw.checkpoint"]

    (chief_code, chief_out, chief_err), (other_code, _, other_err) = finish(
        start_workers(tmp_path, longer_data, [*args, "--json", "--resume"])
    )
    assert chief_code == 0, chief_err[-3000:]
    assert other_code == 0, other_err[-3000:]
    assert "resuming after epoch 1" in chief_err and "resuming after epoch 1" in other_err
    assert sorted(p.name for p in output.parent.iterdir()) == ["default.json", "mw"]

    resumed = json.loads(chief_out)
    config = train_config("mlp512", epochs=2, batch_size=4)
    straight = train(config, data=longer_data, output=tmp_path / "straight")
    assert resumed["history"]["learning_rate"] == straight.history["learning_rate"]
    assert resumed["history"]["loss"] == pytest.approx(straight.history["loss"], rel=1e-3)
    assert resumed["test_accuracy"] == pytest.approx(straight.test.accuracy, abs=0.01)


@pytest.mark.slow
@pytest.mark.timeout(600)  # several TensorFlow processes on 2 busy cores
def test_a_worker_whose_peers_never_come_gives_up_with_a_message(tiny_data, tmp_path):
    command = [sys.executable, "-m", "digitcli", "train", "--strategy", "multi-worker",
               "--output", str(tmp_path / "m")]  # fmt: skip
    env = subprocess_env(
        TF_CONFIG=tf_config(free_ports(2), 0),
        DIGITCLI_DATA=str(tiny_data),
        DIGITCLI_CLUSTER_TIMEOUT="5",
        CUDA_VISIBLE_DEVICES="-1",
    )
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=WORKER_TIMEOUT)
    assert done.returncode != 0
    assert "did not come together in 5 s" in done.stderr
    assert not (tmp_path / "m").exists()
