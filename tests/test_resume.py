"""Interrupted training resumes where it stopped, to the same model as an uninterrupted run."""

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digitcli.core.config import train_config

from conftest import subprocess_env
from mnist_files import synthetic_digits, write_idx

pytestmark = [pytest.mark.trains, pytest.mark.signals]  # trains, interrupts and resumes

EPOCHS = "3"
RUN = train_config("mlp512", epochs=int(EPOCHS)).run_name  # the default output's name


@pytest.fixture(scope="module")
def slow_data(tmp_path_factory):
    """Enough images at batch size 4 for an epoch to last about a second, so that a signal
    0.2 s after epoch 1 ends lands in epoch 2 (2,000 took 0.1 s an epoch in
    digitcli.training.fused's
    loop, and the signal came after epoch 2)."""
    folder = tmp_path_factory.mktemp("resume-data")
    x, y = synthetic_digits(16200, seed=5)
    write_idx(folder, train=(x[:16000], y[:16000]), test=(x[16000:], y[16000:]))
    return folder


def train_command(*extra: str) -> list[str]:
    return [sys.executable, "-m", "digitcli", "train", "--epochs", EPOCHS, "--batch-size", "4",
            "--arch", "mlp512", "--json", *extra]  # fmt: skip


def train_again(tmp_path, data, *extra: str) -> subprocess.CompletedProcess:
    """`digitcli train` with `data` over the models folder in `tmp_path`: a run refused before
    it trains, its exit code as a shell sees it."""
    env = subprocess_env(DIGITCLI_DATA=str(data), DIGITCLI_MODELS=str(tmp_path / "models"))
    return subprocess.run(train_command(*extra), capture_output=True, text=True, env=env,
                          cwd=tmp_path)  # fmt: skip


def interrupt_during_epoch_2(tmp_path, data, signum) -> subprocess.CompletedProcess:
    env = subprocess_env(DIGITCLI_DATA=str(data), DIGITCLI_MODELS=str(tmp_path / "models"))
    child = subprocess.Popen(
        train_command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        cwd=tmp_path,
    )  # fmt: skip
    seen = []
    for line in child.stderr:
        seen.append(line)
        if line.startswith("epoch 1/"):
            time.sleep(0.2)
            child.send_signal(signum)
            break
    out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, out, "".join(seen) + err)


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory, slow_data):
    """`stopped_by(signum)`: a run stopped by `signum` during epoch 2, once per signal for the
    module, and the models folder it left, for tests to copy before they write to it."""
    runs = {}

    def stopped_by(signum) -> tuple[subprocess.CompletedProcess, Path]:
        if signum not in runs:
            folder = tmp_path_factory.mktemp(f"stopped-by-{signum}")
            runs[signum] = (interrupt_during_epoch_2(folder, slow_data, signum), folder / "models")
        return runs[signum]

    return stopped_by


def copy_of_interrupted(interrupted, tmp_path, signum) -> subprocess.CompletedProcess:
    """The run stopped by `signum`, its models folder copied into `tmp_path`."""
    stopped, models = interrupted(signum)
    shutil.copytree(models, tmp_path / "models")
    return stopped


def resume(tmp_path, data) -> dict:
    env = subprocess_env(DIGITCLI_DATA=str(data), DIGITCLI_MODELS=str(tmp_path / "models"))
    done = subprocess.run(
        train_command("--resume"), capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "resuming after epoch 1" in done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, slow_data):
    folder = tmp_path_factory.mktemp("straight")
    done = subprocess.run(
        train_command("--output", str(folder / "m")), capture_output=True, text=True,
        env=subprocess_env(DIGITCLI_DATA=str(slow_data)), cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_then_resume_gives_the_uninterrupted_model(
    tmp_path, slow_data, uninterrupted, interrupted, signum, code
):
    stopped = copy_of_interrupted(interrupted, tmp_path, signum)
    assert stopped.returncode == code
    last = stopped.stderr.strip().splitlines()[-1]
    assert last.startswith("Stopped: interrupted after epoch 1") and "--resume" in last
    assert "Traceback" not in stopped.stderr
    assert [p.name for p in (tmp_path / "models").iterdir()] == [f"{RUN}.checkpoint"]

    resumed = resume(tmp_path, slow_data)
    assert resumed["history"]["loss"] == uninterrupted["history"]["loss"]
    assert resumed["test_loss"] == pytest.approx(uninterrupted["test_loss"], rel=1e-6)
    written = sorted(p.name for p in (tmp_path / "models").iterdir())
    assert written == sorted([RUN, "default.json"])  # and the default it chose (defaults.py)


def test_sigkill_loses_at_most_the_current_epoch(tmp_path, slow_data, uninterrupted, interrupted):
    killed = copy_of_interrupted(interrupted, tmp_path, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    resumed = resume(tmp_path, slow_data)
    assert len(resumed["history"]["loss"]) == int(EPOCHS)
    assert resumed["history"]["loss"] == uninterrupted["history"]["loss"]


def test_a_new_run_never_deletes_an_interrupted_runs_checkpoint(tmp_path, slow_data, interrupted):
    stopped = copy_of_interrupted(interrupted, tmp_path, signal.SIGINT)
    assert stopped.returncode == 130
    again = train_again(tmp_path, slow_data)
    assert again.returncode == 2
    assert "--resume to continue it, or --force to start over" in again.stderr
    assert "after epoch 1 of 3" in again.stderr
    assert (tmp_path / "models" / f"{RUN}.checkpoint" / "state.json").is_file()


@pytest.mark.parametrize(
    "changed, named",
    [(["--seed", "5"], "--seed 0, this run asks for 5"),
     (["--learning-rate", "0.01"], "--learning-rate 0.002")],
)  # fmt: skip
def test_resume_refuses_other_settings(tmp_path, slow_data, interrupted, changed, named):
    stopped = copy_of_interrupted(interrupted, tmp_path, signal.SIGINT)
    assert stopped.returncode == 130
    # The default output's name follows the settings: point at the interrupted run's.
    output = ["--output", str(tmp_path / "models" / RUN)]
    other = train_again(tmp_path, slow_data, "--resume", *changed, *output)
    assert other.returncode == 2 and named in other.stderr, other.stderr
    assert (tmp_path / "models" / f"{RUN}.checkpoint" / "state.json").is_file()


def test_resume_refuses_other_data(tmp_path, interrupted):
    stopped = copy_of_interrupted(interrupted, tmp_path, signal.SIGINT)
    assert stopped.returncode == 130
    x, y = synthetic_digits(2200, seed=6)
    write_idx(tmp_path / "other-data", train=(x[:2000], y[:2000]), test=(x[2000:], y[2000:]))
    moved = train_again(tmp_path, tmp_path / "other-data", "--resume")
    assert moved.returncode == 2 and "checksums differ" in moved.stderr, moved.stderr
    assert (tmp_path / "models" / f"{RUN}.checkpoint" / "state.json").is_file()
