"""`digitcli train`: its many options, the choices they take, and what it prints when done.
Apart from the other commands because its option list alone is most of a screen."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from digitcli.commands.errors import reports_errors
from digitcli.commands.options import (
    DataOption,
    JsonOption,
    QuietOption,
    positive,
    share_option,
)
from digitcli.core.training_options import DEFAULT, MAX_BATCH, MAX_EPOCHS, MAX_SEED


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


def _suggest_next(model_dir: Path) -> None:
    """What was written beside the model, and the commands that use it (on stderr)."""
    import shlex

    from digitcli.terminal import console

    files = sorted(p.name for p in Path(model_dir).iterdir() if p.is_file())
    path = shlex.quote(str(model_dir))
    console.print_note(f"wrote {', '.join(files)}")
    console.print_note(f"next: digitcli evaluate {path}   digitcli predict --model {path} IMAGE")


# The options of `train`, one type each (their help is `train --help`).
ArchOption = Annotated[
    Arch | None,
    typer.Option(
        help="Network: mlp (784-512-64-10), mlp512, cnn. Default: mlp; with --init, the "
        "network of the model it starts from (cnn for 'bundled').",
        show_default=False,
    ),
]
EpochsOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=MAX_EPOCHS,
        metavar="N",
        help="Epochs. Default: 18 (mlp), 5 (mlp512), 30 (cnn).",
    ),
]
BatchSizeOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=MAX_BATCH,
        metavar="N",
        help="Batch size. Default: 32 (mlp), 128 (mlp512, cnn).",
    ),
]
LearningRateOption = Annotated[
    float | None,
    typer.Option(
        callback=positive,
        metavar="RATE",
        help="Peak learning rate (above 0, at most 10). Default: 0.001 (mlp), 0.002 "
        "(mlp512), 0.003 (cnn).",
    ),
]
OptimizerOption = Annotated[
    Optimizer | None,
    typer.Option(help="Optimizer. Default: adam (mlp, cnn), rmsprop (mlp512)."),
]
ValidationSplitOption = Annotated[
    float,
    share_option(
        "FRACTION",
        "Share of training images held out to pick the best epoch.",
        most=0.9,
    ),
]
DropoutOption = Annotated[
    float | None,
    share_option(
        "RATE",
        "Dropout rate. Default: 0 (mlp), 0.25 (cnn).",
        most=0.9,
    ),
]
SeedOption = Annotated[
    int,
    typer.Option(min=0, max=MAX_SEED, metavar="N", help="Random seed: same seed, same model."),
]
ValidationSeedOption = Annotated[
    int | None,
    typer.Option(
        min=0,
        max=MAX_SEED,
        metavar="N",
        help="Seed of the validation hold-out alone: models of different --seed with the "
        "same --validation-seed hold out the same digits, so they can be read as one "
        "(bench/build/make_bundled.py). Default: --seed.",
        show_default=False,
    ),
]
AugmentOption = Annotated[
    float | None,
    share_option(
        "STRENGTH",
        "Share of each epoch's images redrawn as other writers' (slant, stretch, pen "
        "width, hollow strokes, wobble, blur, black-and-white scans); 0: off. Default: 0.5 "
        "(mlp, mlp512), 0.8 (cnn).",
    ),
]
FlagsOption = Annotated[
    Flags | None,
    typer.Option(
        help="The flag redrawn continental 1s get (a stroke from the top down to the left): "
        "short and steep, or long and shallow as many European writers draw it. Default: "
        "long (mlp, mlp512), short (cnn).",
    ),
]
HollowOption = Annotated[
    float | None,
    share_option(
        "SHARE",
        "Share of the redrawn digits drawn with hollow strokes (only their outlines, "
        "as an outline pen or a felt tip whose middle ran dry leaves them); 0: none. "
        "Default: 0.1.",
    ),
]
FontsOption = Annotated[
    float | None,
    share_option(
        "SHARE",
        "Share of the redrawn digits drawn instead as the same digit in one of 73 "
        "handwriting fonts; 0: none. Default: 0.4 (mlp, mlp512), 0.25 (cnn).",
    ),
]
ContinentalOption = Annotated[
    float | None,
    share_option(
        "SHARE",
        "Share of the redrawn 1s, 7s and 4s drawn as continental European writers draw "
        "them: a 1 with a long flag, a 7 with a crossbar, an open 4; 0: none. Default: 0.5 "
        "(mlp, mlp512), 0 (cnn).",
    ),
]
DeskewOption = Annotated[
    bool | None,
    typer.Option(
        "--deskew/--no-deskew",
        help="Take each digit's slant out inside the model before it reads it (other "
        "writers slant differently): every runtime and export does the same. Default: on; "
        "with --init, as the model it starts from.",
        show_default=False,
    ),
]
CalibrateOption = Annotated[
    bool,
    typer.Option(
        help="Fit a temperature on the validation split so that confidence means what it "
        "says (--threshold filters)."
    ),
]
TeacherOption = Annotated[
    str,
    typer.Option(
        metavar="MODEL",
        help="Learn from MODEL's probabilities for each epoch's images, not from the labels "
        "alone (distillation): 'bundled' (the bundled model), a model directory or file, "
        "or 'none'. Reads other writers' digits better; training takes ~3x as long "
        "with the bundled model as teacher. Default: none.",
    ),
]
InitOption = Annotated[
    str | None,
    typer.Option(
        metavar="MODEL",
        help="Start from MODEL's weights instead of random ones (fine-tuning): 'bundled', "
        "a model directory or a .keras file of the same --arch. Default: none.",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="DIR",
        help="Model directory. Default: one named after the run (arch, layers, rate, "
        "epochs) in your models folder (digitcli models lists them; $DIGITCLI_MODELS moves it). "
        "A directory elsewhere is recorded there and listed.",
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace an existing model directory.")]
ResumeOption = Annotated[
    bool, typer.Option("--resume", help="Continue from the checkpoint an interrupted run left.")
]
PatienceOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        metavar="EPOCHS",
        help="Stop after N epochs without a better validation accuracy. Default: off.",
    ),
]
StrategyOption = Annotated[
    Strategy,
    typer.Option(
        help="tf.distribute strategy: auto (mirrored with 2+ GPUs, else default), default "
        "(one device), mirrored (all local GPUs), multi-worker (the cluster in $TF_CONFIG; "
        "--batch-size is the global batch). Default: auto."
    ),
]
ValidationDataOption = Annotated[
    Path | None,
    typer.Option(
        metavar="PATH",
        help="Pick the best epoch on, and score the model on, the images of PATH (any --data "
        "format: another folder of your digits); all of --data is then fitted, none held out. "
        "Default: none (--validation-split of --data validates, its last 1/7 tests).",
    ),
]
RehearsalOption = Annotated[
    float,
    share_option(
        "SHARE",
        "With --init bundled: share of each epoch's digits drawn from MNIST's training set "
        "(./MNIST/ or $DIGITCLI_DATA), so that the model keeps what it knew; 0: none.",
        most=0.9,
    ),
]
MakeDefaultOption = Annotated[
    bool,
    typer.Option(
        "--make-default",
        help="Make the new model the default (what commands use given no model) whatever it "
        "scores. Default: it becomes the default only when it reads its test images at least "
        "as well as the current default does (digitcli models use NAME changes it later).",
    ),
]
TensorboardOption = Annotated[
    Path | None,
    typer.Option(
        metavar="DIR", help="Write TensorBoard logs (per-epoch scalars, the graph) to DIR."
    ),
]


@reports_errors
def train(
    arch: ArchOption = None,
    epochs: EpochsOption = None,
    batch_size: BatchSizeOption = None,
    learning_rate: LearningRateOption = None,
    optimizer: OptimizerOption = None,
    validation_split: ValidationSplitOption = DEFAULT.validation_split,
    dropout: DropoutOption = None,
    seed: SeedOption = DEFAULT.seed,
    validation_seed: ValidationSeedOption = None,
    augment: AugmentOption = None,
    flags: FlagsOption = None,
    hollow: HollowOption = None,
    fonts: FontsOption = None,
    continental: ContinentalOption = None,
    deskew: DeskewOption = None,
    calibrate: CalibrateOption = True,
    teacher: TeacherOption = DEFAULT.teacher,
    init: InitOption = None,
    data: DataOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
    resume: ResumeOption = False,
    patience: PatienceOption = None,
    strategy: StrategyOption = Strategy.auto,
    tensorboard: TensorboardOption = None,
    make_default: MakeDefaultOption = False,
    validation_data: ValidationDataOption = None,
    rehearsal: RehearsalOption = 0.5,
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
    options = dict(locals())  # train's options, by name, as the API takes them
    del options["json_output"], options["quiet"]
    for name in ("arch", "optimizer", "flags", "strategy"):  # the API takes their values
        options[name] = None if options[name] is None else options[name].value
    from digitcli.api import training
    from digitcli.training.distribute import is_chief

    # Under multi-worker, progress and tables are the chief's.
    chief = True if training.fine_tunes_bundled(options) else is_chief(strategy.value)
    reporter = _reporter(quiet=quiet, chief=chief, kind=training.kind(options))
    result = training.run(options, reporter)
    _show_result(result, json_output=json_output, quiet=quiet, chief=chief)


def _reporter(*, quiet: bool, chief: bool, kind: str | None = None):
    """How the run shows its progress: nothing (-q), a bar per epoch in a terminal, else a line
    per epoch (always, on a worker that is not the chief); `kind`: what it trains, in words
    (`cnn+cnn+mlp` for the bundled model fine-tuned as it is)."""
    from digitcli.terminal import console
    from digitcli.training.reporting import NullReporter

    if quiet:
        return NullReporter()
    if chief and console.interactive():
        return console.RichTrainReporter(kind)
    return console.PlainTrainReporter(kind)


def _show_result(result, *, json_output: bool, quiet: bool, chief: bool) -> None:
    """The finished run: JSON, the model directory alone (-q), `key<TAB>value` lines in a pipe,
    or tables in a terminal; a worker that is not the chief says only that it is done."""
    from digitcli.terminal import console
    from digitcli.training.distribute import task_from_env

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
    if not quiet and result.default is not None:
        console.print_note(result.default.sentence(Path(result.model_dir).name))
