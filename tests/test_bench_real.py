"""bench/checks/real_pictures.py: the manifest's format, building from a snapshot, and the
scoring."""

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import real_pictures as real  # noqa: E402
from real_pictures import Answer, Picture  # noqa: E402


def picture(label: str, kind: str = "photo", fold: int = 0, repo: str = "a/b", **more) -> Picture:
    fields = {"commit": "c" * 40, "path": f"{label}.png", "sha256": label, **more}
    return Picture(repo=repo, label=label, kind=kind, fold=fold, **fields)


def write_manifest(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=real.FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(**changes) -> dict:
    base = {
        "repo": "someone/digits",
        "commit": "c" * 40,
        "path": "digits/3.png",
        "label": "3",
        "kind": "drawing",
        "fold": "2",
        "sha256": "0" * 64,
    }
    return {**base, **changes}


def test_the_committed_manifest_is_well_formed():
    pictures = real.read_manifest(real.MANIFEST)
    digits = [p for p in pictures if p.is_digit]
    assert len(digits) >= 300
    assert len({p.repo for p in digits}) >= 20
    assert {p.fold for p in pictures} == set(range(real.FOLDS))
    assert all(len(p.sha256) == 64 and len(p.commit) == 40 for p in pictures)


HOLDOUT = REPO.parent / "shared" / "holdout-repos.txt"


def _held_out(pictures: list) -> set[str]:
    """The repositories of `pictures` named in ../shared/holdout-repos.txt (none where that
    list is not beside the repository)."""
    if not HOLDOUT.is_file():
        return set()
    held = {
        line.strip().lower()
        for line in HOLDOUT.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    return {p.repo.lower() for p in pictures} & held


def test_the_committed_manifest_leaves_out_the_held_out_repositories():
    if not HOLDOUT.is_file():
        pytest.skip("no ../shared/holdout-repos.txt here")
    assert not _held_out(real.read_manifest(real.MANIFEST))


@pytest.mark.parametrize("label", ["3", "blank", "nondigit", "several:2026"])
def test_labels_of_the_manifest_are_accepted(label):
    assert real.label_problem(label) is None


@pytest.mark.parametrize("label", ["12", "several:", "several:7", "several:1x", "Blank", ""])
def test_other_labels_are_refused(label):
    assert real.label_problem(label) is not None


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([row(label="x")], "label"),
        ([row(kind="screenshot")], "kind"),
        ([row(fold="5")], "fold"),
        ([row(), row(path="digits/4.png", fold="1", sha256="1" * 64)], "two folds"),
        ([row(), row(path="digits/4.png")], "same file"),
    ],
)
def test_a_bad_manifest_is_refused_with_its_line(tmp_path, rows, problem):
    path = write_manifest(tmp_path / "m.csv", rows)
    with pytest.raises(SystemExit, match=problem):
        real.read_manifest(path)


def test_a_manifest_with_other_columns_is_refused(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("repo,path,label\na/b,1.png,1\n")
    with pytest.raises(SystemExit, match="columns"):
        real.read_manifest(path)


def snapshot(mirrors: Path, repo: str, files: dict[str, bytes]) -> str:
    """A git work tree where the fetch tool puts `repo`, holding `files`; its commit."""
    tree = mirrors / real.slug(repo) / "repo"
    tree.mkdir(parents=True)
    for name, data in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)
    git = ["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "pictures"], check=True)
    return subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_build_writes_each_picture_in_its_fold_and_names_what_is_missing(tmp_path):
    mirrors = tmp_path / "mirrors"
    data = b"not really a png"
    commit = snapshot(mirrors, "me/digits", {"d/3.png": data, "d/4.png": b"changed"})
    sha = hashlib.sha256(data).hexdigest()
    manifest = write_manifest(
        tmp_path / "m.csv",
        [
            row(repo="me/digits", commit=commit, path="d/3.png", sha256=sha),
            row(repo="me/digits", commit=commit, path="d/4.png", label="4", sha256="1" * 64),
            row(repo="me/digits", commit=commit, path="d/5.png", label="5", sha256="2" * 64),
            row(repo="gone/away", fold="0", sha256="3" * 64),
        ],
    )
    problems = real.build(tmp_path / "set", mirrors, manifest)
    assert (tmp_path / "set" / "2" / "me+digits__d_3.png").read_bytes() == data
    assert sorted(p.name for p in (tmp_path / "set").rglob("*.png")) == ["me+digits__d_3.png"]
    assert (tmp_path / "set" / real.MANIFEST_NAME).read_bytes() == manifest.read_bytes()
    assert problems == {
        "files whose sha256 differs": ["me/digits:d/4.png"],
        "files not in the snapshot": ["me/digits:d/5.png"],
        "repositories not found": ["gone/away"],
    }


def test_build_without_mirrors_says_how_to_give_them(monkeypatch, capsys):
    monkeypatch.delenv(real.MIRRORS_ENV, raising=False)
    with pytest.raises(SystemExit):
        real.main(["build", "--out", "x"])
    assert real.MIRRORS_ENV in capsys.readouterr().err


def test_the_tally_counts_right_refused_and_wrong_per_kind_and_fold():
    pictures = [
        picture("1", "photo", 0, path="a"),
        picture("2", "photo", 0, path="b", sha256="b"),
        picture("3", "canvas", 1, path="c"),
        picture("4", "canvas", 1, path="d"),
        picture("blank", "photo", 0),
        picture("several:12", "photo", 1),
        picture("nondigit", "photo", 1),
    ]
    found = [
        Answer(1),
        Answer(None, "no digit found: the image is blank"),
        Answer(8),
        Answer(4),
        Answer(None, "no digit found: the image is blank"),
        Answer(None, "several digits (2 found): use `digitcli read`"),
        Answer(0),
    ]
    scores = real.tally(pictures, found)
    accuracy = {group: (r["right"], r["total"]) for group, r in scores["accuracy"].items()}
    assert accuracy == {
        "all": (2, 4),
        "kind canvas": (1, 2),
        "kind photo": (1, 2),
        "fold 0": (1, 2),
        "fold 1": (1, 2),
    }
    assert scores["accuracy"]["all"]["accuracy"] == pytest.approx(0.5)
    assert [(r["label"], r["why"]) for r in scores["refused_digits"]] == [
        ("2", "no digit found: the image is blank")
    ]
    assert [(r["label"], r["answer"]) for r in scores["wrong_digits"]] == [("3", 8)]
    assert scores["others_refused"] == {
        "blank": {"refused": 1, "total": 1, "as": {"blank": 1}},
        "nondigit": {"refused": 0, "total": 1, "as": {}},
        "several": {"refused": 1, "total": 1, "as": {"several": 1}},
    }
    assert [r["answer"] for r in scores["others_answered"]] == [0]
    text = real.render(scores, "m")
    assert "50.0%  (2/4)" in text and "3 read as 8" in text


@pytest.mark.parametrize(
    ("why", "reason"),
    [
        ("no digit found: the image is blank", "blank"),
        ("no digit found: lines, a page or a picture, not one digit", "lines"),
        ("no digit found: not a digit (a letter, a sign, a scribble or a thing)", "not a digit"),
        ("several digits (5 found): use `digitcli read`", "several"),
        ("found 2 separate digits: read a number with `digitcli read`", "several"),
        ("cannot read the image", "other"),
        (None, "other"),
    ],
)
def test_a_refusal_is_sorted_by_its_reason(why, reason):
    assert real.refusal(why) == reason


def test_a_number_called_blank_is_listed_as_refused_for_the_wrong_reason():
    pictures = [picture("several:561247"), picture("several:89153", path="b")]
    found = [
        Answer(None, "no digit found: the image is blank"),
        Answer(None, "several digits (5 found): use `digitcli read`"),
    ]
    scores = real.tally(pictures, found)
    assert scores["others_refused"]["several"]["as"] == {"blank": 1, "several": 1}
    assert [(r["label"], r["as"]) for r in scores["others_wrong_reason"]] == [
        ("several:561247", "blank")
    ]
    assert "called blank" in real.render(scores, "m")


def test_score_reads_the_built_set_and_counts_the_missing(tmp_path, monkeypatch):
    rows = [row(path="one.png", label="1", sha256="1" * 64), row(path="two.png", label="2")]
    write_manifest(tmp_path / real.MANIFEST_NAME, rows)
    present = real.read_manifest(tmp_path / real.MANIFEST_NAME)[0].file_in(tmp_path)
    present.parent.mkdir()
    present.write_bytes(b"")
    asked = []
    monkeypatch.setattr(real, "answers", lambda files, model: asked.extend(files) or [Answer(1)])
    scores = real.score(tmp_path, "bundled")
    assert asked == [present]
    assert scores["missing"] == 1
    assert scores["accuracy"]["all"]["accuracy"] == 1.0


def test_the_read_tally_counts_agreement_with_predict_and_numbers_read_exactly():
    blank, several = "no digit found: the image is blank", "several digits (2 found)"
    labels = ["1", "2", "3", "4", "several:12", "several:345", "blank"]
    pictures = [picture(label, path=str(i), sha256=str(i)) for i, label in enumerate(labels)]
    found = [Answer(1), Answer(2), Answer(None, blank), Answer(None, blank)]
    found += [Answer(None, several), Answer(None, several), Answer(None, blank)]
    read = ["1", "3", None, "4", "12", "34", None]
    scores = real.tally_read(pictures, found, read)
    assert scores["digits"] == {"right": 2, "total": 4, "accuracy": 0.5}
    assert scores["agreement"] == {"same": 2, "total": 4, "share": 0.5}
    assert [(r["label"], r["predict"], r["read"]) for r in scores["disagreements"]] == [
        ("2", 2, "3"),
        ("4", None, "4"),
    ]
    assert scores["several"] == {"exact": 1, "total": 2, "share": 0.5}
    assert [(r["label"], r["read"]) for r in scores["several_misread"]] == [("several:345", "34")]
    text = "\n".join(real.render_read(scores))
    assert "agrees with predict: 50.0%  (2/4)" in text and "predict 2, read 3" in text
    assert "read exactly: 50.0%  (1/2)" in text and "(several:345): read 34" in text


def test_the_read_tally_counts_the_blank_and_non_digit_pictures_answered_a_number():
    labels = ["nondigit", "nondigit", "blank"]  # a set of no digits at all: words, say
    pictures = [picture(label, path=str(i), sha256=str(i)) for i, label in enumerate(labels)]
    found = [Answer(None, "several digits (2 found)"), Answer(3), Answer(None, "blank")]
    scores = real.tally_read(pictures, found, ["17", "3", None])
    assert scores["others"] == {"answered": 2, "total": 3}
    text = "\n".join(real.render_read(scores))
    assert "single digits" not in text  # none to score
    assert "non-digit pictures answered a number: 2/3" in text and "(nondigit): read 17" in text


def test_score_with_read_reads_every_picture_with_the_same_model(tmp_path, monkeypatch):
    rows = [row(path="one.png", label="1", sha256="1" * 64), row(path="two.png", label="2")]
    write_manifest(tmp_path / real.MANIFEST_NAME, rows)
    for picture in real.read_manifest(tmp_path / real.MANIFEST_NAME):
        picture.file_in(tmp_path).parent.mkdir(exist_ok=True)
        picture.file_in(tmp_path).write_bytes(b"")
    monkeypatch.setattr(real, "answers", lambda files, model: [Answer(1), Answer(2)])
    asked = []
    monkeypatch.setattr(real, "numbers", lambda files, model: asked.append(model) or ["1", "7"])
    scores = real.score(tmp_path, "bundled", read=True)
    assert asked == ["bundled"]
    assert scores["read"]["agreement"]["same"] == 1
    assert "read 7" in real.render(scores, "bundled")
    assert "read" not in real.score(tmp_path, "bundled")


def test_a_picture_read_line_by_line_is_its_lines_numbers_in_order(monkeypatch):
    """A page of lines has no number of its own: its lines' numbers, top to bottom, are what
    a several-digit label (all its digits in reading order) is checked against."""
    from digitcli.reading import read as reading
    from digitcli.reading.answers import Reading

    lines = Reading("page.jpg", lines=(Reading("page.jpg", "123"), Reading("page.jpg", "45")))
    half = Reading("half.jpg", lines=(Reading("half.jpg", "123"), Reading("half.jpg")))
    found = [lines, half, Reading("one.png", "7"), Reading("blank.png", note="blank")]
    monkeypatch.setattr(reading, "read", lambda files, model: found)
    assert real.numbers([Path("page.jpg")] * 4, "bundled") == ["12345", None, "7", None]


def test_build_takes_another_manifest_and_keeps_it_in_the_set(tmp_path, capsys):
    mirrors = tmp_path / "mirrors"
    data = b"a photo of a 7"
    commit = snapshot(mirrors, "me/photos", {"p/7.jpg": data})
    manifest = write_manifest(
        tmp_path / "photos.csv",
        [
            row(
                repo="me/photos",
                commit=commit,
                path="p/7.jpg",
                label="7",
                kind="photo",
                fold="1",
                sha256=hashlib.sha256(data).hexdigest(),
            )
        ],
    )
    out = tmp_path / "set"
    argv = ["build", "--out", str(out), "--mirrors", str(mirrors), "--manifest", str(manifest)]
    assert real.main(argv) == 0
    assert (out / "1" / "me+photos__p_7.jpg").read_bytes() == data
    assert (out / real.MANIFEST_NAME).read_bytes() == manifest.read_bytes()
    assert "1 pictures" in capsys.readouterr().out


def test_build_names_a_manifest_that_is_not_there(tmp_path, capsys):
    argv = ["build", "--out", str(tmp_path / "set"), "--mirrors", str(tmp_path)]
    with pytest.raises(SystemExit):
        real.main([*argv, "--manifest", str(tmp_path / "none.csv")])
    assert f"no such manifest: {tmp_path / 'none.csv'}" in capsys.readouterr().err
    assert not (tmp_path / "set").exists()


def test_the_photo_check_set_is_photos_and_scans_from_other_repositories():
    photos = real.read_manifest(real.PHOTOS_MANIFEST)
    digits = [p for p in photos if p.is_digit]
    assert len(digits) >= 60
    assert len({p.repo for p in digits}) >= 8
    assert {p.kind for p in photos} <= {"photo", "scan"}
    assert {p.fold for p in photos} == set(range(real.FOLDS))
    development = real.read_manifest(real.MANIFEST)
    assert not {p.repo.lower() for p in photos} & {p.repo.lower() for p in development}
    assert not {p.sha256 for p in photos} & {p.sha256 for p in development}
    assert not _held_out(photos)


def test_the_paper_check_set_is_photos_from_yet_other_repositories():
    paper = real.read_manifest(real.MANIFEST.with_name("paper_photos.csv"))
    assert paper and {p.kind for p in paper} == {"photo"}
    assert all(len(p.sha256) == 64 and len(p.commit) == 40 for p in paper)
    others = real.read_manifest(real.MANIFEST) + real.read_manifest(real.PHOTOS_MANIFEST)
    assert not {p.repo.lower() for p in paper} & {p.repo.lower() for p in others}
    assert not {p.sha256 for p in paper} & {p.sha256 for p in others}
    assert not _held_out(paper)


def test_the_pen_check_set_is_photos_from_yet_other_repositories():
    pen = real.read_manifest(real.MANIFEST.with_name("pen_photos.csv"))
    assert len([p for p in pen if p.is_digit]) >= 100
    assert {p.kind for p in pen} == {"photo"}
    assert {p.fold for p in pen} == set(range(real.FOLDS))
    assert all(len(p.sha256) == 64 and len(p.commit) == 40 for p in pen)
    assert len({p.sha256 for p in pen}) == len(pen)
    others = real.read_manifest(real.MANIFEST) + real.read_manifest(real.PHOTOS_MANIFEST)
    assert not {p.repo.lower() for p in pen} & {p.repo.lower() for p in others}
    paper = real.read_manifest(real.MANIFEST.with_name("paper_photos.csv"))
    assert not {p.sha256 for p in pen} & {p.sha256 for p in others + paper}
    assert not _held_out(pen)


def test_the_desk_set_is_photos_of_sheets_from_yet_other_repositories():
    """`desk_photos.csv`: photos of sheets, notes and cards lying on a desk (round 31), from
    repositories in no other list of real pictures and not held out."""
    desk = real.read_manifest(real.MANIFEST.with_name("desk_photos.csv"))
    assert len(desk) >= 40 and {p.kind for p in desk} == {"photo"}
    assert {p.fold for p in desk} == set(range(real.FOLDS))
    assert len({p.sha256 for p in desk}) == len(desk)
    others = [
        picture
        for listed in sorted(real.MANIFEST.parent.glob("*.csv"))
        if listed.name
        not in (
            "desk_photos.csv",
            "real_numbers.csv",
            "form_cells.csv",
            "fresh_numbers.csv",
            "more_numbers.csv",
            "cell_numbers.csv",
            "written_numbers.csv",
        )
        for picture in real.read_manifest(listed)
    ]
    assert not {p.repo.lower() for p in desk} & {p.repo.lower() for p in others}
    assert not {p.sha256 for p in desk} & {p.sha256 for p in others}
    assert not _held_out(desk)


def test_the_more_photos_set_is_photos_from_yet_other_repositories():
    """`more_photos.csv` (round 86): twelve writers' 0-9 and four pictures of no digit, from
    repositories in no other list of real pictures or numbers and not held out."""
    more = real.read_manifest(real.MANIFEST.with_name("more_photos.csv"))
    digits = [p for p in more if p.is_digit]
    assert len(digits) >= 100 and {p.label for p in digits} == {str(d) for d in range(10)}
    assert {p.kind for p in more} == {"photo"}
    assert {p.fold for p in more} == set(range(real.FOLDS))
    assert all(len(p.sha256) == 64 and len(p.commit) == 40 for p in more)
    assert len({p.sha256 for p in more}) == len(more)
    others = [  # every list of real pictures and of real numbers, by their shared columns
        row
        for listed in sorted(real.MANIFEST.parent.glob("*.csv"))
        if listed.name != "more_photos.csv"
        for row in csv.DictReader(listed.open(newline=""))
    ]
    assert not {p.repo.lower() for p in more} & {row["repo"].lower() for row in others}
    assert not {p.sha256 for p in more} & {row["sha256"] for row in others}
    assert not _held_out(more)
