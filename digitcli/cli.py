"""The `digitcli` command: thin Typer commands over the library. Nothing heavy is imported here."""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from digitcli import __version__
from digitcli.core.config import DEBUG_ENV, TrainConfig
from digitcli.terminal.usage import DigitcliGroup, DigitcliTyper

app = DigitcliTyper(
    cls=DigitcliGroup,
    help="Train, evaluate, run and export handwritten-digit classifiers.",
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_debug = {"on": bool(os.environ.get(DEBUG_ENV))}

MAX_SEED = 2**32 - 1  # NumPy's and TensorFlow's seeds are 32-bit
MAX_EPOCHS = 100_000
MAX_BATCH = 1_000_000
DEFAULT = TrainConfig()


def run() -> None:
    """The `digitcli` program (console script and `python -m digitcli`). Calling `app()` from
    Python ends with SystemExit, as any Typer app does."""
    import sys

    from digitcli.core.errors import EXIT_BROKEN_PIPE
    from digitcli.core.streams import flushed

    try:
        app(prog_name="digitcli")
    except SystemExit:
        if not flushed(sys.stdout):  # the reader left before the last lines were written
            raise SystemExit(EXIT_BROKEN_PIPE) from None
        raise


class Arch(str, Enum):
    mlp = "mlp"
    mlp512 = "mlp512"
    cnn = "cnn"


class Optimizer(str, Enum):
    adam = "adam"
    rmsprop = "rmsprop"
    sgd = "sgd"


class Flags(str, Enum):
    short = "short"
    long = "long"


class Strategy(str, Enum):
    auto = "auto"
    default = "default"
    mirrored = "mirrored"
    multi_worker = "multi-worker"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"digitcli {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help=f"Show full tracebacks (also ${DEBUG_ENV}=1).")
    ] = False,
) -> None:
    """digitcli: handwritten digits, from training to deployment."""
    _debug["on"] = debug or bool(os.environ.get(DEBUG_ENV))


def reports_errors(command: Callable) -> Callable:
    """Turn the library's errors into one line on stderr and the documented exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from digitcli.core.errors import (
            EXIT_BROKEN_PIPE,
            EXIT_FAILURE,
            EXIT_INTERRUPTED,
            DigitcliError,
            TrainingInterrupted,
        )
        from digitcli.terminal.console import print_error, print_note

        try:
            return command(*args, **kwargs)
        except TrainingInterrupted as exc:  # a stop the user asked for is not an error
            if _debug["on"]:
                raise
            print_note(f"Stopped: {exc}")
            raise typer.Exit(exc.exit_code) from None
        except DigitcliError as exc:
            if _debug["on"]:
                raise
            print_error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            if _debug["on"]:
                raise
            print_error("interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            import sys

            from digitcli.core.streams import silence

            silence(sys.stdout)  # the reader left (`| head -1`): stop quietly, as Unix tools do
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug: say so in one line, keep the traceback for --debug
            if _debug["on"]:
                raise
            print_error(f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for details)")
            raise typer.Exit(EXIT_FAILURE) from None

    return wrapper


def _suggest_next(model_dir: Path) -> None:
    """What was written beside the model, and the commands that use it (on stderr)."""
    import shlex

    from digitcli.terminal import console

    files = sorted(p.name for p in Path(model_dir).iterdir() if p.is_file())
    path = shlex.quote(str(model_dir))
    console.print_note(f"wrote {', '.join(files)}")
    console.print_note(f"next: digitcli evaluate {path}   digitcli predict --model {path} IMAGE")


def _finite(value: float | None) -> float | None:
    """A float option must be a number: inf and nan are usage errors."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a finite number")
    return value


def _share_option(metavar: str, help: str, most: float = 1) -> typer.models.OptionInfo:
    """A float option from 0 to `most` (a share, a rate, a confidence); inf and nan refused."""
    return typer.Option(min=0, max=most, callback=_finite, metavar=metavar, help=help)


def _positive(value: float | None) -> float | None:
    """A learning rate of 0 trains nothing: refused, as inf and nan are."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter("give a number above 0, e.g. 0.001")
    return value


DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        metavar="PATH",
        help="MNIST as a folder or file: IDX (.gz or raw), mnist.npz or CSV; or a folder of "
        "image files in one sub-folder per digit (0/ to 9/), each prepared as predict "
        "prepares it. Default: $DIGITCLI_DATA, then ./MNIST/.",
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


@app.command()
@reports_errors
def train(
    arch: Annotated[
        Arch, typer.Option(help="Network: mlp (784-512-64-10), mlp512, cnn.")
    ] = Arch.mlp,
    epochs: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=MAX_EPOCHS,
            metavar="N",
            help="Epochs. Default: 18 (mlp), 5 (mlp512), 30 (cnn).",
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=MAX_BATCH,
            metavar="N",
            help="Batch size. Default: 32 (mlp), 128 (mlp512, cnn).",
        ),
    ] = None,
    learning_rate: Annotated[
        float | None,
        typer.Option(
            callback=_positive,
            metavar="RATE",
            help="Peak learning rate (above 0). Default: 0.001 (mlp), 0.002 (mlp512), 0.003 (cnn).",
        ),
    ] = None,
    optimizer: Annotated[
        Optimizer | None,
        typer.Option(help="Optimizer. Default: adam (mlp, cnn), rmsprop (mlp512)."),
    ] = None,
    validation_split: Annotated[
        float,
        _share_option(
            "FRACTION",
            "Share of training images held out to pick the best epoch.",
            most=0.9,
        ),
    ] = DEFAULT.validation_split,
    dropout: Annotated[
        float | None,
        _share_option(
            "RATE",
            "Dropout rate. Default: 0 (mlp), 0.25 (cnn).",
            most=0.9,
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(min=0, max=MAX_SEED, metavar="N", help="Random seed: same seed, same model."),
    ] = DEFAULT.seed,
    validation_seed: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=MAX_SEED,
            metavar="N",
            help="Seed of the validation hold-out alone: models of different --seed with the "
            "same --validation-seed hold out the same digits, so they can be read as one "
            "(bench/make_bundled.py). Default: --seed.",
            show_default=False,
        ),
    ] = None,
    augment: Annotated[
        float | None,
        _share_option(
            "STRENGTH",
            "Share of each epoch's images redrawn as other writers' (slant, stretch, pen "
            "width, hollow strokes, wobble, blur, black-and-white scans); 0: off. Default: 0.5 "
            "(mlp, mlp512), 0.8 (cnn).",
        ),
    ] = None,
    flags: Annotated[
        Flags | None,
        typer.Option(
            help="The flag redrawn continental 1s get (a stroke from the top down to the left): "
            "short and steep, or long and shallow as many European writers draw it. Default: "
            "long (mlp, mlp512), short (cnn).",
        ),
    ] = None,
    hollow: Annotated[
        float | None,
        _share_option(
            "SHARE",
            "Share of the redrawn digits drawn with hollow strokes (only their outlines, "
            "as an outline pen or a felt tip whose middle ran dry leaves them); 0: none. "
            "Default: 0.1.",
        ),
    ] = None,
    fonts: Annotated[
        float | None,
        _share_option(
            "SHARE",
            "Share of the redrawn digits drawn instead as the same digit in one of 73 "
            "handwriting fonts; 0: none. Default: 0.4 (mlp, mlp512), 0.25 (cnn).",
        ),
    ] = None,
    deskew: Annotated[
        bool | None,
        typer.Option(
            "--deskew/--no-deskew",
            help="Take each digit's slant out inside the model before it reads it (other "
            "writers slant differently): every runtime and export does the same. Default: on; "
            "with --init, as the model it starts from.",
            show_default=False,
        ),
    ] = None,
    calibrate: Annotated[
        bool,
        typer.Option(
            help="Fit a temperature on the validation split so that confidence means what it "
            "says (--threshold filters)."
        ),
    ] = True,
    teacher: Annotated[
        str,
        typer.Option(
            metavar="MODEL",
            help="Learn from MODEL's probabilities for each epoch's images, not from the labels "
            "alone (distillation): 'bundled' (the bundled model), a model directory or file, "
            "or 'none'. Reads other writers' digits better; training takes ~3x as long "
            "with the bundled model as teacher. Default: none.",
        ),
    ] = DEFAULT.teacher,
    init: Annotated[
        str | None,
        typer.Option(
            metavar="MODEL",
            help="Start from MODEL's weights instead of random ones (fine-tuning): 'bundled', "
            "a model directory or a .keras file of the same --arch. Default: none.",
        ),
    ] = None,
    data: DataOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Model directory. Default: one named after the run (arch, layers, rate, "
            "epochs) in MNIST/models/.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing model directory.")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue from the checkpoint an interrupted run left.")
    ] = False,
    patience: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="EPOCHS",
            help="Stop after N epochs without a better validation accuracy. Default: off.",
        ),
    ] = None,
    strategy: Annotated[
        Strategy,
        typer.Option(
            help="tf.distribute strategy: auto (mirrored with 2+ GPUs, else default), default "
            "(one device), mirrored (all local GPUs), multi-worker (the cluster in $TF_CONFIG; "
            "--batch-size is the global batch). Default: auto."
        ),
    ] = Strategy.auto,
    tensorboard: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", help="Write TensorBoard logs (per-epoch scalars, the graph) to DIR."
        ),
    ] = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Train a model on MNIST and write its directory.

    Examples:

    \b
      digitcli train
      digitcli train --arch cnn --epochs 20
      digitcli train --epochs 3 --output quick --force
      digitcli train --resume
      model=$(digitcli train -q)
    """
    from digitcli.core.config import train_config
    from digitcli.models.modeldir import deskews
    from digitcli.terminal import console
    from digitcli.training.distribute import is_chief, task_from_env
    from digitcli.training.train import NullReporter
    from digitcli.training.train import train as run_training

    config = train_config(
        arch.value,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        optimizer=optimizer.value if optimizer else None,
        validation_split=validation_split,
        dropout=dropout,
        seed=seed,
        validation_seed=validation_seed,
        writers=augment,
        flags=flags.value if flags else None,
        hollow=hollow,
        fonts=fonts,
        deskew=deskew if deskew is not None else (deskews(init) if init else True),
        calibrate=calibrate,
        teacher=teacher,
        init=init,
        patience=patience,
        strategy=strategy.value,
    )
    chief = is_chief(strategy.value)  # under multi-worker, progress and tables are the chief's
    if quiet:
        reporter = NullReporter()
    elif not chief:
        reporter = console.PlainTrainReporter()
    elif console.interactive():
        reporter = console.RichTrainReporter()
    else:
        reporter = console.PlainTrainReporter()
    result = run_training(
        config,
        data=data,
        output=output,
        force=force,
        resume=resume,
        reporter=reporter,
        tensorboard=tensorboard,
    )
    if not chief:
        if not quiet:
            console.print_note(f"{task_from_env()}: done; the chief wrote {result.model_dir}")
        return
    if json_output:
        console.print_json(result.to_json())
    elif quiet:
        console.stdout.print(str(result.model_dir), markup=False, highlight=False, soft_wrap=True)
    elif not console.is_terminal():
        console.show_fields(result.to_json())
    else:  # the epochs were shown as they ended: no history table to repeat them
        console.show(console.train_summary_table(result))
        sparkline = console.sparkline(result.history["val_accuracy"])
        console.stdout.print(f"val accuracy per epoch {sparkline}", highlight=False)
        console.show_path("model", result.model_dir)
        _suggest_next(result.model_dir)


@app.command()
@reports_errors
def evaluate(
    model: Annotated[
        Path | None,
        typer.Argument(
            metavar="MODEL",
            help="Model directory, exported file or 'bundled'. Default: the latest trained "
            "model, else the bundled one (digitcli models).",
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
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Score a model on the test set: accuracy, loss, per-digit table, confusion matrix.

    Examples:

    \b
      digitcli evaluate
      digitcli evaluate MNIST/models/cnn --report eval-report
      digitcli evaluate model.tflite --save-mistakes mistakes.png
      digitcli evaluate --json | jq .accuracy
    """
    from digitcli.models.modeldir import choose_model
    from digitcli.reports.evaluate import evaluate_with_predictions
    from digitcli.reports.report import check_outputs, save_mistakes_file, save_report
    from digitcli.terminal import console

    check_outputs(save_mistakes, report, force=force)
    chosen = choose_model(model)
    result, predictions = evaluate_with_predictions(chosen.path, data)
    if save_mistakes:
        shown = save_mistakes_file(save_mistakes, predictions, force=force)
        if not quiet:
            console.print_note(f"wrote {save_mistakes} ({shown} most confident mistakes)")
    if report:
        page = save_report(report, result, predictions, force=force)
        if not quiet:
            console.print_note(f"wrote {page}")
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


# Commands added below this line: export, predict, read.


class ExportFormat(str, Enum):
    keras = "keras"
    savedmodel = "savedmodel"
    tflite = "tflite"
    tflite_f16 = "tflite-f16"
    tflite_int8 = "tflite-int8"
    onnx = "onnx"


@app.command()
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
            help="Model directory, .keras file or 'bundled'. Default: the latest trained "
            "model, else the bundled one.",
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
            help="Skip the check: by default the export is run on the whole test set and not "
            "written unless it agrees with the source model on 99.9% of images (int8: 99.5%).",
        ),
    ] = False,
    data: DataOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Export a model for deployment, run it with its own runtime and compare with the source.

    Examples:

    \b
      digitcli export --format tflite-int8
      digitcli export MNIST/models/cnn --format onnx -o digits.onnx
      digitcli export --format savedmodel --no-verify
      digitcli export -f tflite -q
    """
    import contextlib

    from digitcli.exporting.export import export_model
    from digitcli.terminal import console

    status = (
        console.stderr.status(f"Exporting {fmt.value} and checking it on the test set")
        if console.interactive() and not (json_output or quiet)
        else contextlib.nullcontext()
    )
    with status:
        result = export_model(
            model, fmt.value, output, force=force, verify=not no_verify, data=data
        )
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


class PredictFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    plain = "plain"


class Invert(str, Enum):
    auto = "auto"
    yes = "yes"
    no = "no"


FormatOption = Annotated[
    PredictFormat | None,
    typer.Option(
        "--format", "-f", help="Output format. Default: table in a terminal, plain in a pipe."
    ),
]
AnswersJsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
AnswersQuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Only the answers: no error lines on stderr.")
]
# The options `predict` and `read` share (`serve` takes the model as its argument).
_MODEL_HELP = (
    "Model directory, .tflite/.keras/.onnx file, or 'bundled'. "
    "Default: the latest trained model, else the bundled one (digitcli models)."
)
ImagesArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="IMAGE...",
        help="Image files, directories, globs, or - for one image on stdin.",
        show_default=False,
    ),
]
AnswersModelOption = Annotated[Path | None, typer.Option(metavar="MODEL", help=_MODEL_HELP)]
FromListOption = Annotated[
    str | None,
    typer.Option(
        "--from-list", metavar="FILE", help="Read image paths one per line from FILE (- for stdin)."
    ),
]
InvertOption = Annotated[
    Invert, typer.Option(help="Polarity: auto detects dark ink on light paper and inverts it.")
]


def _answers_format(chosen: PredictFormat | None, json_output: bool) -> str:
    from digitcli.terminal import console

    if json_output:
        return PredictFormat.json.value
    if chosen is None:
        return "table" if console.is_terminal() else "plain"
    return chosen.value


def _answered_by(model: Path | None, fmt: str, quiet: bool):
    """The model that will answer (`ChosenModel`) and how answers name it: the table's title,
    every JSON answer's `model` object, and for plain and CSV one stderr line (not with -q)."""
    from digitcli.models.modeldir import choose_model
    from digitcli.models.runtimes import resolve_model
    from digitcli.terminal import console

    chosen = choose_model(model)
    ref = resolve_model(chosen.path)  # a model that is not there is refused before any line
    if fmt in ("plain", "csv") and not quiet:
        console.print_note(f"model: {chosen.describe()}")
    title = _table_title(chosen, ref.metadata) if fmt == "table" else None
    answered_by = chosen.to_json() if fmt in ("json", "jsonl") else None
    return chosen, console.Shown(fmt, quiet, title, answered_by)


def _table_title(chosen, metadata) -> str:
    """How the table's title names the model: the bundled one with the networks it reads with,
    another as named or by its name; then why, when it was not named ("latest trained")."""
    from digitcli.models.modeldir import FALLBACK, LATEST

    name = str(chosen.path) if chosen.why not in (LATEST, FALLBACK) else chosen.name
    if chosen.bundled:
        networks = f" ({', '.join(metadata.networks)})" if metadata is not None else ""
        name = f"the bundled model{networks}"
    return {LATEST: f"{name}, latest trained", FALLBACK: f"{name}, none trained"}.get(
        chosen.why, name
    )


def _exit_for(tally) -> None:
    """predict's and read's exit code (see errors.answers_exit_code)."""
    from digitcli.core.errors import answers_exit_code

    code = answers_exit_code(tally.failed, tally.unanswered)
    if code:
        raise typer.Exit(code)


@app.command()
@reports_errors
def predict(
    images: ImagesArgument = None,
    model: AnswersModelOption = None,
    output_format: FormatOption = None,
    top_k: Annotated[
        int, typer.Option(min=1, max=10, metavar="N", help="How many likeliest digits to show.")
    ] = 3,
    threshold: Annotated[
        float | None,
        _share_option(
            "CONFIDENCE",
            "Below this confidence, answer no digit and say why. Default: off.",
        ),
    ] = None,
    from_list: FromListOption = None,
    save_preprocessed: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", help="Write the 28x28 image the model saw for each input into DIR."
        ),
    ] = None,
    invert: InvertOption = Invert.auto,
    json_output: AnswersJsonOption = False,
    quiet: AnswersQuietOption = False,
) -> None:
    """Say which digit each image shows; photos, scans and drawings are prepared like MNIST.

    Exit code 1 when some inputs failed (the others are still answered), else 3 when some
    were answered with no digit or number (--threshold, --digits, no digit found).

    Examples:

    \b
      digitcli predict test_img.png
      digitcli predict scans/ --format csv > answers.csv
      find photos -name '*.jpg' | digitcli predict --from-list - --json
      digitcli predict photo.jpg --threshold 0.9 --top-k 1
    """
    from digitcli.core.errors import UsageError
    from digitcli.predicting.predict import predict as run_prediction
    from digitcli.terminal import console

    if not images and from_list is None:
        raise UsageError("give at least one IMAGE, or --from-list FILE")
    fmt = _answers_format(output_format, json_output)
    if fmt == "plain" and top_k != 3 and not quiet:
        console.print_note("--top-k: plain output has no top-k field (csv, json and table do)")
    chosen, shown = _answered_by(model, fmt, quiet)
    predictions = run_prediction(
        images or [],
        from_list=from_list,
        model=chosen.path,
        top_k=top_k,
        threshold=threshold,
        invert=invert.value,
        save_preprocessed=save_preprocessed,
    )
    _exit_for(console.render_predictions(predictions, shown, top_k))


@app.command()
@reports_errors
def read(
    images: ImagesArgument = None,
    model: AnswersModelOption = None,
    output_format: FormatOption = None,
    digits: Annotated[
        str | None,
        typer.Option(
            metavar="COUNT",
            help="Expected count of digits, N or MIN-MAX: another count answers no number.",
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        _share_option(
            "CONFIDENCE",
            "Below this confidence of the whole number, answer none and say why.",
        ),
    ] = None,
    from_list: FromListOption = None,
    save_preprocessed: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Write each digit as the model saw it (28x28) into DIR."),
    ] = None,
    invert: InvertOption = Invert.auto,
    json_output: AnswersJsonOption = False,
    quiet: AnswersQuietOption = False,
) -> None:
    """Read the whole number written in each image: a line of handwritten digits.

    Exit code 1 when some inputs failed (the others are still answered), else 3 when some
    were answered with no digit or number (--threshold, --digits, no digit found).

    Examples:

    \b
      digitcli read postcode.jpg --digits 5
      digitcli read forms/ --format csv > numbers.csv
      digitcli read date.png --json
      digitcli read meter.jpg --threshold 0.8
    """
    from digitcli.core.errors import UsageError
    from digitcli.reading.read import parse_digit_count
    from digitcli.reading.read import read as run_reading
    from digitcli.terminal import console

    if not images and from_list is None:
        raise UsageError("give at least one IMAGE, or --from-list FILE")
    fmt = _answers_format(output_format, json_output)
    chosen, shown = _answered_by(model, fmt, quiet)
    readings = run_reading(
        images or [],
        from_list=from_list,
        model=chosen.path,
        threshold=threshold,
        digits=None if digits is None else parse_digit_count(digits),
        invert=invert.value,
        save_preprocessed=save_preprocessed,
    )
    _exit_for(console.render_readings(readings, shown))


@app.command()
@reports_errors
def serve(
    model: Annotated[
        Path | None,
        typer.Argument(
            metavar="MODEL",
            help=_MODEL_HELP,
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS", help="Address to listen on; not a loopback one needs --token."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, metavar="PORT", help="Port to listen on.")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=64, metavar="N", help="Processes, each with its own copy of the model."
        ),
    ] = 1,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="DIGITCLI_TOKEN",
            show_envvar=True,
            metavar="TOKEN",
            help=(
                "Every API call must then send Authorization: Bearer TOKEN. Printable ASCII"
                " characters only, no spaces: others are refused at start (exit code 2)."
            ),
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No access log on stderr, only errors.")
    ] = False,
) -> None:
    """Serve the model over HTTP: a JSON API for jobs, and a page at / to draw a digit on.

    Stops on Ctrl-C or SIGTERM after answering the requests under way (exit code 0).

    Examples:

    \b
      digitcli serve          # then open http://127.0.0.1:8000/
      digitcli serve MNIST/models/cnn --port 9000 --workers 2
      digitcli serve --host 0.0.0.0 --token "$SECRET"
      curl -F file=@seven.png http://127.0.0.1:8000/v1/predict
    """
    from digitcli.core.errors import UsageError

    try:
        from digitcli.serve.server import serve as run_server
    except ImportError as error:
        package = (error.name or "a package").partition(".")[0]
        raise UsageError(
            f"digitcli serve needs its extra ({package} is missing): pip install 'digitcli[serve]'"
        ) from None
    run_server(model, host=host, port=port, workers=workers, token=token, quiet=quiet)


@app.command()
@reports_errors
def models(json_output: JsonOption = False, quiet: QuietOption = False) -> None:
    """List the trained models and the bundled one, marking the one a command given no model
    uses, and why. MODEL may name any of them (a path, or 'bundled').

    Examples:

    \b
      digitcli models
      digitcli models --json | jq -r '.[] | select(.default) | .path'
      digitcli predict --model bundled photo.jpg
    """
    from digitcli.core.config import models_root
    from digitcli.models.modeldir import list_models
    from digitcli.terminal import console

    listed = list_models()
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
            console.plain_row([*row, model.model.why if model.default else ""])
    if not quiet and not any(model.default for model in listed):
        console.print_note(f"no trained model in {models_root()} and no bundled model installed")
    elif not quiet and not any(not model.model.bundled for model in listed):
        console.print_note(f"no trained model in {models_root()} yet: commands use the bundled one")


def _accuracy(model) -> str:
    return "" if model.test_accuracy is None else f"{model.test_accuracy:.4f}"
