"""Which model is the default once a run ends: the user's choice, never a silent replacement.

A model just trained becomes the default (the model commands use when none is named) only when
it reads its test images at least as well as the current default reads the same images, on a
test that can judge it (FEW_TO_JUDGE images or more, almost none a copy of a training picture),
or when the user says so (`train --make-default`; `digitcli models use NAME`). Otherwise the
current default stays, recorded in the models folder, and `train` says so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitcli.core.atomic import check_can_create
from digitcli.core.config import models_root
from digitcli.core.errors import DigitcliError, UsageError
from digitcli.models.modeldir import (
    BUNDLED,
    ChosenModel,
    choose_model,
    default_file,
    set_default,
)
from digitcli.models.registry import record_model

FEW_TO_JUDGE = 100  # below this many images, one image moves an accuracy by more than 1%
MOST_COPIES = 0.01  # a test set with more of its images copied from training judges nothing


@dataclass(frozen=True)
class DefaultChoice:
    """The default after a run, and why."""

    model: str  # the name of the default now ("bundled" or a folder's name)
    changed: bool  # whether it is the model just trained
    mine: float  # the new model's accuracy on its test images
    theirs: float | None  # the previous default's on the same images; None: there was none
    images: int  # how many test images both were scored on
    previous: str | None  # the previous default's name
    asked: bool = False  # --make-default
    unjudged: str | None = None  # why the test could not judge it: the default then stays
    outside: bool = False  # written outside the models folder: not compared, not the default

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "changed": self.changed,
            "previous": self.previous,
            "previous_accuracy": self.theirs,
            "test_samples": self.images,
            **({"unjudged": self.unjudged} if self.unjudged else {}),
        }

    def sentence(self, trained: str) -> str:
        """One line for stderr: which model is the default, and why."""
        if self.outside:
            return (
                f"default: {self.model} stays the default ({trained} was written outside the "
                f"models folder; digitcli models use {trained}, or --make-default, makes it the "
                "default)"
            )
        if self.changed and self.asked:
            return f"default: {trained}, as --make-default asked"
        if self.changed and self.theirs is None:
            return f"default: {trained} (no other default to compare with)"
        on = f"on the same {self.images} test images"
        if self.unjudged is not None:
            return (
                f"default: {self.model} stays the default: {self.unjudged} (this model "
                f"{self.mine:.2%} on them; --make-default, or digitcli models use {trained}, "
                "makes it the default)"
            )
        if self.changed:
            return (
                f"default: {trained}, now: {self.mine:.2%} {on}, the previous default "
                f"{self.previous} {self.theirs:.2%}"
            )
        return (
            f"default: {self.model} stays the default: it reads {self.theirs:.2%} {on}, "
            f"this model {self.mine:.2%} (--make-default, or digitcli models use {trained}, "
            "makes it the default)"
        )


def check_default_recordable(output: Path, *, make_default: bool) -> None:
    """Refuse, before training, a run whose default `settle_default` could not record: the
    models folder nothing can be written into, or a folder where its DEFAULT_FILE goes."""
    if not (make_default or _inside(output)):
        return
    recorded = default_file()
    if recorded.is_dir() and not recorded.is_symlink():
        raise UsageError(f"{recorded} is a folder: cannot record the default model there")
    check_can_create(recorded)


def _inside(output: Path) -> bool:
    """Whether `output` is a model directory in the models folder."""
    return Path(output).resolve().parent == models_root().resolve()


def current_default(output: Path) -> ChosenModel | None:
    """The model commands use now, before the run writes `output`; None where there is none
    or it is `output` itself (about to be replaced)."""
    try:
        current = choose_model(None)
    except DigitcliError:
        return None
    return None if current.path.resolve() == Path(output).resolve() else current


def default_to_beat(
    output: Path, images: np.ndarray, labels: np.ndarray, *, skip: bool = False
) -> tuple[ChosenModel | None, float | None]:
    """The model commands use now and its accuracy on a run's test `images`; (None, None)
    with `skip` (asked to be the default, or a worker that is not the chief) and for a model
    written outside the models folder, not compared."""
    if skip or not _inside(output):
        return None, None
    before = current_default(output)
    if before is None:
        return None, None
    return before, accuracy_of(before, images, labels)


def accuracy_of(model: ChosenModel, images: np.ndarray, labels: np.ndarray) -> float | None:
    """`model`'s accuracy on the images; None where it does not load or run."""
    from digitcli.models.runtimes import load_runtime, resolve_model

    try:
        runtime = load_runtime(resolve_model(model.path))
        predicted = runtime.predict(images).argmax(axis=1)
    except (DigitcliError, OSError, ValueError):
        return None
    return float(np.mean(predicted == labels)) if len(labels) else None


def settle_default(
    output: Path,
    mine: float,
    before: ChosenModel | None,
    theirs: float | None,
    images: int,
    *,
    make_default: bool = False,
    copies: int = 0,
) -> DefaultChoice | None:
    """Record the default once `output` is written: `output` when asked, when there is no
    other, or when it scores at least `theirs` (the current default `before` on the same
    `images` test images, of which `copies` are copies of training pictures) on a test that
    can judge it; else `before`, so that a later run or a newer folder does not change it.
    A model written outside the models folder, not asked to be the default, is recorded
    (`record_model`: `models` lists it) and the default stays what it was."""
    if not _inside(output):
        record_model(Path(output))
    if not (_inside(output) or make_default):
        before = before or current_default(output)
        name = before.name if before else BUNDLED
        return DefaultChoice(name, False, mine, None, images, name, outside=True)
    previous = before.name if before else None
    unjudged = None if make_default or before is None else _unjudged(images, copies)
    if unjudged is not None and before is not None:
        set_default(before.path)
        return DefaultChoice(before.name, False, mine, theirs, images, previous, False, unjudged)
    if make_default or before is None or theirs is None or mine >= theirs:
        set_default(Path(output))
        return DefaultChoice(
            Path(output).name, True, mine, theirs, images, previous, asked=make_default
        )
    set_default(before.path)
    return DefaultChoice(before.name, False, mine, theirs, images, previous)


def _unjudged(images: int, copies: int) -> str | None:
    """Why `images` test images, `copies` of them copies of training pictures, cannot judge
    a model against another; None when they can."""
    if images < FEW_TO_JUDGE:
        return (
            f"only {images} test images are too few to judge a model by (fewer than "
            f"{FEW_TO_JUDGE}: each moves an accuracy by {1 / max(images, 1):.1%})"
        )
    if copies > MOST_COPIES * images:
        return (
            f"{copies} of the {images} test images are copies of training pictures: not an "
            "independent test"
        )
    return None


def copies_across(training: list[np.ndarray], test: np.ndarray) -> int:
    """How many of the `test` pictures are, pixel for pixel, one of the `training` pictures
    (arrays of them, (n, 28, 28)): each picture's pixels hashed, compared as sets."""
    import hashlib

    def digest(picture: np.ndarray) -> bytes:
        return hashlib.blake2b(np.ascontiguousarray(picture).tobytes(), digest_size=16).digest()

    seen = {digest(picture) for pictures in training for picture in pictures}
    return sum(digest(picture) in seen for picture in test)
