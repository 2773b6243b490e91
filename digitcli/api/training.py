"""`digitcli.train(...)`: what `digitcli train` runs, from Python. The command parses its
options and renders the result; this module turns the options into a run (a new network, or
the bundled model fine-tuned as it is) and checks them first, for both. Nothing heavy is
imported until the run starts."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitcli.api.inputs import path_option
from digitcli.api.model import Model, is_number, is_whole, load
from digitcli.core.config import TrainConfig
from digitcli.core.errors import UsageError
from digitcli.core.training_options import (
    CHOICES,
    DEFAULT,
    MAX_RATE,
    SHARES,
    WHOLE,
)

if TYPE_CHECKING:
    from digitcli.training.reporting import TrainReporter, TrainResult


def train(
    *,
    arch: str | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    learning_rate: float | None = None,
    optimizer: str | None = None,
    validation_split: float = DEFAULT.validation_split,
    dropout: float | None = None,
    seed: int = DEFAULT.seed,
    validation_seed: int | None = None,
    augment: float | None = None,
    flags: str | None = None,
    hollow: float | None = None,
    fonts: float | None = None,
    continental: float | None = None,
    deskew: bool | None = None,
    calibrate: bool = True,
    teacher: str = DEFAULT.teacher,
    init: str | None = None,
    data: str | Path | None = None,
    output: str | Path | None = None,
    force: bool = False,
    resume: bool = False,
    patience: int | None = None,
    strategy: str = "auto",
    tensorboard: str | Path | None = None,
    make_default: bool = False,
    validation_data: str | Path | None = None,
    rehearsal: float = 0.5,
    reporter: TrainReporter | None = None,
) -> Model:
    """Train a model as `digitcli train` does, with its options by name (`--arch cnn`:
    `arch="cnn"`; the defaults are its defaults), and answer the model written. `init="bundled"`
    with no `arch` fine-tunes the whole bundled model on `data`. Shows nothing unless given a
    `reporter` (training/reporting.py's TrainReporter)."""
    options = {name: value for name, value in locals().items() if name != "reporter"}
    result = run(options, reporter)
    return load(result.model_dir)


def run(options: dict[str, Any], reporter: TrainReporter | None = None) -> TrainResult:
    """The run `options` (train's, by name) ask for, checked before TensorFlow loads: what
    `train` and the `train` command call."""
    from digitcli.training.reporting import NullReporter

    paths = ("data", "output", "tensorboard", "validation_data")
    options = {**options, **{name: _path(options[name], name) for name in paths}}
    for name in ("init", "teacher"):  # models' names or paths
        options[name] = path_option(options[name], name)
    check(options)
    reporter = reporter or NullReporter()
    if fine_tunes_bundled(options):
        return _finetune_bundled(options, reporter)
    return _train(options, reporter)


def kind(options: dict[str, Any]) -> str:
    """What the run trains, in words: the network (`cnn`), or for the bundled model fine-tuned
    as it is, all its networks (`cnn+cnn+mlp`)."""
    from digitcli.models.modeldir import BUNDLED_DIR, read_metadata

    if fine_tunes_bundled(options):
        return "+".join(read_metadata(BUNDLED_DIR).networks)
    return arch_for(options.get("arch"), options.get("init"))


def fine_tunes_bundled(options: dict[str, Any]) -> bool:
    """Whether `options` ask for the bundled model fine-tuned as it is, all its networks
    (`init="bundled"`, no `arch`), not one network of it."""
    from digitcli.models.modeldir import BUNDLED

    return options.get("init") == BUNDLED and options.get("arch") is None


def arch_for(arch: str | None, init: str | None) -> str:
    """`arch`, else the network of the `init` model (the bundled one: cnn), else mlp."""
    from digitcli.models.modeldir import network_of

    if arch is not None:
        return arch
    network = network_of(init) if init else None
    return network[0] if network else "mlp"


def check(options: dict[str, Any]) -> None:
    """The command line's limits on train's options, as UsageErrors."""
    for name, choices in CHOICES.items():
        if options[name] is not None and options[name] not in choices:
            raise UsageError(f"{name} {options[name]!r}: give one of {', '.join(choices)}")
    for name, (low, high) in WHOLE.items():
        value = options[name]
        if value is not None and not (is_whole(value) and low <= value <= high):
            raise UsageError(f"{name} {value!r}: give a whole number from {low} to {high}")
    for name, most in SHARES.items():
        value = options[name]
        if value is not None and not (is_number(value) and 0 <= value <= most):
            raise UsageError(f"{name} {value!r}: give a number from 0 to {most:g}")
    rate = options["learning_rate"]
    if rate is not None and not (is_number(rate) and math.isfinite(rate) and 0 < rate <= MAX_RATE):
        raise UsageError(f"learning_rate {rate!r}: give a number above 0 and at most {MAX_RATE:g}")


def _path(value: str | Path | None, name: str) -> Path | None:
    found = path_option(value, name)
    return None if found is None else Path(found)


def _train(options: dict[str, Any], reporter: TrainReporter) -> TrainResult:
    """A network trained (or one network of `init` fine-tuned) by training/train.py."""
    from digitcli.core.config import train_config
    from digitcli.models.modeldir import deskews

    init, deskew = options["init"], options["deskew"]
    config = train_config(
        arch_for(options["arch"], init),
        writers=options["augment"],
        deskew=deskew if deskew is not None else (deskews(init) if init else True),
        **{name: options[name] for name in CONFIGURED},
    )
    _check_before_loading(config, options, reporter)
    from digitcli.training.train import train as run_training

    given = {name: options[name] for name in ("data", "output", "force", "resume")}
    given.update({name: options[name] for name in ("tensorboard", "make_default")})
    return run_training(
        config, reporter=reporter, validation_data=options["validation_data"], **given
    )


# train's options that go into the TrainConfig as they are.
CONFIGURED = (
    "epochs", "batch_size", "learning_rate", "optimizer", "validation_split", "dropout",
    "seed", "validation_seed", "flags", "hollow", "fonts", "continental", "calibrate",
    "teacher", "init", "patience", "strategy",
)  # fmt: skip


def _finetune_bundled(options: dict[str, Any], reporter: TrainReporter) -> TrainResult:
    """`init="bundled"`: the whole bundled model fine-tuned (training/finetune.py)."""
    from digitcli.core.atomic import check_writable
    from digitcli.core.config import models_root
    from digitcli.models.defaults import check_default_recordable
    from digitcli.training.tuning import Tuning

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
    output = given["output"] or models_root() / tuning.run_name
    _check_data_and_output(given["data"], given["validation_data"], output, reporter)
    check_writable(output, force=given["force"])  # as finetune_bundled does, before TensorFlow
    check_default_recordable(output, make_default=given["make_default"])
    from digitcli.training.finetune import finetune_bundled

    return finetune_bundled(tuning, reporter=reporter, **given)


# train's options a fine-tune of the bundled model as it is does not take, each with the value
# that means "not given": the bundled model's own settings and recipe are kept.
NOT_FOR_FINETUNE = {
    **dict.fromkeys(("optimizer", "dropout", "validation_seed", "augment", "flags")),
    **dict.fromkeys(("hollow", "fonts", "continental", "deskew", "patience", "tensorboard")),
    "calibrate": True,
    "teacher": DEFAULT.teacher,
    "resume": False,
    "strategy": "auto",
}


def _refuse_what_finetune_ignores(options: dict[str, Any]) -> None:
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
    config: TrainConfig, options: dict[str, Any], reporter: TrainReporter
) -> None:
    """What `init`, the teacher, the checkpoint to resume, the data and the outputs are, said
    before TensorFlow loads (seconds, 700 MB): a wrong network, no such model or checkpoint,
    missing data, an unwritable folder or an output in the way fails at once."""
    from digitcli.core.config import NO_TEACHER, models_root
    from digitcli.models.modeldir import check_init, check_resumable, checkpoint_path
    from digitcli.models.runtimes import resolve_model
    from digitcli.training.outputs import check_outputs

    check_init(config)
    if config.teacher != NO_TEACHER:  # loaded with the run (distill.Teacher): found now
        resolve_model(config.teacher)  # (named as `named_model` names it)
    output = options["output"] or models_root() / config.run_name
    resume = options["resume"]
    if resume and config.strategy != "multi-worker":  # its workers check it together
        check_resumable(checkpoint_path(output))
    _check_data_and_output(options["data"], options["validation_data"], output, reporter)
    given = {name: options[name] for name in ("force", "tensorboard", "make_default")}
    check_outputs(output, resume=resume, **given)


def _check_data_and_output(
    data: Path | None, validation_data: Path | None, output: Path, reporter: TrainReporter
) -> None:
    """The data there and readable (MNIST downloaded, shown by the reporter's `downloading`
    where it has one), the output a folder the run may create: before any work."""
    from digitcli.core.atomic import check_can_create
    from digitcli.datasets.data import check_data

    check_data(data, watch=getattr(reporter, "downloading", None))
    if validation_data is not None:
        check_data(validation_data, role="test")
    check_can_create(output)
