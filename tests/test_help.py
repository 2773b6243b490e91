"""Every command has help that ends with examples, and every option says its default."""

import sys

import pytest
import typer
from typer.testing import CliRunner

from digitcli.cli import app

COMMANDS = [info.name or info.callback.__name__ for info in app.registered_commands]


def test_the_four_verbs_exist():
    assert {"train", "evaluate", "predict", "export"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_commands_have_help_with_an_example(name):
    command = next(c for c in app.registered_commands if (c.name or c.callback.__name__) == name)
    doc = command.callback.__doc__
    examples = doc.split("Examples:")[1].split("\b")[1].strip().splitlines()
    assert sum("digitcli " in line for line in examples) >= 3


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_has_help(name):
    click_command = typer.main.get_command(app).commands[name]
    assert click_command.params
    for param in click_command.params:  # Typer gives arguments a help text too
        assert getattr(param, "help", None), f"{name} {param.name} has no help"


@pytest.mark.parametrize("name", COMMANDS)
def test_help_runs(name):
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout


@pytest.mark.parametrize(
    ("argv", "built"),
    [(["predict", "--help"], ["predict"]), (["--help"], COMMANDS), (["predcit", "x"], COMMANDS)],
)
def test_a_command_line_naming_a_command_builds_that_command_alone(argv, built, monkeypatch):
    # Typer builds each command's options from its signature at every start; a cold predict
    # needs one command, help and a misspelt command need them all.
    seen = []
    build = typer.main.get_command

    def spy(instance):
        seen.append([info.name or info.callback.__name__ for info in instance.registered_commands])
        return build(instance)

    monkeypatch.setattr(typer.main, "get_command", spy)
    monkeypatch.setattr(sys, "argv", ["digitcli", *argv])
    with pytest.raises(SystemExit):
        app()
    assert seen == [built]
    assert [info.name or info.callback.__name__ for info in app.registered_commands] == COMMANDS


def test_train_help_gives_each_architectures_own_defaults():
    """ "Default: 18 (mlp), 5 (mlp512), 30 (cnn)." in `train --help` is what training uses."""
    import re

    import typer.main

    from digitcli.core.config import ARCH_DEFAULTS

    fields = {"augment": "writers"}  # the option's name where it is not the setting's
    command = typer.main.get_command(app).commands["train"]
    checked = 0
    for param in command.params:
        named = re.findall(
            r"([\w.]+) \(((?:mlp|mlp512|cnn)(?:, (?:mlp|mlp512|cnn))*)\)", param.help or ""
        )
        for value, arches in named:
            for arch in arches.split(", "):
                default = getattr(ARCH_DEFAULTS[arch], fields.get(param.name, param.name))
                shown = f"{default:g}" if isinstance(default, float) else str(default)
                assert value == shown, (param.name, arch, value, default)
                checked += 1
    assert checked >= 20
