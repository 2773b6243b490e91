"""An artefact records how it was made (its data, seed and command) beside the versions it
fits: `fits.stamp(..., training=...)` writes it, a later stamp keeps it, loading ignores it."""

from __future__ import annotations

import shutil
from pathlib import Path

from digitcli.core import fits
from digitcli.imaging import settings as preparation
from digitcli.models.modeldir import BUNDLED_DIR
from digitcli.reading import lines

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
