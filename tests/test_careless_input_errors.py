"""What a hostile or careless user tried (issue 13): each case ends in one clear line and the
documented exit code, never "unexpected ..." and never lost data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app

from conftest import started_workers, subprocess_env
from inprocess import digitcli
from mnist_files import STEEP, synthetic_digits

runner = CliRunner()


def digitcli_process(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """`digitcli ARGS` in a process of its own (`digitcli` runs it in this one)."""
    kwargs.setdefault("capture_output", True)
    return subprocess.run(
        [sys.executable, "-m", "digitcli", *args], env=subprocess_env(), timeout=120, **kwargs
    )


def image_files(folder, count: int = 3, names=None) -> list[str]:
    x, _ = synthetic_digits(count, seed=3, classes=STEEP)
    folder.mkdir(exist_ok=True)
    paths = []
    for i, image in enumerate(x):
        path = folder / (names[i] if names else f"{i:02d}.png")
        path.parent.mkdir(parents=True, exist_ok=True)  # "odd[/]name.png": a folder "odd["
        Image.fromarray(image).save(path, format="PNG")
        paths.append(str(path))
    return paths


def no_unexpected(*texts: str | bytes) -> None:
    for text in texts:
        text = text.decode() if isinstance(text, bytes) else text
        assert "unexpected" not in text and "Traceback" not in text, text


@pytest.mark.parametrize("name", ["IMG_[draft].png", "odd[/]name.png", "[bold]x[/bold].png"])
def test_file_names_are_shown_as_typed_not_as_markup(tiny_model, tmp_path, name):
    paths = image_files(tmp_path / "in", 1, [name])
    piped = digitcli("predict", paths[0], "--model", str(tiny_model), "--format", "plain")
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.decode().split("\t")[0] == paths[0]
    table = runner.invoke(
        app, ["predict", paths[0], "--model", str(tiny_model)], env={"COLUMNS": "200"}
    )
    assert table.exit_code == 0, table.output
    assert name in table.stdout
    missing = runner.invoke(app, ["predict", str(tmp_path / name), "--model", str(tiny_model)])
    assert missing.exit_code == 1 and name in missing.output
    no_unexpected(piped.stderr, table.output, missing.output)


@pytest.mark.trains
def test_json_is_strict_even_without_a_validation_split(tmp_path, tiny_data):
    done = digitcli_process(
        "train", "--data", str(tiny_data), "--epochs", "1", "--validation-split", "0",
        "--output", str(tmp_path / "m"), "--json", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    assert "NaN" not in text and "Infinity" not in text
    result = json.loads(text)
    assert result["history"]["val_loss"] == [None]
    metadata = (tmp_path / "m" / "metadata.json").read_text()
    assert "NaN" not in metadata
    json.loads(metadata, parse_constant=lambda name: pytest.fail(f"{name} in metadata.json"))


@pytest.mark.parametrize(
    "option",
    [["--learning-rate", "inf"], ["--learning-rate", "nan"], ["--dropout", "nan"],
     ["--seed", "-1"], ["--seed", str(2**40)], ["--epochs", str(10**9)]],
)  # fmt: skip
def test_absurd_training_options_are_usage_errors(option):
    done = digitcli("train", *option, "--quiet")
    assert done.returncode == 2
    no_unexpected(done.stderr)


@pytest.mark.trains
def test_a_model_without_ten_outputs_is_refused(tmp_path, tiny_data):
    import keras

    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(5)])
    model.save(tmp_path / "five.keras")
    paths = image_files(tmp_path / "in", 1)
    done = digitcli_process("predict", paths[0], "--model", str(tmp_path / "five.keras"))
    assert done.returncode == 2
    assert b"not 10 digit probabilities" in done.stderr
    evaluated = digitcli_process("evaluate", str(tmp_path / "five.keras"), "--data", str(tiny_data))
    assert evaluated.returncode == 2
    no_unexpected(done.stderr, evaluated.stderr)


def test_a_nul_byte_in_a_list_is_one_error_row(tiny_model, tmp_path):
    paths = image_files(tmp_path / "in", 2)
    listing = tmp_path / "list.txt"
    listing.write_bytes(f"{paths[0]}\nbad\0name.png\n{paths[1]}\n".encode())
    done = digitcli("predict", "--from-list", str(listing), "--model", str(tiny_model),
                    "--format", "jsonl")  # fmt: skip
    assert done.returncode == 1
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(rows) == 3 and "digit" in rows[0] and "digit" in rows[2]
    assert "NUL" in rows[1]["error"]
    no_unexpected(done.stderr)


def test_names_with_tabs_and_newlines_keep_one_line_per_row(tiny_model, tmp_path):
    paths = image_files(tmp_path / "in", 1, ["tab\there\nnewline.png"])
    done = digitcli("predict", paths[0], "--model", str(tiny_model), "--format", "plain")
    assert done.returncode == 0
    lines = done.stdout.decode().splitlines()
    assert len(lines) == 1
    assert lines[0].split("\t")[0].endswith("tab\\there\\nnewline.png")


def test_endless_inputs_are_refused_not_read_forever(tiny_model):
    listed = digitcli("predict", "--from-list", "/dev/zero", "--model", str(tiny_model))
    assert listed.returncode == 2 and b"longer than 4096 bytes" in listed.stderr
    with open("/dev/zero", "rb") as zeros:
        piped = digitcli_process("predict", "-", "--model", str(tiny_model), stdin=zeros)
    assert piped.returncode == 1 and b"more than 64 MB on stdin" in piped.stderr
    no_unexpected(listed.stderr, piped.stderr)


def test_a_closed_pipe_ends_quietly(tiny_model, tmp_path):
    paths = image_files(tmp_path / "in", 40)
    command = [sys.executable, "-m", "digitcli", "predict", *paths, "--model", str(tiny_model),
               "--format", "plain"]  # fmt: skip
    producer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=subprocess_env())  # fmt: skip
    producer.stdout.readline()
    producer.stdout.close()  # like `| head -1`
    _, err = producer.communicate(timeout=120)
    no_unexpected(err)
    assert b"BrokenPipe" not in err
    assert producer.returncode in (0, 141)


@pytest.mark.trains
def test_outputs_that_must_be_folders(tiny_model, tmp_path, tiny_data):
    paths = image_files(tmp_path / "in", 1)
    afile = tmp_path / "afile"
    afile.write_text("")
    saved = digitcli_process("predict", paths[0], "--model", str(tiny_model), "--save-preprocessed",
                     str(afile))  # fmt: skip
    board = digitcli_process("train", "--data", str(tiny_data), "--epochs", "1", "--output",
                     str(tmp_path / "m"), "--tensorboard", str(afile), "-q")  # fmt: skip
    env = subprocess_env(DIGITCLI_MODELS=str(afile))
    command = [sys.executable, "-m", "digitcli", "train", "--data", str(tiny_data), "--epochs", "1"]
    models = subprocess.run(command, env=env, capture_output=True, timeout=120)
    for done in (saved, board, models):
        assert done.returncode == 2, done.stderr
        no_unexpected(done.stderr)


def test_killing_predict_leaves_no_worker_behind(tiny_model, tmp_path):
    # 600 inputs: enough for the worker processes, which must die with the main process.
    paths = image_files(tmp_path / "in", 20) * 30
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(paths) + "\n")
    reader = subprocess.Popen(["wc", "-l"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    main = subprocess.Popen(
        [sys.executable, "-m", "digitcli", "predict", "--from-list", str(listing), "--model",
         str(tiny_model), "--format", "plain"],
        stdout=reader.stdin, stderr=subprocess.DEVNULL, env=subprocess_env(),
    )  # fmt: skip
    reader.stdin.close()
    workers = started_workers(main)
    assert workers, "predict started no workers"
    os.kill(main.pid, signal.SIGKILL)
    main.wait()
    out = reader.stdout.read()  # returns only once every writer has closed the pipe
    reader.wait(timeout=30)
    assert int(out) < len(paths)
    deadline = time.monotonic() + 10  # a worker notices its parent is gone, then exits
    while [pid for pid in workers if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not [pid for pid in workers if _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_stdin_that_is_a_terminal_is_refused_with_a_hint(tiny_model):
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "digitcli", "predict", "-", "--model", str(tiny_model)],
            stdin=follower, capture_output=True, env=subprocess_env(), timeout=60,
        )  # fmt: skip
    finally:
        os.close(leader)
        os.close(follower)
    assert done.returncode == 2 and b"pipe an image in" in done.stderr
    np.testing.assert_equal(done.stdout, b"")


def test_a_gzip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    import gzip
    import resource

    from digitcli.core.errors import DataError
    from digitcli.datasets.data import load_dataset

    from mnist_files import write_idx

    x, y = synthetic_digits(20, seed=2)
    write_idx(tmp_path, train=(x[:10], y[:10]), test=(x[10:], y[10:]))
    # A header claiming 3 million images, then 2.4 GB of zeros that compress to ~2 MB.
    header = (0x803).to_bytes(4, "big") + (3_000_000).to_bytes(4, "big") + bytes([0, 0, 0, 28]) * 2
    bomb = gzip.compress(header + bytes(3_000_000 * 784 // 1000), compresslevel=9)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(bomb)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(DataError, match="claims 3,000,000 items"):
        load_dataset(tmp_path, role="train")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100


def test_evaluate_reads_only_the_test_files(tmp_path):
    from digitcli.datasets.data import load_dataset

    from mnist_files import write_idx

    x, y = synthetic_digits(20, seed=2)
    write_idx(tmp_path, train=(x[:10], y[:10]), test=(x[10:], y[10:]))
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(b"broken")  # only training is bad
    dataset = load_dataset(tmp_path, role="test")
    assert len(dataset.test) == 10 and len(dataset.train) == 0


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_data_file_that_is_a_folder_or_fifo_is_named_as_such(tmp_path, kind):
    from digitcli.core.errors import DataError
    from digitcli.datasets.data import load_dataset

    from mnist_files import write_idx

    x, y = synthetic_digits(20, seed=2)
    written = write_idx(tmp_path, test=(x, y))
    written["t10k-images"].unlink()
    if kind == "folder":
        written["t10k-images"].mkdir()
    else:
        os.mkfifo(written["t10k-images"])
    with pytest.raises(DataError, match="has a data file's name but is"):
        load_dataset(tmp_path, role="test")


def test_a_truncated_keras_file_is_not_reported_missing(tmp_path, tiny_model):
    cut = tmp_path / "cut.keras"
    cut.write_bytes((tiny_model / "model.keras").read_bytes()[:3000])
    done = runner.invoke(app, ["evaluate", str(cut)])
    assert done.exit_code == 2
    assert "not a zip archive" in done.output and "file not found" not in done.output.lower()


def test_training_on_a_one_row_csv_is_refused(tmp_path):
    from digitcli.core.config import train_config
    from digitcli.core.errors import UsageError
    from digitcli.training.train import train

    row = ",".join(["7"] + ["0"] * 784)
    (tmp_path / "one.csv").write_text(row + "\n")
    with pytest.raises(UsageError, match="no test images"):
        train(train_config("mlp", epochs=1, layers=(8,)), data=tmp_path / "one.csv",
              output=tmp_path / "m")  # fmt: skip
    assert not (tmp_path / "m").exists()


def test_no_images_found_is_an_error_not_an_empty_table(tiny_model, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no pictures here")
    done = runner.invoke(app, ["predict", str(tmp_path / "empty"), "--model", str(tiny_model)])
    assert done.exit_code == 2
    assert "no images found in" in done.output
    globbed = runner.invoke(
        app, ["predict", str(tmp_path / "nothing-*.png"), "--model", str(tiny_model),
              "--format", "jsonl"],
    )  # fmt: skip
    assert globbed.exit_code == 1
    assert json.loads(globbed.stdout)["error"] == "no file matches this pattern"


@pytest.mark.trains
def test_ctrl_c_before_the_first_epoch_ends_promises_no_checkpoint(tmp_path):
    from mnist_files import write_idx

    # 9,000 steps of 2 digits: the first epoch lasts ~3 s even on a fast hour (with 900 steps
    # it sometimes ended within the 1 s the test waits; 2,700 took 1.5 s in the compiled loop).
    x, y = synthetic_digits(20200, seed=5)
    write_idx(tmp_path / "data", train=(x[:20000], y[:20000]), test=(x[20000:], y[20000:]))
    env = subprocess_env(DIGITCLI_DATA=str(tmp_path / "data"))
    child = subprocess.Popen(
        [sys.executable, "-m", "digitcli", "train", "--epochs", "2", "--batch-size", "2",
         "--arch", "mlp512", "--output", str(tmp_path / "m")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    for line in child.stderr:
        if line.lower().startswith("training"):
            time.sleep(1.0)
            child.send_signal(signal.SIGINT)
            break
    _, err = child.communicate(timeout=120)
    assert child.returncode == 130
    assert "Stopped: interrupted before epoch 1 ended: nothing was saved" in err
    assert "Error" not in err and "--resume" not in err
    assert not (tmp_path / "m.checkpoint").exists()
