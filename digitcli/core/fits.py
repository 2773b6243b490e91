"""What each bundled artefact fits: the version of the image preparation and of `read`'s
segmentation it was trained on, recorded in the artefact and checked when it is loaded.

A network trained on the strips one segmentation makes misreads those another one makes,
without any error. So every artefact carries `{"preparation": N, "segmentation": M}` (as
`fits.json` zipped onto a .tflite file, a `fits` object in a model directory's
metadata.json), and loading one that fits other versions is refused. Change a version here
when its stage changes what it hands on, then `make models`.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from digitcli.core.errors import ModelError

PREPARATION = 1  # images.prepare: how any image file becomes the 28x28 digit a model reads
SEGMENTATION = 1  # segment.py: how `read` cuts a line into candidates and strips
FITS_FILE = "fits.json"


def current() -> dict[str, int]:
    """The versions this digitcli's stages have."""
    return {"preparation": PREPARATION, "segmentation": SEGMENTATION}


def stamp(path: Path, stages: tuple[str, ...]) -> None:
    """Record in the artefact at `path` the current versions of `stages` (used by the scripts
    that build artefacts, after writing them)."""
    fits = {stage: current()[stage] for stage in stages}
    if path.suffix == ".tflite":
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr(FITS_FILE, json.dumps(fits) + "\n")
    else:
        metadata = path / "metadata.json"
        data = json.loads(metadata.read_text())
        metadata.write_text(json.dumps({**data, "fits": fits}, indent=2) + "\n")


def recorded(path: Path) -> dict:
    """The versions recorded in the artefact at `path`; {} where it records none."""
    try:
        if path.suffix == ".tflite":
            with zipfile.ZipFile(path) as archive:
                return json.loads(archive.read(FITS_FILE))
        return dict(json.loads((path / "metadata.json").read_text()).get("fits") or {})
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return {}


def require(path: Path, stages: tuple[str, ...]) -> None:
    """Refuse the artefact at `path` unless it records this digitcli's versions of `stages`."""
    found, wanted = recorded(path), current()
    for stage in stages:
        if found.get(stage) != wanted[stage]:
            raise ModelError(
                f"{path.name} was built for {stage} version {found.get(stage, 'unknown')}, "
                f"this digitcli has version {wanted[stage]}: rebuild it with `make models`"
            )
