"""Options and settings out of reason: one clear line, exit 2, before any work; and notes that
say what they mean."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from test_data import server  # noqa: F401 (a fixture: MNIST served on 127.0.0.1)
from test_terminal import run_in_terminal

from conftest import digitcli_watched, subprocess_env
from inprocess import digitcli


def digitcli_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`digitcli ARGS` in a process of its own: its exit code as a script sees it; `env`
    replaces the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "digitcli", *args],
        env=env or subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_export_without_a_format_says_which_to_give():
    done = digitcli("export", "bundled", text=True)
    assert done.returncode == 2
    first = done.stderr.splitlines()[0]
    assert "--format" in first and "tflite-int8" in first, done.stderr
    assert not first.rstrip().endswith(":")


@pytest.mark.parametrize("count", ["5-3", "0", "3-"])
def test_read_digits_out_of_reason_is_refused_before_the_model(count, tmp_path):
    (tmp_path / "x.png").write_bytes(b"x")
    done = digitcli_process("read", "x.png", "--digits", count, "--format", "plain")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"Error: --digits {count}: give a count N or a range MIN-MAX of ASCII digits from 1 "
        "to 1000, e.g. 5 or 4-6",
        "Try 'digitcli read -h' for help.",
    ]  # as predict's --threshold 2 is refused: no "model: ..." line, the model not loaded
    nowhere = digitcli_process("read", "x.png", "--model", "nowhere", "--digits", count)
    assert nowhere.returncode == 2 and "--digits" in nowhere.stderr, nowhere.stderr


@pytest.mark.parametrize("command", [["read", "--digits", "5-3"], ["predict", "--top-k", "0"]])
def test_an_option_out_of_reason_is_refused_before_numpy_loads(command, tmp_path):
    (tmp_path / "x.png").write_bytes(b"x")
    done, numpy = digitcli_watched(*command, "x.png", module="numpy")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"Error: {command[1]} {command[2]}: "), done.stderr
    assert not numpy  # NumPy, OpenCV and the reading pipeline cost a usage error ~0.5 s


def test_export_without_data_says_no_verify_writes_it_unchecked():
    env = subprocess_env(DIGITCLI_MNIST_URL="http://127.0.0.1:9/mnist.npz")  # nothing listens
    del env["DIGITCLI_DATA"]  # ./MNIST/: none here, and its download fails
    done = digitcli_process("export", "--format", "tflite", "-o", "m.tflite", env=env)
    assert done.returncode == 2, done.stderr
    started, line = done.stderr.splitlines()  # no "downloaded" line
    assert started == "downloading http://127.0.0.1:9/mnist.npz into MNIST/mnist.npz"
    assert line.startswith("Error: no MNIST found in MNIST/ (point at it with --data PATH")
    assert line.endswith("; nothing was written (--no-verify writes it unchecked)"), line
    calibrated = digitcli_process("export", "--format", "tflite-int8", "--no-verify", env=env)
    assert calibrated.returncode == 2, calibrated.stderr  # int8 calibrates on it: no such hint
    assert "no MNIST found" in calibrated.stderr and "--no-verify" not in calibrated.stderr
    evaluated = digitcli_process("evaluate", env=env)
    assert evaluated.returncode == 2 and "--no-verify" not in evaluated.stderr


def train_watched(*args: str) -> tuple[subprocess.CompletedProcess, bool]:
    """`digitcli train ARGS` in a process of its own, and whether it imported TensorFlow."""
    return digitcli_watched("train", *args)


@pytest.mark.parametrize("init", ["nowhere", "x.png"])
def test_train_init_of_no_model_is_refused_before_tensorflow(init, tmp_path):
    (tmp_path / "x.png").write_bytes(b"x")
    done, tensorflow = train_watched("--init", init, "--epochs", "1", "-o", "m")
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr == f"Error: --init {init}: give 'bundled', a model directory or a .keras file"
    )
    assert not tensorflow and not (tmp_path / "m").exists()


@pytest.mark.parametrize("teacher", ["nowhere", "x.png"])
def test_train_teacher_of_no_model_is_refused_before_tensorflow(teacher, tmp_path):
    (tmp_path / "x.png").write_bytes(b"x")
    done, tensorflow = train_watched("--teacher", teacher, "--epochs", "1", "-o", "m")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"Error: {teacher}: ") and "model" in done.stderr
    assert not tensorflow and not (tmp_path / "m").exists()


def test_train_resume_with_no_checkpoint_is_refused_before_tensorflow(tmp_path):
    done, tensorflow = train_watched("--resume", "--epochs", "1", "-o", "m")
    assert done.returncode == 2, done.stderr
    assert done.stderr == "Error: nothing to resume: no checkpoint at m.checkpoint"
    assert not tensorflow and not (tmp_path / "m").exists()


def test_options_a_bundled_fine_tune_ignores_are_refused_before_tensorflow(tmp_path):
    done, tensorflow = train_watched("--init", "bundled", "--augment", "0.3", "-o", "m")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("Error: --init bundled fine-tunes the bundled model")
    assert "--augment" in done.stderr
    assert not tensorflow and not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    ("made", "args", "said"),
    [
        ("m/f", [], "Error: m already exists (use --force to replace it)"),
        ("m.checkpoint/state.json", [], "Error: m: an interrupted run stopped and left a "),
        ("x.png", ["--tensorboard", "x.png"], "Error: --tensorboard x.png: not a directory"),
    ],
)
def test_train_outputs_in_the_way_are_refused_before_tensorflow(made, args, said, tmp_path):
    (tmp_path / made).parent.mkdir(exist_ok=True)
    (tmp_path / made).write_text("{}")
    done, tensorflow = train_watched("--epochs", "1", "-o", "m", *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(said), done.stderr
    assert not tensorflow


@pytest.fixture()
def no_mnist(monkeypatch) -> None:
    """No $DIGITCLI_DATA and no ./MNIST/: train downloads MNIST (from 127.0.0.1, never further)."""
    monkeypatch.delenv("DIGITCLI_DATA")
    monkeypatch.setenv("DIGITCLI_MNIST_URL", "http://127.0.0.1:9/mnist.npz")  # nothing listens
    monkeypatch.setenv("no_proxy", "*")


def test_train_downloads_mnist_before_tensorflow(no_mnist, server, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("DIGITCLI_MNIST_URL", server.url + "/mnist.npz")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "f").write_text("mine")  # refused after the download, before TensorFlow
    done, tensorflow = train_watched("--epochs", "1", "-o", "m")
    assert done.returncode == 2, done.stderr
    started, ended, refused = done.stderr.splitlines()  # piped: a line as it starts and ends
    assert started == f"downloading {server.url}/mnist.npz into MNIST/mnist.npz"
    assert ended.startswith("downloaded MNIST/mnist.npz (") and ended.endswith(" kB)"), ended
    assert refused == "Error: m already exists (use --force to replace it)"
    assert not tensorflow and server.hits == 1 and (tmp_path / "MNIST" / "mnist.npz").is_file()


def test_train_quiet_downloads_mnist_without_a_word(no_mnist, server, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("DIGITCLI_MNIST_URL", server.url + "/mnist.npz")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "f").write_text("mine")
    done, _ = train_watched("--epochs", "1", "-o", "m", "-q")
    assert done.returncode == 2 and server.hits == 1, done.stderr
    assert done.stderr == "Error: m already exists (use --force to replace it)"


def test_train_in_a_terminal_draws_the_download_as_a_bar(no_mnist, server, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("DIGITCLI_MNIST_URL", server.url + "/mnist.npz")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "f").write_text("mine")
    seen = run_in_terminal("train", "--epochs", "1", "-o", "m", columns=120)
    assert f"downloading {server.url}/mnist.npz" in seen and "100%" in seen, seen
    assert "downloaded MNIST/mnist.npz (" in seen and "m already exists" in seen, seen


def test_train_whose_mnist_download_fails_says_so_before_tensorflow(no_mnist, tmp_path):
    done, tensorflow = train_watched("--epochs", "1", "-o", "m")
    assert done.returncode == 2, done.stderr
    started, failed = done.stderr.splitlines()  # no "downloaded" line
    assert started == "downloading http://127.0.0.1:9/mnist.npz into MNIST/mnist.npz"
    assert failed.startswith("Error: no MNIST found in MNIST/ (point at it with --data PATH")
    assert "downloading it there failed: cannot download http://127.0.0.1:9/" in failed
    assert not tensorflow and not (tmp_path / "m").exists()


@pytest.fixture()
def served(no_mnist, server, monkeypatch):  # noqa: F811
    """No ./MNIST/, and MNIST served on 127.0.0.1 for the download."""
    monkeypatch.setenv("DIGITCLI_MNIST_URL", server.url + "/mnist.npz")
    return server


def test_evaluate_and_export_show_the_download_piped(served, tmp_path, tiny_model):
    (tmp_path / "k.keras").write_text("mine")  # refused after the download, before TensorFlow
    exported, tensorflow = digitcli_watched(
        "export", str(tiny_model), "-f", "keras", "-o", "k.keras"
    )
    assert exported.returncode == 2, exported.stderr
    started, ended, refused = exported.stderr.splitlines()  # piped: a line as it starts and ends
    assert started == f"downloading {served.url}/mnist.npz into MNIST/mnist.npz"
    assert ended.startswith("downloaded MNIST/mnist.npz (") and ended.endswith(" kB)"), ended
    assert refused == "Error: k.keras already exists (use --force to replace it)"
    assert not tensorflow and served.hits == 1
    (tmp_path / "MNIST" / "mnist.npz").unlink()
    evaluated = digitcli_process("evaluate", f"{tiny_model}/model.tflite", "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    assert evaluated.stderr.splitlines()[:2] == [started, ended], evaluated.stderr
    assert '"samples": 7' in evaluated.stdout and served.hits == 2


def test_no_word_of_a_download_quiet_or_none_when_unneeded(served, tmp_path, tiny_model):
    (tmp_path / "k.keras").write_text("mine")
    unchecked = digitcli_process(
        "export", str(tiny_model), "-f", "keras", "-o", "k.keras", "--no-verify"
    )
    assert unchecked.returncode == 2 and served.hits == 0, unchecked.stderr  # no data needed
    assert unchecked.stderr == "Error: k.keras already exists (use --force to replace it)\n"
    evaluated = digitcli_process("evaluate", f"{tiny_model}/model.tflite", "-q")
    assert evaluated.returncode == 0 and served.hits == 1, evaluated.stderr
    assert evaluated.stderr == "" and evaluated.stdout.count("\n") == 1, evaluated.stdout


def test_evaluate_in_a_terminal_draws_the_download_first(served, tmp_path, tiny_model):
    seen = run_in_terminal("evaluate", f"{tiny_model}/model.tflite", columns=120)
    assert f"downloading {served.url}/mnist.npz" in seen and "100%" in seen, seen
    assert "downloaded MNIST/mnist.npz (" in seen and "Error" not in seen, seen
    assert seen.index("downloaded MNIST") < seen.index("ccuracy"), seen


@pytest.mark.parametrize(
    "command",
    [["evaluate", "{model}/model.keras"], ["export", "{model}", "-f", "keras", "-o", "k.keras"]],
)
def test_evaluate_and_export_whose_mnist_download_fails_say_so_before_tensorflow(
    no_mnist, tiny_model, command
):
    done, tensorflow = digitcli_watched(*[part.format(model=tiny_model) for part in command])
    assert done.returncode == 2, done.stderr
    started, failed = done.stderr.splitlines()  # no "downloaded" line
    assert started == "downloading http://127.0.0.1:9/mnist.npz into MNIST/mnist.npz"
    assert failed.startswith("Error: no MNIST found in MNIST/ (point at it with --data PATH")
    assert "downloading it there failed: cannot download http://127.0.0.1:9/" in failed
    assert not tensorflow  # the Keras model is loaded after the data, not before


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--data", "nowhere"], "Error: nowhere: no such file or directory"),
        ([], "Error: m already exists (use --force to replace it)"),
    ],
)
def test_a_bundled_fine_tune_checks_data_and_output_before_tensorflow(args, said, tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "f").write_text("mine")
    done, tensorflow = train_watched("--init", "bundled", "-o", "m", *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr == said
    assert not tensorflow


@pytest.mark.parametrize("command", ["predict", "read"])
def test_save_preprocessed_where_nothing_can_be_written_is_a_usage_error(command, tmp_path):
    (tmp_path / "x.png").write_bytes(b"x")
    done = digitcli_process(command, "x.png", "--save-preprocessed", "/proc/previews", "-q")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("Error: cannot write /proc/previews: /proc is not writable")
    assert "unexpected" not in done.stderr


@pytest.mark.parametrize("command", ["predict", "read"])
@pytest.mark.parametrize(("listed", "why"), [("nofile.txt", "No such file"), ("d", "directory")])
def test_a_list_that_cannot_be_read_is_refused_before_the_model(command, listed, why, tmp_path):
    (tmp_path / "d").mkdir()
    done = digitcli_process(command, "--from-list", listed, "--format", "plain")
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()  # no "model: ..." line: the model is not looked for
    assert line.startswith(f"Error: {listed}: cannot read the list (") and why in line, line
    assert done.stdout == ""


def test_train_tensorboard_where_nothing_can_be_written_is_a_usage_error(tmp_path):
    done, tensorflow = train_watched("--epochs", "1", "-o", "m", "--tensorboard", "/proc/tb")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("Error: cannot write /proc/tb: /proc is not writable")
    assert not tensorflow and not (tmp_path / "m").exists()


@pytest.mark.parametrize("rate", ["1e39", "1e30", "11"])
def test_an_absurd_learning_rate_is_refused_before_training(rate, tmp_path):
    done = digitcli("train", "--epochs", "1", "--learning-rate", rate, "-o", "m", text=True)
    assert done.returncode == 2, done.stderr
    assert "--learning-rate" in done.stderr and "unexpected" not in done.stderr
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("command", [["models"], ["predict", "x.png"], ["evaluate"]])
def test_digitcli_models_naming_a_file_is_a_usage_error(command, tmp_path):
    (tmp_path / "afile").write_text("mine\n")
    (tmp_path / "x.png").write_bytes(b"x")
    done = digitcli(*command, env={"DIGITCLI_MODELS": str(tmp_path / "afile")}, text=True)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "DIGITCLI_MODELS" in done.stderr


@pytest.mark.parametrize(
    "command", [["models"], ["models", "use", "bundled"], ["predict", "x.png"]]
)
def test_digitcli_models_naming_a_path_too_long_is_a_usage_error(command, tmp_path):
    (tmp_path / "x.png").write_bytes(b"x")
    too_long = str(tmp_path / ("a" * 300))  # one name over the system's 255 bytes
    done = digitcli(*command, env={"DIGITCLI_MODELS": too_long}, text=True)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "DIGITCLI_MODELS" in done.stderr and "unexpected" not in done.stderr


def test_a_model_named_by_a_path_too_long_is_no_such_model(tmp_path):
    import digitcli as digitcli_api
    from digitcli.core.errors import ModelError

    (tmp_path / "x.png").write_bytes(b"x")
    done = digitcli("predict", "x.png", "--model", "a" * 300, text=True)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "no such model" in done.stderr and "unexpected" not in done.stderr
    with pytest.raises(ModelError, match="no such model"):
        digitcli_api.load("a" * 300)


def test_train_init_naming_a_path_too_long_is_a_usage_error(tmp_path):
    done = digitcli("train", "--init", "a" * 300, "--epochs", "1", "-o", "m", text=True)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "--init" in done.stderr and "unexpected" not in done.stderr
    assert not (tmp_path / "m").exists()


def test_a_confidence_shown_below_the_threshold_is_below_it():
    from digitcli.predicting.predict import _decide

    probabilities = np.array([0.99996] + [0.04 / 9 / 1000] * 9)
    answer = _decide("x.png", probabilities, 3, 1.0)
    assert answer.digit is None
    assert "1.000 is below" not in answer.note and "0.99996" in answer.note


def test_a_full_disk_anywhere_is_one_line_with_the_path_not_unexpected(capsys):
    import errno

    import typer

    from digitcli.commands.errors import reports_errors

    @reports_errors
    def command():
        raise OSError(errno.ENOSPC, "No space left on device", "somewhere/report.html")

    with pytest.raises(typer.Exit) as stopped:
        command()
    said = capsys.readouterr().err
    assert stopped.value.exit_code == 1
    assert "unexpected" not in said and "somewhere/report.html" in said
    assert "no space left" in said.lower()


def test_a_full_disk_before_any_epoch_was_saved_does_not_advise_resume(tmp_path):
    import errno

    from digitcli.core.errors import DigitcliError
    from digitcli.training.loop import Epochs

    class Run:  # what disk_full reads of a run's epochs
        output = tmp_path / "m"
        state = type("State", (), {"epoch": 1})()
        checkpoint = type("Checkpoint", (), {"directory": tmp_path / "m.checkpoint"})()

    with pytest.raises(DigitcliError) as raised, Epochs.disk_full(Run(), "saving epoch 1"):
        raise OSError(errno.ENOSPC, "No space left on device")
    said = str(raised.value)
    assert "no epoch was saved" in said and "--resume" not in said


def test_models_use_of_unreadable_metadata_names_the_model_once(tmp_path):
    (tmp_path / "badmeta").mkdir()
    (tmp_path / "badmeta" / "metadata.json").write_text("{not json")
    done = digitcli_process("models", "use", "badmeta")
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("Error: badmeta: metadata.json: unreadable metadata ("), line
    assert line.count("badmeta") == 1, line


@pytest.mark.parametrize("name", ["img.jpg", "m.tflite"])
def test_models_use_of_a_file_says_it_is_a_file_not_a_model_directory(name, tmp_path):
    (tmp_path / name).write_bytes(b"x")
    done = digitcli_process("models", "use", name)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(
        f"Error: {name} is a file, not a model directory: give 'bundled', a model directory, "
        "or the name of one in "
    ), line


def test_models_use_of_an_empty_name_says_it_is_empty():
    done = digitcli_process("models", "use", "")
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("Error: models use: an empty name; give 'bundled', "), line


def test_an_empty_option_value_is_shown_as_empty_quotes(tmp_path):
    (tmp_path / "x.png").write_bytes(b"x")
    done = digitcli_process("read", "x.png", "--digits", "", "--format", "plain")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "Error: --digits '': give a count N or a range MIN-MAX of ASCII digits from 1 to "
        "1000, e.g. 5 or 4-6",
        "Try 'digitcli read -h' for help.",
    ]
    assert "Error: --digits '': " in digitcli_process("read", "x.png", "--digits=").stderr


@pytest.mark.parametrize(("format", "article"), [("onnx", "an"), ("tflite", "a")])
def test_an_export_named_with_another_ending_takes_the_formats_article(format, article):
    done = digitcli_process("export", "bundled", "--format", format, "-o", "m.keras")
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"Error: m.keras: {article} {format} export's name must end in"), line


@pytest.mark.parametrize(
    ("command", "label"),
    [(["predict", "x.png", "--model"], "--model ''"), (["evaluate", "--model"], "--model ''"),
     (["export", "--format", "tflite"], "model"), (["serve"], "model")],
)  # fmt: skip
def test_an_empty_model_name_is_said_to_be_empty(command, label, tmp_path):
    """`--model ""` (a script's unset variable) was taken for the current folder: ".: not a
    model directory"."""
    (tmp_path / "x.png").write_bytes(b"x")
    done = digitcli_process(*command, "")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[0] == (
        f"Error: {label}: an empty model name: give 'bundled', a model directory or a model's file"
    )


def test_the_api_refuses_an_empty_model_name():
    import digitcli as api

    with pytest.raises(api.UsageError, match="^an empty model name"):
        api.load("")


def test_train_init_of_an_empty_name_is_refused(tmp_path):
    """`--init ""` (a script's unset variable) trained from nothing, as if no --init."""
    done, tensorflow = train_watched("--init", "", "--epochs", "1", "-o", "m")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "Error: an empty model name: give 'bundled', a model directory or a model's file"
    )
    assert not tensorflow and not (tmp_path / "m").exists()
