"""The commands through Typer's CliRunner, and real subprocesses for exit codes and pipes."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from digitcli import __version__
from digitcli.cli import app

from conftest import subprocess_env
from inprocess import digitcli

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"digitcli {__version__}"


def test_help_and_version_do_not_import_tensorflow():
    code = (
        "import sys\n"
        "from digitcli.cli import app\n"
        "for argv in (['--help'], ['--version'], ['train', '--help'], ['predict', '--help']):\n"
        "    try:\n        app(argv)\n    except SystemExit:\n        pass\n"
        "heavy = {'tensorflow', 'keras', 'ai_edge_litert'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env()
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.trains
def test_train_json_then_evaluate_json_agree(tiny_data, isolated):
    trained = run(
        "train", "--epochs", "1", "--batch-size", "64", "--json", "--data", str(tiny_data)
    )
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout)
    assert set(report) >= {
        "model",
        "arch",
        "epochs",
        "test_accuracy",
        "test_loss",
        "train_seconds",
        "history",
    }
    assert report["model"].endswith("mlp-512-64-lr0.001-e1")

    evaluated = run("evaluate", "--json")  # the latest trained model, data from $DIGITCLI_DATA
    assert evaluated.exit_code == 0, evaluated.output
    scores = json.loads(evaluated.stdout)
    assert scores["accuracy"] == report["test_accuracy"]
    assert len(scores["per_class"]) == 10
    assert set(scores["per_class"][0]) == {"digit", "precision", "recall", "f1", "support"}
    assert sum(map(sum, scores["confusion_matrix"])) == 200


@pytest.mark.trains
def test_train_tables_in_plain_output(tiny_data, tmp_path):
    result = run("train", "--epochs", "1", "--arch", "mlp512", "--output", str(tmp_path / "m"))
    assert result.exit_code == 0, result.output
    assert "epoch 1/1" in result.stderr
    assert "test_accuracy\t" in result.stdout  # piped: key<TAB>value lines


def test_evaluate_tables(tiny_model):
    import io

    from rich.console import Console

    from digitcli.reports.evaluate import evaluate_with_predictions
    from digitcli.terminal.console import evaluation_tables

    result, _ = evaluate_with_predictions(tiny_model, None)
    out = io.StringIO()
    for table in evaluation_tables(result):
        Console(file=out, width=100).print(table)
    for words in ("accuracy", "ECE", "precision", "recall", "support", "true"):
        assert words in out.getvalue()


def test_existing_output_exit_2(tiny_data, tmp_path):
    (tmp_path / "m").mkdir()
    result = run("train", "--epochs", "1", "--output", str(tmp_path / "m"))
    assert result.exit_code == 2
    assert "already exists" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--arch", "resnet"],
        ["train", "--epochs", "0"],
        ["train", "--validation-split", "2"],
        ["evaluate", "no-such-model"],
    ],
)
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.exit_code == 2


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("train-images-idx3-ubyte", b"\x00\x00\x08\x01" + b"\x00" * 12, "magic"),
        (
            "train-images-idx3-ubyte",
            b"\x00\x00\x08\x03\x00\x00\x00\x05\x00\x00\x00\x1c\x00\x00\x00\x1c",
            "bytes",
        ),
    ],
)
def test_broken_idx_one_line_exit_2_no_model(tiny_data, tmp_path, name, content, message):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(tiny_data, broken)
    (broken / "train-images-idx3-ubyte.gz").unlink()
    (broken / name).write_bytes(content)
    child = digitcli("train", "--epochs", "1", "--data", str(broken), cwd=tmp_path, text=True)
    assert child.returncode == 2
    lines = child.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    assert "Traceback" not in child.stderr
    assert not (tmp_path / "models").exists()


def test_csv_non_number_exit_2(tmp_path):
    from mnist_files import synthetic_digits, write_csv_split

    x, y = synthetic_digits(40)
    files = write_csv_split(tmp_path / "csv", train=(x[:30], y[:30]), test=(x[30:], y[30:]))
    text = files["xtrain"].read_text().splitlines()
    text[3] = "abc" + text[3][1:]
    files["xtrain"].write_text("\n".join(text) + "\n")
    result = run("train", "--epochs", "1", "--data", str(tmp_path / "csv"))
    assert result.exit_code == 2
    assert "digit_xtrain.csv: line 4, column 1" in result.stderr


@pytest.mark.trains
def test_train_on_csv_layout(tmp_path):
    from mnist_files import synthetic_digits, write_csv_split

    x, y = synthetic_digits(300, seed=4)
    write_csv_split(tmp_path / "csv", train=(x[:240], y[:240]), test=(x[240:], y[240:]))
    result = run(
        "train",
        "--epochs",
        "1",
        "--json",
        "--quiet",
        "--data",
        str(tmp_path / "csv"),
        "--output",
        str(tmp_path / "m"),
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model"] == str(tmp_path / "m")


@pytest.mark.trains
def test_json_output_is_pure_json_in_a_pipe(tiny_data, tmp_path):
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "digitcli",
            "train",
            "--epochs",
            "1",
            "--arch",
            "mlp512",
            "--json",
            "--output",
            str(tmp_path / "m"),
        ],
        capture_output=True,
        text=True,
        env=subprocess_env(DIGITCLI_DATA=str(tiny_data)),
        cwd=tmp_path,
    )
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout)["arch"] == "mlp512"
    assert "epoch 1/1" in child.stderr
    assert "\x1b[" not in child.stderr  # no colours or bars in a pipe


def test_unexpected_errors_are_one_line_and_debug_shows_traceback(monkeypatch, tiny_model):
    import digitcli.reports.evaluate

    def broken(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(digitcli.reports.evaluate, "evaluate_with_predictions", broken)
    result = run("evaluate", str(tiny_model))
    assert result.exit_code == 1
    assert "kaboom" in result.stderr and "--debug" in result.stderr
    debug = run("--debug", "evaluate", str(tiny_model))
    assert isinstance(debug.exception, RuntimeError)


def test_second_train_on_the_same_output_is_refused(tmp_path):
    from digitcli.core.atomic import exclusive

    with exclusive(tmp_path / "m"):
        result = run("train", "--epochs", "1", "--output", str(tmp_path / "m"))
    assert result.exit_code == 2
    assert "being written by another digitcli process" in result.stderr
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("truncated.keras", b"PK\x03\x04\x14\x00", "not a loadable Keras model"),
        ("notes.txt", b"hello", "not a model"),
        ("empty.tflite", b"", "not a loadable TFLite model"),
        ("junk.tflite", b"\x00" * 64, "not a loadable TFLite model"),
    ],
)
def test_bad_model_files_exit_2_with_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = run("evaluate", str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_directory_that_is_not_a_model_exits_2(tmp_path):
    (tmp_path / "holiday-photos").mkdir()
    result = run("evaluate", str(tmp_path / "holiday-photos"))
    assert result.exit_code == 2
    assert "not a model directory" in result.stderr
