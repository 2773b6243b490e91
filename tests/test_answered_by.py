"""Every answer says which model gave it, `digitcli models` says which one a command uses and
why, and one exit-code rule covers inputs answered with no digit or number (issue 50: u1, u5)."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.core.errors import EXIT_FAILURE, EXIT_OK, EXIT_UNANSWERED, EXIT_USAGE

import inprocess
from conftest import subprocess_env

pytestmark = pytest.mark.default_model

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "digitcli" / "models" / "pretrained"
NUMBER = REPO / "tests" / "fixtures" / "tight-75094.jpg"  # read as 75094
runner = CliRunner()


@pytest.fixture(scope="module")
def pictures(tmp_path_factory) -> Path:
    """`seven.png`: MNIST's first test digit (a 7) as dark ink on paper; `blank.png`: paper."""
    folder = tmp_path_factory.mktemp("pictures")
    raw = gzip.decompress((REPO / "MNIST" / "t10k-images-idx3-ubyte.gz").read_bytes())
    digit = np.frombuffer(raw, np.uint8, count=784, offset=16).reshape(28, 28)
    paper = (230 - digit.astype(np.float32) * 0.8).astype(np.uint8)
    Image.fromarray(paper).resize((200, 200), Image.BICUBIC).save(folder / "seven.png")
    Image.new("L", (200, 200), 230).save(folder / "blank.png")
    shutil.copy(NUMBER, folder / "number.jpg")
    return folder


def digitcli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return inprocess.digitcli(*args, cwd=cwd, env=env, text=True)


def stderr_model_lines(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("model: ")]


@pytest.mark.parametrize("command", ["predict", "read"])
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_answers_carry_the_model_object(pictures, command, fmt):
    done = digitcli(command, "--model", "bundled", "-f", fmt, "seven.png", "gone.png", cwd=pictures)
    rows = (
        json.loads(done.stdout)
        if fmt == "json"
        else [json.loads(x) for x in done.stdout.splitlines()]
    )
    answered, failed = rows
    assert answered["model"] == {"name": "bundled", "path": str(BUNDLED), "bundled": True}
    assert "model" not in failed and "error" in failed  # an error row: file and error only


@pytest.mark.parametrize("command", ["predict", "read"])
@pytest.mark.parametrize("fmt", ["plain", "csv"])
def test_plain_and_csv_name_the_model_in_one_stderr_line(pictures, command, fmt):
    done = digitcli(command, "--model", "bundled", "-f", fmt, "seven.png", cwd=pictures)
    assert stderr_model_lines(done) == [f"model: bundled ({BUNDLED}, named)"]
    assert "bundled" not in done.stdout
    quiet = digitcli(command, "--model", "bundled", "-f", fmt, "-q", "seven.png", cwd=pictures)
    assert quiet.stderr == "" and quiet.stdout == done.stdout


def test_the_default_model_is_named_with_why(pictures, tiny_model, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(tiny_model, models / "tiny-mlp")
    env = {"DIGITCLI_MODELS": str(models)}
    done = digitcli("predict", "-f", "csv", "seven.png", cwd=pictures, **env)
    assert stderr_model_lines(done) == [f"model: tiny-mlp ({models / 'tiny-mlp'}, latest trained)"]
    (row,) = json.loads(digitcli("predict", "--json", "seven.png", cwd=pictures, **env).stdout)
    assert row["model"] == {"name": "tiny-mlp", "path": str(models / "tiny-mlp"), "bundled": False}
    empty = {"DIGITCLI_MODELS": str(tmp_path / "none")}
    fallback = digitcli("read", "-f", "plain", "number.jpg", cwd=pictures, **empty)
    assert stderr_model_lines(fallback) == [f"model: bundled ({BUNDLED}, bundled, none trained)"]


def test_models_lists_trained_and_bundled_and_marks_the_default(tiny_model, isolated):
    alone = runner.invoke(app, ["models", "--json"])
    assert alone.exit_code == 0, alone.output
    (bundled,) = json.loads(alone.stdout)
    assert bundled["name"] == "bundled" and bundled["default"] and bundled["bundled"]
    assert bundled["why"] == "bundled, none trained" and bundled["test_accuracy"] > 0.99
    shutil.copytree(tiny_model, isolated / "models" / "tiny-mlp")
    listed = json.loads(runner.invoke(app, ["models", "--json"]).stdout)
    assert [(m["name"], m["default"], m["why"]) for m in listed] == [
        ("tiny-mlp", True, "latest trained"),
        ("bundled", False, None),
    ]
    plain = runner.invoke(app, ["models"]).stdout.splitlines()
    assert plain[0].split("\t")[0::4] == ["tiny-mlp", "latest trained"]
    assert plain[1].startswith("bundled\t") and plain[1].split("\t")[4:] == [
        "",
        "10000",
        "MNIST's 10,000 test digits",
    ]


def test_models_and_bundled_need_no_tensorflow(tmp_path):
    script = (
        "import sys; from digitcli.cli import app\n"
        "try: app(['models', '--json'])\n"
        "except SystemExit: pass\n"
        "from digitcli.models.modeldir import choose_model; choose_model('bundled')\n"
        "print('tensorflow' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
        env=subprocess_env(), timeout=60,
    )  # fmt: skip
    assert done.stderr.strip().splitlines()[-1] == "False", done.stderr
    assert json.loads(done.stdout)[0]["name"] == "bundled"


def test_evaluate_names_its_model(tiny_model):
    done = runner.invoke(app, ["evaluate", "bundled", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["model"] == {
        "name": "bundled", "path": str(BUNDLED), "bundled": True,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["predict", "seven.png"], EXIT_OK),
        (["predict", "blank.png", "seven.png"], EXIT_UNANSWERED),  # no digit found
        (["predict", "seven.png", "--threshold", "1"], EXIT_UNANSWERED),
        (["predict", "blank.png", "gone.png"], EXIT_FAILURE),  # a failure wins
        (["read", "number.jpg"], EXIT_OK),
        (["read", "number.jpg", "--digits", "4"], EXIT_UNANSWERED),
        (["read", "number.jpg", "--digits", "4-5"], EXIT_OK),
        (["read", "blank.png"], EXIT_UNANSWERED),
        (["read", "number.jpg", "--threshold", "1"], EXIT_UNANSWERED),
        (["read", "number.jpg", "gone.png"], EXIT_FAILURE),
        (["read", "number.jpg", "--digits", "3-"], EXIT_USAGE),
    ],
)
def test_one_exit_code_rule_for_unanswered_inputs(pictures, args, code):
    done = digitcli(*args, "--model", "bundled", "-f", "jsonl", cwd=pictures)
    assert done.returncode == code, (done.stdout, done.stderr)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == (0 if code == EXIT_USAGE else len([a for a in args if "." in a]))
