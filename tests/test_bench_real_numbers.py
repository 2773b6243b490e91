"""bench/checks/real_numbers.py: the manifest of real numbers, building it, and scoring `read` on
it."""

import csv
import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import real_numbers as numbers  # noqa: E402
from real_numbers import Answer, Number  # noqa: E402
from test_bench_real import _held_out  # noqa: E402


def row(**changes) -> dict:
    base = {
        "repo": "someone/forms",
        "commit": "c" * 40,
        "path": "cells/1.jpg",
        "label": "125",
        "raw": "12,5",
        "kind": "photo",
        "fold": "3",
        "sha256": "0" * 64,
    }
    return {**base, **changes}


def write_manifest(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=numbers.FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def number(label: str, kind: str = "photo", fold: int = 0, raw: str = "", path: str = "") -> Number:
    return Number(
        repo="a/b", commit="c" * 40, path=path or f"{label}.png", label=label, raw=raw,
        kind=kind, fold=fold, sha256=path or label,
    )  # fmt: skip


def test_the_committed_manifest_is_well_formed():
    rows = numbers.read_manifest(numbers.MANIFEST)
    assert len(rows) >= 150
    assert len({r.repo for r in rows}) >= 8
    assert all(len(r.sha256) == 64 and len(r.commit) == 40 for r in rows)


def test_the_committed_manifest_leaves_out_the_held_out_repositories():
    holdout = REPO.parent / "shared" / "holdout-repos.txt"
    if not holdout.is_file():
        pytest.skip("no ../shared/holdout-repos.txt here")
    held = {
        line.strip().lower()
        for line in holdout.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert not {r.repo.lower() for r in numbers.read_manifest(numbers.MANIFEST)} & held


def test_a_good_manifest_is_read(tmp_path):
    manifest = write_manifest(
        tmp_path / "m.csv", [row(), row(path="b.jpg", label="2026", raw="", sha256="1" * 64)]
    )
    rows = numbers.read_manifest(manifest)
    assert [(r.label, r.raw, r.fold, r.separated) for r in rows] == [
        ("125", "12,5", 3, True),
        ("2026", "", 3, False),
    ]


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ({"label": "7", "raw": ""}, "expected 2 to 10 digits"),
        ({"label": "12345678901", "raw": ""}, "expected 2 to 10 digits"),
        ({"label": "12.5"}, "expected 2 to 10 digits"),
        ({"raw": "12,6"}, "its digits are not the label"),
        ({"kind": "fax"}, "kind 'fax'"),
        ({"fold": "5"}, "fold 5"),
        ({"fold": "1"}, "is in two folds"),
        ({"sha256": "0" * 64}, "the same file again"),
    ],
)
def test_a_bad_row_is_refused_with_its_line(tmp_path, bad, problem):
    other = row(**{"path": "b.jpg", "sha256": "1" * 64, **bad})
    manifest = write_manifest(tmp_path / "m.csv", [row(), other])
    with pytest.raises(SystemExit, match=f"m.csv:3: .*{problem}"):
        numbers.read_manifest(manifest)


def test_a_manifest_with_other_columns_is_refused(tmp_path):
    (tmp_path / "m.csv").write_text("repo,commit,path,label,kind,fold,sha256\n")
    with pytest.raises(SystemExit, match="expected the columns"):
        numbers.read_manifest(tmp_path / "m.csv")


def snapshot(mirrors: Path, repo: str, files: dict[str, bytes]) -> str:
    """A git work tree where the fetch tool puts `repo`, holding `files`; its commit."""
    tree = mirrors / repo.replace("/", "+") / "repo"
    for name, data in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)
    git = ["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "pictures"], check=True)
    done = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def test_build_writes_each_picture_in_its_fold_and_names_what_is_missing(tmp_path):
    mirrors = tmp_path / "mirrors"
    data = b"not really a jpeg"
    commit = snapshot(mirrors, "me/forms", {"c/1.jpg": data, "c/2.jpg": b"changed"})
    manifest = write_manifest(
        tmp_path / "m.csv",
        [
            row(repo="me/forms", commit=commit, path="c/1.jpg",
                sha256=hashlib.sha256(data).hexdigest()),
            row(repo="me/forms", commit=commit, path="c/2.jpg", sha256="1" * 64),
            row(repo="me/forms", commit=commit, path="c/3.jpg", sha256="2" * 64),
            row(repo="gone/away", fold="0", sha256="3" * 64),
        ],
    )  # fmt: skip
    problems = numbers.build(tmp_path / "set", mirrors, manifest)
    assert (tmp_path / "set" / "3" / "me+forms__c_1.jpg").read_bytes() == data
    assert sorted(p.name for p in (tmp_path / "set").rglob("*.jpg")) == ["me+forms__c_1.jpg"]
    assert (tmp_path / "set" / numbers.MANIFEST_NAME).read_bytes() == manifest.read_bytes()
    assert problems == {
        "files whose sha256 differs": ["me/forms:c/2.jpg"],
        "files not in the snapshot": ["me/forms:c/3.jpg"],
        "repositories not found": ["gone/away"],
    }


def a_picture() -> tuple[np.ndarray, bytes]:
    """A small colour picture, each pixel its own, and its bytes as a PNG."""
    pixels = np.arange(20 * 30 * 3, dtype=np.uint32).reshape(20, 30, 3) % 251
    pixels = pixels.astype(np.uint8)
    return pixels, cv2.imencode(".png", pixels)[1].tobytes()


def test_a_crop_row_is_the_box_cut_from_the_whole_file_its_sha256_checked(tmp_path):
    mirrors = tmp_path / "mirrors"
    pixels, data = a_picture()
    commit = snapshot(mirrors, "me/forms", {"sheets/a b.png": data})
    whole = hashlib.sha256(data).hexdigest()
    manifest = write_manifest(
        tmp_path / "m.csv",
        [
            row(repo="me/forms", commit=commit, path="sheets/a b.png#crop=3_4_5_6", sha256=whole),
            row(repo="me/forms", commit=commit, path="sheets/a b.png#crop=0_0_30_20", sha256=whole),
            row(repo="me/forms", commit=commit, path="sheets/a b.png", sha256=whole),
        ],
    )
    problems = numbers.build(tmp_path / "set", mirrors, manifest)
    assert problems == {}
    built = tmp_path / "set" / "3"
    assert sorted(p.name for p in built.iterdir()) == [
        "me+forms__sheets_a b.png",
        "me+forms__sheets_a b.png__crop_0_0_30_20.png",
        "me+forms__sheets_a b.png__crop_3_4_5_6.png",
    ]
    cut = cv2.imread(str(built / "me+forms__sheets_a b.png__crop_3_4_5_6.png"), cv2.IMREAD_COLOR)
    assert np.array_equal(cut, pixels[4:10, 3:8])
    rows = numbers.read_manifest(manifest)
    assert [r.file_in(tmp_path / "set").is_file() for r in rows] == [True, True, True]


def test_a_member_row_is_the_file_inside_a_zip_archive_its_own_sha256_checked(tmp_path):
    import io
    import zipfile

    mirrors = tmp_path / "mirrors"
    _, data = a_picture()
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("pics/12 3.png", data)
        archive.writestr("pics/45.png", b"other bytes")
    commit = snapshot(mirrors, "me/forms", {"all digits.zip": packed.getvalue()})
    inner = hashlib.sha256(data).hexdigest()
    manifest = write_manifest(
        tmp_path / "m.csv",
        [
            row(repo="me/forms", commit=commit, path="all digits.zip#member=pics/12 3.png",
                sha256=inner),
            row(repo="me/forms", commit=commit, path="all digits.zip#member=pics/45.png",
                sha256="1" * 64),
            row(repo="me/forms", commit=commit, path="all digits.zip#member=pics/6.png",
                sha256="2" * 64),
        ],
    )  # fmt: skip
    problems = numbers.build(tmp_path / "set", mirrors, manifest)
    assert problems == {
        "files whose sha256 differs": ["me/forms:all digits.zip#member=pics/45.png"],
        "archive members not found": ["me/forms:all digits.zip#member=pics/6.png"],
    }
    built = tmp_path / "set" / "3"
    assert [p.name for p in built.iterdir()] == ["me+forms__all digits.zip__pics_12 3.png"]
    assert (built / "me+forms__all digits.zip__pics_12 3.png").read_bytes() == data
    assert numbers.read_manifest(manifest)[0].file_in(tmp_path / "set").is_file()


def test_a_bad_crop_is_reported_for_its_row_not_raised(tmp_path):
    mirrors = tmp_path / "mirrors"
    _, data = a_picture()
    commit = snapshot(mirrors, "me/forms", {"s.png": data, "t.txt": b"no picture"})
    whole = hashlib.sha256(data).hexdigest()
    text = hashlib.sha256(b"no picture").hexdigest()
    manifest = write_manifest(
        tmp_path / "m.csv",
        [
            row(repo="me/forms", commit=commit, path="s.png#crop=25_4_10_6", sha256=whole),
            row(repo="me/forms", commit=commit, path="s.png#crop=0_15_5_6", sha256=whole),
            row(repo="me/forms", commit=commit, path="s.png#crop=1_2_x_4", sha256=whole),
            row(repo="me/forms", commit=commit, path="s.png#crop=1_2_0_4", sha256=whole),
            row(repo="me/forms", commit=commit, path="s.png#crop=1_2_3_4", sha256="1" * 64),
            row(repo="me/forms", commit=commit, path="t.txt#crop=0_0_1_1", sha256=text),
        ],
    )
    problems = numbers.build(tmp_path / "set", mirrors, manifest)
    assert problems == {
        "crop boxes outside the picture": [
            "me/forms:s.png#crop=0_15_5_6", "me/forms:s.png#crop=25_4_10_6"],
        "crop boxes not X_Y_W_H (whole numbers, W and H above 0)": [
            "me/forms:s.png#crop=1_2_0_4", "me/forms:s.png#crop=1_2_x_4"],
        "files whose sha256 differs": ["me/forms:s.png#crop=1_2_3_4"],
        "files that are no picture": ["me/forms:t.txt#crop=0_0_1_1"],
    }  # fmt: skip
    assert not list((tmp_path / "set").rglob("*.png"))


def test_build_takes_another_manifest(tmp_path, capsys):
    mirrors = tmp_path / "mirrors"
    _, data = a_picture()
    commit = snapshot(mirrors, "me/forms", {"s.png": data})
    manifest = write_manifest(
        tmp_path / "cells.csv",
        [row(repo="me/forms", commit=commit, path="s.png#crop=1_1_9_9",
             sha256=hashlib.sha256(data).hexdigest())],
    )  # fmt: skip
    out = tmp_path / "set"
    argv = ["build", "--out", str(out), "--mirrors", str(mirrors), "--manifest", str(manifest)]
    assert numbers.main(argv) == 0
    assert "1 pictures in" in capsys.readouterr().out
    assert (out / numbers.MANIFEST_NAME).read_bytes() == manifest.read_bytes()
    assert (out / "3" / "me+forms__s.png__crop_1_1_9_9.png").is_file()


def test_the_form_cells_are_numbers_from_other_repositories():
    """`form_cells.csv`: numbers in cells of forms, most cut from whole pages (round 32), from
    repositories in no other list and not held out."""
    cells = numbers.read_manifest(numbers.FORMS_MANIFEST)
    assert len(cells) >= 40
    assert all(len(r.sha256) == 64 and len(r.commit) == 40 for r in cells)
    assert {r.fold for r in cells} == set(range(5))
    assert not _held_out(cells)
    others = _rows_of_other_manifests(numbers.FORMS_MANIFEST)
    assert not {r.sha256 for r in cells} & {r["sha256"] for r in others}
    assert not {r.repo.lower() for r in cells} & {r["repo"].lower() for r in others}


def _rows_of_other_manifests(manifest: Path) -> list[dict[str, str]]:
    """The rows of every manifest in bench/checks but `manifest`."""
    rows = []
    for path in sorted((REPO / "bench" / "checks").glob("*.csv")):
        if path != manifest:
            with path.open(newline="") as handle:
                rows += list(csv.DictReader(handle))
    return rows


def test_the_fresh_numbers_are_from_other_repositories_fifteen_at_most_from_one():
    """`fresh_numbers.csv` (round 40): real numbers from repositories in no other list and not
    held out, no picture of another list among them, at most 15 from one repository, each
    repository in one fold."""
    manifest = numbers.MANIFEST.with_name("fresh_numbers.csv")
    fresh = numbers.read_manifest(manifest)
    assert len(fresh) >= 100
    assert all(len(r.sha256) == 64 and len(r.commit) == 40 for r in fresh)
    assert {r.fold for r in fresh} == set(range(5))
    assert not _held_out(fresh)
    by_repo = Counter(r.repo.lower() for r in fresh)
    assert max(by_repo.values()) <= 15
    assert len({(r.repo.lower(), r.fold) for r in fresh}) == len(by_repo)  # one fold each
    assert len({(r.path, r.sha256) for r in fresh}) == len(fresh)
    others = _rows_of_other_manifests(manifest)
    assert not {r.sha256 for r in fresh} & {r["sha256"] for r in others}
    assert not set(by_repo) & {r["repo"].lower() for r in others}


@pytest.mark.parametrize(
    ("name", "at_least", "most_a_repository"),
    [("more_numbers.csv", 40, 26), ("cell_numbers.csv", 80, 16), ("written_numbers.csv", 205, 205)],
)
def test_the_later_number_sets_are_from_other_repositories_each_in_one_fold(
    name, at_least, most_a_repository
):
    """`more_numbers.csv` (round 74: phone photos and form fields), `cell_numbers.csv`
    (round 75: numbers in the cells of score cards, mark sheets and registers) and
    `written_numbers.csv` (round 78: one repository's photos of numbers written on paper):
    repositories in no other list and not held out, no picture of another list among them,
    each repository in one fold (every fold used where there are five repositories or more)."""
    manifest = numbers.MANIFEST.with_name(name)
    rows = numbers.read_manifest(manifest)
    assert len(rows) >= at_least
    assert all(len(r.sha256) == 64 and len(r.commit) == 40 for r in rows)
    assert all(2 <= len(r.label) <= 10 and r.label.isdigit() for r in rows)
    folds = {r.fold for r in rows}
    assert folds == set(range(5)) if len({r.repo for r in rows}) >= 5 else folds <= set(range(5))
    assert not _held_out(rows)
    by_repo = Counter(r.repo.lower() for r in rows)
    assert max(by_repo.values()) <= most_a_repository
    assert len({(r.repo.lower(), r.fold) for r in rows}) == len(by_repo)  # one fold each
    assert len({(r.path, r.sha256) for r in rows}) == len(rows)
    others = _rows_of_other_manifests(manifest)
    assert not {r.sha256 for r in rows} & {r["sha256"] for r in others}
    assert not set(by_repo) & {r["repo"].lower() for r in others}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("", "", 0), ("125", "125", 0), ("125", "1125", 1), ("125", "15", 1), ("2927", "2827", 1),
     ("30000", "300005", 1), ("50000", "56200207", 4), ("12", "", 2), ("", "34", 2)],
)  # fmt: skip
def test_the_edit_distance(a, b, expected):
    assert numbers.distance(a, b) == expected
    assert numbers.distance(b, a) == expected


@pytest.mark.parametrize(
    ("label", "read", "right", "how"),
    [
        ("125", "125", 3, None),
        ("154", "1154", 2, "extra"),
        ("30000", "300005", 4, "extra"),
        ("131", "13", 2, "dropped"),
        ("2927", "2827", 3, "confused"),
        ("200", "25", 1, "mixed"),
        ("50000", "56200207", 1, "mixed"),
        ("84", None, 0, "refused"),
    ],
)
def test_digits_right_and_the_kind_of_failure(label, read, right, how):
    answer = Answer(read, None if read else "no digits found")
    assert numbers.digits_right(label, answer) == right
    assert numbers.failure(label, answer) == how


def test_a_reading_becomes_an_answer():
    def reading(number=None, lines=(), error=None, note=None):
        return SimpleNamespace(number=number, lines=list(lines), error=error, note=note)

    assert numbers.answer_of(reading("2026")) == Answer("2026")
    two = [reading("1"), reading(None)]
    several = numbers.answer_of(reading(lines=two, note="found 2 lines"))
    assert several == Answer(None, "2 lines: 1, -")
    blank = numbers.answer_of(reading(note="the image is blank"))
    assert blank == Answer(None, "the image is blank")
    assert numbers.answer_of(reading(error="cannot open")) == Answer(None, "cannot open")
    assert numbers.answer_of(reading()) == Answer(None, "no number")


def test_the_tally_counts_exact_digits_and_refused_per_group():
    rows = [
        number("125", "photo", 0, raw="12,5", path="a"),
        number("154", "photo", 0, path="b"),
        number("2026", "drawing", 1, path="c"),
        number("84", "drawing", 1, raw="8.4", path="d"),
    ]
    answers = [Answer("125"), Answer("1154"), Answer("2026"), Answer(None, "the image is blank")]
    scores = numbers.tally(rows, answers)
    groups = {
        group: (r["pictures"], r["exact"], r["digits"], r["digits_right"], r["refused"])
        for group, r in scores["groups"].items()
    }
    assert groups == {
        "all": (4, 2, 12, 9, 1),
        "kind drawing": (2, 1, 6, 4, 1),
        "kind photo": (2, 1, 6, 5, 0),
        "fold 0": (2, 1, 6, 5, 0),
        "fold 1": (2, 1, 6, 4, 1),
        "raw digits only": (2, 1, 7, 6, 0),
        "raw separators": (2, 1, 5, 3, 1),
    }
    assert list(scores["groups"]) == list(groups)  # all, kinds, folds, then separators
    assert scores["groups"]["all"]["exact_share"] == 0.5
    assert scores["groups"]["all"]["digits_share"] == pytest.approx(9 / 12)
    assert scores["failures"] == {"extra": 1, "refused": 1}
    assert [(w["label"], w["read"], w["failure"]) for w in scores["wrong"]] == [
        ("154", "1154", "extra"),
        ("84", None, "refused"),
    ]
    text = numbers.render(scores, "bundled")
    assert "not read exactly: 2 (extra 1, refused 1)" in text
    assert "84 [8.4] read no number (the image is blank)" in text


def test_score_reads_every_built_picture_with_read(tmp_path, monkeypatch):
    folder = tmp_path / "set"
    write_manifest(
        folder.mkdir() or folder / numbers.MANIFEST_NAME,
        [row(), row(path="b.jpg", label="2026", raw="", sha256="1" * 64)],
    )
    (folder / "3").mkdir()
    (folder / "3" / "someone+forms__cells_1.jpg").write_bytes(b"x")  # b.jpg was not built
    seen = {}

    def read_all(files, model):
        seen["files"], seen["model"] = [f.name for f in files], model
        return [Answer("1215")]

    monkeypatch.setattr(numbers, "read_all", read_all)
    scores = numbers.score(folder, "bundled")
    assert seen == {"files": ["someone+forms__cells_1.jpg"], "model": "bundled"}
    assert scores["missing"] == 1
    assert scores["failures"] == {"extra": 1}
