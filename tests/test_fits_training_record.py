"""An artefact records how it was made (its data, seed and command) beside the versions it
fits: `fits.stamp(..., training=...)` writes it, a later stamp keeps it, loading ignores it."""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

import pytest

from digitcli.core import fits
from digitcli.core.errors import ModelError
from digitcli.imaging import letters, polarity
from digitcli.imaging import settings as preparation
from digitcli.models.modeldir import BUNDLED_DIR
from digitcli.reading import lines

REPO = Path(__file__).resolve().parent.parent
STAGES = ("preparation", "segmentation")
RECORD = {
    "command": "python bench/build/make_line_reader.py --seed 3",
    "seed": 3,
    "data": "numbers",
}


def test_a_stamp_records_the_training_and_a_later_stamp_keeps_it(tmp_path: Path) -> None:
    copy = tmp_path / "lines.tflite"
    shutil.copyfile(lines.MODEL, copy)
    fits.stamp(copy, STAGES, lines.FITS, training=RECORD)
    assert fits.recorded(copy)["training"] == RECORD
    fits.stamp(copy, STAGES, lines.FITS)  # --stamp-only after a setting changed
    assert fits.recorded(copy)["training"] == RECORD
    fits.require(copy, STAGES, lines.FITS)  # the record is no stage: nothing to refuse


def test_a_stamp_without_a_record_records_none(tmp_path: Path) -> None:
    """The bundled model's metadata records no training: stamping it adds none."""
    copy = tmp_path / "bundled"
    shutil.copytree(BUNDLED_DIR, copy)
    assert "training" not in fits.recorded(copy)
    fits.stamp(copy, ("preparation",), {"preparation": preparation.DEFAULT})
    assert "training" not in fits.recorded(copy)


@pytest.mark.parametrize(
    ("script", "network"), [("judge_small", letters), ("make_polarity", polarity)]
)
def test_a_stamp_step_restamps_its_network_and_keeps_its_record(
    tmp_path, monkeypatch, script, network
) -> None:
    """`judge_small.py stamp`, `make_polarity.py stamp` (as `make_judge.py --stamp-only` for
    the judge): after a setting went, the network's stamp is made this digitcli's again, its
    training record kept."""
    copy = tmp_path / network.MODEL.name
    shutil.copyfile(network.MODEL, copy)
    record = fits.recorded(copy)["training"]
    old = {"preparation": {"gone_setting": 1.0}}  # a stamp of other settings
    fits.stamp(copy, ("preparation",), old, training=record)
    with pytest.raises(ModelError):
        fits.require(copy, ("preparation",), network.FITS)
    monkeypatch.syspath_prepend(str(REPO / "bench" / "build"))
    monkeypatch.setattr(sys, "argv", [f"{script}.py", "stamp", "--out", str(copy)])
    builder = importlib.import_module(script)  # a bench script, as the bench's tests import theirs
    builder.main()
    fits.require(copy, ("preparation",), network.FITS)
    assert fits.recorded(copy)["training"] == record
