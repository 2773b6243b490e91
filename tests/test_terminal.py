"""The terminal as a demanding user sees it: help that fits any window, plain usage errors,
the same options on every command, tables that never cut a file name or a number."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys

import pytest
import typer
from PIL import Image
from rich.console import Console
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.predicting.predict import Prediction
from digitcli.terminal.formats import prediction_table

from conftest import REPO, subprocess_env
from inprocess import digitcli

COMMANDS = [info.name or info.callback.__name__ for info in app.registered_commands]
PYTHON_TYPES = re.compile(r"<(bool|str|int|float|path|list\[str\]|int range|float range)>")


def run_in_terminal(*args: str, columns: int, cwd=None) -> str:
    """`digitcli ARGS` in a pseudo-terminal `columns` wide: what the user sees (stdout+stderr)."""
    main, child = pty.openpty()
    env = subprocess_env(COLUMNS=str(columns), LINES="50", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "digitcli", *args],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        cwd=cwd,
        close_fds=True,
    )
    os.close(child)
    seen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=60)
    os.close(main)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode("utf-8", "replace"))


def long_names(name: str) -> list[str]:
    command = typer.main.get_command(app).commands[name]
    return [opt for param in command.params for opt in param.opts if opt.startswith("--")]


@pytest.mark.parametrize("name", COMMANDS)
def test_help_at_70_columns_shows_every_option_whole_and_no_python_types(name):
    shown = CliRunner().invoke(app, [name, "--help"], terminal_width=70).stdout
    assert "…" not in shown
    assert not PYTHON_TYPES.search(shown), PYTHON_TYPES.search(shown)
    assert max(map(len, shown.splitlines())) <= 70
    for option in long_names(name):
        assert re.search(rf"(^|[\s,]){re.escape(option)}([\s,=]|$)", shown, re.M), option
    assert "--no-force" not in shown and "--no-json" not in shown


@pytest.mark.parametrize("columns", [70, 120])
def test_help_in_a_real_terminal_has_no_cut_names_and_no_bool_column(columns):
    shown = run_in_terminal("predict", "--help", columns=columns)
    assert "--save-preprocessed" in shown and "IMAGE" in shown
    assert "…" not in shown  # Rich's own `<path>` beside an argument is its look: no hook
    if columns == 120:
        assert "╭─ Options" in shown  # Rich's panels where they fit


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["predict", "--top-k", "0", "x.png"], "--top-k 0: give a whole number from 1 to 10"),
        (["predict", "--threshold=2", "x.png"], "--threshold 2: give a number from 0 to 1"),
        (
            ["export", "--format", "yaml"],
            "--format yaml: give one of keras, savedmodel, tflite, tflite-f16, tflite-int8, onnx",
        ),
        (["train", "--arch", "foo"], "--arch foo: give one of mlp, mlp512, cnn"),
        (["predict", "--formt", "json"], "no such option --formt: did you mean --format"),
    ],
)
def test_a_usage_error_is_two_plain_lines_with_the_allowed_values(args, says):
    done = digitcli(*args, text=True)
    lines = done.stderr.splitlines()
    assert done.returncode == 2
    assert len(lines) == 2 and lines[0].startswith(f"Error: {says}"), lines
    assert lines[1] == f"Try 'digitcli {args[0]} -h' for help."
    assert "Input should" not in done.stderr and "Value error" not in done.stderr


def test_digitcli_alone_prints_the_help_and_exits_0():
    done = digitcli(text=True)
    assert done.returncode == 0 and "Commands" in done.stdout and "predict" in done.stdout


@pytest.mark.parametrize("name", ["train", "evaluate", "export", "predict", "read"])
def test_every_command_takes_json_and_quiet(name):
    assert {"--json", "--quiet"} <= set(long_names(name))
    command = typer.main.get_command(app).commands[name]
    quiet = next(p for p in command.params if "--quiet" in p.opts)
    assert "-q" in quiet.opts


def test_short_options_mean_the_same_everywhere():
    meanings: dict[str, set[str]] = {}
    for name in COMMANDS:
        for param in typer.main.get_command(app).commands[name].params:
            for short in (o for o in param.opts if not o.startswith("--")):
                meanings.setdefault(short, set()).add(max(param.opts, key=len))
    assert all(len(longs) == 1 for longs in meanings.values()), meanings


def test_every_model_default_is_worded_the_same():
    for name in ("evaluate", "export", "predict", "read", "serve"):
        command = typer.main.get_command(app).commands[name]
        model = next(p for p in command.params if p.name == "model")
        assert "the default model (the bundled one until another is chosen" in model.help, name


def test_a_narrow_table_never_cuts_a_file_name_and_leaves_out_top_k():
    names = ["a-rather-long-photo-name-2026-11-22.jpg", "scan.png"]
    rows = [Prediction(n, 7, 0.92, [(7, 0.92), (1, 0.05), (4, 0.01)]) for n in names]
    for width, top_shown in [(70, False), (120, True)]:
        out = io.StringIO()
        Console(file=out, width=width).print(prediction_table(rows, 3, width=width, title="m"))
        text = out.getvalue()
        assert all(name in text for name in names)  # each on one line, whole
        assert ("top 3" in text) is top_shown
        assert "note" not in text  # no empty column
        assert "…" not in text


def test_a_terminal_too_narrow_for_the_table_still_shows_each_file_and_digit(tmp_path):
    """At COLUMNS=20 Rich squeezed the file column to nothing: each row is then a record."""
    import shutil

    name = "a-drawing-with-a-long-name.png"
    shutil.copyfile(REPO / "docs" / "examples" / "drawing.png", tmp_path / name)
    seen = run_in_terminal("predict", name, columns=20, cwd=tmp_path)
    joined = "".join(line.rstrip() for line in seen.splitlines())
    assert name in joined, seen
    assert re.search(r"digit +4", seen), seen
    wide = run_in_terminal("predict", name, columns=80, cwd=tmp_path)
    assert "┃" in wide and name in wide  # a table where it fits


def test_plain_output_always_has_three_fields(tmp_path):
    Image.new("L", (28, 28)).save(tmp_path / "blank.png")
    (tmp_path / "bad.png").write_bytes(b"not an image")
    done = CliRunner().invoke(
        app, ["predict", str(tmp_path / "blank.png"), str(tmp_path / "bad.png")]
    )
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert [len(row) for row in rows] == [3, 3]


def test_a_bad_file_is_reported_once_under_a_table_in_the_terminal(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"not an image")
    Image.new("L", (28, 28)).save(tmp_path / "blank.png")
    shown = run_in_terminal("predict", "bad.png", "blank.png", columns=100, cwd=tmp_path)
    assert shown.count("not an image") == 1
    # the title names the model that answered, and the bundled model's networks
    assert "answered by the bundled model (cnn, cnn, mlp)" in shown


@pytest.mark.trains
def test_quiet_prints_only_the_result(tiny_model, tmp_path):
    runner = CliRunner()
    trained = runner.invoke(
        app, ["train", "-q", "--epochs", "1", "--output", str(tmp_path / "m"), "--no-calibrate"]
    )
    evaluated = runner.invoke(app, ["evaluate", str(tiny_model), "-q"])
    assert trained.exit_code == 0, trained.output
    assert trained.stdout == f"{tmp_path / 'm'}\n" and trained.stderr == ""
    assert re.fullmatch(r"[01]\.\d{4}\n", evaluated.stdout) and evaluated.stderr == ""


def test_a_learning_rate_of_0_is_refused():
    done = CliRunner().invoke(app, ["train", "--learning-rate", "0"])
    assert done.exit_code == 2 and "--learning-rate 0: give a number above 0" in done.stderr


def test_result_tables_fit_70_columns_with_every_number_whole():
    import numpy as np

    from digitcli.terminal.console import confusion_table

    matrix = np.full((10, 10), 5)
    np.fill_diagonal(matrix, 1134)
    out = io.StringIO()
    Console(file=out, width=70).print(confusion_table(matrix))
    assert "…" not in out.getvalue() and out.getvalue().count("1134") == 10


def test_shell_completion_completes_commands_and_choices():
    def complete(words: str, index: int) -> list[str]:
        env = {"_DIGITCLI_COMPLETE": "complete_bash", "COMP_WORDS": words}
        return digitcli(env={**env, "COMP_CWORD": str(index)}, text=True).stdout.split()

    assert complete("digitcli pred", 1) == ["predict"]
    assert complete("digitcli export --format tflite-", 3) == ["tflite-f16", "tflite-int8"]
    assert "--install-completion" in CliRunner().invoke(app, ["--help"]).stdout


def test_no_data_says_where_it_looked_before_the_download_failure(monkeypatch, tmp_path):
    monkeypatch.delenv("DIGITCLI_DATA")
    monkeypatch.setenv("DIGITCLI_MNIST_URL", "http://127.0.0.1:9/mnist.npz")  # nothing listens
    done = CliRunner().invoke(app, ["evaluate"])
    assert done.exit_code == 2
    started, failed = done.stderr.splitlines()  # no "downloaded" line
    assert started == "downloading http://127.0.0.1:9/mnist.npz into MNIST/mnist.npz"
    assert failed.startswith("Error: no MNIST found in MNIST/ (point at it with --data PATH")
    assert "downloading it there failed: cannot download http://127.0.0.1:9/" in failed


def test_piped_results_are_key_value_lines_with_numbers_as_numbers(tiny_model):
    done = CliRunner().invoke(app, ["evaluate", str(tiny_model)])
    fields = dict(line.split("\t") for line in done.stdout.splitlines())
    assert set(fields) == {"model", "runtime", "accuracy", "loss", "ece", "samples", "seconds"}
    assert 0 <= float(fields["accuracy"]) <= 1 and int(fields["samples"]) == 200


@pytest.mark.trains
def test_training_starts_with_the_same_words_in_a_pipe_as_in_a_terminal(tmp_path):
    args = ["train", "--epochs", "1", "--no-calibrate", "-o"]
    piped = CliRunner().invoke(app, [*args, str(tmp_path / "a")])
    shown = run_in_terminal(
        *args, str(tmp_path / "b"), "--data", os.environ["DIGITCLI_DATA"], columns=100
    )
    first = piped.stderr.splitlines()[0]
    assert first.startswith("Training mlp for 1 epoch (batch 32, adam lr 0.001, ")
    assert first in shown
    assert "accuracy" in shown and " acc " not in shown  # the bar says what the line says
    assert f"next: digitcli evaluate {tmp_path / 'b'}" in shown


def test_top_k_is_honoured_by_csv_and_plain_says_it_has_no_such_field(tiny_model, tmp_path):
    import csv

    Image.fromarray(np_digit()).save(tmp_path / "d.png")
    runner = CliRunner()
    base = ["predict", str(tmp_path / "d.png"), "--model", str(tiny_model)]
    table = list(
        csv.reader(io.StringIO(runner.invoke(app, [*base, "-f", "csv", "--top-k", "2"]).stdout))
    )
    plain = runner.invoke(app, [*base, "-f", "plain", "--top-k", "5"])
    assert table[0] == ["file", "digit", "confidence", "note", "top"]
    assert len(table[1][4].split()) == 2
    assert "--top-k: plain output has no top-k field" in plain.stderr


def np_digit():
    import numpy as np

    image = np.zeros((28, 28), np.uint8)
    image[6:22, 13:16] = 255  # a 1
    return image


def test_train_export_and_evaluate_tables_fit_70_columns():
    from pathlib import Path

    import numpy as np

    from digitcli.core.config import train_config
    from digitcli.exporting.export import ExportResult
    from digitcli.reports.evaluate import score
    from digitcli.terminal.console import evaluation_tables, export_table, train_summary_table
    from digitcli.training.reporting import TrainResult

    labels = np.repeat(np.arange(10), 1134)
    evaluation = score(np.eye(10)[labels] * 0.98 + 0.002, labels, model="m", runtime="litert")
    trained = TrainResult(
        Path("MNIST/models/mlp-512-64-lr0.001-e18"),
        train_config("mlp512"),
        evaluation,
        118.6,
        {"loss": [0.1] * 18},
        17,
    )
    exported = ExportResult(
        "tflite-int8", Path("MNIST/models/a-long-name/model-int8.tflite"), 455_900,
        Path("MNIST/models/a-long-name/model.keras"), "litert", 10000, 0.9907, 0.9907, 0.9994,
        0.01, 13.7e-6,
    )  # fmt: skip
    tables = [train_summary_table(trained), export_table(exported), *evaluation_tables(evaluation)]
    out = io.StringIO()
    for table in tables:
        Console(file=out, width=70).print(table)
    text = out.getvalue()
    assert "…" not in text and max(map(len, text.splitlines())) <= 70
    for figure in ("17/18", "118.6s", "455.9 kB", "99.07%", "99.94%", "13.7 µs", "1134"):
        assert figure in text, figure


@pytest.mark.parametrize("name", COMMANDS)
def test_every_help_in_a_terminal_at_120_columns_cuts_nothing(name):
    shown = run_in_terminal(name, "--help", columns=120)
    assert "…" not in shown
    for option in long_names(name):
        assert option in shown, option


@pytest.mark.trains
def test_training_stderr_has_only_digitcli_lines(tmp_path):
    """TensorFlow's native start-up lines (cuInit failures, oneDNN notices) are kept out."""
    done = subprocess.run(
        [sys.executable, "-m", "digitcli", "train", "--epochs", "1", "-o", str(tmp_path / "m")],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    ours = ("Training ", "images: ", "warning: ", "epoch ", "default: ")  # digitcli's own lines
    assert lines and all(line.startswith(ours) for line in lines), lines


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"FORCE_COLOR": "1"},
        {"FORCE_COLOR": ""},
        {"TTY_COMPATIBLE": "1"},
        {"TTY_COMPATIBLE": "0"},
    ],
)
@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_is_terminal_answers_as_rich_does_without_importing_it_for_a_pipe(monkeypatch, env, stream):
    from digitcli.terminal import console

    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(console, "_consoles", {})
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as pipe, os.fdopen(read_end):
        monkeypatch.setattr(sys, stream, pipe)
        rich_says = Console(stderr=stream == "stderr").is_terminal
        assert console.is_terminal(stream) == rich_says
        if "FORCE_COLOR" not in env and env.get("TTY_COMPATIBLE") != "1":
            assert console._consoles == {}  # a plain pipe: answered without Rich
