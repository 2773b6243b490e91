"""Real pictures people made of their own handwriting: build the set, and score a model on it.

    python bench/checks/real_pictures.py build --out DIR [--mirrors ROOT] [--manifest CSV]
    python bench/checks/real_pictures.py score [--model MODEL] [--set DIR] [--json] [--read]

`bench/checks/real_pictures.csv` lists each picture: the public repository and commit it comes
from, its
path there, its label (a digit, `blank`, `several:NNN` with the digits, or `nondigit`), its kind
(`photo`: a camera picture of paper, `drawing`: a paint program or tablet, `canvas`: an app's
drawing square, `scan`), its fold (0-4, one repository's pictures all in one fold) and the
sha256 of its bytes. Every label was checked by eye. The pictures are not in this repository
(most of their repositories state no licence): `build` takes them from snapshots of those
repositories, as the `fetch` tool of our sessions brings them: one folder per repository,
`ROOT/<owner>+<name>/repo`, a bare git directory or a work tree holding `.git`. ROOT is
`--mirrors`, else the environment variable DIGITCLI_MIRRORS. `build` writes
`DIR/<fold>/<owner>+<name>__<path with / as _>`, checks each file's sha256, copies the manifest
to `DIR/real_pictures.csv` (which `score` reads) and names the repositories it did not find.
A path ending in `#crop=X_Y_W_H` names a box of the file before the `#` (in pixels, as OpenCV
decodes it, colour and turned as its EXIF orientation says): the row's sha256 is the whole
file's, and `build` writes the box cut out as a PNG, named as above plus `__crop_X_Y_W_H.png`.
A path `ARCHIVE#member=INNER` names the file INNER inside the zip archive ARCHIVE (a repository
that committed its pictures zipped): the row's sha256 is that file's, and `build` writes it
named `<owner>+<name>__<ARCHIVE>__<INNER>`, each `/` as `_`.
`--manifest` builds another list of the same form instead: `bench/checks/real_photos.csv` is a check
set of phone photos and scans of digits on paper, from repositories that are in neither the
development set nor the held-out one, kept out of training so that it stays an honest check.

`score` reads every picture as `digitcli predict` does (`digitcli.predicting.predict`, the same
preparation and decision) with MODEL: anything `digitcli predict --model` takes (a model
directory, `bundled`, an exported file). Without `--model`, the models folder is pointed at an
empty one so that the bundled model answers, as it does for a new user. It prints accuracy on
the single digits overall, per kind and per fold; the real digits refused (no digit found,
several digits, an error) and how; the blank, several-digit and non-digit pictures refused (the
right answer for `predict`), by the reason given, naming a number called blank or a blank page
called several digits; and every file answered wrongly. `--read` reads every picture with
`digitcli read` too (`digitcli.reading.read`, the same model): its accuracy on the single
digits, how often it gives `predict`'s answer there (the same digit, or no number where predict
gives no digit), naming each picture where they differ, and the several-digit pictures it reads
exactly, naming the others.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MANIFEST = Path(__file__).with_suffix(".csv")
MANIFEST_NAME = MANIFEST.name  # a built set keeps the manifest it was built from under this name
PHOTOS_MANIFEST = MANIFEST.with_name("real_photos.csv")  # the check set: photos and scans only
MIRRORS_ENV = "DIGITCLI_MIRRORS"
CROP = "#crop="  # a path's tail naming a box of the file: `#crop=X_Y_W_H`
MEMBER = "#member="  # a path's tail naming a file inside a zip archive: `#member=INNER`
FIELDS = ("repo", "commit", "path", "label", "kind", "fold", "sha256")
KINDS = ("photo", "drawing", "canvas", "scan")
FOLDS = 5
DIGITS = tuple("0123456789")
OTHER_LABELS = ("blank", "nondigit")  # besides the digits and `several:NNN`


@dataclass(frozen=True)
class Picture:
    """One row of the manifest."""

    repo: str
    commit: str
    path: str
    label: str
    kind: str
    fold: int
    sha256: str

    @property
    def is_digit(self) -> bool:
        return self.label in DIGITS

    @property
    def file_name(self) -> str:
        """Its name in a built set: unique, and saying where it comes from."""
        return file_name(self.repo, self.path)

    def file_in(self, folder: Path) -> Path:
        return folder / str(self.fold) / self.file_name


def slug(repo: str) -> str:
    """`owner/name` as one folder name, the way the snapshots are named."""
    return repo.replace("/", "+", 1)


def file_name(repo: str, path: str) -> str:
    """A manifest row's name in a built set: `<owner>+<name>__<path with / as _>` (an archive's
    member: `<archive>__<member>`), and for a crop `__crop_X_Y_W_H.png` after it."""
    source, crop = split_crop(path)
    name = f"{slug(repo)}__{source.replace(MEMBER, '__').replace('/', '_')}"
    return name if crop is None else f"{name}__crop_{crop}.png"


def split_crop(path: str) -> tuple[str, str | None]:
    """A manifest path as the file's path in its repository and the crop's `X_Y_W_H` (None
    where the row is the whole file)."""
    source, found, crop = path.partition(CROP)
    return (source, crop) if found else (path, None)


def crop_box(crop: str) -> tuple[int, int, int, int] | None:
    """`X_Y_W_H` as four whole numbers, W and H above 0; None where it is not that."""
    parts = crop.split("_")
    if len(parts) != 4 or not all(part.isdigit() for part in parts):
        return None
    x, y, width, height = map(int, parts)
    return (x, y, width, height) if width > 0 and height > 0 else None


def unique_key(row) -> tuple[str, str | None]:
    """What no two rows of a manifest share: the file (its sha256) and the box cut from it."""
    return row.sha256, split_crop(row.path)[1]


def label_problem(label: str) -> str | None:
    """Why `label` is not a label of the manifest, or None."""
    if label in DIGITS or label in OTHER_LABELS:
        return None
    digits = label.removeprefix("several:")
    if label.startswith("several:") and len(digits) >= 2 and digits.isdigit():
        return None
    return f"label {label!r}: expected 0-9, blank, nondigit or several:NNN"


def read_manifest(path: Path) -> list[Picture]:
    """The manifest's rows, checked: known labels and kinds, folds 0-4, one fold a repository,
    no file twice."""
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise SystemExit(f"{path}: expected the columns {','.join(FIELDS)}")
        pictures = [Picture(**{**row, "fold": int(row["fold"])}) for row in reader]
    folds: dict[str, int] = {}
    seen: set[tuple[str, str | None]] = set()
    for number, picture in enumerate(pictures, start=2):
        problem = label_problem(picture.label)
        if picture.kind not in KINDS:
            problem = f"kind {picture.kind!r}: expected one of {', '.join(KINDS)}"
        elif not 0 <= picture.fold < FOLDS:
            problem = f"fold {picture.fold}: expected 0-{FOLDS - 1}"
        elif folds.setdefault(picture.repo, picture.fold) != picture.fold:
            problem = f"{picture.repo} is in two folds"
        elif unique_key(picture) in seen:
            problem = "the same file again"
        if problem:
            raise SystemExit(f"{path}:{number}: {problem}")
        seen.add(unique_key(picture))
    return pictures


def git_dir(mirrors: Path, repo: str) -> Path | None:
    """The snapshot's git directory under `mirrors`, or None."""
    folder = mirrors / slug(repo)
    for candidate in (folder / "repo" / ".git", folder / "repo", folder / ".git", folder):
        if (candidate / "objects").is_dir():
            return candidate
    return None


def build(out: Path, mirrors: Path, manifest: Path = MANIFEST) -> dict[str, list[str]]:
    """Write the set into `out` from the snapshots; what could not be built, by reason."""
    return copy_files(read_manifest(manifest), out, mirrors, manifest, MANIFEST_NAME)


def copy_files(
    rows, out: Path, mirrors: Path, manifest: Path, manifest_name: str
) -> dict[str, list[str]]:
    """Each manifest row's file (anything with repo, commit, path, sha256 and `file_in`) from
    its snapshot under `mirrors` into `out`, its sha256 checked (for `ARCHIVE#member=INNER`,
    INNER's, taken out of the zip), or for a path ending in `#crop=X_Y_W_H` that box of it as a
    PNG, and the manifest beside them as `manifest_name`;
    what could not be copied, by reason."""
    problems: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        found = git_dir(mirrors, row.repo)
        if found is None:
            problems["repositories not found"].append(row.repo)
            continue
        source, crop = split_crop(row.path)
        archive, _, member = source.partition(MEMBER)
        shown = subprocess.run(
            ["git", "--git-dir", str(found), "show", f"{row.commit}:{archive}"],
            capture_output=True,
        )
        if shown.returncode != 0:
            problems["files not in the snapshot"].append(f"{row.repo}:{row.path}")
            continue
        data, problem = unpacked(shown.stdout, member) if member else (shown.stdout, None)
        if not problem and hashlib.sha256(data).hexdigest() != row.sha256:
            problem = "files whose sha256 differs"
        if not problem and crop is not None:
            data, problem = cut(data, crop)
        if problem:
            problems[problem].append(f"{row.repo}:{row.path}")
            continue
        write_file(row.file_in(out), data)
    write_file(out / manifest_name, manifest.read_bytes())
    return {reason: sorted(set(items)) for reason, items in problems.items()}


def unpacked(archive: bytes, member: str) -> tuple[bytes, str | None]:
    """The file `member` of the zip `archive`; or why not, in `copy_files`' words."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            return opened.read(member), None
    except KeyError:
        return b"", "archive members not found"
    except zipfile.BadZipFile:
        return b"", "files that are no zip archive"


def cut(data: bytes, crop: str) -> tuple[bytes, str | None]:
    """The box `crop` (`X_Y_W_H`) of the picture `data` as a PNG, its colours kept; or why
    not, in the words `copy_files` lists problems under."""
    box = crop_box(crop)
    if box is None:
        return b"", "crop boxes not X_Y_W_H (whole numbers, W and H above 0)"
    import cv2  # lazy: only a crop needs a decoder
    import numpy as np

    try:
        pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    except cv2.error:  # an empty file
        pixels = None
    if pixels is None:
        return b"", "files that are no picture"
    x, y, width, height = box
    if x + width > pixels.shape[1] or y + height > pixels.shape[0]:
        return b"", "crop boxes outside the picture"
    return cv2.imencode(".png", pixels[y : y + height, x : x + width])[1].tobytes(), None


def write_file(path: Path, data: bytes) -> None:
    """Write whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


@dataclass(frozen=True)
class Answer:
    """What `predict` said of one picture: a digit, or why there is none."""

    digit: int | None
    why: str | None = None


def answers(files: list[Path], model: str | None) -> list[Answer]:
    """`digitcli predict`'s answer for each file, in order."""
    from digitcli.predicting.predict import predict

    found = []
    for prediction in predict([str(file) for file in files], model=model):
        why = prediction.error or prediction.note
        found.append(Answer(prediction.digit, None if prediction.digit is not None else why))
    return found


def numbers(files: list[Path], model: str | None) -> list[str | None]:
    """`digitcli read`'s number for each file, in order (None where it read none); a picture
    read line by line, its lines' numbers top to bottom (None where a line has none)."""
    from digitcli.reading.read import read

    return [_written(reading) for reading in read([str(file) for file in files], model=model)]


def _written(reading) -> str | None:
    if not reading.lines:
        return reading.number
    numbers = [line.number for line in reading.lines]
    return None if None in numbers else "".join(numbers)


def share(right: int, total: int) -> float | None:
    return right / total if total else None


def refusal(why: str | None) -> str:
    """Why `predict` gave no digit, in a word: the one verdict's refusals (`blank`, `lines`,
    `not a digit`), `several` or `other`."""
    from digitcli.imaging import verdict

    text = why or ""
    words = {
        verdict.BLANK: "blank",
        verdict.NOT_DIGITS: "lines",
        verdict.NOT_A_DIGIT: "not a digit",
    }
    if text in words:
        return words[text]
    if "several digits" in text or "separate digits" in text:
        return "several"
    return "other"


def tally(pictures: list[Picture], found: list[Answer]) -> dict:
    """The scores of the answers `found` to `pictures` (in the same order)."""
    groups: dict[str, Counter] = defaultdict(Counter)
    refused: list[dict] = []
    wrong: list[dict] = []
    others: Counter = Counter()
    others_refused: dict[str, Counter] = defaultdict(Counter)
    missed_others: list[dict] = []
    wrong_reason: list[dict] = []
    for picture, answer in zip(pictures, found, strict=True):
        name = picture.file_name
        if not picture.is_digit:
            group = picture.label.split(":")[0]
            others[group] += 1
            reason = refusal(answer.why)
            if answer.digit is not None:
                missed_others.append({"file": name, "label": picture.label, "answer": answer.digit})
                continue
            others_refused[group][reason] += 1
            if group in ("blank", "several") and reason != group:
                wrong_reason.append({"file": name, "label": picture.label, "as": reason})
            continue
        right = answer.digit == int(picture.label)
        for group in ("all", f"kind {picture.kind}", f"fold {picture.fold}"):
            groups[group]["total"] += 1
            groups[group]["right"] += right
        if answer.digit is None:
            refused.append({"file": name, "label": picture.label, "why": answer.why})
        elif not right:
            wrong.append({"file": name, "label": picture.label, "answer": answer.digit})
    accuracy = {
        group: {
            "right": counts["right"],
            "total": counts["total"],
            "accuracy": share(counts["right"], counts["total"]),
        }
        for group, counts in sorted(groups.items(), key=lambda item: group_order(item[0]))
    }
    return {
        "accuracy": accuracy,
        "refused_digits": refused,
        "wrong_digits": wrong,
        "others_refused": {
            group: {
                "refused": others_refused[group].total(),
                "total": others[group],
                "as": dict(sorted(others_refused[group].items())),
            }
            for group in sorted(others)
        },
        "others_answered": missed_others,
        "others_wrong_reason": wrong_reason,
    }


def tally_read(pictures: list[Picture], found: list[Answer], read: list[str | None]) -> dict:
    """`read`'s scores, its numbers `read` beside predict's answers `found` (all in the order
    of `pictures`): right on the single digits and agreeing with predict there (the same digit,
    or no number where predict gives no digit), several-digit pictures read exactly, and the
    blank and non-digit pictures it answers a number for."""
    right = agree = digits = exact = several = others = 0
    disagree: list[dict] = []
    misread: list[dict] = []
    answered: list[dict] = []
    for picture, answer, number in zip(pictures, found, read, strict=True):
        if picture.label in OTHER_LABELS:
            others += 1
            if number is not None:
                answered.append({"file": picture.file_name, "label": picture.label, "read": number})
        if picture.label.startswith("several:"):
            several += 1
            if number == picture.label.removeprefix("several:"):
                exact += 1
            else:
                misread.append({"file": picture.file_name, "label": picture.label, "read": number})
        if not picture.is_digit:
            continue
        digits += 1
        right += number == picture.label
        predicted = None if answer.digit is None else str(answer.digit)
        agree += number == predicted
        if number != predicted:
            disagree.append(
                {"file": picture.file_name, "label": picture.label, "predict": answer.digit,
                 "read": number}
            )  # fmt: skip
    return {
        "digits": {"right": right, "total": digits, "accuracy": share(right, digits)},
        "agreement": {"same": agree, "total": digits, "share": share(agree, digits)},
        "disagreements": disagree,
        "several": {"exact": exact, "total": several, "share": share(exact, several)},
        "several_misread": misread,
        "others": {"answered": len(answered), "total": others},
        "others_answered": answered,
    }


def render_read(scores: dict) -> list[str]:
    """`tally_read`'s scores as lines of text."""
    digits, agreement, several = scores["digits"], scores["agreement"], scores["several"]
    lines = []
    if digits["total"]:
        lines += [
            f"read, single digits: {digits['accuracy']:.1%}  ({digits['right']}/{digits['total']})",
            f"read agrees with predict: {agreement['share']:.1%}  "
            f"({agreement['same']}/{agreement['total']})",
        ]
    lines += [
        f"  {row['file']} ({row['label']}): predict {row['predict']}, read {row['read']}"
        for row in scores["disagreements"]
    ]
    others = scores["others"]
    if others["total"]:
        answered = f"{others['answered']}/{others['total']}"
        lines.append(f"read, blank and non-digit pictures answered a number: {answered}")
        lines += [
            f"  {row['file']} ({row['label']}): read {row['read']}"
            for row in scores["others_answered"]
        ]
    if several["total"]:
        lines.append(
            f"several-digit pictures read exactly: {several['share']:.1%}  "
            f"({several['exact']}/{several['total']})"
        )
        lines += [
            f"  {row['file']} ({row['label']}): read {row['read']}"
            for row in scores["several_misread"]
        ]
    return lines


def group_order(group: str) -> tuple[int, str]:
    return (0 if group == "all" else 1 if group.startswith("kind") else 2, group)


def render(scores: dict, model: str) -> str:
    """The scores as text."""
    lines = [f"model: {model}", "single digits:"]
    for group, row in scores["accuracy"].items():
        lines.append(f"  {group:<14} {row['accuracy']:7.1%}  ({row['right']}/{row['total']})")
    refused = scores["refused_digits"]
    lines.append(f"real digits refused: {len(refused)}")
    lines += [f"  {row['file']} ({row['label']}): {row['why']}" for row in refused]
    lines.append("blank, several-digit and non-digit pictures refused:")
    for group, row in scores["others_refused"].items():
        reasons = ", ".join(f"as {reason} {n}" for reason, n in row["as"].items())
        lines.append(f"  {group:<14} {row['refused']}/{row['total']}  {reasons}".rstrip())
    lines += [
        f"  called {row['as']}: {row['file']} ({row['label']})"
        for row in scores["others_wrong_reason"]
    ]
    lines += [
        f"  answered {row['answer']}: {row['file']} ({row['label']})"
        for row in scores["others_answered"]
    ]
    lines.append(f"wrong digits: {len(scores['wrong_digits'])}")
    lines += [
        f"  {row['file']}: {row['label']} read as {row['answer']}" for row in scores["wrong_digits"]
    ]
    if "read" in scores:
        lines += render_read(scores["read"])
    return "\n".join(lines)


def score(folder: Path, model: str | None, read: bool = False) -> dict:
    """Score `model` (None: the bundled one, as a new user gets it) on the set in `folder`;
    `read`: `digitcli read` too (`tally_read`)."""
    pictures = read_manifest(folder / MANIFEST_NAME)
    present = [picture for picture in pictures if picture.file_in(folder).is_file()]
    if not present:
        raise SystemExit(f"{folder}: no pictures; run `build` first")
    from digitcli.core.config import MODELS_ENV

    with tempfile.TemporaryDirectory() as empty:
        before = os.environ.get(MODELS_ENV)
        if model is None:
            os.environ[MODELS_ENV] = empty  # no trained model there: the bundled one answers
        try:
            files = [picture.file_in(folder) for picture in present]
            found = answers(files, model)
            read_numbers = numbers(files, model) if read else None
        finally:
            if before is None:
                os.environ.pop(MODELS_ENV, None)
            else:
                os.environ[MODELS_ENV] = before
    scores = tally(present, found)
    if read_numbers is not None:
        scores["read"] = tally_read(present, found, read_numbers)
    scores["missing"] = len(pictures) - len(present)
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    making = commands.add_parser("build", help="write the set from the repositories' snapshots")
    making.add_argument("--out", type=Path, required=True)
    making.add_argument("--mirrors", type=Path, default=os.environ.get(MIRRORS_ENV))
    making.add_argument(
        "--manifest",
        type=Path,
        default=MANIFEST,
        help=f"the pictures to take (default {MANIFEST_NAME}; {PHOTOS_MANIFEST.name}: the photos)",
    )
    scoring = commands.add_parser("score", help="score a model on a built set")
    scoring.add_argument("--model", default=None, help="as `digitcli predict --model`")
    scoring.add_argument("--set", type=Path, default=Path("bench/results/real"), dest="folder")
    scoring.add_argument("--json", action="store_true")
    scoring.add_argument(
        "--read",
        action="store_true",
        help="read each picture with `digitcli read` too: its accuracy and agreement with predict",
    )
    args = parser.parse_args(argv)
    if args.command == "build":
        if args.mirrors is None:
            parser.error(f"give --mirrors or set {MIRRORS_ENV}")
        if not args.manifest.is_file():
            parser.error(f"no such manifest: {args.manifest}")
        problems = build(args.out, args.mirrors, args.manifest)
        built = sum(1 for _ in args.out.glob("[0-9]/*"))
        print(f"{built} pictures in {args.out}")
        for reason, items in problems.items():
            print(f"{reason} ({len(items)}): {', '.join(items)}")
        return 1 if problems else 0
    scores = score(args.folder, args.model, read=args.read)
    if args.json:
        print(json.dumps(scores, indent=2))
    else:
        print(render(scores, args.model or "bundled (no trained model)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
