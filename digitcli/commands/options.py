"""The option types and checks several commands share (--data, --json, --quiet, shares and
rates), so that each is spelt, and refused, the same way everywhere."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer


def finite(value: float | None) -> float | None:
    """A float option must be a number: inf and nan are usage errors."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a finite number")
    return value


def share_option(metavar: str, help: str, most: float = 1) -> typer.models.OptionInfo:
    """A float option from 0 to `most` (a share, a rate, a confidence); inf and nan refused."""
    return typer.Option(min=0, max=most, callback=finite, metavar=metavar, help=help)


MAX_RATE = 10.0  # a learning rate above this only diverges (1e30: NaN loss every epoch)


def positive(value: float | None) -> float | None:
    """A learning rate of 0 trains nothing, one above MAX_RATE only diverges: refused, as inf
    and nan are."""
    if value is not None and not (math.isfinite(value) and 0 < value <= MAX_RATE):
        raise typer.BadParameter(f"give a number above 0 and at most {MAX_RATE:g}, e.g. 0.001")
    return value


DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        metavar="PATH",
        help="MNIST as a folder or file: IDX (.gz or raw), mnist.npz or CSV; or a folder of "
        "image files in one sub-folder per digit (0/ to 9/), or a flat one with a labels.csv "
        "(file,label), each prepared as predict prepares it. Default: $DIGITCLI_DATA, then "
        "./MNIST/.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Only the result on stdout (train: the model directory; evaluate: the test "
        "accuracy; export: the written path); no progress, tables or notes.",
    ),
]

MODEL_HELP = (  # MODEL as predict, read and serve take it
    "Model directory, .tflite/.keras/.onnx file, a model's name in the models folder, or "
    "'bundled'. "
    "Default: the default model (the bundled one until another is chosen; the models "
    "command lists them)."
)


def model_names(incomplete: str) -> list[str]:
    """What the shell completes a MODEL with: "bundled" and the names `digitcli models` lists
    (the models folder's, those recorded with `train -o`, a clone's ./MNIST/models)."""
    from digitcli.core.errors import DigitcliError
    from digitcli.models.modeldir import BUNDLED, other_models, trained_models

    try:
        names = [BUNDLED, *(path.name for path in [*trained_models(), *other_models()])]
    except (OSError, DigitcliError):  # a models folder unreadable: "bundled" still completes
        names = [BUNDLED]
    return [name for name in dict.fromkeys(names) if name.startswith(incomplete)]


def model_path(text: str) -> Path:
    """MODEL as typed, a path or a name; an empty one (a script's unset variable) is refused,
    not taken for the current folder."""
    if not text:
        from digitcli.models.modeldir import EMPTY_NAME  # (only then: not at every start)

        raise typer.BadParameter(EMPTY_NAME)
    return Path(text)


ModelOption = Annotated[  # the MODEL argument of evaluate, export and serve, as an option too
    Path | None,
    typer.Option(
        "--model",
        metavar="MODEL",
        parser=model_path,
        autocompletion=model_names,
        help="The same as the MODEL argument (as predict and read take it).",
        show_default=False,
    ),
]


def one_model(argument: Path | None, option: Path | None) -> Path | None:
    """MODEL given as the argument or as --model; both, only when they say the same."""
    from digitcli.core.errors import UsageError

    if argument is not None and option is not None and argument != option:
        raise UsageError(f"--model {option}: MODEL is also given as {argument}: give it once")
    return argument if argument is not None else option
