"""Real pictures of handwritten numbers, the development set of `read`: build it, and score.

    python bench/checks/real_numbers.py build --out DIR [--mirrors ROOT] [--manifest CSV]
    python bench/checks/real_numbers.py score --set DIR [--model MODEL] [--json] [--before JSON]

`bench/real_numbers.csv` lists each picture: the public repository and commit it comes from, its
path there, its label (the number's digits, 2 to 10 of them, read by eye), `raw` (what is
written where that is more than the digits: `12,5`, `-150`, `8,600`; empty otherwise), its kind
(`photo`, `scan`, `drawing`, `canvas`, as in bench/checks/real_pictures.py), its fold (0-4, one
repository's pictures all in one fold; a repository also in bench/real_pictures.csv keeps its
fold there) and the sha256 of its bytes. Separators and signs are no digits: the label of
`12,5` is `125`. None of these repositories is in the maintainers' held-out list
(`../shared/holdout-repos.txt`); the sources and their counts are in docs/reading-numbers.md.

`build` takes the pictures from snapshots of the repositories, as bench/checks/real_pictures.py does
(`ROOT/<owner>+<name>/repo`; ROOT is `--mirrors`, else the environment variable
DIGITCLI_MIRRORS), writes `DIR/<fold>/<owner>+<name>__<path with / as _>`, checks each file's
sha256, copies the manifest to `DIR/real_numbers.csv` (which `score` reads) and names what it
could not build. A path ending in `#crop=X_Y_W_H` is that box of the file, cut out as a PNG (its
sha256 is the whole file's; bench/checks/real_pictures.py says how); a path
`ARCHIVE#member=INNER` is the file INNER inside a zip archive, its own sha256 checked.
`--manifest` builds another list of the same form instead: `bench/checks/form_cells.csv` is a
development set of numbers written in the cells of forms (exam mark sheets), cut from whole
pages; `more_numbers.csv` another of phone photos and form fields (round 74);
`cell_numbers.csv` a third, of numbers in the cells of score cards, mark sheets and registers
(round 75); `written_numbers.csv` a fourth, of numbers written on paper and photographed,
taken out of a zip archive (round 78); `fresh_numbers.csv` a check set.

`score` reads every picture with `digitcli read` (`digitcli.reading.read.read`, one call for the
whole set) with MODEL (anything `--model` takes; without it the models folder is pointed at an
empty one, so that the bundled model answers, as for a new user). It prints, overall, per kind,
per fold and with or without separators in `raw`: the share read exactly, the share of digits
right (per picture, its digits less the edit distance from the reading, at least 0; a picture
without a number has none right) and the pictures with no number (refused: blank, several lines,
an error). Then the failures by kind (`extra` digits read where the label is within the
reading, `dropped` where the reading is within the label, `confused` of the same length,
`mixed`, `refused`) and every picture not read exactly. `text` is the share whose `text` (what
`read` says was written, marks included) is `raw`, or the label where `raw` is empty.
`--before JSON` (an earlier run's `--json`, say of the code before a change) shows each group's
exact share then and now, and every picture not read exactly then or now with both readings.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / kind) for kind in (".", "build", "checks", "perf")
]

from real_pictures import (  # noqa: E402
    FOLDS,
    KINDS,
    MIRRORS_ENV,
    copy_files,
    file_name,
    group_order,
    share,
    unique_key,
)

MANIFEST = Path(__file__).with_suffix(".csv")
MANIFEST_NAME = MANIFEST.name  # a built set keeps the manifest it was built from under this name
FORMS_MANIFEST = MANIFEST.with_name("form_cells.csv")  # numbers in cells of forms, cut from pages
FIELDS = ("repo", "commit", "path", "label", "raw", "kind", "fold", "sha256")
DIGITS = (2, 10)  # the fewest and most digits of a number in the set


@dataclass(frozen=True)
class Number:
    """One row of the manifest: a picture of one handwritten number."""

    repo: str
    commit: str
    path: str
    label: str
    raw: str
    kind: str
    fold: int
    sha256: str

    @property
    def file_name(self) -> str:
        return file_name(self.repo, self.path)

    def file_in(self, folder: Path) -> Path:
        return folder / str(self.fold) / self.file_name

    @property
    def separated(self) -> bool:
        """Whether more than digits is written (a separator, a sign)."""
        return bool(self.raw)


def row_problem(number: Number) -> str | None:
    """Why a row is not one of the manifest's, or None."""
    low, high = DIGITS
    if not (number.label.isdigit() and low <= len(number.label) <= high):
        return f"label {number.label!r}: expected {low} to {high} digits"
    if number.raw and "".join(c for c in number.raw if c.isdigit()) != number.label:
        return f"raw {number.raw!r}: its digits are not the label {number.label!r}"
    if number.kind not in KINDS:
        return f"kind {number.kind!r}: expected one of {', '.join(KINDS)}"
    if not 0 <= number.fold < FOLDS:
        return f"fold {number.fold}: expected 0-{FOLDS - 1}"
    return None


def read_manifest(path: Path) -> list[Number]:
    """The manifest's rows, checked: labels of digits only agreeing with `raw`, known kinds,
    folds 0-4, one fold a repository, no file twice."""
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise SystemExit(f"{path}: expected the columns {','.join(FIELDS)}")
        try:
            numbers = [Number(**{**row, "fold": int(row["fold"])}) for row in reader]
        except ValueError as error:
            raise SystemExit(f"{path}: {error}") from None
    folds: dict[str, int] = {}
    seen: set[tuple[str, str | None]] = set()
    for line, number in enumerate(numbers, start=2):
        problem = row_problem(number)
        if problem is None and folds.setdefault(number.repo, number.fold) != number.fold:
            problem = f"{number.repo} is in two folds"
        if problem is None and unique_key(number) in seen:
            problem = "the same file again"
        if problem:
            raise SystemExit(f"{path}:{line}: {problem}")
        seen.add(unique_key(number))
    return numbers


def build(out: Path, mirrors: Path, manifest: Path = MANIFEST) -> dict[str, list[str]]:
    """Write the set into `out` from the snapshots; what could not be built, by reason."""
    return copy_files(read_manifest(manifest), out, mirrors, manifest, MANIFEST_NAME)


@dataclass(frozen=True)
class Answer:
    """What `read` said of one picture: its number, or why there is none."""

    number: str | None
    why: str | None = None
    text: str | None = None  # what `read` says was written, marks included


def answer_of(reading) -> Answer:
    """A `digitcli.reading.read.Reading` as an `Answer`."""
    if reading.number is not None:
        return Answer(reading.number, text=getattr(reading, "text", None))
    if reading.lines:
        return Answer(None, f"{len(reading.lines)} lines: " + ", ".join(
            line.number or "-" for line in reading.lines))  # fmt: skip
    return Answer(None, reading.error or reading.note or "no number")


def distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    before = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        now = [i]
        for j, y in enumerate(b, start=1):
            now.append(min(before[j] + 1, now[j - 1] + 1, before[j - 1] + (x != y)))
        before = now
    return before[-1]


def within(short: str, long: str) -> bool:
    """Whether `short`'s digits are `long`'s, some left out (a subsequence)."""
    rest = iter(long)
    return all(c in rest for c in short)


def digits_right(label: str, answer: Answer) -> int:
    """The label's digits read: its length less the edit distance, at least 0."""
    if answer.number is None:
        return 0
    return max(0, len(label) - distance(label, answer.number))


def failure(label: str, answer: Answer) -> str | None:
    """How the answer is wrong, in a word, or None where it is right."""
    got = answer.number
    if got is None:
        return "refused"
    if got == label:
        return None
    if len(got) > len(label) and within(label, got):
        return "extra"
    if len(got) < len(label) and within(got, label):
        return "dropped"
    if len(got) == len(label):
        return "confused"
    return "mixed"


def groups_of(number: Number) -> tuple[str, ...]:
    separators = "separators" if number.separated else "digits only"
    return ("all", f"kind {number.kind}", f"fold {number.fold}", f"raw {separators}")


def tally(numbers: list[Number], answers: list[Answer]) -> dict:
    """The scores of `answers` to `numbers` (in the same order)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    failures: Counter = Counter()
    wrong: list[dict] = []
    for number, answer in zip(numbers, answers, strict=True):
        exact = answer.number == number.label
        for group in groups_of(number):
            counts[group]["pictures"] += 1
            counts[group]["exact"] += exact
            counts[group]["digits"] += len(number.label)
            counts[group]["digits_right"] += digits_right(number.label, answer)
            counts[group]["refused"] += answer.number is None
            counts[group]["text"] += answer.text == (number.raw or number.label)
        how = failure(number.label, answer)
        if how is None:
            continue
        failures[how] += 1
        wrong.append(
            {"file": number.file_name, "label": number.label, "raw": number.raw,
             "kind": number.kind, "read": answer.number, "why": answer.why, "failure": how,
             "text": answer.text}
        )  # fmt: skip
    scores = {
        group: {
            "pictures": row["pictures"],
            "exact": row["exact"],
            "exact_share": share(row["exact"], row["pictures"]),
            "digits": row["digits"],
            "digits_right": row["digits_right"],
            "digits_share": share(row["digits_right"], row["digits"]),
            "refused": row["refused"],
            "text_share": share(row["text"], row["pictures"]),
        }
        for group, row in sorted(counts.items(), key=lambda item: order(item[0]))
    }
    return {"groups": scores, "failures": dict(failures.most_common()), "wrong": wrong}


def order(group: str) -> tuple[int, str]:
    """`all`, the kinds, the folds, then the separator groups."""
    return (3, group) if group.startswith("raw") else group_order(group)


def render(scores: dict, model: str, before: dict | None = None) -> str:
    """The scores as text; with `before` (an earlier run's `--json`), each group's exact share
    then and now, and what each picture not read exactly now was read as then."""
    if before is not None:
        return render_against(scores, model, before)
    lines = [
        f"model: {model}",
        f"{'':24} {'pictures':>8} {'exact':>7} {'digits':>7} {'refused':>7} {'text':>7}",
    ]
    for group, row in scores["groups"].items():
        lines.append(
            f"  {group:<22} {row['pictures']:>8} {row['exact_share']:>7.1%} "
            f"{row['digits_share']:>7.1%} {row['refused']:>7} {row.get('text_share', 0):>7.1%}"
        )
    failures = ", ".join(f"{how} {n}" for how, n in scores["failures"].items())
    lines.append(f"not read exactly: {len(scores['wrong'])} ({failures or 'none'})")
    for row in scores["wrong"]:
        raw = f" [{row['raw']}]" if row["raw"] else ""
        got = row["read"] if row["read"] is not None else f"no number ({row['why']})"
        lines.append(f"  {row['failure']:<8} {row['file']}: {row['label']}{raw} read {got}")
    if scores.get("missing"):
        lines.append(f"pictures not built: {scores['missing']}")
    return "\n".join(lines)


def render_against(scores: dict, model: str, before: dict) -> str:
    """`render` beside an earlier run: per group exact (and refused) before -> now, then every
    picture not read exactly now or then, with both readings."""
    lines = [
        f"model: {model}; before: an earlier run's --json",
        f"{'':24} {'pictures':>8} {'exact before':>13} {'now':>7} {'refused':>9} {'text now':>9}",
    ]
    for group, row in scores["groups"].items():
        then = before["groups"].get(group, {})
        was = f"{then['exact_share']:.1%}" if then else "-"
        refused = f"{then.get('refused', '-')}->{row['refused']}"
        lines.append(
            f"  {group:<22} {row['pictures']:>8} {was:>13} {row['exact_share']:>7.1%} "
            f"{refused:>9} {row.get('text_share', 0):>9.1%}"
        )
    then = {row["file"]: row for row in before["wrong"]}
    now = {row["file"]: row for row in scores["wrong"]}
    lines.append(f"not read exactly now: {len(now)} (before: {len(then)})")
    for name in sorted(now.keys() | then.keys()):
        row = now.get(name) or then[name]
        raw = f" [{row['raw']}]" if row["raw"] else ""
        lines.append(
            f"  {row['kind']:<7} {name}: {row['label']}{raw} before {_said(then.get(name))}, "
            f"now {_said(now.get(name))}"
        )
    return "\n".join(lines)


def _said(row: dict | None) -> str:
    if row is None:
        return "right"
    got = row["read"] if row["read"] is not None else f"no number ({row['why']})"
    text = row.get("text")
    return f"{got} (text {text})" if text and text != got else str(got)


def read_all(files: list[Path], model: str | None) -> list[Answer]:
    """`digitcli read`'s answer for each file, in order."""
    from digitcli.reading.read import read

    readings = read([str(file) for file in files], model=model)
    return [answer_of(reading) for reading in readings]


def score(folder: Path, model: str | None) -> dict:
    """Score `read` with `model` (None: the bundled one, as a new user gets it) on the set."""
    numbers = read_manifest(folder / MANIFEST_NAME)
    present = [number for number in numbers if number.file_in(folder).is_file()]
    if not present:
        raise SystemExit(f"{folder}: no pictures; run `build` first")
    from digitcli.core.config import MODELS_ENV

    with tempfile.TemporaryDirectory() as empty:
        before = os.environ.get(MODELS_ENV)
        if model is None:
            os.environ[MODELS_ENV] = empty  # no trained model there: the bundled one answers
        try:
            answers = read_all([number.file_in(folder) for number in present], model)
        finally:
            if before is None:
                os.environ.pop(MODELS_ENV, None)
            else:
                os.environ[MODELS_ENV] = before
    scores = tally(present, answers)
    scores["missing"] = len(numbers) - len(present)
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
        help=f"the pictures to take (default {MANIFEST_NAME}; {FORMS_MANIFEST.name}: form cells)",
    )
    scoring = commands.add_parser("score", help="score `read` on a built set")
    scoring.add_argument("--set", type=Path, required=True, dest="folder")
    scoring.add_argument("--model", default=None, help="as `digitcli read --model`")
    scoring.add_argument("--json", action="store_true")
    scoring.add_argument(
        "--before", type=Path, help="an earlier run's --json: shown beside this one's figures"
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
    scores = score(args.folder, args.model)
    if args.json:
        print(json.dumps(scores, indent=2))
    else:
        before = json.loads(args.before.read_text()) if args.before else None
        print(render(scores, args.model or "bundled (no trained model)", before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
