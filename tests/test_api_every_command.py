"""Every command from Python, each the library call the command makes (issue 88 item 4):
`Model.evaluate(data=...)`, `Model.export(...)`, `digitcli.train(...)`, `digitcli.list_models()`
and `digitcli.use(...)` answer what `evaluate`, `export`, `train` and `models` answer."""

from __future__ import annotations

import json

import pytest

import digitcli

from inprocess import digitcli as run


def _json(*args: str):
    done = run(*args, "--json", text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_evaluate_on_data_equals_the_command(tiny_model, tiny_data):
    expected = _json("evaluate", str(tiny_model), "--data", str(tiny_data))
    model = digitcli.load(tiny_model)
    result = model.evaluate(data=tiny_data)
    assert result.accuracy == expected["accuracy"] and result.samples == expected["samples"]
    assert model.evaluate(tiny_data).accuracy == expected["accuracy"]  # a path: data too


def test_evaluate_without_data_scores_the_default_test_set(tiny_model):
    expected = _json("evaluate", str(tiny_model))  # $DIGITCLI_DATA: tiny_data
    assert digitcli.load(tiny_model).evaluate().accuracy == expected["accuracy"]


def test_export_writes_and_checks_what_the_command_writes(tiny_model, tiny_data, tmp_path):
    result = digitcli.load(tiny_model).export(
        format="tflite-f16", output=tmp_path / "digits.tflite", data=tiny_data
    )
    assert result.path == tmp_path / "digits.tflite" and result.path.is_file()
    exported = digitcli.load(result.path).evaluate(data=tiny_data)
    assert exported.accuracy == pytest.approx(result.source_accuracy, abs=0.02)


def test_models_lists_what_the_command_lists(tiny_model):
    assert [m.to_json() for m in digitcli.list_models()] == _json("models")
    assert any(m.model.bundled for m in digitcli.list_models())


def test_use_makes_a_model_the_default(tiny_model):
    model = digitcli.use(tiny_model)
    assert isinstance(model, digitcli.Model) and model.path.resolve() == tiny_model.resolve()
    [default] = [m for m in _json("models") if m["default"]]
    assert default["path"] == str(tiny_model) and default["why"] == "the default"
    assert digitcli.load().path.resolve() == tiny_model.resolve()


@pytest.mark.trains
def test_train_returns_the_model_the_command_would_write(tiny_data, tmp_path):
    model = digitcli.train(arch="mlp", epochs=1, data=tiny_data, output=tmp_path / "mine")
    assert isinstance(model, digitcli.Model) and model.path == tmp_path / "mine"
    assert model.networks == ("mlp",)
    assert digitcli.list_models()[0].model.path.resolve() == (tmp_path / "mine").resolve()
