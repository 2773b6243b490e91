"""What the inputs of `predict` and `read` expand to: globs, folders and lists, against links
that loop, links to the whole file system, and lists that never end."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from digitcli.inputs.sources import expand_inputs

from inprocess import digitcli


def a_digit(path):
    pixels = np.zeros((28, 28), np.uint8)
    pixels[5:23, 13:15] = 255
    Image.fromarray(pixels).save(path)
    return path


@pytest.fixture
def linked(tmp_path):
    """scans/a.png, scans/deep/b.png, and links that loop: up -> .., here -> ., root -> /."""
    scans = tmp_path / "scans"
    (scans / "deep").mkdir(parents=True)
    a_digit(scans / "a.png")
    a_digit(scans / "deep" / "b.png")
    os.symlink("..", scans / "up")
    os.symlink(".", scans / "deep" / "here")
    os.symlink("/", scans / "root")
    return scans


def names(items):
    return sorted(source.name for source in items)


@pytest.mark.timeout(20)
def test_a_double_star_glob_does_not_follow_folder_links(linked):
    found = names(expand_inputs([f"{linked}/**/*.png"]))
    assert found == [f"{linked}/a.png", f"{linked}/deep/b.png"]


@pytest.mark.timeout(20)
def test_a_double_star_glob_still_matches_as_glob_does(linked, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert names(expand_inputs(["scans/**/b.png"])) == ["scans/deep/b.png"]
    assert names(expand_inputs(["scans/**"])) == [
        "scans/", "scans/a.png", "scans/deep", "scans/deep/b.png", "scans/deep/here",
        "scans/root", "scans/up",
    ]  # fmt: skip
    assert names(expand_inputs(["**/a.png"])) == ["scans/a.png"]
    assert names(expand_inputs(["scans/**/"])) == [  # folders only; links listed, not entered
        "scans/", "scans/deep/", "scans/deep/here/", "scans/root/", "scans/up/",
    ]  # fmt: skip


@pytest.mark.timeout(60)
def test_predict_of_a_double_star_glob_answers_each_picture_once(linked):
    done = digitcli("predict", f"{linked}/**/*.png", "-f", "plain", text=True)
    assert done.returncode in (0, 3), done.stderr
    assert len(done.stdout.splitlines()) == 2, done.stdout


@pytest.mark.parametrize(
    "args", [["-0", "-", "-"], ["--from-list", "-", "-"], ["-", "-"]], ids=["nul", "lines", "two"]
)
def test_stdin_is_read_once(tmp_path, args):
    picture = a_digit(tmp_path / "x.png").read_bytes()
    done = digitcli("predict", *args, input=picture, text=False)
    assert done.returncode == 2, done.stdout
    assert b"stdin" in done.stderr and done.stdout == b""


@pytest.mark.timeout(30)
def test_a_nul_list_of_nothing_but_nul_bytes_ends(tmp_path):
    done = digitcli("predict", "-0", "/dev/zero", text=True)
    assert done.returncode == 2, done.stderr
    assert "/dev/zero" in done.stderr


@pytest.mark.parametrize("option", ["--from-list", "-0"])
def test_an_empty_list_is_said_to_be_empty(tmp_path, option):
    empty = tmp_path / "list.txt"
    empty.write_text("")
    done = digitcli("predict", option, str(empty), text=True)
    assert done.returncode == 2, done.stderr
    assert "no paths" in done.stderr and "image files end in" not in done.stderr


def test_recursive_search_names_dangling_links_and_fifos(tmp_path):
    scans = tmp_path / "scans"
    (scans / "deep").mkdir(parents=True)
    a_digit(scans / "deep" / "good.png")
    os.symlink("nowhere.png", scans / "deep" / "gone.png")
    os.mkfifo(scans / "deep" / "pipe.png")
    for recursive in (False, True):
        folder = scans / "deep" if not recursive else scans
        found = names(expand_inputs([str(folder)], recursive=recursive))
        assert found == sorted(
            str(scans / "deep" / n) for n in ("gone.png", "good.png", "pipe.png")
        )
