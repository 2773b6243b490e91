"""bench/build/make_judge.py's view cache: it holds the folders it was made with, is extended by
folders given after them, and is refused for other folders (it once reused itself silently)."""

import sys
from argparse import Namespace
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench" / kind) for kind in (".", "build", "checks", "perf")]

import make_judge  # noqa: E402
import ruled_digits  # noqa: E402


def _folder(path: Path, seed: int) -> str:
    """`digit=` a folder of three pages with a digit (a 1) on lined paper."""
    path.mkdir()
    one = np.zeros((1, 28, 28), np.uint8)
    one[0, 5:23, 12:16] = 255
    rng = np.random.default_rng(seed)
    for i in range(3):
        ruled_digits.picture(rng, "ruled", one).save(path / f"{i}.png")
    return f"digit={path}"


def test_a_cache_is_extended_by_new_folders_and_refused_for_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = []
    empty = np.zeros((2, make_judge.VIEW, make_judge.VIEW, 3), np.float32), np.zeros(2, int)
    monkeypatch.setattr(make_judge, "made_views", lambda *_: made.append(1) or empty)
    first, second = _folder(tmp_path / "a", 1), _folder(tmp_path / "b", 2)
    args = Namespace(cache=tmp_path / "views.npz", folder=[first], per_folder=10, seed=1,
                     made=0, files=0, nondigits=0)  # fmt: skip

    x1, _, counts1 = make_judge.made_and_folders(args)
    args.folder = [first, second]
    x2, y2, counts2 = make_judge.made_and_folders(args)
    assert len(x1) > 2 and len(x2) > len(x1) and (x2[: len(x1)] == x1).all()
    assert made == [1] and set(y2[2:]) == {make_judge.DIGIT}
    assert counts1 == counts2[:1] and 2 + sum(counts2) == len(x2)
    assert len(make_judge.made_and_folders(args)[0]) == len(x2)  # reused whole

    # --learn-anew 1: the last folder's views alone are learnt by their class
    args.learn_anew, args.lookalikes, args.small = 1, 0, 0
    _, _, anew = make_judge.all_made(args)
    assert anew.tolist() == [False] * (len(x2) - counts2[1]) + [True] * counts2[1]

    args.folder = [second]
    with pytest.raises(SystemExit, match="name another --cache"):
        make_judge.made_and_folders(args)


def test_a_folder_of_jpeg_files_gives_views(tmp_path: Path) -> None:
    """Photos named `.JPEG` (ImageNet's samples, the judge's `inet250` folder) were passed over:
    only `.png` and `.jpg` were taken, and that folder gave the judge no views at all."""
    folder = tmp_path / "photos"
    _folder(folder, 3)
    for i, picture in enumerate(sorted(folder.iterdir())):
        picture.rename(folder / f"{i}.JPEG" if i % 2 else folder / f"{i}.jpeg")
    _, _, counts = make_judge.folder_views([f"lines={folder}"], 10)
    assert counts == [3]
