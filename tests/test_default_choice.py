"""The default model is the user's choice: a new model replaces it only when it reads the same
test images at least as well, or when asked (`train --make-default`, `models use`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digitcli.cli import app

pytestmark = pytest.mark.default_model

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "drawing.png"


def _models(*args: str) -> list[dict]:
    result = runner.invoke(app, ["models", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _default() -> str:
    return next(model["name"] for model in _models() if model["default"])


def _copy(tiny_model: Path, name: str) -> Path:
    from digitcli.core.config import models_root

    return Path(shutil.copytree(tiny_model, models_root() / name))


def test_models_use_makes_a_model_the_default_and_back_to_bundled(tiny_model: Path) -> None:
    from digitcli.core.config import models_root

    _copy(tiny_model, "mine")
    _copy(tiny_model, "newer")
    assert runner.invoke(app, ["models", "use", "mine"]).exit_code == 0
    assert _default() == "mine"  # not the newer one: the choice is kept
    recorded = json.loads((models_root() / "default.json").read_text())
    assert recorded == {"model": "mine"}
    assert not [p for p in models_root().iterdir() if p.name.startswith(".default")]
    used = runner.invoke(app, ["models", "use", "bundled"])
    assert used.exit_code == 0 and "bundled" in used.stderr
    assert _default() == "bundled"
    missing = runner.invoke(app, ["models", "use", "nothing-here"])
    assert missing.exit_code == 2 and "nothing-here" in missing.stderr
    assert _default() == "bundled"


def test_a_default_that_is_deleted_leaves_the_bundled_model(tiny_model: Path) -> None:
    chosen = _copy(tiny_model, "mine")
    _copy(tiny_model, "other")
    assert runner.invoke(app, ["models", "use", "mine"]).exit_code == 0
    shutil.rmtree(chosen)
    assert _default() == "bundled"


def test_models_shows_each_accuracy_with_the_size_of_its_test_set(tiny_model: Path) -> None:
    from digitcli.models.modeldir import read_metadata

    _copy(tiny_model, "mine")
    tested = read_metadata(tiny_model).data["test_samples"]
    listed = {model["name"]: model for model in _models()}
    assert listed["mine"]["test_samples"] == tested
    assert listed["bundled"]["test_samples"] == 10000
    rows = runner.invoke(app, ["models"]).stdout.splitlines()
    mine = next(row.split("\t") for row in rows if row.startswith("mine\t"))
    assert mine[-2:] == [str(tested), f"{tested} test digits of tiny_data"]


@pytest.mark.slow
def test_train_keeps_a_better_default_and_says_why(tiny_model: Path) -> None:
    _copy(tiny_model, "good")
    assert runner.invoke(app, ["models", "use", "good"]).exit_code == 0
    weak = ["train", "--epochs", "1", "--learning-rate", "1e-7", "--no-calibrate"]
    result = runner.invoke(app, [*weak, "-o", "models/weak", "--json"])
    assert result.exit_code == 0, result.output
    assert _default() == "good"
    said = [line for line in result.stderr.splitlines() if "stays the default" in line]
    assert len(said) == 1 and "good" in said[0] and "--make-default" in said[0]
    assert json.loads(result.stdout)["default"]["changed"] is False
    asked = runner.invoke(app, [*weak, "-o", "models/asked", "--make-default", "-q"])
    assert asked.exit_code == 0, asked.output
    assert _default() == "asked"


def _models_within(seconds: float) -> subprocess.CompletedProcess:
    """`digitcli models --json` in its own process, which must end within `seconds` and in
    4 GB of address space."""
    from serving import with_limit

    command = with_limit(
        "RLIMIT_AS", 4 << 30, [sys.executable, "-m", "digitcli", "models", "--json"]
    )
    return subprocess.run(command, capture_output=True, text=True, timeout=seconds)


def test_a_model_name_too_long_for_the_system_is_no_such_model(tiny_model: Path) -> None:
    _copy(tiny_model, "mine")
    result = runner.invoke(app, ["models", "use", "a" * 5000])
    assert result.exit_code == 2, result.output
    assert "no such model" in result.stderr and "unexpected" not in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "endless"])
def test_a_default_file_that_never_ends_is_not_read_forever(tiny_model: Path, kind: str) -> None:
    from digitcli.core.config import models_root

    _copy(tiny_model, "mine")
    recorded = models_root() / "default.json"
    if kind == "fifo":
        os.mkfifo(recorded)
    else:
        recorded.symlink_to("/dev/zero")
    result = _models_within(30)
    assert result.returncode == 0, result.stderr
    (listed,) = [model for model in json.loads(result.stdout) if model["default"]]
    assert listed["name"] == "bundled"  # a choice that cannot be read is not the latest


@pytest.mark.parametrize(
    "content", [b"not json", b'{"model": "a\\u0000b"}', b"\xff\xfe", b'{"model": "loop"}']
)
def test_a_damaged_default_file_leaves_the_bundled_model(tiny_model: Path, content: bytes) -> None:
    from digitcli.core.config import models_root

    _copy(tiny_model, "mine")
    (models_root() / "loop").symlink_to("loop")  # a link to itself: "Symlink loop" on resolving
    (models_root() / "default.json").write_bytes(content)
    assert _default() == "bundled"
    predicted = runner.invoke(app, ["predict", str(EXAMPLE), "-f", "jsonl"])
    assert predicted.exit_code == 0, predicted.output
    assert json.loads(predicted.stdout)["model"]["bundled"] is True


def test_a_default_file_that_is_a_folder_is_refused_and_kept(tiny_model: Path) -> None:
    from digitcli.core.config import models_root

    _copy(tiny_model, "mine")
    folder = models_root() / "default.json"
    folder.mkdir()
    (folder / "mine.txt").write_text("kept")
    assert _default() == "bundled"
    result = runner.invoke(app, ["models", "use", "mine"])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and "default.json" in result.stderr
    assert "unexpected" not in result.stderr
    assert (folder / "mine.txt").read_text() == "kept"
    assert not [p for p in models_root().iterdir() if p.name.startswith(".default")]


def test_models_use_where_nothing_can_be_written_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIGITCLI_MODELS", "/proc")  # a folder not even root can write in
    result = runner.invoke(app, ["models", "use", "bundled"])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and "/proc" in result.stderr
    assert "unexpected" not in result.stderr


def test_a_default_outside_the_models_folder_is_listed_as_the_default(
    tiny_model: Path, tmp_path: Path
) -> None:
    _copy(tiny_model, "mine")
    elsewhere = Path(shutil.copytree(tiny_model, tmp_path / "elsewhere" / "far"))
    assert runner.invoke(app, ["models", "use", str(elsewhere)]).exit_code == 0
    (listed,) = [model for model in _models() if model["default"]]
    assert listed["name"] == "far" and listed["why"] == "the default"
    result = runner.invoke(app, ["models"])
    assert "no trained model" not in result.stderr and "far\t" in result.stdout


def test_a_link_to_a_model_is_one_row_and_the_default_is_one_row(tiny_model: Path) -> None:
    from digitcli.core.config import models_root

    _copy(tiny_model, "mine")
    (models_root() / "link").symlink_to("mine")
    assert runner.invoke(app, ["models", "use", "link"]).exit_code == 0
    listed = _models()
    assert sum(model["default"] for model in listed) == 1
    assert sorted(model["name"] for model in listed) == ["bundled", "link", "mine"]
    assert {model["path"] for model in listed if not model["bundled"]} == {
        str(models_root() / "mine"),
        str(models_root() / "link"),
    }


@pytest.mark.parametrize("where", ["unwritable", "folder"])
def test_train_make_default_that_cannot_be_recorded_is_refused_before_training(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    if where == "unwritable":
        monkeypatch.setenv("DIGITCLI_MODELS", "/proc")  # a folder not even root can write in
    else:
        from digitcli.core.config import models_root

        (models_root() / "default.json").mkdir(parents=True)
    output = tmp_path / "elsewhere" / "mine"
    command = ["train", "--epochs", "1", "--no-calibrate", "-o", str(output), "--make-default"]
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    assert "default" in result.stderr and "unexpected" not in result.stderr
    assert not output.exists()  # refused before a minute of training, not after


def test_a_model_folder_whose_metadata_is_a_fifo_is_not_waited_on(tiny_model: Path) -> None:
    from digitcli.core.config import models_root

    _copy(tiny_model, "mine")
    (models_root() / "fifo").mkdir()
    os.mkfifo(models_root() / "fifo" / "metadata.json")
    result = _models_within(30)
    assert result.returncode == 0, result.stderr
    (listed,) = [model for model in json.loads(result.stdout) if model["default"]]
    assert listed["name"] == "mine"  # the latest trained: no default.json


def test_a_trained_model_in_a_folder_named_bundled_is_not_the_bundled_model(
    tiny_model: Path,
) -> None:
    mine = _copy(tiny_model, "bundled")
    used = runner.invoke(app, ["models", "use", str(mine)])
    assert used.exit_code == 0, used.output
    (listed,) = [model for model in _models() if model["default"]]
    assert listed["path"] == str(mine) and listed["bundled"] is False


def test_a_default_whose_metadata_became_a_fifo_is_not_waited_on(tiny_model: Path) -> None:
    mine = _copy(tiny_model, "mine")
    assert runner.invoke(app, ["models", "use", "mine"]).exit_code == 0
    (mine / "metadata.json").unlink()
    os.mkfifo(mine / "metadata.json")
    result = _models_within(30)
    assert result.returncode == 0, result.stderr
    (listed,) = [model for model in json.loads(result.stdout) if model["default"]]
    assert listed["name"] == "bundled" and listed["why"] == "bundled: the default is gone"


def test_models_use_of_a_path_is_that_path_not_its_namesake_in_the_models_folder(
    tiny_model: Path, tmp_path: Path
) -> None:
    _copy(tiny_model, "mine")
    here = Path(shutil.copytree(tiny_model, tmp_path / "mine"))  # ./mine: the test's folder
    assert runner.invoke(app, ["models", "use", "./mine"]).exit_code == 0
    (listed,) = [model for model in _models() if model["default"]]
    assert Path(listed["path"]).resolve() == here.resolve()
    assert runner.invoke(app, ["models", "use", "mine"]).exit_code == 0  # a name: the folder's
    (listed,) = [model for model in _models() if model["default"]]
    assert Path(listed["path"]).resolve() != here.resolve()


def test_a_name_models_use_takes_is_taken_wherever_a_model_is_named(tiny_model: Path) -> None:
    """`models use mine` took a models folder's name that `--model mine`, `evaluate mine` and
    `digitcli.load("mine")` refused ("no such model")."""
    import digitcli

    _copy(tiny_model, "mine")
    predicted = runner.invoke(app, ["predict", "--model", "mine", str(EXAMPLE), "-f", "jsonl"])
    assert predicted.exit_code in (0, 3), predicted.output
    assert json.loads(predicted.stdout)["model"]["name"] == "mine"
    assert runner.invoke(app, ["evaluate", "mine", "-q"]).exit_code == 0
    assert digitcli.load("mine").info.name == "mine"
    Path("mine").write_text("a file of that name here")  # a path that exists comes first
    assert runner.invoke(app, ["evaluate", "mine", "-q"]).exit_code == 2


@pytest.mark.parametrize(
    ("content", "says"), [(b"not json", "unreadable"), (b'{"model": "gone"}', "does not load")]
)
def test_models_says_why_the_recorded_default_is_not_the_one_answering(
    tiny_model: Path, content: bytes, says: str
) -> None:
    """A broken choice left the bundled model answering with no word of why."""
    from digitcli.core.config import models_root

    _copy(tiny_model, "mine")
    (models_root() / "default.json").write_bytes(content)
    listed = runner.invoke(app, ["models"])
    assert listed.exit_code == 0
    assert "default.json" in listed.stderr and says in listed.stderr, listed.stderr
    assert "the bundled model answers" in listed.stderr
