"""What a run fits, validates and tests on: the checks that there is enough of each, and the
seeded validation split (shared by training, the fine-tune and the ensemble's calibration)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from digitcli.core.errors import UsageError
from digitcli.datasets.data import Dataset, Split, load_dataset

MIN_IMAGES = 20  # to train on: two a digit, so that something is left to fit, check and test


def check_images(dataset: Dataset, validation_split: float, doing: str = "training") -> None:
    """Refuse a run with too few images to fit, check and test, or a split out of range."""
    if not 0 <= validation_split < 1:
        raise UsageError("--validation-split must be at least 0 and below 1")
    if len(dataset.train) == 0:
        raise UsageError(f"{dataset.source}: no training images")
    if len(dataset.test) == 0:
        raise UsageError(
            f"{dataset.source}: no test images to score the model on (a single CSV needs "
            "at least 2 rows: its last 1/7 is the test set)"
        )
    if (count := len(dataset.train) + len(dataset.test)) < MIN_IMAGES:
        raise UsageError(
            f"{dataset.source}: {count} images; {doing} needs at least {MIN_IMAGES} "
            "(two of each digit), so that some are left to fit, to check and to test"
        )


def validated_on(dataset: Dataset, held: Dataset) -> tuple[Dataset, Split]:
    """`dataset` to fit on all of (its test part too), validated and tested on `held`'s
    images: a user's own digits with a second folder of them to check the model on."""
    everything = Split(
        np.concatenate([dataset.train.x, dataset.test.x]),
        np.concatenate([dataset.train.y, dataset.test.y]),
    )
    files = {**dataset.files, **{f"validation: {name}": d for name, d in held.files.items()}}
    source = f"{dataset.source}, all fitted; validated and tested on {held.source}"
    merged = replace(
        dataset, train=everything, test=held.test, files=files, source=source,
        skipped=(*dataset.skipped, *held.skipped),
    )  # fmt: skip
    return merged, held.test


def split_validation(train: Split, fraction: float, seed: int) -> tuple[Split, Split]:
    """A shuffled, seeded hold-out of `fraction` of the training set."""
    order = np.random.default_rng(seed).permutation(len(train))
    held = int(round(len(train) * fraction))
    fit, val = order[held:], order[:held]
    return Split(train.x[fit], train.y[fit]), Split(train.x[val], train.y[val])


def run_images(
    data: str | Path | None,
    validation_data: str | Path | None,
    fraction: float,
    seed: int,
    doing: str = "training",
) -> tuple[Dataset, Split, Split]:
    """The data a run reads, checked, and the images it fits and validates on: all of `data`'s
    training split and `validation_data`'s images when that is given (`validated_on`), else a
    seeded split of it (training's and the fine-tune's)."""
    dataset, held = load_dataset(data, role="train"), None
    if validation_data is not None:
        dataset, held = validated_on(dataset, load_dataset(validation_data, role="test"))
    check_images(dataset, fraction, doing)
    if held is not None:
        return dataset, dataset.train, held
    return dataset, *split_validation(dataset.train, fraction, seed)
