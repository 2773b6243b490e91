"""Every bundled artefact says which preparation and segmentation it fits; a mismatch is
refused when it is loaded, never read silently."""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import fields, replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digitcli.cli import app
from digitcli.core import fits
from digitcli.core.errors import ModelError
from digitcli.imaging import colours, judge, letters, polarity, unsure
from digitcli.imaging import settings as preparation
from digitcli.imaging.settings import PreparationSettings
from digitcli.models.modeldir import BUNDLED_DIR
from digitcli.reading import lines
from digitcli.reading.settings import DEFAULT, ReadingSettings

PREPARED = {"preparation": preparation.DEFAULT}  # every artefact fits the preparation's settings
READING = {**PREPARED, "segmentation": DEFAULT}  # the line reader fits segmentation's too
ARTEFACTS = [
    (lines.MODEL, ("preparation", "segmentation"), READING),
    (BUNDLED_DIR, ("preparation",), PREPARED),
    *(
        (network, ("preparation",), PREPARED)
        for network in (judge.MODEL, letters.MODEL, polarity.MODEL, colours.MODEL, unsure.MODEL)
    ),
]


@pytest.mark.parametrize(
    ("path", "stages", "settings"), ARTEFACTS, ids=lambda a: getattr(a, "name", "")
)
def test_every_bundled_artefact_records_the_versions_it_fits(path: Path, stages, settings) -> None:
    fits.require(path, stages, settings)
    recorded = {k: v for k, v in fits.recorded(path).items() if k != fits.TRAINING}
    assert recorded == {stage: fits.current(settings)[stage] for stage in stages}


def test_the_line_reader_records_how_it_was_trained() -> None:
    """Its data, seed and command (the record `make_line_reader.py` writes), no machine's path."""
    training = fits.recorded(lines.MODEL)[fits.TRAINING]
    assert set(training) == {"command", "seed", "data"}
    assert training["command"].startswith("python bench/build/make_line_reader.py")
    words = " ".join(str(value) for value in training.values()).split()
    assert not [word for word in words if word.startswith("/")]  # no absolute path


BUILDERS = {  # each shipped network and the script in bench/build that made it
    lines.MODEL: "make_line_reader.py",
    judge.MODEL: "make_judge.py",
    letters.MODEL: "judge_small.py",
    polarity.MODEL: "make_polarity.py",
    colours.MODEL: "make_colours.py",
    unsure.MODEL: "make_unsure.py",
}


@pytest.mark.parametrize("path", BUILDERS, ids=lambda path: path.name)
def test_each_network_s_recorded_command_names_the_builder_that_made_it(path: Path) -> None:
    """colours.tflite's said `make_polarity.py` (round 24: the builder borrowed its command)."""
    command = fits.recorded(path)[fits.TRAINING]["command"]
    assert BUILDERS[path] in " ".join(command.split()[:2]), command


STAMPED_READING = [f.name for f in fields(ReadingSettings) if f.name not in DEFAULT.UNSTAMPED]
STAMPED_PREPARATION = [
    f.name for f in fields(PreparationSettings) if f.name not in preparation.DEFAULT.UNSTAMPED
]


def _other(settings, field: str):
    return replace(settings, **{field: getattr(settings, field) * 2 + 1})


@pytest.mark.parametrize("field", STAMPED_READING)
def test_changing_a_stamped_reading_setting_changes_the_stamp(field: str) -> None:
    changed = _other(DEFAULT, field)
    assert fits.current({"segmentation": changed}) != fits.current(READING)
    assert fits.current(READING)["segmentation"]["version"] == fits.SEGMENTATION


@pytest.mark.parametrize("field", sorted(DEFAULT.UNSTAMPED))
def test_a_decision_or_speed_setting_of_reading_changes_no_stamp(field: str) -> None:
    """Thresholds weighing the networks' answers and speed settings are not what the line
    reader was trained on: moving one leaves it loadable."""
    changed = _other(DEFAULT, field)
    assert fits.current({**READING, "segmentation": changed}) == fits.current(READING)
    fits.require(lines.MODEL, ("preparation", "segmentation"), {**READING, "segmentation": changed})


def test_the_judges_threshold_moved_changes_no_stamp() -> None:
    """not_digit 0.2 -> 0.25 made predict exit 2 ("rebuild it with `make models`")."""
    moved = {"preparation": replace(preparation.DEFAULT, not_digit=0.25)}
    for path, stages in ((BUNDLED_DIR, ("preparation",)), (lines.MODEL, ("preparation",))):
        fits.require(path, stages, moved)


def test_a_refused_artefact_names_the_setting_that_differs() -> None:
    other = {**READING, "segmentation": replace(DEFAULT, work_height=DEFAULT.work_height + 1)}
    with pytest.raises(ModelError, match=r"setting work_height 96, this digitcli has 97"):
        fits.require(lines.MODEL, ("preparation", "segmentation"), other)


def test_an_artefact_stamped_before_field_stamps_still_loads(tmp_path: Path) -> None:
    """A model trained by an earlier digitcli records `N-<hash of every field>`: it loads while
    the settings are those it was trained on, and is refused, in words, when they are not."""
    model = tmp_path / "model"
    model.mkdir()
    legacy = f"{fits.PREPARATION}-{fits.settings_hash(preparation.DEFAULT)}"
    (model / "metadata.json").write_text(json.dumps({"fits": {"preparation": legacy}}))
    fits.require(model, ("preparation",), PREPARED)
    changed = {"preparation": replace(preparation.DEFAULT, work_size=200)}
    with pytest.raises(ModelError, match="an older kind of stamp"):
        fits.require(model, ("preparation",), changed)


def test_a_line_reader_stamped_with_other_settings_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / lines.MODEL.name
    shutil.copy(lines.MODEL, copy)
    other = {**READING, "segmentation": replace(DEFAULT, strip_span=DEFAULT.strip_span + 1)}
    fits.stamp(copy, ("preparation", "segmentation"), other)
    assert fits.recorded(copy)["segmentation"] == fits.current(other)["segmentation"]
    with pytest.raises(ModelError, match="rebuild it with `make models`"):
        fits.require(copy, ("preparation", "segmentation"), READING)
    fits.stamp(copy, ("preparation", "segmentation"), READING)  # stamped again: one record
    fits.require(copy, ("preparation", "segmentation"), READING)
    assert copy.stat().st_size == lines.MODEL.stat().st_size


@pytest.mark.parametrize("source", [lines.MODEL, BUNDLED_DIR], ids=str)
def test_an_artefact_for_another_segmentation_is_refused(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / source.name
    (shutil.copytree if source.is_dir() else shutil.copy)(source, copy)
    monkeypatch.setattr(fits, "SEGMENTATION", fits.SEGMENTATION + 1)
    monkeypatch.setattr(fits, "PREPARATION", fits.PREPARATION + 1)
    fits.stamp(copy, ("preparation", "segmentation"))  # as a newer build script would
    monkeypatch.undo()
    with pytest.raises(ModelError, match="rebuild it with `make models`"):
        fits.require(copy, ("preparation", "segmentation"))


def test_predict_with_a_bundled_model_of_another_preparation_is_a_model_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    built = fits.PREPARATION
    monkeypatch.setattr(fits, "PREPARATION", fits.PREPARATION + 1)
    monkeypatch.chdir(tmp_path)  # no trained model here: the bundled one answers
    image = tmp_path / "blank.png"
    from PIL import Image

    Image.new("L", (28, 28)).save(image)
    result = CliRunner().invoke(app, ["predict", str(image)])
    assert result.exit_code == 2, result.output
    assert "pretrained was built for another preparation: " in result.stderr
    assert f"version {built}, this digitcli has version {built + 1}" in result.stderr


@pytest.mark.parametrize("field", STAMPED_PREPARATION)
def test_changing_a_stamped_preparation_setting_changes_the_stamp(field: str) -> None:
    """A setting of the preparation changed cannot pass silently: its stamp changes with it."""
    changed = _other(preparation.DEFAULT, field)
    assert fits.current({"preparation": changed}) != fits.current(PREPARED)


def test_the_preparation_stamp_is_its_number_and_its_stamped_values() -> None:
    stamp = fits.current(PREPARED)["preparation"]
    assert stamp["version"] == fits.PREPARATION
    assert stamp["settings"]["work_size"] == preparation.DEFAULT.work_size
    assert "not_digit" not in stamp["settings"]


def test_a_failed_stamp_leaves_the_artefact_as_it_was(tmp_path: Path, monkeypatch) -> None:
    """Stamping writes a new copy and puts it in place whole: a failure half-way (a full disk)
    leaves the old, loadable line reader, not a truncated one."""
    copy = tmp_path / "lines.tflite"
    shutil.copyfile(lines.MODEL, copy)
    before = copy.read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", full_disk)
    with pytest.raises(OSError):
        fits.stamp(copy, ("preparation", "segmentation"), READING)
    assert copy.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["lines.tflite"]  # no copy left behind


def test_a_failed_stamp_leaves_the_metadata_as_it_was(tmp_path: Path, monkeypatch) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "metadata.json").write_text('{"kind": "mlp"}\n')

    def full_disk(self, data, *args, **kwargs):
        self.open("w").close()  # opened, emptied, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError):
        fits.stamp(model, ("preparation",))
    assert (model / "metadata.json").read_text() == '{"kind": "mlp"}\n'
