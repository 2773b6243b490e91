"""How judges refuse what is not a digit and keep real digits, side by side in one run.

    python bench/checks/nondigit_checks.py --judge OLD.tflite --judge JUDGES \\
        --real REAL --photos PHOTOS --made 700 --mnist 10000

Each picture is read as `digitcli predict` reads it with the bundled model (prepared in this
process, `prepare_file`, then the model), once with each judge (`--judge`: a file, or a
folder of judges each trained without one fold of the real set, `use`):
- made: `tests/generators/nondigits.py` pictures of seed `--seed` (81: never trained on; its scene
  `make_judge.CHECK_SCENE` never trained on at all), by scene: the non-digits refused, the
  digits answered, the blank sheets refused;
- real: the real set (`bench/checks/real_pictures.py build`): digits refused and read right,
  non-digit, blank and several-digit pictures refused, per fold;
- photos: real check sets never trained on (`bench/real_photos.csv`, `pen_photos.csv`,
  `paper_photos.csv`, built as the real set is): digits refused and read right;
- things: folders of photos of things with no digit (animals, objects, scenes, textures),
  never trained on (`--things`): those refused (a picture `predict` takes for several digits,
  where `read` reads a number in it, is not refused);
- MNIST: the first `--mnist` test digits saved as PNG (black on white), read right.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "generators"))
sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / kind) for kind in (".", "build", "checks", "perf")
]

from picture_checks import answer, bundled_runtime, made_pictures  # noqa: E402
from real_pictures import file_name  # noqa: E402

from digitcli.imaging import judge  # noqa: E402

import ink_scenes  # noqa: E402
import mnist_png  # noqa: E402
import nondigits  # noqa: E402


def real_set(folder: Path) -> list[tuple[Path, str, int]]:
    """(file, label, fold) of each picture of a built real set (its manifest, the one .csv
    file in `folder`)."""
    found = []
    manifest = next(folder.glob("*.csv"))
    with manifest.open(newline="") as handle:
        for row in csv.DictReader(handle):
            name = file_name(row["repo"], row["path"])
            path = folder / row["fold"] / name
            if path.is_file():
                found.append((path, row["label"], int(row["fold"])))
    return found


def kind(label: str) -> str:
    if label in ("nondigit", "blank"):
        return label
    return "several" if label.startswith("several") else "digit"


def made_set(folder: Path, count: int, seed: int) -> list[tuple[Path, str, str]]:
    """`count` nondigits.py pictures of `seed`, written into `folder`: (file, what, scene)."""
    mnist = ink_scenes.load_strokes("t10k")
    made = []
    for i, (image, what, scene) in enumerate(nondigits.pictures(count, seed, mnist=mnist)):
        path = folder / f"{i:05d}_{scene}_{what}.png"
        image.save(path)
        made.append((path, what, scene))
    return made


def score_made(made, runtime) -> dict[str, Counter]:
    """By scene: the pictures of each kind and those refused."""
    tally: dict[str, Counter] = defaultdict(Counter)
    for path, what, scene in made:
        said = answer(path, runtime)
        refused = said in ("blank", "several", "error")
        tally[scene][what] += 1
        tally[scene][f"{what} refused"] += refused
    return tally


def use(judges: Path, fold: int | None = None) -> None:
    """Consult `judges`: a judge file, or a folder of `make_judge.py` judges, each picture of
    the real set judged by `judge-foldK.tflite` (trained without its fold K), the others by
    `judge-all.tflite`."""
    if judges.is_dir():
        judges = judges / ("judge-all.tflite" if fold is None else f"judge-fold{fold}.tflite")
    judge.use_model(judges)


def score_real(pictures, runtime, judges: Path | None = None) -> dict[str, Counter]:
    """By set name: the pictures of each kind, those refused, the digits read right (each
    picture of the real set judged as `use` says, with `judges`)."""
    tally: dict[str, Counter] = defaultdict(Counter)
    for path, label, fold in pictures:
        if judges is not None:
            use(judges, fold)
        said = answer(path, runtime)
        what = kind(label)
        refused = not said.isdigit()
        for name in (f"fold {fold}", "all folds"):
            tally[name][what] += 1
            tally[name][f"{what} refused"] += refused
            if what == "digit":
                tally[name]["digit right"] += said == label
    return tally


def score_things(folder: Path, runtime) -> Counter:
    """The photos in `folder` (none of them a digit) and those refused."""
    tally: Counter = Counter()
    for path in made_pictures(folder):
        tally["nondigit"] += 1
        tally["nondigit refused"] += answer(path, runtime) == "blank"
    return tally


def mnist_right(count: int, runtime) -> str:
    """MNIST's first `count` test digits, each as a PNG file answered on `predict`'s path."""
    images, labels = mnist_png.mnist_test(count)
    found = mnist_png.predicted(images, runtime, dark_ink=True)
    right = sum(one.digit == label for one, label in zip(found, labels, strict=True))
    refused = sum(not one.answered for one in found)
    return f"{right}/{count} ({right / count:.2%}) right, {refused} refused"


def shown(counts: Counter, what: str, good: str) -> str:
    n = counts[what]
    if not n:
        return "-"
    if good == "right":
        return f"{counts[f'{what} right']}/{n} right, {counts[f'{what} refused']} refused"
    refused = counts[f"{what} refused"]
    return f"{refused}/{n} refused ({refused / n:.1%})"


def table(title: str, scores: dict[str, dict[str, Counter]], columns) -> None:
    print(f"\n## {title}\n")
    judges = list(scores)
    print(
        "| set | " + " | ".join(f"{what} ({name})" for what, _ in columns for name in judges) + " |"
    )
    print("|---" * (1 + len(columns) * len(judges)) + "|")
    for row in next(iter(scores.values())):
        cells = [shown(scores[name][row], what, good) for what, good in columns for name in judges]
        print(f"| {row} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judge", type=Path, action="append", required=True)
    parser.add_argument("--real", type=Path, help="a built real set (real_pictures.csv inside)")
    parser.add_argument(
        "--photos", type=Path, action="append", default=[],
        help="a built real check set, never trained on (its .csv inside)",
    )  # fmt: skip
    parser.add_argument(
        "--things", type=Path, action="append", default=[],
        help="a folder of photos of things, no digit in any, never trained on",
    )  # fmt: skip
    parser.add_argument("--made", type=int, default=700, help="nondigits.py pictures")
    parser.add_argument("--seed", type=int, default=81, help="their seed, never trained on")
    parser.add_argument("--mnist", type=int, default=0, help="MNIST test digits as PNG")
    args = parser.parse_args()
    runtime = bundled_runtime()
    made: dict[str, dict] = {}
    real: dict[str, dict] = {}
    photos: dict[str, dict] = defaultdict(dict)
    things: dict[str, dict] = defaultdict(dict)
    with tempfile.TemporaryDirectory() as folder:
        pictures = made_set(Path(folder), args.made, args.seed) if args.made else []
        for path in args.judge:
            use(path)
            name = path.name
            if pictures:
                made[name] = score_made(pictures, runtime)
                made[name]["all scenes"] = sum(made[name].values(), Counter())
            if args.real is not None:
                real[name] = score_real(real_set(args.real), runtime, path)
                use(path)
            for folder in args.photos:
                for set_name, counts in score_real(real_set(folder), runtime).items():
                    if set_name == "all folds":
                        photos[name][folder.name] = counts
            for folder in args.things:
                things[name][folder.name] = score_things(folder, runtime)
            if args.mnist:
                print(f"{name}: MNIST test digits as PNG: {mnist_right(args.mnist, runtime)}")
    judge.use_model(None)
    if made:
        table(f"Made pictures, seed {args.seed}", made,
              [("nondigit", "refused"), ("digit", "refused"), ("blank", "refused")])  # fmt: skip
    columns = [("digit", "right"), ("nondigit", "refused"), ("blank", "refused"),
               ("several", "refused")]  # fmt: skip
    if real:
        table("Real set (with a folder of judges: each fold by the judge never trained on it)",
              real, columns)  # fmt: skip
    if photos:
        table("Real check sets (never trained on)", photos, columns)
    if things:
        table("Photos of things (never trained on)", things, [("nondigit", "refused")])


if __name__ == "__main__":
    main()
