"""What each bundled artefact fits: the version of each stage it was trained on and the
values of the settings its training depended on, recorded in the artefact and checked when it
is loaded.

A network trained on the strips one segmentation makes misreads those another one makes,
without any error. So every artefact carries, for each stage it fits, `{"version": N,
"settings": {field: value, ...}}` (as `fits.json` zipped onto a .tflite file, a `fits` object
in a model directory's metadata.json), and loading one that fits another version or other
values is refused, naming the field that differs. Only what a network was trained on is
stamped: a settings dataclass names in `UNSTAMPED` its fields that decide after the networks
have answered (thresholds) or change only speed; moving those changes no stamp. Change a
version here when its stage changes what it hands on, then `make models`. A stage's settings
are passed along by the caller (this layer cannot import them): a frozen settings dataclass,
or a plain mapping of values.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from pathlib import Path

from digitcli.core.errors import ModelError

PREPARATION = 2  # images.prepare: how any image file becomes the 28x28 digit a model reads
SEGMENTATION = 2  # segment.py: how `read` cuts a line into candidates and strips (2: specks)
FITS_FILE = "fits.json"
TRAINING = "training"  # the record's entry saying what an artefact was trained on, and how
REBUILD = "rebuild it with `make models`"


Settings = Mapping[str, object]  # stage -> its frozen settings dataclass, or a mapping of values


def settings_hash(settings: object) -> str:
    """A short hash of a settings dataclass's fields, names and values: any change changes it
    (the form of the stamps recorded before 0.10)."""
    import hashlib  # here: only stamps of before 0.10 need it, not a cold `predict`

    fields = json.dumps(asdict(settings), sort_keys=True)
    return hashlib.sha256(fields.encode()).hexdigest()[:12]


def stamped_values(settings: object) -> dict:
    """The settings a network's training depends on: every field of a settings dataclass but
    those it names in `UNSTAMPED`; a mapping as it is."""
    if is_dataclass(settings):
        skipped = getattr(settings, "UNSTAMPED", frozenset())
        values = {k: v for k, v in asdict(settings).items() if k not in skipped}
    else:
        values = dict(settings)
    return json.loads(json.dumps(values))  # as recorded: tuples are lists


def _versions() -> dict[str, int]:
    return {"preparation": PREPARATION, "segmentation": SEGMENTATION}


def current(settings: Settings | None = None) -> dict[str, dict]:
    """What this digitcli's stages are: for each, its version, and for a stage in `settings`
    the values of the settings a network trained on it depends on."""
    versions: dict[str, dict] = {stage: {"version": n} for stage, n in _versions().items()}
    for stage, fields in (settings or {}).items():
        versions[stage]["settings"] = stamped_values(fields)
    return versions


def stamp(
    path: Path,
    stages: tuple[str, ...],
    settings: Settings | None = None,
    training: Mapping[str, object] | None = None,
) -> None:
    """Record in the artefact at `path` the current versions of `stages`, replacing any it
    records (used by the scripts that build artefacts, after writing them), and how it was
    trained (`training`: its data's hashes, seed and command, under TRAINING; None keeps the
    record already there). The stamped file is written beside it and put in its place whole:
    a failure leaves the artefact as it was."""
    fits: dict[str, object] = {stage: current(settings)[stage] for stage in stages}
    kept = recorded(path).get(TRAINING) if training is None else dict(training)
    if kept is not None:
        fits[TRAINING] = kept
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
    """Refuse the artefact at `path` unless it records this digitcli's version of each of
    `stages` and, for those in `settings`, the same value of every stamped setting; the error
    names the first that differs."""
    found, wanted = recorded(path), current(settings)
    for stage in stages:
        problem = _difference(found.get(stage), wanted[stage], (settings or {}).get(stage))
        if problem is not None:
            raise ModelError(f"{path.name} was built for another {stage}: {problem}; {REBUILD}")


def _difference(found: object, wanted: dict, settings: object) -> str | None:
    """What differs between a recorded stage and this digitcli's, in words; None if nothing."""
    if isinstance(found, str):  # a stamp of before 0.10: the version and a hash of every field
        legacy = f"{wanted['version']}" + (
            f"-{settings_hash(settings)}" if is_dataclass(settings) else ""
        )
        return None if found == legacy else f"it records {found!r}, an older kind of stamp"
    if not isinstance(found, dict):
        return "it records no version of it"
    if found.get("version") != wanted["version"]:
        return f"version {found.get('version')}, this digitcli has version {wanted['version']}"
    recorded_values = found.get("settings") or {}
    for field, value in wanted.get("settings", {}).items():
        if recorded_values.get(field, "unrecorded") != value:
            shown = recorded_values.get(field, "unrecorded")
            return f"setting {field} {shown}, this digitcli has {value}"
    return None
