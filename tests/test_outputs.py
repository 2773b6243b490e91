"""What `--force` may replace, and what every output is checked for before any work: a model
directory is never replaced by another kind of output, a folder output never lands on a file,
and a model's own runtime file is never exported over."""

from __future__ import annotations

import shutil

import pytest

from inprocess import digitcli


@pytest.fixture
def model(tiny_model, tmp_path):
    """A model directory of the test's own, which a test may try to destroy."""
    return shutil.copytree(tiny_model, tmp_path / "m1")


def files_of(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(
    "args",
    [
        ["export", "{m}", "-f", "savedmodel", "-o", "{m}", "--force", "--no-verify"],
        ["evaluate", "{m}", "--report", "{m}", "--force"],
        ["evaluate", "{m}", "--save-mistakes", "{m}/model.png", "--force"],
    ],
    ids=["export-savedmodel", "evaluate-report", "evaluate-mistakes-inside"],
)
def test_force_never_replaces_a_model_directory_with_another_output(model, args):
    before = files_of(model)
    done = digitcli(*[a.format(m=model) for a in args], text=True)
    if args[0] == "evaluate" and args[2] == "--save-mistakes":
        assert done.returncode == 0, done.stderr  # a new file inside is fine
        assert set(before) <= set(files_of(model))
        return
    assert done.returncode == 2, done.stderr
    assert "model directory" in done.stderr
    assert "unexpected" not in done.stderr
    assert files_of(model) == before


def test_force_still_replaces_a_report_with_a_report(model, tmp_path):
    report = tmp_path / "report"
    assert digitcli("evaluate", str(model), "--report", str(report)).returncode == 0
    done = digitcli("evaluate", str(model), "--report", str(report), "--force", text=True)
    assert done.returncode == 0, done.stderr
    assert (report / "report.html").is_file()


def test_a_report_is_not_replaced_by_a_savedmodel(model, tmp_path):
    report = tmp_path / "report"
    assert digitcli("evaluate", str(model), "--report", str(report)).returncode == 0
    done = digitcli(
        "export", str(model), "-f", "savedmodel", "-o", str(report), "--force", "--no-verify",
        text=True,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "report" in done.stderr
    assert (report / "report.html").is_file()


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--epochs", "1", "--output", "{f}", "--force"],
        ["evaluate", "{m}", "--report", "{f}", "--force"],
        ["export", "{m}", "-f", "savedmodel", "-o", "{f}", "--force", "--no-verify"],
    ],
    ids=["train", "evaluate-report", "export-savedmodel"],
)
def test_a_folder_output_on_a_file_is_refused_before_any_work(model, tmp_path, args):
    afile = tmp_path / "afile"
    afile.write_text("mine\n")
    done = digitcli(*[a.format(m=model, f=afile) for a in args], text=True)
    assert done.returncode == 2, done.stderr
    assert "unexpected" not in done.stderr
    assert "afile" in done.stderr and "file" in done.stderr
    assert afile.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("afile", ".afile"))) == [
        "afile"
    ]


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("tflite-int8", "model.tflite"), ("tflite-f16", "model.tflite"), ("keras", "model.keras")],
)
def test_export_never_writes_over_a_models_own_files(model, fmt, name):
    own = model / name
    before = own.read_bytes()
    done = digitcli("export", str(model), "-f", fmt, "-o", str(own), "--force", "--no-verify")
    assert done.returncode == 2, done.stderr
    assert b"unexpected" not in done.stderr
    assert own.read_bytes() == before


def test_export_never_writes_over_another_models_runtime_file(model, tmp_path):
    other = shutil.copytree(model, tmp_path / "m2")
    own = other / "model.keras"
    before = own.read_bytes()
    done = digitcli("export", str(model), "-f", "keras", "-o", str(own), "--force", "--no-verify")
    assert done.returncode == 2, done.stderr
    assert own.read_bytes() == before


def test_export_never_writes_over_its_source_file(model, tmp_path):
    source = tmp_path / "alone.keras"
    shutil.copy(model / "model.keras", source)
    before = source.read_bytes()
    done = digitcli("export", str(source), "-f", "keras", "-o", str(source), "--force")
    assert done.returncode == 2, done.stderr
    assert source.read_bytes() == before


def a_picture(path):
    import numpy as np
    from PIL import Image

    pixels = np.zeros((28, 28), np.uint8)
    pixels[5:23, 13:15] = 255
    Image.fromarray(pixels).save(path)
    return path


@pytest.mark.parametrize("command", ["predict", "read"])
def test_save_preprocessed_never_writes_over_files_or_through_links(tmp_path, command):
    picture = a_picture(tmp_path / "a.png")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    previews = tmp_path / "previews"
    previews.mkdir()
    (previews / "00001-a.png").symlink_to(victim)
    (previews / "00001-a-1.png").symlink_to(victim)
    done = digitcli(command, str(picture), "--save-preprocessed", str(previews), text=True)
    assert done.returncode == 2, done.stderr
    assert "previews" in done.stderr and "unexpected" not in done.stderr
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize("command", ["predict", "read"])
def test_save_preprocessed_into_a_new_or_empty_folder(tmp_path, command):
    picture = a_picture(tmp_path / "a.png")
    (tmp_path / "empty").mkdir()
    for folder in ("empty", "new"):
        done = digitcli(command, str(picture), "--save-preprocessed", str(tmp_path / folder))
        assert done.returncode in (0, 3), done.stderr
        assert list((tmp_path / folder).iterdir())


@pytest.mark.parametrize("name", ["answers.jsonl", "answers.parquet"])
def test_distributed_predict_never_truncates_an_existing_output(tmp_path, name):
    """The answers file is written whole or not at all, and an existing one is refused before
    any work unless `force`: it was opened for writing (emptied) before the cluster started,
    so a missing dask, or any failure, lost the user's file."""
    from digitcli.api.distributed import predict_files
    from digitcli.core.errors import OutputExistsError

    pictures = tmp_path / "in"
    pictures.mkdir()
    a_picture(pictures / "a.png")
    answers = tmp_path / name
    answers.write_text("mine\n")
    with pytest.raises(OutputExistsError):
        predict_files(pictures, answers, model="bundled")
    assert answers.read_text() == "mine\n"
    link = tmp_path / f"link-{name}"
    link.symlink_to(tmp_path / "victim.txt")
    (tmp_path / "victim.txt").write_text("precious\n")
    with pytest.raises(OutputExistsError):
        predict_files(pictures, link, model="bundled")
    assert (tmp_path / "victim.txt").read_text() == "precious\n"
