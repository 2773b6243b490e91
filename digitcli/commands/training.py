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
from digitcli.core.config import TrainConfig
from digitcli.core.errors import UsageError

MAX_SEED = 2**32 - 1  # NumPy's and TensorFlow's seeds are 32-bit
MAX_EPOCHS = 100_000
MAX_BATCH = 1_000_000
DEFAULT = TrainConfig()


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


def _arch_for(arch: Arch | None, init: str | None) -> str:
    """--arch, else the network of the --init model (the bundled one: cnn), else mlp."""
    from digitcli.models.modeldir import network_of

    if arch is not None:
        return arch.value
    network = network_of(init) if init else None
    return network[0] if network else Arch.mlp.value


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
    from digitcli.core.config import train_config
    from digitcli.models.modeldir import BUNDLED, deskews

    if init == BUNDLED and arch is None:  # the bundled model as it is: all its networks
        return _finetune_bundled(dict(locals()))
    config = train_config(
        _arch_for(arch, init),
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
        continental=continental,
        deskew=deskew if deskew is not None else (deskews(init) if init else True),
        calibrate=calibrate,
        teacher=teacher,
        init=init,
        patience=patience,
        strategy=strategy.value,
    )
    _check_before_loading(config, data, output, validation_data)
    from digitcli.training.distribute import is_chief
    from digitcli.training.train import train as run_training

    chief = is_chief(strategy.value)  # under multi-worker, progress and tables are the chief's
    reporter = _reporter(quiet=quiet, chief=chief)
    given = dict(data=data, output=output, force=force, resume=resume, tensorboard=tensorboard)
    given.update(make_default=make_default, validation_data=validation_data)
    result = run_training(config, reporter=reporter, **given)
    _show_result(result, json_output=json_output, quiet=quiet, chief=chief)


def _finetune_bundled(options: dict) -> None:
    """`train --init bundled`: the whole bundled model fine-tuned (training/finetune.py).
    `options`: train's arguments, by name."""
    from digitcli.core.atomic import check_can_create
    from digitcli.core.config import models_root
    from digitcli.datasets.data import check_data
    from digitcli.training.finetune import Tuning, finetune_bundled

    _refuse_what_finetune_ignores(options)
    defaults = Tuning()
    tuning = Tuning(
        epochs=options["epochs"] or defaults.epochs,
        batch_size=options["batch_size"] or defaults.batch_size,
        learning_rate=options["learning_rate"] or defaults.learning_rate,
        rehearsal=options["rehearsal"],
        validation_split=options["validation_split"],
        seed=options["seed"],
    )
    names = ("data", "validation_data", "output", "force", "make_default")
    given = {name: options[name] for name in names}
    json_output, quiet = options["json_output"], options["quiet"]
    check_data(given["data"])
    if given["validation_data"] is not None:
        check_data(given["validation_data"], role="test")
    check_can_create(given["output"] or models_root() / tuning.run_name)
    result = finetune_bundled(tuning, reporter=_reporter(quiet=quiet, chief=True), **given)
    _show_result(result, json_output=json_output, quiet=quiet, chief=True)


# train's options a fine-tune of the bundled model as it is does not take, each with the value
# that means "not given": the bundled model's own settings and recipe are kept.
NOT_FOR_FINETUNE = {
    **dict.fromkeys(("optimizer", "dropout", "validation_seed", "augment", "flags")),
    **dict.fromkeys(("hollow", "fonts", "continental", "deskew", "patience", "tensorboard")),
    "calibrate": True,
    "teacher": DEFAULT.teacher,
    "resume": False,
    "strategy": Strategy.auto,
}


def _refuse_what_finetune_ignores(options: dict) -> None:
    """`--init bundled --augment 0.3` trained without a word about --augment: refuse the
    options it would not use, before any work."""
    given = [name for name, unset in NOT_FOR_FINETUNE.items() if options[name] != unset]
    if given:
        shown = ", ".join(_flag(name, options[name]) for name in given)
        raise UsageError(
            f"--init bundled fine-tunes the bundled model with its own recipe and does not take "
            f"{shown}: leave {'it' if len(given) == 1 else 'them'} out, or fine-tune one of its "
            "networks with --arch cnn --init bundled"
        )


def _flag(name: str, value: object) -> str:
    flag = name.replace("_", "-")
    return f"--no-{flag}" if value is False else f"--{flag}"


def _check_before_loading(
    config, data: Path | None, output: Path | None, validation_data: Path | None = None
) -> None:
    """What `--init`, the data and the output are, said before TensorFlow loads (seconds,
    700 MB): a wrong network, missing data or an unwritable folder fails at once."""
    from digitcli.core.atomic import check_can_create
    from digitcli.core.config import models_root
    from digitcli.datasets.data import check_data
    from digitcli.models.modeldir import check_init

    check_init(config)
    check_data(data)
    if validation_data is not None:
        check_data(validation_data, role="test")
    check_can_create(output or models_root() / config.run_name)


def _reporter(*, quiet: bool, chief: bool):
    """How the run shows its progress: nothing (-q), a bar per epoch in a terminal, else a line
    per epoch (always, on a worker that is not the chief)."""
    from digitcli.terminal import console
    from digitcli.training.reporting import NullReporter

    if quiet:
        return NullReporter()
    if chief and console.interactive():
        return console.RichTrainReporter()
    return console.PlainTrainReporter()


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
