"""Issue 79's smaller items: a table in a pipe, a raw upload with curl's default content
type, --model for every command that takes a model, a quiet `make venv`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digitcli.cli import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "docs" / "examples"
runner = CliRunner()


def test_a_table_in_a_pipe_keeps_the_top_3_and_names_the_model() -> None:
    images = [str(EXAMPLES / "drawing.png"), str(EXAMPLES / "scan.jpg")]
    result = runner.invoke(app, ["predict", *images, "-f", "table"])
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split("\t") == ["file", "digit", "confidence", "top 3"]
    assert all(len(row.split("\t")) == 4 for row in rows)
    assert "model: bundled" in result.stderr
    read = runner.invoke(app, ["read", str(EXAMPLES / "form.png"), "-f", "table"])
    assert read.exit_code == 0, read.output
    assert "model: bundled" in read.stderr


@pytest.fixture(scope="module")
def client():
    from starlette.testclient import TestClient

    from digitcli.serve.app import create_app

    with TestClient(create_app(None, access_log=False)) as client:
        yield client


def test_a_raw_image_with_curls_default_content_type_is_read(client) -> None:
    png = (EXAMPLES / "drawing.png").read_bytes()
    form = {"content-type": "application/x-www-form-urlencoded"}  # curl --data-binary's
    response = client.post("/v1/predict", content=png, headers=form)
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["digit"] == 4
    text = client.post("/v1/predict", content=b"a=1&b=2", headers=form)
    assert text.status_code == 415


@pytest.mark.parametrize("command", ["evaluate", "export", "serve"])
def test_every_command_that_takes_a_model_takes_model_as_an_option(command: str) -> None:
    usage = runner.invoke(app, [command, "-h"]).stdout
    assert "--model" in usage


def test_evaluate_model_option_and_argument_agree(tiny_model: Path) -> None:
    by_option = runner.invoke(app, ["evaluate", "--model", str(tiny_model), "--json"])
    assert by_option.exit_code == 0, by_option.output
    by_argument = runner.invoke(app, ["evaluate", str(tiny_model), "--json"])
    assert json.loads(by_option.stdout) == {
        **json.loads(by_argument.stdout),
        "seconds": json.loads(by_option.stdout)["seconds"],
    }
    both = runner.invoke(app, ["evaluate", str(tiny_model), "--model", "bundled"])
    assert both.exit_code == 2 and "--model" in both.stderr


def test_make_venv_silences_setuptools_editable_install_warning() -> None:
    dry = subprocess.run(
        ["make", "-n", "-B", "venv"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    (install,) = [line for line in dry.splitlines() if "pip install" in line and " -e " in line]
    assert "PYTHONWARNINGS='ignore:Editable installation'" in install
