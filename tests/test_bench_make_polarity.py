"""bench/build/make_polarity.py: the first-look network's training labels are right by
construction, its list of real pictures of light ink names pictures the manifests hold, its
photos of things keep their check photos out, and a thing is cut out of its photo onto a plain
ground whole."""

import csv
import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import make_polarity  # noqa: E402


def _stroke(ink: int, paper: int) -> tuple[np.ndarray, np.ndarray]:
    picture = np.full((60, 60), paper, np.uint8)
    mask = np.zeros((60, 60), np.uint8)
    mask[10:50, 28:32] = 1
    picture[mask.astype(bool)] = ink
    return picture, mask


def test_a_scene_is_labelled_by_its_strokes_against_the_paper_around_them():
    assert make_polarity.labelled_scene(*_stroke(40, 200)) == 1
    assert make_polarity.labelled_scene(*_stroke(220, 30)) == 0
    assert make_polarity.labelled_scene(*_stroke(195, 200)) is None  # too faint to tell
    assert (
        make_polarity.labelled_scene(np.full((60, 60), 200, np.uint8), np.zeros((60, 60), np.uint8))
        is None
    )


def test_a_windows_light_brightens_part_of_the_page_and_never_darkens_it():
    page = np.full((80, 120), 140, np.uint8)
    lit = make_polarity.window_light(page, np.random.default_rng(3))
    assert (lit >= page).all()
    assert (lit >= 1.2 * 140).mean() > 0.1 and (lit == 140).mean() > 0.1


def test_a_crop_is_labelled_by_its_inks_side():
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 12:16] = 255
    rng = np.random.default_rng(0)
    for _ in range(20):
        picture, dark = make_polarity.crop(digit, rng)
        middle, corner = float(picture[picture.shape[0] // 2].max()), float(picture[0, 0])
        inked = picture.min() if dark else picture.max()
        assert abs(float(inked) - corner) >= 30 or abs(middle - corner) >= 30
        assert (float(np.median(picture)) > float(inked)) == bool(dark)


def test_every_picture_of_light_ink_is_in_a_real_development_manifest():
    listed = make_polarity.light_ink()
    manifests = [
        REPO / "bench" / "checks" / name for name in ("real_pictures.csv", "real_numbers.csv")
    ]
    known = set()
    for manifest in manifests:
        with manifest.open(newline="") as handle:
            known |= {(row["repo"], row["path"]) for row in csv.DictReader(handle)}
    assert listed and listed <= known


def test_photos_of_things_kept_out_and_those_holding_writing_left_out(tmp_path):
    """Of the photos sorted by name every fifth from the first is kept out to check on, and a
    thing that holds writing (a clock, a menu) is in neither class."""
    names = ["n01_tench", "n02_goldfish", "n03_digital_clock", "n04_menu", "n05_cat",
             "n06_dog", "n07_duck"]  # fmt: skip
    for name in names:
        (tmp_path / f"{name}.JPEG").write_bytes(b"")
    (tmp_path / "README.md").write_text("not a photo")
    learnt = [path.stem for path in make_polarity.thing_photos(tmp_path)]
    assert learnt == ["n02_goldfish", "n05_cat", "n07_duck"]  # n01, n06 kept out
    held, rest = make_polarity.split_photos(tmp_path)  # what `check` checks on, and the rest
    assert [path.stem for path in held] == ["n01_tench", "n06_dog"]
    assert sorted(held + rest) == sorted(tmp_path / f"{name}.JPEG" for name in names)


def test_each_label_is_the_networks_class():
    labels = np.array([0, 1, make_polarity.UNKNOWN, 1], np.uint8)
    classes = make_polarity.classes(labels)
    assert classes.tolist() == [make_polarity.LIGHT, make_polarity.DARK, make_polarity.THING,
                                make_polarity.DARK]  # fmt: skip


def test_the_recorded_command_names_the_builder_that_ran(monkeypatch):
    """make_colours.py borrows this builder's `command`: its record said make_polarity.py (the
    shipped colours network's does: `python bench/build/make_polarity.py fit ...`)."""
    folder = "/somewhere/on/a/machine"
    argv = [f"{folder}/bench/build/make_colours.py", "fit", "--data", f"{folder}/c.npz"]
    monkeypatch.setattr(sys, "argv", argv)
    assert make_polarity.command() == "python bench/build/make_colours.py fit --data c.npz"


def test_a_thing_learnt_whole_has_one_view_and_others_four(tmp_path):
    """`--whole-things` photos (a hand on a plain ground) are learnt whole, no crops."""
    from PIL import Image

    for index in range(6):
        Image.new("RGB", (100, 100), (200, 150 + index, 120)).save(tmp_path / f"hand{index}.jpg")
    learnt = len(make_polarity.thing_photos(tmp_path))  # every fifth kept out: 4 of 6
    whole, labels = make_polarity.thing_views(tmp_path, seed=0, count=1)
    cropped, _ = make_polarity.thing_views(tmp_path, seed=0)
    assert (len(whole), len(cropped)) == (learnt, learnt * make_polarity.THING_VIEWS)
    assert set(labels) == {make_polarity.UNKNOWN}


def _photo_of_a_thing(tmp_path: Path) -> Path:
    """A red ball in the middle of a photo of a cluttered scene (coloured noise)."""
    rng = np.random.default_rng(4)
    scene = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    cv2.ellipse(scene, (160, 120), (70, 50), 0, 0, 360, (30, 30, 200), cv2.FILLED)
    path = tmp_path / "n01_ball.png"
    cv2.imwrite(str(path), scene)
    return path


def test_a_thing_is_cut_out_of_its_scene_and_set_on_a_plain_ground(tmp_path):
    """`cut_out` keeps the thing and not the scene around it; `on_plain_ground` sets it on a
    plain ground (the photo's clutter gone), whole."""
    thing, mask = make_polarity.cut_out(cv2.imread(str(_photo_of_a_thing(tmp_path))))
    height, width = mask.shape
    assert abs(width / height - 70 / 50) < 0.15  # the ball's box, not the photo's
    assert 0.7 < mask.mean() < 0.85  # an ellipse fills pi/4 of its box
    reddest = thing[..., 2].astype(int) - thing[..., 0]
    assert (reddest[mask > 0.5] > 100).mean() > 0.95
    rng = np.random.default_rng(0)
    for _ in range(10):
        shot = make_polarity.on_plain_ground(thing, mask, rng)
        red = (shot[..., 2].astype(int) - shot[..., 0]) > 100
        assert red.sum() > 0.5 * np.pi / 4 * (0.35 * min(shot.shape[:2])) ** 2 * 50 / 70
        corners = [np.s_[:8, :8], np.s_[:8, -8:], np.s_[-8:, :8], np.s_[-8:, -8:]]
        ground = [shot[corner] for corner in corners if not red[corner].any()]
        assert ground and max(np.std(g, axis=(0, 1)).max() for g in ground) < 6  # no clutter


def test_a_photo_whose_thing_cannot_be_cut_out_is_left_out(tmp_path):
    """A photo of nothing but an even grey (no thing to cut out) gives no picture; a photo of
    a thing gives `count` grey ones."""
    flat = tmp_path / "n02_fog.png"
    cv2.imwrite(str(flat), np.full((200, 200, 3), 128, np.uint8))
    ball = _photo_of_a_thing(tmp_path)
    pictures = make_polarity.grounded_things([flat, ball], seed=1, count=3)
    assert len(pictures) == 3 and all(p.ndim == 2 for p in pictures)
