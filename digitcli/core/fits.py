"""What each bundled artefact fits: the version of the image preparation and of `read`'s
segmentation it was trained on, recorded in the artefact and checked when it is loaded.

A network trained on the strips one segmentation makes misreads those another one makes,
without any error. So every artefact carries `{"preparation": N, "segmentation": M}` (as
`fits.json` zipped onto a .tflite file, a `fits` object in a model directory's
metadata.json), and loading one that fits other versions is refused. Change a version here
when its stage changes what it hands on, then `make models`. Each stage's tuned numbers are
in one frozen settings dataclass (`imaging.settings` for the preparation, `reading.settings`
for segmentation), which the caller passes along (this layer cannot import them): its version
is then its number and a short hash of every field (`1-3fa29c04d1e8`), so a changed setting
changes it too.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from digitcli.core.errors import ModelError

PREPARATION = 2  # images.prepare: how any image file becomes the 28x28 digit a model reads
SEGMENTATION = 1  # segment.py: how `read` cuts a line into candidates and strips
FITS_FILE = "fits.json"


Settings = Mapping[str, object]  # stage -> its frozen settings dataclass


def settings_hash(settings: object) -> str:
    """A short hash of a settings dataclass's fields, names and values: any change changes it."""
    fields = json.dumps(asdict(settings), sort_keys=True)
    return hashlib.sha256(fields.encode()).hexdigest()[:12]


def current(settings: Settings | None = None) -> dict[str, int | str]:
    """The versions this digitcli's stages have: each stage's number, and for a stage in
    `settings`, with the hash of its settings."""
    versions: dict[str, int | str] = {"preparation": PREPARATION, "segmentation": SEGMENTATION}
    for stage, fields in (settings or {}).items():
        versions[stage] = f"{versions[stage]}-{settings_hash(fields)}"
    return versions


def stamp(path: Path, stages: tuple[str, ...], settings: Settings | None = None) -> None:
    """Record in the artefact at `path` the current versions of `stages`, replacing any it
    records (used by the scripts that build artefacts, after writing them). The stamped file
    is written beside it and put in its place whole: a failure leaves the artefact as it was."""
    fits = {stage: current(settings)[stage] for stage in stages}
    target = path if path.suffix == ".tflite" else path / "metadata.json"
    draft = target.with_name(f".{target.name}.stamp-{os.getpid()}")
    try:
        if path.suffix == ".tflite":
            shutil.copyfile(target, draft)
            _without_fits_file(draft)
            entry = zipfile.ZipInfo(FITS_FILE, date_time=(1980, 1, 1, 0, 0, 0))  # the same bytes
            with zipfile.ZipFile(draft, "a") as archive:
                archive.writestr(entry, json.dumps(fits) + "\n")
        else:
            data = json.loads(target.read_text())
            draft.write_text(json.dumps({**data, "fits": fits}, indent=2) + "\n")
        os.replace(draft, target)
    finally:
        draft.unlink(missing_ok=True)


def recorded(path: Path) -> dict:
    """The versions recorded in the artefact at `path`; {} where it records none."""
    try:
        if path.suffix == ".tflite":
            with zipfile.ZipFile(path) as archive:
                return json.loads(archive.read(FITS_FILE))
        return dict(json.loads((path / "metadata.json").read_text()).get("fits") or {})
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return {}


def _without_fits_file(path: Path) -> None:
    """Cut the zip archive holding only FITS_FILE off the end of a .tflite file, if it has one,
    so that stamping it again leaves one record, not two."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return
    if [member.filename for member in members] == [FITS_FILE]:
        with open(path, "r+b") as file:
            file.truncate(members[0].header_offset)


def require(path: Path, stages: tuple[str, ...], settings: Settings | None = None) -> None:
    """Refuse the artefact at `path` unless it records this digitcli's versions of `stages`
    (those in `settings` with the hash of their settings)."""
    found, wanted = recorded(path), current(settings)
    for stage in stages:
        if found.get(stage) != wanted[stage]:
            raise ModelError(
                f"{path.name} was built for {stage} version {found.get(stage, 'unknown')}, "
                f"this digitcli has version {wanted[stage]}: rebuild it with `make models`"
            )
