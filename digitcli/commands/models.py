"""The commands about models once trained: `evaluate` scores one on the test set, `export`
writes it for another runtime and checks it, `models` lists them."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from digitcli.commands.errors import reports_errors
from digitcli.commands.options import (
    DataOption,
    JsonOption,
    ModelOption,
    QuietOption,
    model_names,
    model_path,
    one_model,
)


@reports_errors
def evaluate(
    model: Annotated[
        Path | None,
        typer.Argument(
            metavar="MODEL",
            parser=model_path,
            autocompletion=model_names,
            help="Model directory, exported file, a model's name in the models folder or "
            "'bundled'. Default: the default model "
            "(the bundled one until another is chosen; the models command lists them).",
        ),
    ] = None,
    data: DataOption = None,
    save_mistakes: Annotated[
        Path | None,
        typer.Option(
            "--save-mistakes",
            metavar="PATH.png",
            help="Also write a grid of the most confidently wrong test images. Default: none.",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="DIR",
            help="Also write DIR/report.html (self-contained: tables and pictures inline) beside "
            "confusion.png, mistakes.png and, for a trained model, curves.png. Default: none.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace an existing --save-mistakes file or --report folder."
        ),
    ] = False,
    model_option: ModelOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Score a model on the test set: accuracy, loss, per-digit table, confusion matrix.

    Examples:

    \b
      digitcli evaluate
      digitcli evaluate cnn-48-96-lr0.003-e30 --report eval-report
      digitcli evaluate model.tflite --save-mistakes mistakes.png
      digitcli evaluate --json | jq .accuracy
    """
    from digitcli.datasets.data import check_data
    from digitcli.models.modeldir import choose_model
    from digitcli.reports.evaluate import evaluate_with_predictions
    from digitcli.reports.report import check_outputs, save_mistakes_file, save_report
    from digitcli.terminal import console

    check_outputs(save_mistakes, report, force=force)
    chosen = choose_model(one_model(model, model_option))
    check_data(data, role="test", watch=_download_shown(quiet=quiet))
    with console.counted("evaluating", shown=not quiet) as advance:
        result, predictions = evaluate_with_predictions(chosen.path, data, progress=advance)
    for skipped in [] if quiet else result.skipped:
        console.print_note(f"skipped {skipped}")
    if save_mistakes:
        shown = save_mistakes_file(save_mistakes, predictions, force=force)
        if not quiet:
            console.print_note(f"wrote {save_mistakes} ({shown} most confident mistakes)")
    if report:
        page = save_report(report, result, predictions, force=force)
        if not quiet:
            console.print_note(f"wrote {page}")
    _show_evaluation(result, chosen, json_output=json_output, quiet=quiet)


def _download_shown(*, quiet: bool):
    """How evaluate and export show MNIST downloaded into ./MNIST/, as train does: a bar in a
    terminal, a line as it starts and ends in a pipe, nothing with -q (a download.Watch, or
    None). Their data is checked, and downloaded, before their own bar or spinner starts:
    Rich draws one live display at a time."""
    if quiet:
        return None
    import functools

    from digitcli.terminal import console

    return functools.partial(console.downloading, bar=True)


def _show_evaluation(result, chosen, *, json_output: bool, quiet: bool) -> None:
    """An evaluation: JSON, the accuracy alone (quiet), fields in a pipe, else tables."""
    from digitcli.terminal import console

    if json_output:
        console.print_json({**result.to_json(), "model": chosen.to_json()})
        return
    if quiet:
        console.stdout.print(f"{result.accuracy:.4f}", markup=False, highlight=False)
        return
    if not console.is_terminal():
        console.print_note(f"model: {chosen.describe()}")
        console.show_fields(result.to_json())  # `model<TAB>path`, as before
        return
    console.show_path("model", chosen.describe())
    for table in console.evaluation_tables(result):
        console.show(table)


class ExportFormat(str, Enum):
    keras = "keras"
    savedmodel = "savedmodel"
    tflite = "tflite"
    tflite_f16 = "tflite-f16"
    tflite_int8 = "tflite-int8"
    onnx = "onnx"


@reports_errors
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="keras (a .keras file for Keras programs), savedmodel (TF Serving), "
            "tflite (float32), tflite-f16 (float16 weights), tflite-int8 (full-integer, "
            "uint8 in and out), onnx (needs the optional onnx extra).",
        ),
    ],
    model: Annotated[
        Path | None,
        typer.Argument(
            metavar="MODEL",
            parser=model_path,
            autocompletion=model_names,
            help="Model directory, .keras file, a model's name in the models folder or "
            "'bundled'. Default: the default model "
            "(the bundled one until another is chosen; the models command lists them).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Where to write it; an existing directory gets the default name inside. "
            "Default: in the model directory, model-export.keras, model-savedmodel/, "
            "model.tflite (training's own: verified, not written again; --force converts it "
            "again), model-f16.tflite, model-int8.tflite or model.onnx (beside X.keras: "
            "X-export.keras, X.onnx, ...). The card: NAME.card.md beside the file.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
    no_verify: Annotated[
        bool,
        typer.Option(
            "--no-verify",
            help="Skip the check: by default the export must answer an empty canvas and a lone "
            "white pixel, and is run on the whole test set and not written unless it agrees "
            "with the source model on 99.9% of images (int8: 99.5%).",
        ),
    ] = False,
    data: DataOption = None,
    model_option: ModelOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Export a model for deployment, run it with its own runtime and compare with the source.

    Examples:

    \b
      digitcli export --format tflite-int8
      digitcli export cnn-48-96-lr0.003-e30 --format onnx -o digits.onnx
      digitcli export --format savedmodel --no-verify
      digitcli export -f tflite -q
    """
    import contextlib

    from digitcli.exporting.export import check_export_data, export_model

    model = one_model(model, model_option)
    from digitcli.terminal import console

    watch = _download_shown(quiet=quiet)
    check_export_data(model, fmt.value, data, verify=not no_verify, watch=watch)
    status = (
        console.stderr.status(f"Exporting {fmt.value} and checking it on the test set")
        if console.interactive() and not (json_output or quiet)
        else contextlib.nullcontext()
    )
    with status:
        result = export_model(
            model, fmt.value, output, force=force, verify=not no_verify, data=data
        )
    _show_export(result, json_output=json_output, quiet=quiet)


def _show_export(result, *, json_output: bool, quiet: bool) -> None:
    """The export: JSON, its path alone (-q), `key<TAB>value` lines in a pipe, or a table."""
    from digitcli.terminal import console

    if json_output:
        console.print_json(result.to_json())
        return
    if quiet:
        console.stdout.print(str(result.path), markup=False, highlight=False, soft_wrap=True)
        return
    if not console.is_terminal():
        console.show_fields(result.to_json())
        return
    console.show(console.export_table(result))
    console.show_path("from", result.source)
    console.show_path("wrote", result.path)


@reports_errors
def models(
    action: Annotated[
        str | None,
        typer.Argument(
            metavar="[use]",
            help="'use MODEL' makes MODEL the default, the model commands use when none is "
            "named: 'bundled', a model's name in the models folder, or a model directory. "
            "Default: list them.",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[MODEL]",
            help="The MODEL of 'use MODEL'.",
            hidden=True,
            show_default=False,
            autocompletion=model_names,
        ),
    ] = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """List the trained models and the bundled one, marking the one a command given no model
    uses (the default), and why; each accuracy is followed by the number of test images it
    was measured on. MODEL may name any of them (its name, a path, or 'bundled'). `models use MODEL`
    makes MODEL the default.

    Examples:

    \b
      digitcli models
      digitcli models use bundled
      digitcli models use mlp-512-64-lr0.001-e18
      digitcli models --json | jq -r '.[] | select(.default) | .path'
      digitcli predict --model bundled photo.jpg
    """
    from digitcli.api import list_models, use
    from digitcli.core.config import models_root
    from digitcli.core.errors import UsageError
    from digitcli.models.modeldir import GONE, default_trouble
    from digitcli.terminal import console

    if action is not None:
        if action != "use" or name is None:
            raise UsageError(f"{action}: give 'use MODEL' (MODEL: 'bundled' or a model's name)")
        chosen = use(name)
        if json_output:
            console.print_json(chosen.info.to_json())
        elif not quiet:
            console.print_note(f"default: {chosen.name} ({chosen.path})")
        return
    listed = list_models()
    _show_models(listed, json_output=json_output, quiet=quiet)
    gone = any(model.default and model.model.why == GONE for model in listed)
    trouble = default_trouble() if gone and not quiet else None
    if trouble:
        console.print_note(trouble)
    if not quiet and not any(model.default for model in listed):
        console.print_note(f"no trained model in {models_root()} and no bundled model installed")
    elif not quiet and not any(not model.model.bundled for model in listed):
        console.print_note(f"no trained model in {models_root()} yet: commands use the bundled one")


def _show_models(listed: list, *, json_output: bool, quiet: bool) -> None:
    """The listing: JSON, paths (quiet), a table in a terminal, else a row a model."""
    from digitcli.terminal import console

    if json_output:
        console.print_json([model.to_json() for model in listed])
    elif quiet:
        for model in listed:
            console.plain_row([str(model.model.path)])
    elif console.is_terminal():
        console.show(console.models_table(listed))
    else:
        for model in listed:
            row = [model.model.name, str(model.model.path), model.arch or "", _accuracy(model)]
            why = model.model.why if model.default else ""
            why = f"broken: {model.problem}" if model.problem else why
            samples = "" if model.test_samples is None else str(model.test_samples)
            console.plain_row([*row, why, samples, model.test_set or ""])


def _accuracy(model) -> str:
    return "" if model.test_accuracy is None else f"{model.test_accuracy:.4f}"
